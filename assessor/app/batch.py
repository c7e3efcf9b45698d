"""Load and score assessment files in batches: the one path from files to results (and the
score JSON) that the CLI, the reports, the scaffold and the TUI share."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from assessor.domain.load import (
    DEFAULT_RUBRIC,
    Loaded,
    bundled_rubrics,
    load_assessment,
    load_rubric,
)
from assessor.domain.rubric import Question, Rubric
from assessor.domain.scoring import Result, score, score_data
from assessor.errors import InputError, OutputExistsError, Problem


def load_all(
    files: Iterable[Path], rubric_path: Path | None = None, *, complete: bool = True
) -> list[Loaded]:
    """Load every file; report the problems of all files together. With ``complete=False``
    a required answer may be missing (``assessor score --partial``)."""
    override: Rubric | None = load_rubric(rubric_path) if rubric_path else None
    loaded: list[Loaded] = []
    problems: list[Problem] = []
    for path in files:
        try:
            loaded.append(load_assessment(path, override, complete=complete))
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputError(problems)
    return loaded


def score_loaded(item: Loaded) -> Result:
    return score(
        item.rubric,
        item.assessment.use_case,
        item.answers,
        notes=item.assessment.notes,
        evidence=item.assessment.evidence,
    )


def score_files(files: Iterable[Path], rubric_path: Path | None = None) -> list[Result]:
    """Load and score assessment files (all problems of all files reported at once)."""
    return [score_loaded(item) for item in load_all(files, rubric_path)]


def results_json(results: list[Result], *, ascii_only: bool = False) -> str:
    """The score JSON: one object for one result, an array for several (pydantic's fast
    serializer; non-finite numbers would come out as null, never NaN)."""
    items = [r.model_dump_json(indent=2, ensure_ascii=ascii_only) for r in results]
    return _json_array(items) if len(items) != 1 else items[0]


def _json_array(items: list[str]) -> str:
    """A JSON array of already-serialised, indented objects, formatted as ``json.dumps(...,
    indent=2)`` would format it."""
    if not items:
        return "[]"
    return "[\n" + ",\n".join("  " + item.replace("\n", "\n  ") for item in items) + "\n]"


def score_files_json(
    files: list[Path],
    rubric_path: Path | None = None,
    *,
    ascii_only: bool = False,
    partial: bool = False,
) -> tuple[str, list[str]]:
    """The score JSON of ``files`` (exactly ``results_json(score_files(...))``) and the
    verdicts, in file order, serialised from :func:`score_data` without building models.

    A large batch is split into contiguous chunks scored in the parallel pool
    (:mod:`assessor.app.parallel`); each chunk sends back the JSON text of its results
    (nothing to re-validate or unpickle), and the parent joins them in order. Problems in any
    file are collected from every chunk and reported together, as in the serial path.

    With ``partial``, incomplete files are scored with their bounds (``complete``, ``open``,
    ``bounds``; ``verdict`` null unless determined) and the verdicts returned for
    ``--fail-on`` are the worst each file can still get.
    """
    from pydantic_core import to_json

    from assessor.app.parallel import jobs_for, map_in_chunks

    def chunk_json(chunk: Sequence[Path]) -> list[tuple[str, list[str]]]:
        """The chunk's results as one JSON array (or object, for a single file)."""
        data = [
            score_data(
                item.rubric,
                item.assessment.use_case,
                item.answers,
                notes=item.assessment.notes,
                evidence=item.assessment.evidence,
                with_bounds=partial,
            )
            for item in load_all(chunk, rubric_path, complete=not partial)
        ]
        payload: Any = data[0] if len(files) == 1 else data
        # Strict JSON: never NaN/Infinity (bounded inputs cannot produce them anyway).
        text = to_json(payload, indent=2, ensure_ascii=ascii_only, inf_nan_mode="null").decode()
        return [(text, [d["bounds"]["worst"] if partial else d["verdict"] for d in data])]

    if jobs_for(len(files)) > 1:
        # Load shared state once before forking: the workers inherit it warm.
        if rubric_path:
            load_rubric(rubric_path).compiled  # noqa: B018 - warms the cache
        load_rubric(DEFAULT_RUBRIC).compiled  # noqa: B018
    parts = map_in_chunks(chunk_json, files)
    if len(parts) == 1:
        return parts[0]
    # Join the chunks' arrays: "[\n  {...},\n  {...}\n]" without their brackets.
    inner = [text[2:-2] for text, _ in parts if text != "[]"]
    return "[\n" + ",\n".join(inner) + "\n]", [v for _, verdicts in parts for v in verdicts]


def list_rubrics() -> list[str]:
    lines = []
    for rubric_id, path in bundled_rubrics().items():
        r = load_rubric(path)
        lines.append(f"{rubric_id}\tv{r.version}\t{r.title}")
    return lines


def init_text(rubric: Rubric) -> str:
    """A commented assessment file with every question of the rubric, to fill in by hand.

    Every answer is an empty key: an empty answer counts as not given, so questions that do
    not apply to the chosen task type (or optional ones) can simply stay empty.
    """
    out = [
        f"# Assessment for the rubric {rubric.id!r} (version {rubric.version}): {rubric.title}.",
        "# Fill in the answers, then run: assessor score <this file>",
        "# Leave an answer empty when it is optional or does not apply to your task type.",
        "# A JSON Schema for editors that validate YAML: assessor schema assessment",
        "version: 1",
        f"rubric: {rubric.id}",
        "use_case:",
        "  name:             # required: a short name for the use case",
        "  description:      # what the integration does, for whom",
        "  owner:            # the team responsible",
        "answers:",
    ]
    section = None
    for q in rubric.questions:
        if q.section != section:
            section = q.section
            out.append("")
            out.append(f"  # ---- {section} " + "-" * max(4, 80 - len(section) - 10))
        out.extend(_question_lines(rubric, q))
    return "\n".join(out) + "\n"


def _question_lines(rubric: Rubric, q: Question) -> list[str]:
    import textwrap

    lines = [f"  # {q.prompt}"]
    if q.help:
        lines.extend(
            textwrap.wrap(
                " ".join(q.help.split()), 94, initial_indent="  #   ", subsequent_indent="  #   "
            )
        )
    if q.type == "choice":
        width = max(len(o.value) for o in q.options)
        lines.extend(f"  #   {o.value:<{width}}  {o.label}" for o in q.options)
    elif q.type == "boolean":
        lines.append("  #   true or false")
    elif q.type == "fraction":
        lines.append("  #   a fraction such as 0.03 (or 3%); empty when unknown")
    elif q.type == "number":
        lines.append("  #   a number" + (f" ({q.unit})" if q.unit else ""))
    flag = "required" if q.required else "optional"
    if q.applies_when is not None:
        tested = sorted({str(v) for v in q.applies_when.tested_values()})
        flag += " for " + ", ".join(tested) if tested else " where it applies"
    lines.append(f"  {q.id + ':':<20} # {flag}")
    return lines


def write_init(file: Path, rubric_ref: str | None, *, force: bool = False) -> None:
    from assessor.fileio import atomic_write, check_writable_target

    rubric = load_rubric(rubric_ref or "production-readiness")
    check_writable_target(file)
    if file.exists() and not force:
        raise OutputExistsError(f"{file} exists; pass --force to replace it")
    atomic_write(file, init_text(rubric), exclusive=not force)
