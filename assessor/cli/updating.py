"""``assessor update``: merge a generated project's new render into it, print the plan."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from assessor.scaffold.update import UpdateReport, update_project

_NOTES = {
    "added": "new",
    "updated": "you had not changed it",
    "removed": "no longer rendered; you had not changed it",
}


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
    if report.recovered:
        console.print(f"An interrupted update of {safe(label)} was rolled back first.")
    result = report.result
    head = "Would update" if report.dry_run else "Updated"
    if not report.changes and not report.written:
        console.print(
            f"{safe(label)} is up to date (verdict {result.verdict}, score {result.score}); "
            "nothing to change."
        )
    else:
        console.print(
            f"{head} {safe(label)} (verdict {result.verdict}, score {result.score})"
            + (" -- dry run, nothing written:" if report.dry_run else ":")
        )
        for change in report.by_action():
            note = change.note or _NOTES.get(change.action, "")
            console.print(
                f"  {change.action:<12} {safe(change.path)}" + (f"  ({safe(note)})" if note else "")
            )
        if not report.changes:
            console.print("  (only the project's record changed)")
    for choice in report.plan.patterns:
        before = report.patterns_before.get(choice.id)
        if before is not None and before != choice.on:
            state = "on" if choice.on else "off"
            console.print(f"Pattern {choice.id} is now {state}: {safe(choice.why)}")
    if report.conflicts:
        console.print(
            f"{len(report.conflicts)} file(s) with conflicts"
            + (" would be" if report.dry_run else "")
            + " marked with <<<<<<< / ======= / >>>>>>>: resolve them by hand (yours above "
            "=======, the new render below)."
        )
