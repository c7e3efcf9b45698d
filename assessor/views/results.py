"""The results of one assessment as Rich renderables: the one view of a :class:`Result` that
``assessor score`` (text), the app's results screen and the plain wizard all print.

Every piece of rubric or user text becomes a :class:`rich.text.Text` (never console markup),
after :func:`terminal_safe`, so ``[/]`` or ``[bold]`` in a rubric or a use-case name shows as
written and an escape sequence cannot reach the terminal.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.table import Table
from rich.text import Text

from assessor.fileio import terminal_safe
from assessor.views.words import (
    KIND_STYLE,
    UNICODE,
    VERDICT_STYLE,
    VERDICT_WORDS,
    WARNINGS_HEADING,
    Symbols,
    param,
)

if TYPE_CHECKING:
    from assessor.domain.bounds import Bounds
    from assessor.domain.rubric import Rubric
    from assessor.domain.scoring import AnswerWarning, Finding, Result


def safe(text: Any, style: str = "") -> Text:
    """User or rubric text as Rich text: never markup, no control characters."""
    return Text(terminal_safe(" ".join(str(text).split())), style=style)


class Hanging:
    """Text after a prefix, wrapped to the width it is drawn at, with continuation lines
    indented under the text (not under the prefix), and no trailing spaces."""

    def __init__(self, first: str, body: Text, rest: str | None = None) -> None:
        self.first = first
        self.rest = " " * len(first) if rest is None else rest
        self.body = body

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = max(10, options.max_width - len(self.first))
        for i, line in enumerate(self.body.wrap(console, width, overflow="fold")):
            out = Text(self.first if i == 0 else self.rest, style=self.body.style, end="\n")
            line.rstrip()
            out.append_text(line)
            yield out


def labelled(label: str, body: Text, indent: int = 4) -> Hanging:
    """``    Why: text`` with the text wrapping under itself."""
    return Hanging(" " * indent + label + ": ", body)


def item(body: Text, marks: Symbols = UNICODE) -> Hanging:
    """A bulleted item at column 2; wrapped lines align with the text after the bullet."""
    return Hanging(f"  {marks.bullet} ", body)


def heading(title: str, style: str = "") -> Text:
    return Text(title, style=f"bold {style}".strip())


def verdict_words(result: Result, bounds: Bounds | None = None) -> Text:
    """The verdict, coloured; while open questions can still change it, the range it can
    take ("open: between NOT READY and READY"), never one optimistic verdict."""
    if bounds is not None and bounds.determined is None:
        text = Text("open: between ", style="bold")
        text.append(VERDICT_WORDS[bounds.worst], style=VERDICT_STYLE[bounds.worst])
        text.append(" and ", style="bold")
        text.append(VERDICT_WORDS[bounds.best], style=VERDICT_STYLE[bounds.best])
        return text
    verdict = bounds.worst if bounds is not None else result.verdict
    text = Text(VERDICT_WORDS[verdict], style=VERDICT_STYLE[verdict])
    if bounds is not None and not bounds.complete:
        text.append(" whatever the open answers", style="italic")
    return text


def score_words(result: Result, bounds: Bounds | None = None) -> str:
    """``score 63/100``, or the range the open questions leave: ``score 20-63/100``."""
    if bounds is None or bounds.complete or bounds.score_min == bounds.score_max:
        value = result.score if bounds is None else bounds.score_min
        return f"score {value}/100"
    return f"score {bounds.score_min}-{bounds.score_max}/100"


def render_results(
    result: Result,
    rubric: Rubric,
    *,
    bounds: Bounds | None = None,
    marks: Symbols = UNICODE,
    name_missing: bool = False,
) -> list[RenderableType]:
    """The results, one renderable per section (print them with a blank line between).

    ``bounds`` (from :func:`assessor.domain.bounds.bounds`) say what open questions can still
    make of the verdict and score; the head shows that range instead of one verdict."""
    sections: list[RenderableType] = [_head(result, rubric, bounds, marks, name_missing)]
    if result.warnings:
        sections.append(_warnings(result.warnings, marks))
    sections.append(_dimensions(result))
    for label, findings, kind in (
        ("Blockers", result.blockers, "blocker"),
        ("Conditions", result.conditions, "condition"),
    ):
        if findings:
            sections.append(_findings(label, findings, KIND_STYLE[kind], marks))
    if not result.blockers and not result.conditions:
        sections.append(Text("No blockers and no conditions.", style="green"))
    if result.to_improve:
        parts: list[RenderableType] = [heading("What would raise the verdict")]
        for imp in result.to_improve:
            line = safe(imp.summary)
            line.append(f" {marks.arrow} ")
            line.append(VERDICT_WORDS[imp.verdict], style=VERDICT_STYLE[imp.verdict])
            line.append(f" ({imp.score})")
            if imp.effort is not None:
                line.append(f"  effort: {imp.effort}", style="dim")
            parts.append(item(line, marks))
        sections.append(Group(*parts))
    if result.cost_model is not None:
        sections.append(_costs(result))
    if result.patterns:
        parts = [heading("Recommended patterns")]
        for p in result.patterns:
            line = safe(p.title, style="bold")
            line.append(f" [{p.id}]")
            if p.params:
                line.append(": " + ", ".join(f"{k}={param(v, marks)}" for k, v in p.params.items()))
            parts.append(item(line, marks))
            parts.append(labelled("Why", safe(p.reason)))
        sections.append(Group(*parts))
    if result.notes:
        parts = [heading("Notes")]
        for qid, note in result.notes.items():
            q = rubric.by_id.get(qid)
            parts.append(labelled(terminal_safe(q.short if q else qid), safe(note), indent=2))
        sections.append(Group(*parts))
    return sections


def _head(
    result: Result, rubric: Rubric, bounds: Bounds | None, marks: Symbols, name_missing: bool
) -> Group:
    head = safe(result.use_case or "(unnamed use case)", style="bold")
    head.append("  ")
    head.append_text(verdict_words(result, bounds))
    head.append(f"  {score_words(result, bounds)}", style="bold")
    lines: list[RenderableType] = [head]
    if result.description:
        lines.append(Hanging("", Text(terminal_safe(result.description), style="dim")))
    lines.append(Text(f"rubric {result.rubric.id} v{result.rubric.version}", style="dim"))
    missing = [
        safe(rubric.by_id[q].prompt) for q in result.open_questions if rubric.by_id[q].required
    ]
    if name_missing:
        missing.insert(0, Text("Name of the use case"))
    if missing:
        lines.append(Text("Provisional: still open:", style="bold yellow"))
        if bounds is not None and bounds.determined is None:
            lines.append(
                Text("  The findings below hold for the answers given so far.", style="yellow")
            )
        lines.extend(item(m, marks) for m in missing)
    return Group(*lines)


def _dimensions(result: Result) -> Table:
    table = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
    table.add_column("Dimension")
    table.add_column("Level")
    table.add_column("Score", justify="right")
    for d in result.dimensions:
        table.add_row(
            safe(d.title), safe(d.level), Text("open" if d.score is None else str(d.score))
        )
    return table


def _findings(label: str, findings: Iterable[Finding], style: str, marks: Symbols) -> Group:
    parts: list[RenderableType] = [heading(label, style)]
    for f in findings:
        parts += _explained(
            f.title, f.id, style, [("Why", f.reason), ("Fix", f.fix)], f.guide, marks
        )
    return Group(*parts)


def _warnings(warnings: Iterable[AnswerWarning], marks: Symbols) -> Group:
    style = KIND_STYLE["warning"]
    parts: list[RenderableType] = [heading(WARNINGS_HEADING, style)]
    for w in warnings:
        parts += _explained(w.title, w.id, style, [("Check", w.message)], w.guide, marks)
    return Group(*parts)


def _explained(
    title: str,
    id_: str,
    style: str,
    lines: list[tuple[str, str]],
    guide: str,
    marks: Symbols,
) -> list[RenderableType]:
    """A finding or warning: ``• Title [id]``, its labelled lines and the guide it quotes."""
    head = safe(title, style=style)
    head.append(f" [{id_}]", style=style)
    parts: list[RenderableType] = [item(head, marks)]
    parts += [labelled(label, safe(text)) for label, text in lines]
    if guide:
        quoted = Text(marks.open_quote, style="italic")
        quoted.append_text(safe(guide, style="italic"))
        quoted.append(marks.close_quote)
        parts.append(labelled("Guide", quoted))
    return parts


def _costs(result: Result) -> Group:
    c = result.cost_model
    assert c is not None
    if c.source == "given":
        note = "from the assessment"
    else:
        note = "rubric defaults for " + ", ".join(c.defaults_used)
    if c.error_rate_assumed:
        note += f"; error rate assumed {c.error_rate:.0%}"
    parts: list[RenderableType] = [
        heading("Cost model (per day)"),
        labelled("inputs", Text(note), indent=2),
    ]
    rows = [
        ("no review", "no_review", c.daily_cost_no_review, ""),
        ("review everything", "review_all", c.daily_cost_review_all, ""),
        (
            f"review below {c.confidence_threshold:.2f}",
            "threshold",
            c.daily_cost_with_threshold,
            f"  ({c.deferral_rate:.1%} reviewed)",
        ),
    ]
    mark = "  <- required" if c.required_by else "  <- lowest"
    for name, policy, cost, extra in rows:
        best = mark if policy == c.best_policy else ""
        parts.append(Text(f"  {name + ':':<22}{cost:>14,.2f}{extra}{best}"))
    if c.required_by:
        parts.append(labelled("why", safe(c.policy_reason), indent=2))
    return Group(*parts)


def print_sections(console: Console, sections: Iterable[RenderableType]) -> None:
    """Sections with a blank line between them."""
    for i, section in enumerate(sections):
        if i:
            console.print()
        console.print(section)
