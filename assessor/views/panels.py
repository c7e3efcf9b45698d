"""What the assessment shows, as rich renderables: the live panel and the results.

Rich only (no Textual), so the plain wizard prints the same results the app shows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.console import Group
from rich.table import Table
from rich.text import Text

from assessor.fileio import terminal_safe

if TYPE_CHECKING:
    from assessor.app.session import Session
    from assessor.domain.scoring import Finding, Result

VERDICT_WORDS = {"ready": "READY", "conditional": "CONDITIONAL", "not_ready": "NOT READY"}
VERDICT_STYLE = {"ready": "bold green", "conditional": "bold yellow", "not_ready": "bold red"}


def verdict_text(result: Result) -> Text:
    text = Text()
    if not result.answers:
        text.append(" NO ANSWERS YET ", style="reverse")
        return text
    text.append(
        f" {VERDICT_WORDS[result.verdict]} ", style=f"reverse {VERDICT_STYLE[result.verdict]}"
    )
    if result.provisional:
        text.append(" provisional", style="italic")
    return text


def render_panel(result: Result, open_count: int, width: int = 32, height: int = 0) -> Text:
    """The panel's content for a (partial) result: one screen line per text line.

    Plain text lines (no tables: this is repainted on every answer). With ``height``, the
    lists of findings are shortened to fit ("+ 2 more"); the results screen has them all.
    """
    out = Text(no_wrap=True, overflow="ellipsis", end="")
    lines: list[Text] = [verdict_text(result)]
    score = Text(f"Score {result.score}/100" if result.answers else "Score —", style="bold")
    if open_count:
        score.append(f" · {open_count} open", style="dim")
    lines += [score, Text(), Text("Dimensions", style="bold underline")]
    for d in result.dimensions:
        value = Text("open", style="dim italic") if d.score is None else Text(str(d.score))
        title = d.title if len(d.title) < width - 5 else d.title[: width - 6] + "…"
        row = Text(title)
        row.append(" " * max(1, width - len(title) - len(value.plain)))
        row.append_text(value)
        lines.append(row)
    groups = [
        ("Blockers", result.blockers, "red"),
        ("Conditions", result.conditions, "yellow"),
    ]
    fixed = len(lines) + 2 * len(groups)  # a blank line and a heading per group
    room = max(height - fixed, 2 * len(groups)) if height else 10_000
    shown = _share(room, [max(1, len(f)) for _, f, _ in groups])
    for (label, findings, style), limit in zip(groups, shown, strict=True):
        lines += [Text(), Text(f"{label} ({len(findings)})", style="bold underline")]
        if not findings:
            lines.append(Text("none so far" if result.provisional else "none", style="dim"))
        visible = findings if len(findings) <= limit else findings[: max(limit - 1, 0)]
        for f in visible:
            line = Text("• ", style=style)
            line.append(terminal_safe(f.title))
            lines.append(line)
        if len(visible) < len(findings):
            lines.append(Text(f"+ {len(findings) - len(visible)} more (Ctrl+R)", style="dim"))
    for i, line in enumerate(lines):
        if i:
            out.append("\n")
        out.append_text(line.copy() if len(line.plain) <= width else _cut(line, width))
    return out


def _cut(line: Text, width: int) -> Text:
    cut = line[: width - 1]
    cut.append("…")
    return cut


def _share(room: int, wanted: list[int]) -> list[int]:
    """Split ``room`` lines between lists that want ``wanted`` lines, each getting >= 1."""
    given = [1] * len(wanted)
    room -= len(wanted)
    while room > 0 and any(g < w for g, w in zip(given, wanted, strict=True)):
        for i, w in enumerate(wanted):
            if room > 0 and given[i] < w:
                given[i] += 1
                room -= 1
    return given


def _money(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.2f}"


def _param(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    return "—" if value is None else str(value)


def render_results(result: Result, session: Session) -> list[Any]:
    """The results as a list of renderables, one per section."""
    sections: list[Any] = []
    rubric = session.rubric
    head = Text(terminal_safe(result.use_case) or "(unnamed use case)", style="bold")
    head.append("  ")
    head.append_text(verdict_text(result))
    head.append(f"  score {result.score}/100", style="bold")
    lines: list[Any] = [head]
    if result.description:
        lines.append(Text(terminal_safe(result.description), style="dim"))
    lines.append(Text(f"rubric {result.rubric.id} v{result.rubric.version}", style="dim"))
    if result.provisional or not session.name.strip():
        missing = [
            rubric.by_id[q].prompt for q in result.open_questions if rubric.by_id[q].required
        ]
        if not session.name.strip():
            missing.insert(0, "Name of the use case")
        if missing:
            lines.append(Text("\nProvisional: still open:", style="bold yellow"))
            lines.extend(Text(f"  • {m}") for m in missing)
    sections.append(Group(*lines))

    table = Table(title=None, box=None, expand=False, pad_edge=False, show_edge=False)
    table.add_column("Dimension", style="bold", no_wrap=True)
    table.add_column("Level")
    table.add_column("Score", justify="right")
    for d in result.dimensions:
        table.add_row(d.title, d.level, "open" if d.score is None else str(d.score))
    sections.append(table)

    def findings(title: str, items: list[Finding], style: str) -> None:
        if not items:
            return
        parts: list[Any] = [Text(f"{title} ({len(items)})", style=f"bold {style}")]
        for f in items:
            parts.append(Text(f"• {f.title}  [{f.id}]", style=style))
            parts.append(_labelled("Why", terminal_safe(f.reason)))
            parts.append(_labelled("Fix", f.fix))
            parts.append(_labelled("Guide", f"“{f.guide}”", style="italic"))
        sections.append(Group(*parts))

    findings("Blockers", result.blockers, "red")
    findings("Conditions", result.conditions, "yellow")
    if not result.blockers and not result.conditions:
        sections.append(Text("No blockers and no conditions.", style="green"))

    if result.to_improve:
        parts: list[Any] = [Text("What would raise the verdict", style="bold")]
        for imp in result.to_improve:
            line = Text(f"• {imp.summary} → ")
            line.append(VERDICT_WORDS[imp.verdict], style=VERDICT_STYLE[imp.verdict])
            line.append(f" ({imp.score})")
            parts.append(line)
        sections.append(Group(*parts))

    cost = result.cost_model
    costs_given = any(k in result.answers for k in ("cost_per_error", "cost_per_review",
                                                     "volume_per_day"))  # fmt: skip
    if cost is not None and costs_given:
        table = Table(box=None, pad_edge=False, show_header=False)
        table.add_column(style="bold")
        table.add_column(justify="right")
        table.add_column(style="green")
        best = {"no_review": "No review", "review_all": "Review every output",
                "threshold": "Review below the threshold"}  # fmt: skip
        for key, label in best.items():
            value = getattr(cost, f"daily_cost_{'with_threshold' if key == 'threshold' else key}")
            mark = "← lowest" if cost.best_policy == key else ""
            table.add_row(label, f"{_money(value)} per day", mark)
        parts = [Text("Cost model", style="bold"), table]
        parts.append(
            Text(
                f"Confidence threshold {cost.confidence_threshold:.2f}: "
                f"{cost.deferral_rate:.1%} of outputs go to review; "
                f"{cost.residual_error_rate:.2%} are wrong and still delivered."
            )
        )
        assumptions = [f"{cost.volume_per_day:,.0f} outputs/day",
                       f"{_money(cost.cost_per_error)} per error",
                       f"{_money(cost.cost_per_review)} per review",
                       f"error rate {cost.error_rate:.1%}"
                       + (" (assumed)" if cost.error_rate_assumed else "")]  # fmt: skip
        parts.append(Text("From: " + ", ".join(assumptions), style="dim"))
        if cost.defaults_used:
            parts.append(
                Text("Rubric defaults used for: " + ", ".join(cost.defaults_used), style="dim")
            )
        sections.append(Group(*parts))

    if result.patterns:
        parts = [Text("Recommended patterns", style="bold")]
        for p in result.patterns:
            parts.append(Text(f"• {p.title}  [{p.id}]", style="bold"))
            parts.append(_labelled("Why", terminal_safe(p.reason)))
            if p.params:
                shown = ", ".join(f"{k} = {_param(v)}" for k, v in p.params.items())
                parts.append(_labelled("Params", shown))
        sections.append(Group(*parts))

    if result.notes:
        parts = [Text("Notes", style="bold")]
        for qid, note in result.notes.items():
            q = rubric.by_id.get(qid)
            parts.append(_labelled(q.prompt if q else qid, terminal_safe(note)))
        sections.append(Group(*parts))
    return sections


def _labelled(label: str, text: str, style: str = "") -> Table:
    """``    Label: text`` with the text wrapping under itself, not under the label."""
    grid = Table.grid(padding=(0, 1), expand=True)
    grid.add_column(width=3)
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(ratio=1)
    grid.add_row("", f"{label}:", Text(text, style=style))
    return grid
