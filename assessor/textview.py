"""Readable terminal output of scores and rubrics (rich)."""

from __future__ import annotations

from assessor.domain.rubric import Rubric
from assessor.domain.scoring import Result
from assessor.fileio import terminal_safe

VERDICT_STYLE = {"ready": "bold green", "conditional": "bold yellow", "not_ready": "bold red"}
VERDICT_WORDS = {"ready": "READY", "conditional": "CONDITIONAL", "not_ready": "NOT READY"}


def print_results(results: list[Result]) -> None:
    from rich.console import Console

    console = Console(highlight=False, soft_wrap=False)
    for i, result in enumerate(results):
        if i:
            console.rule()
        _print_result(console, result)


def _print_result(console: object, r: Result) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    assert isinstance(console, Console)
    title = Text(terminal_safe(r.use_case), style="bold")
    title.append("  ")
    title.append(VERDICT_WORDS[r.verdict], style=VERDICT_STYLE[r.verdict])
    title.append(f"  score {r.score}/100", style="bold")
    console.print(title)
    console.print(Text(f"rubric {r.rubric.id} v{r.rubric.version}", style="dim"))

    table = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
    table.add_column("Dimension")
    table.add_column("Level")
    table.add_column("Score", justify="right")
    for d in r.dimensions:
        table.add_row(d.title, d.level, "open" if d.score is None else str(d.score))
    console.print(table)

    for label, findings, style in (
        ("Blockers", r.blockers, "red"),
        ("Conditions", r.conditions, "yellow"),
    ):
        if not findings:
            continue
        console.print(Text(f"\n{label}", style=f"bold {style}"))
        for f in findings:
            console.print(Text(f"  • {f.title} [{f.id}]", style=style))
            console.print(Text(f"    Why: {terminal_safe(f.reason)}"))
            console.print(Text(f"    Fix: {f.fix}"))
            console.print(Text(f"    Guide: “{f.guide}”", style="dim"))

    if r.to_improve:
        console.print(Text("\nWhat would raise the verdict", style="bold"))
        for imp in r.to_improve:
            console.print(Text(f"  • {imp.summary} → {VERDICT_WORDS[imp.verdict]} ({imp.score})"))

    console.print(Text("\nRecommended patterns", style="bold"))
    for p in r.patterns:
        params = ", ".join(f"{k}={v}" for k, v in p.params.items())
        console.print(Text(f"  • {p.title} [{p.id}]" + (f": {params}" if params else "")))

    if r.cost_model is not None:
        c = r.cost_model
        console.print(Text("\nCost model (per day)", style="bold"))
        note = (
            "from the assessment"
            if c.source == "given"
            else ("rubric defaults for " + ", ".join(c.defaults_used))
        )
        if c.error_rate_assumed:
            note += f"; error rate assumed {c.error_rate:.0%}"
        console.print(Text(f"  inputs: {note}", style="dim"))
        console.print(f"  no review:            {c.daily_cost_no_review:>14,.2f}")
        console.print(f"  review everything:    {c.daily_cost_review_all:>14,.2f}")
        console.print(
            f"  review below {c.confidence_threshold:.2f}:   {c.daily_cost_with_threshold:>14,.2f}"
            f"  ({c.deferral_rate:.1%} reviewed)"
        )
    if r.open_questions:
        console.print(Text("\nOpen questions: " + ", ".join(r.open_questions), style="yellow"))


def print_rubric(rubric: Rubric) -> None:
    from rich.console import Console
    from rich.text import Text

    console = Console(highlight=False)
    console.print(Text(f"{rubric.title}  ({rubric.id} v{rubric.version})", style="bold"))
    if rubric.description:
        console.print(" ".join(rubric.description.split()))
    console.print(Text("\nQuestions", style="bold"))
    for q in rubric.questions:
        opts = ", ".join(o.value for o in q.options) if q.options else q.type
        flag = " (required)" if q.required else ""
        console.print(f"  {q.id}{flag}: {q.prompt}  [{opts}]")
    console.print(Text("\nRules", style="bold"))
    for r in rubric.rules:
        console.print(f"  {r.kind:<9} {r.id}: {r.title}")
    console.print(Text("\nPatterns", style="bold"))
    for p in rubric.patterns:
        console.print(f"  {p.id}: {p.title}")
