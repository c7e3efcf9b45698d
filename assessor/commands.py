"""What the non-interactive commands do, as functions the CLI, the TUI and tests share."""

from __future__ import annotations

from collections.abc import Callable, Iterable
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


def load_all(files: Iterable[Path], rubric_path: Path | None = None) -> list[Loaded]:
    """Load every file; report the problems of all files together."""
    override: Rubric | None = load_rubric(rubric_path) if rubric_path else None
    loaded: list[Loaded] = []
    problems: list[Problem] = []
    for path in files:
        try:
            loaded.append(load_assessment(path, override))
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputError(problems)
    return loaded


def score_loaded(item: Loaded) -> Result:
    return score(item.rubric, item.assessment.use_case, item.answers, notes=item.assessment.notes)


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


PARALLEL_FROM = 64
"""Batches at least this large are scored by forked workers, one per available CPU."""


def score_files_json(
    files: list[Path], rubric_path: Path | None = None, *, ascii_only: bool = False
) -> tuple[str, list[str]]:
    """The score JSON of ``files`` (exactly ``results_json(score_files(...))``) and the
    verdicts, in file order, serialised from :func:`score_data` without building models.

    A large batch on a machine with several CPUs is split into contiguous chunks scored by
    forked workers; each sends back the JSON text of its results (nothing to re-validate or
    unpickle), and the parent joins them in order. Problems in any file are collected from
    every worker and reported together, as in the serial path. The number of workers
    follows the CPUs left free (load average); ``ASSESSOR_JOBS=N`` sets it (1: off).
    """
    jobs = _jobs(len(files))

    from pydantic_core import to_json

    def chunk_json(chunk: list[Path]) -> tuple[str, list[str]]:
        """The chunk's results as one JSON array (or object, for a single file)."""
        data = [
            score_data(
                item.rubric, item.assessment.use_case, item.answers, notes=item.assessment.notes
            )
            for item in load_all(chunk, rubric_path)
        ]
        payload: Any = data[0] if len(files) == 1 else data
        return to_json(payload, indent=2, ensure_ascii=ascii_only).decode(), [
            d["verdict"] for d in data
        ]

    if jobs < 2:
        return chunk_json(files)
    # Load shared state once before forking: the workers inherit it warm.
    if rubric_path:
        load_rubric(rubric_path).compiled  # noqa: B018 - warms the cache
    load_rubric(DEFAULT_RUBRIC).compiled  # noqa: B018
    size = -(-len(files) // jobs)
    chunks = [files[i : i + size] for i in range(0, len(files), size)]
    parts = _forked(chunk_json, chunks)
    # Join the chunks' arrays: "[\n  {...},\n  {...}\n]" without their brackets.
    inner = [text[2:-2] for text, _ in parts if text != "[]"]
    return "[\n" + ",\n".join(inner) + "\n]", [v for _, verdicts in parts for v in verdicts]


def _jobs(count: int) -> int:
    """How many processes to score ``count`` files with (1 unless it pays off and is safe)."""
    import os
    import threading

    wanted = os.environ.get("ASSESSOR_JOBS", "")
    if wanted.isdigit():
        limit = int(wanted)
    else:
        limit = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
        if hasattr(os, "getloadavg"):
            # Workers only help on CPUs other work leaves free; on a busy machine forking
            # costs more than it saves.
            limit = min(limit, max(1, int(limit - os.getloadavg()[0] + 1)))
    # fork() copies only the calling thread: with other threads running, stay serial.
    if count < PARALLEL_FROM or not hasattr(os, "fork") or threading.active_count() > 1:
        return 1
    return max(1, min(limit, 8, count // (PARALLEL_FROM // 2)))


def _forked(work: Callable[[list[Path]], Any], chunks: list[list[Path]]) -> list[Any]:
    """Run ``work`` on each chunk, the first in this process and the rest in forked children.

    Each child pickles ``("ok", value)`` or ``("input", problems)`` or ``("bug", text)`` to a
    pipe and leaves with ``os._exit`` (no cleanup of the parent's state runs twice).
    """
    import os
    import pickle

    children: list[tuple[int, int]] = []
    for chunk in chunks[1:]:
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - runs in the child
            code = 0
            try:
                os.close(read_fd)
                try:
                    payload: tuple[str, Any] = ("ok", work(chunk))
                except InputError as exc:
                    payload = ("input", exc.problems)
                except BaseException as exc:
                    payload = ("bug", f"{type(exc).__name__}: {exc}")
                data = pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)
                view = memoryview(data)
                while view:
                    view = view[os.write(write_fd, view) :]
            except BaseException:
                code = 1
            finally:
                os._exit(code)
        os.close(write_fd)
        children.append((pid, read_fd))

    outcomes: list[tuple[str, Any]] = []
    try:
        outcomes.append(("ok", work(chunks[0])))
    except InputError as exc:
        outcomes.append(("input", exc.problems))
    finally:
        for pid, read_fd in children:
            with os.fdopen(read_fd, "rb") as pipe:
                data = pipe.read()
            _, status = os.waitpid(pid, 0)
            if data:
                outcomes.append(pickle.loads(data))
            else:
                outcomes.append(("bug", f"worker exited with status {status}"))
    problems = [p for kind, value in outcomes if kind == "input" for p in value]
    bugs = [value for kind, value in outcomes if kind == "bug"]
    if bugs:
        raise RuntimeError("scoring worker failed: " + "; ".join(bugs))
    if problems:
        raise InputError(problems)
    return [value for _, value in outcomes]


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
    from assessor.fileio import atomic_write

    rubric = load_rubric(rubric_ref or "production-readiness")
    if file.exists() and not force:
        raise OutputExistsError(f"{file} exists; pass --force to replace it")
    atomic_write(file, init_text(rubric))
