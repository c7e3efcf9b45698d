"""The scaffold as a library: an assessment in, a rendered project out.

``prepare()`` does everything that can be refused without writing (load, score, user-text
checks, names, patterns); ``render_project()`` is ``prepare()`` + :func:`render.render`. The CLI
(``assessor.cli.scaffolding``), the TUI, the wizard and the tests all go through these; none of
them prompts, spins or looks at a terminal: progress is reported through a callback.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assessor.domain.load import Loaded
from assessor.domain.rubric import Rubric
from assessor.domain.scoring import Result
from assessor.errors import InputError, Problem, UsageError
from assessor.scaffold import context, names, render


@dataclass(frozen=True)
class Prepared:
    """A scored assessment turned into a decided plan, ready to render."""

    plan: context.Plan
    result: Result
    assessment_bytes: bytes
    """The assessment exactly as the user's file (copied as ``assessment.yaml``)."""
    label: str
    """How to name the assessment in messages (its path)."""

    def score_json(self) -> str:
        """The score JSON contract, as ``assessor score --format json`` prints it."""
        data = self.result.model_dump(mode="json")
        return json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def load(file: Path, rubric_path: Path | None = None) -> tuple[Loaded, bytes]:
    """Load and validate an assessment file; return it with its exact bytes."""
    from assessor.domain import source as src
    from assessor.domain.load import load_assessment, load_rubric
    from assessor.fileio import read_bytes

    display = _display(file)
    # One read: the bytes copied into the project are the bytes that were validated.
    data = read_bytes(file, limit=src.MAX_BYTES, display=display)
    text = src.decode(data, display)
    override = load_rubric(rubric_path) if rubric_path else None
    return load_assessment(file, override, text=text), data


def prepare(
    source: Loaded | Result,
    *,
    assessment_bytes: bytes | None = None,
    project_name: str | None = None,
    project_slug: str | None = None,
    package_name: str | None = None,
    with_patterns: tuple[str, ...] | list[str] = (),
    without_patterns: tuple[str, ...] | list[str] = (),
    template: Path | None = None,
) -> Prepared:
    """Score (when given a loaded assessment), check the user's text, and decide the plan.

    ``assessment_bytes`` defaults to the loaded file's bytes, or, for a bare
    :class:`Result`, to a YAML document rebuilt from it. Raises :class:`InputError` (located)
    for user text that must not reach generated code and :class:`UsageError` for bad names
    or pattern options. Writes nothing.
    """
    from assessor.app.batch import score_loaded

    rubric: Rubric | None = None
    if isinstance(source, Loaded):
        result = score_loaded(source)
        rubric = source.rubric
        if assessment_bytes is None:
            from assessor.domain.source import MAX_BYTES
            from assessor.fileio import read_bytes

            assessment_bytes = read_bytes(source.path, limit=MAX_BYTES)
        label = _display(source.path)
    else:
        result = source
        if assessment_bytes is None:
            assessment_bytes = _document_from_result(result).encode("utf-8")
        label = f"use case {result.use_case!r}"

    _check_user_text(result, assessment_bytes, label)
    if project_name is not None:
        problem = names.text_problem(project_name)
        if problem:
            raise UsageError(f"project display name {names.shown(project_name)} {problem}")

    plan = context.plan(
        result,
        rubric=rubric,
        task_types=render.template_task_types(template or render.default_template()),
        project_name=project_name,
        project_slug=project_slug,
        package_name=package_name,
        with_patterns=with_patterns,
        without_patterns=without_patterns,
    )
    return Prepared(plan=plan, result=result, assessment_bytes=assessment_bytes, label=label)


def render_project(
    source: Loaded | Result,
    out: Path,
    *,
    project_name: str | None = None,
    project_slug: str | None = None,
    package_name: str | None = None,
    with_patterns: tuple[str, ...] | list[str] = (),
    without_patterns: tuple[str, ...] | list[str] = (),
    force: bool = False,
    progress: render.Progress | None = None,
    template: Path | None = None,
    assessment_bytes: bytes | None = None,
) -> Path:
    """Render the starter project for a scored assessment INTO ``out``; return ``out``.

    Args:
        source: a loaded assessment (scored here; its file is copied byte for byte) or a
            :class:`Result` (its assessment copy is rebuilt as YAML unless
            ``assessment_bytes`` is given).
        out: destination folder; must not exist or be empty unless ``force``.
        project_name: display name (default: the use case's name).
        project_slug, package_name: explicit names, validated (default: derived).
        with_patterns, without_patterns: pattern overrides (``human_fallback``,
            ``async_pipeline``, ``response_cache``; ``evaluation`` cannot be removed).
        force: render into a non-empty folder; never overwrites or deletes a file.
        progress: called with a short description at the start of each step.
        template: another cookiecutter template with the same context contract (tests).
    """
    prepared = prepare(
        source,
        assessment_bytes=assessment_bytes,
        project_name=project_name,
        project_slug=project_slug,
        package_name=package_name,
        with_patterns=with_patterns,
        without_patterns=without_patterns,
        template=template,
    )
    return render_prepared(prepared, out, force=force, progress=progress, template=template).path


def render_file(
    file: Path,
    out: Path,
    *,
    force: bool = False,
    with_patterns: tuple[str, ...] | list[str] = (),
    without_patterns: tuple[str, ...] | list[str] = (),
    rubric_path: Path | None = None,
    project_slug: str | None = None,
    package_name: str | None = None,
    progress: render.Progress | None = None,
    template: Path | None = None,
) -> tuple[Prepared, render.Rendered]:
    """Score an assessment file and render its project INTO ``out`` (no prompts).

    The pattern options and the destination are checked before anything is read or written;
    the file is copied into the project byte for byte. ``progress`` is called with a short
    description at the start of each step.
    """
    context.check_pattern_options(with_patterns, without_patterns)
    render.check_destination(out, force=force)
    if progress:
        progress(f"scoring {file}")
    loaded, data = load(file, rubric_path)
    prepared = prepare(
        loaded,
        assessment_bytes=data,
        project_slug=project_slug,
        package_name=package_name,
        with_patterns=with_patterns,
        without_patterns=without_patterns,
        template=template,
    )
    rendered = render_prepared(prepared, out, force=force, progress=progress, template=template)
    return prepared, rendered


def render_prepared(
    prepared: Prepared,
    out: Path,
    *,
    force: bool = False,
    progress: render.Progress | None = None,
    template: Path | None = None,
) -> render.Rendered:
    return render.render(
        prepared.plan,
        out,
        assessment_bytes=prepared.assessment_bytes,
        score_json=prepared.score_json(),
        force=force,
        template=template,
        progress=progress,
    )


def _display(path: Path) -> str:
    """The file as messages name it: relative to the working folder when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return str(path)


def _check_user_text(result: Result, data: bytes, label: str) -> None:
    """Refuse control and bidirectional characters in text that lands in generated files."""
    fields: list[tuple[str, str, bool]] = [
        ("name", result.use_case, False),
        ("description", result.description, True),
        ("owner", result.owner, False),
    ]
    found: list[tuple[str, str]] = []
    for key, value, multiline in fields:
        problem = names.text_problem(value, multiline=multiline)
        if problem:
            found.append((key, problem))
    if not found:
        return
    positions = _positions(data, label)
    problems = []
    for key, problem in found:
        line, column = positions.get(key, (None, None))
        problems.append(
            Problem(label, line, column, f"use_case.{key}", f"{problem} (assessor scaffold)")
        )
    raise InputError(problems)


def _positions(data: bytes, label: str) -> dict[str, tuple[int | None, int | None]]:
    from assessor.domain import source as src

    try:
        parsed = src.parse(src.decode(data, label), label)
    except InputError:
        return {}
    return {key: parsed.where(("use_case", key)) for key in ("name", "description", "owner")}


def _document_from_result(result: Result) -> str:
    import yaml

    use_case: dict[str, Any] = {"name": result.use_case}
    if result.description:
        use_case["description"] = result.description
    if result.owner:
        use_case["owner"] = result.owner
    doc: dict[str, Any] = {
        "version": 1,
        "rubric": result.rubric.id,
        "use_case": use_case,
        "answers": dict(result.answers),
    }
    if result.notes:
        doc["notes"] = dict(result.notes)
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)
