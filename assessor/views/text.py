"""Readable terminal output of scores and rubrics (rich).

Everything printed goes through ``rich.text.Text`` (never console markup), so brackets in a
rubric or a use-case name print as written, and user text passes ``terminal_safe`` first.
On a terminal whose encoding cannot show them (``LANG=C``, ``PYTHONIOENCODING=ascii``), the
bullets, arrows and quotes fall back to ASCII.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from assessor.domain.rubric import Rubric
from assessor.domain.scoring import Result
from assessor.fileio import terminal_safe
from assessor.views.words import UNICODE, symbols_for

if TYPE_CHECKING:
    from rich.console import Console

    from assessor.domain.bounds import Bounds
    from assessor.domain.evidence import Evidence


def _console() -> Console:
    from rich.console import Console

    return Console(highlight=False, soft_wrap=False, emoji=False)


def print_results(
    results: list[Result], rubrics: list[Rubric], evidence: list[Sequence[Evidence]] | None = None
) -> list[Bounds]:
    """``assessor score`` as text: the same results view the app and the wizard show.

    Returns the bounds of each result (incomplete files, with ``--partial``), judged with each
    file's measured ``evidence`` as its score is."""
    from rich.text import Text

    from assessor.domain.scoring import bounds_with_evidence
    from assessor.views.results import print_sections, render_results

    console = _console()
    marks = symbols_for(console.encoding)
    found = []
    for i, (result, rubric) in enumerate(zip(results, rubrics, strict=True)):
        if i:
            console.print()
            console.print(Text((marks.dash if marks is UNICODE else "-") * console.width))
        measured = evidence[i] if evidence else ()
        found.append(bounds_with_evidence(rubric, result.answers, evidence=measured))
        print_sections(console, render_results(result, rubric, bounds=found[-1], marks=marks))
    return found


def _line(console: Console, text: str, *, indent: int = 0, style: str = "") -> None:
    """Print text wrapped to the terminal width, every line indented by ``indent``."""
    from rich.text import Text

    from assessor.views.results import Hanging

    body = Text(terminal_safe(text.strip()), style=style)
    console.print(Hanging(" " * min(indent, 2), body, rest=" " * indent))


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
    c = rubric.consistency
    if c.review_all or c.warnings or c.contrary:
        console.print()
        console.print(Text("Consistency", style="bold"))
        for need in c.review_all:
            by = f" (rule {need.rule})" if need.rule else ""
            _line(console, f"  review_all {need.id}{by}: {need.reason}", indent=4)
        for w in c.warnings:
            _line(console, f"  warning    {w.id}: {w.title}", indent=4)
        for x in c.contrary:
            values = ", ".join(str(v) for v in x.to)
            _line(console, f"  contrary   {x.id}: {x.answer} -> {values}", indent=4)
