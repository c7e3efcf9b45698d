"""``assessor update``: merge a generated project's new render into it, print the plan."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from assessor.scaffold.update import UpdateReport, describe, update_project


def run_update(
    project: Path,
    *,
    assessment: Path | None,
    with_patterns: list[str],
    without_patterns: list[str],
    rubric_path: Path | None,
    dry_run: bool,
    force: bool,
) -> UpdateReport:
    """The ``update`` command: progress on stderr, the plan on stdout."""
    from rich.console import Console

    from assessor.cli.scaffolding import _safe, _step

    err = Console(stderr=True, highlight=False, soft_wrap=True, markup=False)
    report = update_project(
        project,
        assessment=assessment,
        with_patterns=with_patterns,
        without_patterns=without_patterns,
        rubric_path=rubric_path,
        dry_run=dry_run,
        force=force,
        progress=lambda step: _step(err, step),
    )
    out = Console(highlight=False, soft_wrap=True, markup=False)
    print_report(out, report, str(project), safe=lambda text: _safe(out, text))
    return report


def print_report(console: Any, report: UpdateReport, label: str, *, safe: Any) -> None:
    """The plan (or what was done): one line per changed file, then the patterns."""
    for line in describe(report, label):
        console.print(safe(line))
