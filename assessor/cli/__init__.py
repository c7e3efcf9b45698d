"""The ``assessor`` command line: click commands that parse options, call the layers below and
turn their errors into messages and exit codes (the top layer; nothing imports it).

Only click and the standard library are imported at module scope: ``assessor --help`` must
start fast and must not import textual, pydantic, jinja2, cookiecutter, questionary or yaml
(tests/unit/test_import_hygiene.py keeps it so). Every command imports what it needs when it
runs. This module is the one place that turns :mod:`assessor.errors` into messages and exit
codes.
"""

from __future__ import annotations

import contextlib
import functools
import io
import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

from assessor import __version__

if TYPE_CHECKING:
    from pathlib import Path

F = TypeVar("F", bound=Callable[..., Any])

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_INVALID = 2
EXIT_FAIL_ON = 3


def _echo_error(message: str) -> None:
    from assessor.fileio import terminal_safe

    click.echo(
        f"error: {terminal_safe(message)}" if "\n" not in message else terminal_safe(message),
        err=True,
    )


class _LazyPath(click.Path):
    """A path argument given to commands as ``pathlib.Path``; pathlib is imported when a
    command runs, not at start-up (it is about a tenth of ``assessor --help``)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from pathlib import Path

        return Path(os.fsdecode(super().convert(value, param, ctx)))


PATH = _LazyPath()


def _utf8(stream: Any) -> bool:
    encoding = (getattr(stream, "encoding", None) or "utf-8").lower().replace("-", "")
    return encoding in ("utf8", "utf_8", "utf8sig")


def _tolerant_streams() -> None:
    """Never crash on a character the terminal cannot show (LANG=C, PYTHONIOENCODING=ascii):
    write it as an escape instead. Views also choose ASCII symbols for such terminals."""
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper) and not _utf8(stream):
            with contextlib.suppress(ValueError, OSError):
                stream.reconfigure(errors="backslashreplace")


def handle_errors(func: F) -> F:
    """Map assessor's exceptions to one message and an exit code (no traceback)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from assessor.errors import AssessorError, InputError
        from assessor.fileio import terminal_safe

        ctx = click.get_current_context()
        debug = bool(ctx.find_root().params.get("debug"))
        try:
            return func(*args, **kwargs)
        except InputError as exc:
            if debug:
                raise
            # One "file:line:column: field: message" line per problem (editors jump to them).
            for problem in exc.problems:
                click.echo(terminal_safe(str(problem)), err=True)
            ctx.exit(exc.exit_code)
        except AssessorError as exc:
            if debug:
                raise
            _echo_error(exc.message)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            ctx.exit(130)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except OSError as exc:
            if debug:
                raise
            where = f"{exc.filename}: " if getattr(exc, "filename", None) else ""
            _echo_error(f"{where}{exc.strerror or exc}")
            ctx.exit(EXIT_ERROR)
        except Exception as exc:  # a bug: say so briefly, full trace with --debug
            if debug:
                raise
            _echo_error(f"internal error: {type(exc).__name__}: {exc} (rerun with --debug)")
            ctx.exit(EXIT_ERROR)

    return wrapper  # type: ignore[return-value]


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="assessor")
@click.option("--debug", is_flag=True, hidden=False, help="Show tracebacks for errors.")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """Is this AI integration ready for production? Assess it, scaffold it, report on it.

    With no command, starts the interactive assessment (same as `assessor assess`).
    """
    _tolerant_streams()
    if ctx.invoked_subcommand is None:
        ctx.invoke(assess)


# --------------------------------------------------------------------------------------------
# assess


@main.command()
@click.argument("file", required=False, default="assessment.yaml", type=PATH)
@click.option("--plain", is_flag=True, help="Use plain prompts instead of the full-screen app.")
@handle_errors
def assess(file: Path, plain: bool) -> None:
    """Interactive assessment; autosaves every answer to FILE (default assessment.yaml)."""
    from assessor.cli.interactive import run_assessment

    code = run_assessment(file, plain=plain)
    sys.exit(code or 0)


# --------------------------------------------------------------------------------------------
# score


@main.command()
@click.argument("files", nargs=-1, required=True, type=PATH)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json", "md"]), default="text", show_default=True
)
@click.option(
    "--fail-on",
    type=click.Choice(["conditional", "not_ready"]),
    help="Exit 3 when any verdict is at or below this.",
)
@click.option("--rubric", "rubric_path", type=PATH, help="Rubric file to use.")
@click.option(
    "--partial",
    is_flag=True,
    help="Score incomplete files too: adds complete, open and the bounds of what the open "
    "questions can still make of the verdict and score (verdict null unless determined).",
)
@handle_errors
def score(
    files: tuple[Path, ...],
    fmt: str,
    fail_on: str | None,
    rubric_path: Path | None,
    partial: bool,
) -> None:
    """Score assessment files (exit 0 scored, 2 invalid, 3 with --fail-on)."""
    import gc

    from assessor.app.batch import score_files

    # What is loaded by now lives until exit: keeping the collector from re-scanning it on
    # every collection makes scoring a large portfolio about a tenth faster.
    gc.freeze()

    if fmt == "json":
        from assessor.app.batch import score_files_json

        # JSON needs no Result objects in this process: large batches score in parallel.
        text, verdicts = score_files_json(
            list(files), rubric_path, ascii_only=not _utf8(sys.stdout), partial=partial
        )
        click.echo(text)
        _fail_on(fail_on, verdicts)
        return
    if fmt == "md":
        if partial:
            raise click.UsageError("--partial works with --format text or json")
        results = score_files(files, rubric_path)
        from assessor.reports.markdown import score_summary

        click.echo(score_summary(results))
    else:
        from assessor.app.batch import load_all, score_loaded
        from assessor.views.text import print_results

        loaded = load_all(files, rubric_path, complete=not partial)
        results = [score_loaded(item) for item in loaded]
        found = print_results(
            results,
            [item.rubric for item in loaded],
            [item.assessment.evidence for item in loaded],
        )
        _fail_on(fail_on, [b.worst for b in found])
        return
    _fail_on(fail_on, [r.verdict for r in results])


def _fail_on(fail_on: str | None, verdicts: list[str]) -> None:
    """Exit 3 when any verdict is at or below ``--fail-on``."""
    if fail_on:
        order = ["not_ready", "conditional", "ready"]
        limit = order.index(fail_on)
        if any(order.index(v) <= limit for v in verdicts):
            sys.exit(EXIT_FAIL_ON)


# --------------------------------------------------------------------------------------------
# report and diff


@main.command()
@click.argument("files", nargs=-1, required=True, type=PATH)
@click.option("--format", "fmt", type=click.Choice(["md", "html", "pdf", "json"]), required=True)
@click.option("-o", "--output", "out", type=PATH, required=True)
@click.option("--force", is_flag=True, help="Replace OUT if it exists.")
@click.option("--title", help="Report title.")
@click.option("--client", help="Client name shown on the cover.")
@click.option("--author", help="Author shown on the cover.")
@click.option("--logo", type=PATH, help="Logo image (PNG, JPEG or SVG).")
@click.option("--history", is_flag=True, help="Show the assessment's history from git.")
@click.option(
    "--trust-repo",
    is_flag=True,
    help="With --history: read a git repository owned by another user.",
)
@click.option("--rubric", "rubric_path", type=PATH, help="Rubric file to use.")
@click.option("--summary", is_flag=True, help="Portfolio summary only: no section per use case.")
@click.option(
    "--appendix/--no-appendix", default=True, show_default=True,
    help="Include the answers as given.",
)  # fmt: skip
@click.option("--doc-version", default="", help="Document version shown on the cover.")
@click.option("--status", type=click.Choice(["draft", "final"]), help="Document status.")
@click.option("--confidential", is_flag=True, help="Mark the report confidential.")
@click.option("--currency", help="Currency of the amounts (such as EUR); default: the rubric's.")
@handle_errors
def report(
    files: tuple[Path, ...],
    fmt: str,
    out: Path,
    force: bool,
    title: str | None,
    client: str | None,
    author: str | None,
    logo: Path | None,
    history: bool,
    trust_repo: bool,
    rubric_path: Path | None,
    summary: bool,
    appendix: bool,
    doc_version: str,
    status: str | None,
    confidential: bool,
    currency: str | None,
) -> None:
    """Write a report: one FILE is a use-case report, several are a portfolio."""
    from assessor.reports import write_report
    from assessor.reports.build import DocFields

    write_report(
        list(files),
        fmt=fmt,
        out=out,
        force=force,
        title=title,
        client=client,
        author=author,
        logo=logo,
        history=history,
        rubric_path=rubric_path,
        trust_repo=trust_repo,
        doc=DocFields(
            doc_version=doc_version,
            status=status,  # type: ignore[arg-type]
            confidential=confidential,
            currency=currency,
            summary=summary,
            appendix=appendix,
        ),
    )
    from assessor.fileio import terminal_safe

    click.echo(f"wrote {terminal_safe(str(out))}", err=True)


@main.command()
@click.argument("old", type=PATH)
@click.argument("new", type=PATH)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "md"]), default="text", show_default=True
)
@handle_errors
def diff(old: Path, new: Path, fmt: str) -> None:
    """Show what changed between two versions of an assessment."""
    from assessor.reports.diff import diff_files

    click.echo(diff_files(old, new, fmt=fmt))


# --------------------------------------------------------------------------------------------
# scaffold


@main.command()
@click.argument("file", type=PATH)
@click.option(
    "-o",
    "--output",
    "out",
    type=PATH,
    required=True,
    help="Folder to render the project into (must not exist or be empty).",
)
@click.option("--no-input", is_flag=True, help="Do not ask; use the derived names.")
@click.option("--force", is_flag=True, help="Render into a non-empty folder (never deletes files).")
@click.option("--with", "with_", multiple=True, metavar="PATTERN", help="Add a pattern.")
@click.option("--without", multiple=True, metavar="PATTERN", help="Leave a pattern out.")
@click.option("--rubric", "rubric_path", type=PATH, help="Rubric file to use.")
@click.option(
    "--name",
    "project_slug",
    metavar="NAME",
    help="Project name (distribution and command), e.g. refund-bot; default: from the use case.",
)
@click.option(
    "--package",
    "package_name",
    metavar="NAME",
    help="Python package name, e.g. refund_bot; default: from the project name.",
)
@handle_errors
def scaffold(
    file: Path,
    out: Path,
    no_input: bool,
    force: bool,
    with_: tuple[str, ...],
    without: tuple[str, ...],
    rubric_path: Path | None,
    project_slug: str | None,
    package_name: str | None,
) -> None:
    """Generate a starter project with the patterns the verdict calls for.

    Patterns: human_fallback, async_pipeline, response_cache (add with --with, remove with
    --without); evaluation is always on and cannot be removed.
    """
    from assessor.cli.scaffolding import run_scaffold

    run_scaffold(
        file,
        out,
        no_input=no_input,
        force=force,
        with_patterns=list(with_),
        without_patterns=list(without),
        rubric_path=rubric_path,
        project_slug=project_slug,
        package_name=package_name,
    )


@main.command()
@click.argument("project", type=PATH)
@click.option(
    "--assessment",
    type=PATH,
    help="Assessment file to follow (default: the project's assessment.yaml).",
)
@click.option("--with", "with_", multiple=True, metavar="PATTERN", help="Add a pattern.")
@click.option("--without", multiple=True, metavar="PATTERN", help="Leave a pattern out.")
@click.option("--rubric", "rubric_path", type=PATH, help="Rubric file to use.")
@click.option("--dry-run", is_flag=True, help="Print the plan; write nothing.")
@click.option("--force", is_flag=True, help="Update even if the git tree has uncommitted changes.")
@handle_errors
def update(
    project: Path,
    assessment: Path | None,
    with_: tuple[str, ...],
    without: tuple[str, ...],
    rubric_path: Path | None,
    dry_run: bool,
    force: bool,
) -> None:
    """Merge the project's new render (its assessment and this assessor's template) into a
    generated project, keeping the team's edits.

    Lists files added, updated, merged, conflicting and removed. Overlapping edits are marked
    like git (<<<<<<<) and the command exits 3. Pattern overrides given to scaffold are kept.
    """
    from assessor.cli.updating import run_update

    report = run_update(
        project,
        assessment=assessment,
        with_patterns=list(with_),
        without_patterns=list(without),
        rubric_path=rubric_path,
        dry_run=dry_run,
        force=force,
    )
    if report.conflicts:
        sys.exit(EXIT_FAIL_ON)


# --------------------------------------------------------------------------------------------
# rubric, schema, init


@main.group()
def rubric() -> None:
    """List, show and validate rubrics."""


@rubric.command("list")
@handle_errors
def rubric_list() -> None:
    """List the bundled rubrics."""
    from assessor.app.batch import list_rubrics

    for line in list_rubrics():
        click.echo(line)


@rubric.command("show")
@click.argument("rubric_id")
@handle_errors
def rubric_show(rubric_id: str) -> None:
    """Show a rubric's questions, rules and patterns (bundled id or file)."""
    from assessor.domain.load import load_rubric
    from assessor.views.text import print_rubric

    print_rubric(load_rubric(rubric_id))


@rubric.command("validate")
@click.argument("path", type=PATH)
@handle_errors
def rubric_validate(path: Path) -> None:
    """Check a rubric file; exit 2 with every problem located when it is invalid."""
    from assessor.domain.load import load_rubric

    r = load_rubric(path if ("/" in str(path) or path.suffix) else str(path))
    click.echo(
        f"{path}: valid rubric {r.id!r} version {r.version}: {len(r.questions)} questions, "
        f"{len(r.rules)} rules, {len(r.patterns)} patterns"
    )


@main.command()
@click.argument("kind", type=click.Choice(["assessment", "rubric", "report"]))
@click.option(
    "--rubric",
    "rubric_ref",
    default=None,
    help="For assessment: the rubric whose answers to spell out (id or file).",
)
@handle_errors
def schema(kind: str, rubric_ref: str | None) -> None:
    """Print the JSON Schema of assessment or rubric files, or of JSON reports."""
    import json

    from assessor.domain.load import load_rubric
    from assessor.domain.schemas import assessment_schema, rubric_schema

    if kind == "assessment":
        data = assessment_schema(load_rubric(rubric_ref) if rubric_ref else None)
    elif kind == "report":
        from assessor.reports.model import report_schema

        data = report_schema()
    else:
        data = rubric_schema()
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False))


@main.command()
@click.argument("file", type=PATH)
@click.option("--rubric", "rubric_ref", default=None, help="Rubric id or file.")
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
@handle_errors
def init(file: Path, rubric_ref: str | None, force: bool) -> None:
    """Write a commented assessment file to fill in by hand."""
    from assessor.app.batch import write_init

    write_init(file, rubric_ref, force=force)
    click.echo(f"wrote {file}; fill it in, then run: assessor score {file}", err=True)


def run() -> None:  # pragma: no cover - console entry alias
    main(prog_name=os.path.basename(sys.argv[0]) or "assessor")


# Commands defined in their own modules register on the groups above.
from assessor.cli import evidence as _evidence  # noqa: E402,F401
from assessor.cli import interop as _interop  # noqa: E402,F401
