"""The live panel beside the questions, as Rich text (no Textual): verdict, score per
dimension, blockers and conditions. The results have their own view, :mod:`.results`.

All rubric and user text is :class:`rich.text.Text`, never markup."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from rich.text import Text

from assessor.fileio import terminal_safe
from assessor.views.words import KIND_STYLE, VERDICT_STYLE, VERDICT_WORDS

if TYPE_CHECKING:
    from assessor.domain.bounds import Bounds
    from assessor.domain.scoring import Result


def verdict_text(result: Result, bounds: Bounds | None = None) -> Text:
    """The panel's verdict line: the verdict once every completion shares it, else the
    range the open questions leave ("open: NOT READY to READY"), never a guess."""
    text = Text()
    if not result.answers:
        text.append(" NO ANSWERS YET ", style="reverse")
        return text
    if bounds is not None and bounds.determined is None:
        text.append("open: ", style="bold")
        text.append(VERDICT_WORDS[bounds.worst], style=VERDICT_STYLE[bounds.worst])
        text.append(" to ", style="bold")
        text.append(VERDICT_WORDS[bounds.best], style=VERDICT_STYLE[bounds.best])
        return text
    verdict = bounds.worst if bounds is not None else result.verdict
    text.append(f" {VERDICT_WORDS[verdict]} ", style=f"reverse {VERDICT_STYLE[verdict]}")
    if bounds is not None and not bounds.complete:
        text.append(" whatever comes", style="italic")
    return text


def render_panel(
    result: Result, bounds: Bounds | None = None, width: int = 32, height: int = 0
) -> Text:
    """The panel's content for a (partial) result: one screen line per text line.

    Plain text lines (no tables: this is repainted on every answer). With ``height``, the
    lists of findings are shortened to fit ("+ 2 more"); the results screen has them all.
    """
    out = Text(no_wrap=True, overflow="ellipsis", end="")
    lines: list[Text] = [verdict_text(result, bounds)]
    open_count = len(bounds.open) if bounds is not None else 0
    if not result.answers:
        score = Text("Score —", style="bold")
    elif bounds is not None and bounds.score_min != bounds.score_max:
        score = Text(f"Score {bounds.score_min}–{bounds.score_max}/100", style="bold")
    else:
        score = Text(f"Score {result.score}/100", style="bold")
    if open_count:
        score.append(f" · {open_count} open", style="dim")
    lines += [score, Text(), Text("Dimensions", style="bold underline")]
    for d in result.dimensions:
        value = Text("open", style="dim italic") if d.score is None else Text(str(d.score))
        title = terminal_safe(d.title)
        title = title if len(title) < width - 5 else title[: width - 6] + "…"
        row = Text(title)
        row.append(" " * max(1, width - len(title) - len(value.plain)))
        row.append_text(value)
        lines.append(row)
    groups: list[tuple[str, Sequence[Any], str, str]] = [
        ("Blockers", result.blockers, KIND_STYLE["blocker"], "• "),
        ("Conditions", result.conditions, KIND_STYLE["condition"], "• "),
    ]
    if result.warnings:  # contradictory answers: shown only when there are any
        groups.insert(0, ("Contradictions", result.warnings, KIND_STYLE["warning"], "! "))
    fixed = len(lines) + 2 * len(groups)  # a blank line and a heading per group
    room = max(height - fixed, 2 * len(groups)) if height else 10_000
    # A finding's title wraps under its bullet; the lists share the lines left.
    wrapped = [
        [_wrap(f.title, style, width, bullet) for f in findings]
        for _, findings, style, bullet in groups
    ]
    shown = _share(room, [max(1, sum(map(len, w))) for w in wrapped])
    for (label, findings, _, _), rows, limit in zip(groups, wrapped, shown, strict=True):
        lines += [Text(), Text(f"{label} ({len(findings)})", style="bold underline")]
        if not findings:
            lines.append(Text("none so far" if open_count else "none", style="dim"))
        used = count = 0
        for i, finding_lines in enumerate(rows):
            reserve = 0 if i == len(rows) - 1 else 1  # room for "+ N more" after it
            if used + len(finding_lines) + reserve > limit:
                break
            lines += finding_lines
            used += len(finding_lines)
            count += 1
        if count < len(findings):
            lines.append(Text(f"+ {len(findings) - count} more (Ctrl+R)", style="dim"))
    for i, line in enumerate(lines):
        if i:
            out.append("\n")
        out.append_text(line.copy() if len(line.plain) <= width else _cut(line, width))
    return out


def _wrap(title: str, style: str, width: int, bullet: str = "• ") -> list[Text]:
    """``• title`` wrapped to ``width``, the following lines indented under the text."""
    import textwrap

    parts = textwrap.wrap(terminal_safe(title), max(width - len(bullet), 8)) or [""]
    first = Text(bullet, style=style)
    first.append(parts[0])
    return [first, *(Text(f"  {part}") for part in parts[1:])]


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
