"""``assessor evidence add`` and ``assessor evidence pull``: measured results into the
assessment, then the new verdict."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from assessor.cli import PATH, handle_errors, main

if TYPE_CHECKING:
    from pathlib import Path

    from assessor.app.evidence import Recorded

KIND_CHOICES = [
    "assessor-eval",
    "promptfoo",
    "inspect-ai",
    "deepeval",
    "openai-evals",
    "service-quality",
]


@main.group()
def evidence() -> None:
    """Record measured results in an assessment and re-score it."""


@evidence.command("add")
@click.argument("file", type=PATH)
@click.argument("results", nargs=-1, required=True, type=PATH)
@click.option(
    "--kind",
    type=click.Choice(KIND_CHOICES),
    help="The results' format (detected from the content when not given).",
)
@handle_errors
def evidence_add(file: Path, results: tuple[Path, ...], kind: str | None) -> None:
    """Read RESULTS (promptfoo, Inspect AI, DeepEval, OpenAI evals or the generated project's
    `eval --output`), record them in FILE as evidence, set the error rate as measured, and
    show the verdict before and after."""
    from assessor.app.evidence import add_evidence

    _report(add_evidence(file, list(results), kind))


@evidence.command("pull")
@click.argument("file", type=PATH)
@click.argument("url")
@click.option(
    "--token",
    envvar="ASSESSOR_QUALITY_TOKEN",
    required=True,
    help="A reviewer or admin token of the service (or ASSESSOR_QUALITY_TOKEN).",
)
@handle_errors
def evidence_pull(file: Path, url: str, token: str) -> None:
    """Record the generated service's production error estimate (GET URL/v1/quality) in
    FILE as evidence and show the verdict before and after."""
    from assessor.app.evidence import pull_evidence

    _report(pull_evidence(file, url, token))


def _report(done: Recorded) -> None:
    from assessor.domain.evidence import percent_text as pct
    from assessor.fileio import terminal_safe

    for item in done.entries:
        extra = f", {item['unscored']} failed to run (not counted)" if item.get("unscored") else ""
        click.echo(
            terminal_safe(
                f"{item['path']}: {item['kind']}, {item['errors']:,} wrong of {item['n']:,} "
                f"({pct(item['error_rate'])}; 95% interval {pct(item['lower_95'])} to "
                f"{pct(item['upper_95'])}){extra}"
            )
        )
    before, after = done.before, done.after
    click.echo(
        f"{done.path}: verdict {before.verdict} ({before.score}) -> {after.verdict} ({after.score})"
    )
    for finding in after.blockers + after.conditions:
        click.echo(terminal_safe(f"  {finding.kind}: {finding.title}: {finding.reason}"))
    if not done.comments_kept:
        click.echo(
            f"note: {done.path} was rewritten whole (its layout could not be edited in place); "
            "comments inside it were not kept",
            err=True,
        )
