"""Readable terminal output of scores and rubrics (rich).

Everything printed goes through ``rich.text.Text`` (never console markup), so brackets in a
rubric or a use-case name print as written, and user text passes ``terminal_safe`` first.
On a terminal whose encoding cannot show them (``LANG=C``, ``PYTHONIOENCODING=ascii``), the
bullets, arrows and quotes fall back to ASCII.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from assessor.domain.rubric import Rubric
from assessor.domain.scoring import Result
from assessor.fileio import terminal_safe

if TYPE_CHECKING:
    from rich.console import Console

VERDICT_STYLE = {"ready": "bold green", "conditional": "bold yellow", "not_ready": "bold red"}
VERDICT_WORDS = {"ready": "READY", "conditional": "CONDITIONAL", "not_ready": "NOT READY"}


@dataclass(frozen=True)
class Symbols:
    bullet: str
    arrow: str
    open_quote: str
    close_quote: str


UNICODE = Symbols("•", "→", "“", "”")
ASCII = Symbols("-", "->", '"', '"')


def symbols_for(encoding: str | None) -> Symbols:
    """Unicode symbols where the output encoding has them, ASCII otherwise."""
    try:
        "".join(vars(UNICODE).values()).encode(encoding or "utf-8")
    except (UnicodeEncodeError, LookupError):
        return ASCII
    return UNICODE


def _console() -> Console:
    from rich.console import Console

    return Console(highlight=False, soft_wrap=False, emoji=False)


def print_results(results: list[Result]) -> None:
    console = _console()
    marks = symbols_for(console.encoding)
    for i, result in enumerate(results):
        if i:
            console.print()
            console.rule(characters="-" if marks is ASCII else "─")
        _print_result(console, result, marks)


def _line(console: Console, text: str, *, indent: int = 0, style: str = "") -> None:
    """Print text wrapped to the terminal width, every line indented by ``indent``."""
    _wrapped(console, text, " " * indent, " " * indent, style)


def _item(console: Console, marks: Symbols, text: str, *, style: str = "") -> None:
    """A bulleted item at column 2; wrapped lines align with the text after the bullet."""
    _wrapped(console, text, f"  {marks.bullet} ", " " * (len(marks.bullet) + 3), style)


def _wrapped(console: Console, text: str, first: str, rest: str, style: str) -> None:
    import textwrap

    from rich.text import Text

    width = max(40, console.width)
    lines = textwrap.wrap(
        terminal_safe(text),
        width=width,
        initial_indent=first,
        subsequent_indent=rest,
        break_long_words=False,
        break_on_hyphens=False,
    ) or [first.rstrip()]
    for line in lines:
        console.print(Text(line, style=style), overflow="ignore", crop=False)


def _print_result(console: Console, r: Result, marks: Symbols) -> None:
    from rich.table import Table
    from rich.text import Text

    title = Text(terminal_safe(r.use_case), style="bold")
    title.append("  ")
    title.append(VERDICT_WORDS[r.verdict], style=VERDICT_STYLE[r.verdict])
    title.append(f"  score {r.score}/100", style="bold")
    if r.provisional:
        title.append("  (provisional)", style="yellow")
    console.print(title)
    console.print(Text(f"rubric {r.rubric.id} v{r.rubric.version}", style="dim"))

    table = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
    table.add_column("Dimension")
    table.add_column("Level")
    table.add_column("Score", justify="right")
    for d in r.dimensions:
        table.add_row(
            Text(terminal_safe(d.title)),
            Text(terminal_safe(d.level)),
            Text("open" if d.score is None else str(d.score)),
        )
    console.print()
    console.print(table)

    for label, findings, style in (
        ("Blockers", r.blockers, "red"),
        ("Conditions", r.conditions, "yellow"),
    ):
        if not findings:
            continue
        console.print()
        console.print(Text(label, style=f"bold {style}"))
        for f in findings:
            _item(console, marks, f"{f.title} [{f.id}]", style=style)
            _line(console, f"Why: {terminal_safe(f.reason)}", indent=4)
            _line(console, f"Fix: {f.fix}", indent=4)
            quoted = f"Guide: {marks.open_quote}{f.guide}{marks.close_quote}"
            _line(console, quoted, indent=4, style="dim")

    if r.to_improve:
        console.print()
        console.print(Text("What would raise the verdict", style="bold"))
        for imp in r.to_improve:
            words = VERDICT_WORDS[imp.verdict]
            _item(
                console, marks, f"{terminal_safe(imp.summary)} {marks.arrow} {words} ({imp.score})"
            )

    if r.patterns:  # a rubric imported from a lens recommends none
        console.print()
        console.print(Text("Recommended patterns", style="bold"))
    for p in r.patterns:
        params = ", ".join(f"{k}={_param(v)}" for k, v in p.params.items())
        _item(console, marks, f"{p.title} [{p.id}]" + (f": {params}" if params else ""))

    if r.cost_model is not None:
        c = r.cost_model
        console.print()
        console.print(Text("Cost model (per day)", style="bold"))
        note = (
            "from the assessment"
            if c.source == "given"
            else ("rubric defaults for " + ", ".join(c.defaults_used))
        )
        if c.error_rate_assumed:
            note += f"; error rate assumed {c.error_rate:.0%}"
        _line(console, f"inputs: {note}", indent=2, style="dim")
        rows = [
            ("no review", c.daily_cost_no_review, ""),
            ("review everything", c.daily_cost_review_all, ""),
            (
                f"review below {c.confidence_threshold:.2f}",
                c.daily_cost_with_threshold,
                f"  ({c.deferral_rate:.1%} reviewed)",
            ),
        ]
        for name, cost, extra in rows:
            best = "  <- lowest" if _policy(name) == c.best_policy else ""
            console.print(Text(f"  {name + ':':<22}{cost:>14,.2f}{extra}{best}"))
    if r.open_questions:
        console.print()
        _line(console, "Open questions: " + ", ".join(r.open_questions), style="yellow")


def _policy(name: str) -> str:
    if name == "no review":
        return "no_review"
    if name == "review everything":
        return "review_all"
    return "threshold"


def _param(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None:
        return "-"
    if isinstance(value, list):
        return "[" + ", ".join(str(v) for v in value) + "]"
    return str(value)


def print_rubric(rubric: Rubric) -> None:
    from rich.text import Text

    console = _console()
    console.print(Text(f"{rubric.title}  ({rubric.id} v{rubric.version})", style="bold"))
    if rubric.description:
        console.print(Text(" ".join(rubric.description.split())))
    console.print()
    console.print(Text("Questions", style="bold"))
    for q in rubric.questions:
        opts = " | ".join(o.value for o in q.options) if q.options else q.type
        flags = ["required" if q.required else "optional"]
        if q.applies_when is not None:
            flags.append("only where it applies")
        _line(console, f"  {q.id} ({', '.join(flags)}): {q.prompt}  [{opts}]", indent=4)
    console.print()
    console.print(Text("Rules", style="bold"))
    for r in rubric.rules:
        _line(console, f"  {r.kind:<9} {r.id}: {r.title}", indent=4)
    console.print()
    console.print(Text("Patterns", style="bold"))
    for p in rubric.patterns:
        _line(console, f"  {p.id}: {p.title}", indent=4)
