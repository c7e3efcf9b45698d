"""``assessor rubric import|export`` and ``assessor export``: lenses and trackers.

Registered on the command group by :mod:`assessor.cli`; only click and the standard library at
module scope (the import-hygiene test keeps ``assessor --help`` fast).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from assessor.cli import PATH, handle_errors, main, rubric

if TYPE_CHECKING:
    from pathlib import Path


def _refuse_existing(out: Path, force: bool) -> None:
    from assessor.errors import OutputExistsError

    if out.exists() and not force:
        raise OutputExistsError(f"{out} exists; pass --force to replace it")


@rubric.command("import")
@click.argument("lens", type=PATH)
@click.option("-o", "--output", "out", type=PATH, required=True, help="Rubric file to write.")
@click.option("--force", is_flag=True, help="Replace OUT if it exists.")
@handle_errors
def rubric_import(lens: Path, out: Path, force: bool) -> None:
    """Turn an AWS Well-Architected custom lens (JSON) into a rubric (YAML).

    A sidecar LENS.assessor.yaml next to the lens (written by `rubric export`) is read too: it
    carries what a lens cannot (weights, cross-question rules, numbers, patterns).
    """
    from assessor.fileio import atomic_write, terminal_safe
    from assessor.interop.files import import_lens_file

    _refuse_existing(out, force)
    text, rubric_obj, notes = import_lens_file(lens)
    for note in notes:
        click.echo(terminal_safe(f"note: {note}"), err=True)
    atomic_write(out, text, exclusive=not force)
    click.echo(
        terminal_safe(
            f"wrote {out}: rubric {rubric_obj.id!r} with {len(rubric_obj.questions)} questions, "
            f"{len(rubric_obj.rules)} rules"
        ),
        err=True,
    )


@rubric.command("export")
@click.argument("rubric_ref", metavar="RUBRIC")
@click.option("--to", "fmt", type=click.Choice(["wa-lens"]), required=True, help="Format to write.")
@click.option("-o", "--output", "out", type=PATH, required=True, help="Lens file to write.")
@click.option("--force", is_flag=True, help="Replace OUT (and its sidecar) if they exist.")
@handle_errors
def rubric_export(rubric_ref: str, fmt: str, out: Path, force: bool) -> None:
    """Write a rubric (bundled id or file) as an AWS Well-Architected custom lens.

    What a lens cannot carry goes into OUT's sidecar (LENS.assessor.yaml), which
    `assessor rubric import` reads back.
    """
    from assessor.fileio import terminal_safe
    from assessor.interop.files import export_lens_file

    sidecar, notes = export_lens_file(rubric_ref, out, force=force)
    for note in notes:
        click.echo(terminal_safe(f"note: {note}"), err=True)
    click.echo(terminal_safe(f"wrote {out} and {sidecar}"), err=True)


@main.command("export")
@click.argument("files", nargs=-1, required=True, type=PATH)
@click.option(
    "--to",
    "fmt",
    type=click.Choice(["wa-answers", "github-issues", "csv"]),
    required=True,
    help="wa-answers: update-answer inputs for the WA Tool; github-issues: JSON Lines of "
    "issue bodies; csv: one row per finding.",
)
@click.option("-o", "--output", "out", type=PATH, help="File to write (default: stdout).")
@click.option("--force", is_flag=True, help="Replace OUT if it exists.")
@click.option("--rubric", "rubric_path", type=PATH, help="Rubric file to use.")
@click.option("--workload-id", help="wa-answers: the WorkloadId to put in each answer.")
@click.option("--lens-alias", help="wa-answers: the LensAlias (lens ARN) to put in each answer.")
@handle_errors
def export(
    files: tuple[Path, ...],
    fmt: str,
    out: Path | None,
    force: bool,
    rubric_path: Path | None,
    workload_id: str | None,
    lens_alias: str | None,
) -> None:
    """Export assessments' answers to the WA Tool, or their findings to trackers.

    Findings carry a stable key (a hash of use case, rubric and finding id), so exporting
    again does not make duplicates.
    """
    import json

    from assessor.app.batch import load_all
    from assessor.errors import UsageError
    from assessor.fileio import atomic_write, terminal_safe

    if out is not None:
        _refuse_existing(out, force)
    loaded = load_all(files, rubric_path)
    if fmt == "wa-answers":
        from assessor.interop.answers import wa_answers

        if len(loaded) != 1:
            raise UsageError("--to wa-answers takes one assessment file")
        text = (
            json.dumps(
                wa_answers(loaded[0], workload_id=workload_id, lens_alias=lens_alias),
                indent=2,
                ensure_ascii=False,
                allow_nan=False,
            )
            + "\n"
        )
    elif fmt == "github-issues":
        from assessor.interop.trackers import github_issues

        text = github_issues(loaded)
    else:
        from assessor.interop.trackers import findings_csv

        text = findings_csv(loaded)
    if out is None:
        click.echo(text, nl=False)
    else:
        atomic_write(out, text, exclusive=not force)
        click.echo(terminal_safe(f"wrote {out}"), err=True)
