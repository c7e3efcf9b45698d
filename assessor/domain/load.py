"""Load rubrics and assessments from files, with every problem located at file:line:column."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from assessor.domain import source as src
from assessor.domain.assessment import Assessment, check_answers, suggest
from assessor.domain.rubric import Rubric
from assessor.errors import InputError, Problem
from assessor.resources import rubrics_dir

DEFAULT_RUBRIC = "production-readiness"


@dataclass
class Loaded:
    """An assessment with its rubric and validated answers."""

    path: Path
    assessment: Assessment
    rubric: Rubric
    answers: dict[str, Any]
    """Validated answers, as given (no defaults filled in)."""


def bundled_rubrics() -> dict[str, Path]:
    """Bundled rubric ids and their files."""
    return {p.stem: p for p in sorted(rubrics_dir().glob("*.yaml"))}


def pydantic_problems(
    source: src.Source, exc: ValidationError, prefix: src.Path_ = ()
) -> list[Problem]:
    problems = []
    for err in exc.errors():
        loc: tuple[Any, ...] = tuple(
            x for x in err["loc"] if not (isinstance(x, str) and x.startswith("function-"))
        )
        path = (*prefix, *loc)
        kind = err["type"]
        message = err["msg"]
        if kind == "extra_forbidden":
            parent = path[:-1]
            message = f"unknown key {path[-1]!r}"
            allowed = _allowed_keys(source, err, parent)
            if allowed:
                message += suggest(str(path[-1]), allowed)
        elif kind == "missing":
            message = "missing required field"
        elif kind in ("string_type",) and isinstance(err.get("input"), bool | int | float):
            message += "; quote the value to keep it as text"
        elif message.startswith("Value error, "):
            message = message[len("Value error, ") :]
        problems.append(source.problem(path, message))
    return problems


_KNOWN_KEYS: dict[str, list[str]] = {
    "": ["version", "rubric", "use_case", "answers", "notes"],
    "use_case": ["name", "description", "owner"],
}


def _allowed_keys(source: src.Source, err: Any, parent: src.Path_) -> list[str]:
    return _KNOWN_KEYS.get(src.dotted(parent), [])


def _expect_mapping(source: src.Source) -> None:
    if not isinstance(source.data, dict):
        kind = "a list" if isinstance(source.data, list) else "a single value"
        raise InputError(source.problem((), f"expected a mapping at the top level, got {kind}"))


def load_rubric(ref: str | Path, relative_to: Path | None = None) -> Rubric:
    """Load a bundled rubric by id, or a rubric file by path."""
    path = _rubric_path(ref, relative_to)
    return _load_rubric_file(str(path), _mtime(path))


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def _rubric_path(ref: str | Path, relative_to: Path | None) -> Path:
    text = str(ref)
    bundled = bundled_rubrics()
    if text in bundled:
        return bundled[text]
    if "/" in text or "\\" in text or text.endswith((".yaml", ".yml", ".json")):
        path = Path(text)
        if not path.is_absolute() and relative_to is not None:
            path = relative_to / path
        return path
    known = ", ".join(bundled)
    raise InputError(
        Problem(
            text,
            message=f"no bundled rubric {text!r} (bundled: {known}){suggest(text, list(bundled))}",
        )
    )


@lru_cache(maxsize=32)
def _load_rubric_file(name: str, mtime: float) -> Rubric:
    path = Path(name)
    source = src.parse(src.read_text(path, _display(path)), _display(path))
    return rubric_from_source(source)


def rubric_from_source(source: src.Source) -> Rubric:
    _expect_mapping(source)
    try:
        return Rubric.model_validate(source.data)
    except ValidationError as exc:
        problems = []
        for p in pydantic_problems(source, exc):
            # Cross-reference errors list several "path: message" parts; locate each one.
            if p.path == "" and ": " in p.message:
                for part in p.message.split("; "):
                    where, _, what = part.partition(": ")
                    problems.append(source.problem(_parse_path(where), what))
            else:
                problems.append(p)
        raise InputError(problems) from None


def _parse_path(text: str) -> src.Path_:
    out: list[str | int] = []
    for chunk in text.split("."):
        name, *indices = chunk.split("[")
        if name:
            out.append(name)
        for index in indices:
            out.append(int(index.rstrip("]")))
    return tuple(out)


def _display(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def load_assessment(
    path: str | Path,
    rubric: Rubric | str | Path | None = None,
    *,
    complete: bool = True,
    text: str | None = None,
) -> Loaded:
    """Load and validate an assessment file.

    ``rubric`` overrides the file's own ``rubric`` field. With ``complete``, every required
    question that applies must be answered (``assessor score``); without it, a partial
    assessment loads (resuming an interactive session). All problems are reported at once.
    """
    path = Path(path)
    name = _display(path)
    if text is None:
        text = src.read_text(path, name)
    source = src.parse(text, name)
    return assessment_from_source(source, path, rubric, complete=complete)


def assessment_from_source(
    source: src.Source,
    path: Path,
    rubric: Rubric | str | Path | None = None,
    *,
    complete: bool = True,
) -> Loaded:
    _expect_mapping(source)
    data = dict(source.data)
    problems: list[Problem] = []
    # Text fields keep what the user wrote, even where YAML would type it (no, 010, 1.10).
    for key in ("name", "description", "owner"):
        uc = data.get("use_case")
        if isinstance(uc, dict) and key in uc and not isinstance(uc[key], str):
            raw = source.raw.get(("use_case", key))
            if raw is not None and uc[key] is not None:
                uc[key] = raw
    if "rubric" in data and not isinstance(data["rubric"], str) and data["rubric"] is not None:
        raw = source.raw.get(("rubric",))
        if raw is not None:
            data["rubric"] = raw
    answers_in = data.get("answers")
    if answers_in is None and "answers" in data:
        data["answers"] = {}
    try:
        assessment = Assessment.model_validate(data)
    except ValidationError as exc:
        problems.extend(pydantic_problems(source, exc))
        assessment = None

    chosen: Rubric | None = None
    if isinstance(rubric, Rubric):
        chosen = rubric
    else:
        ref = rubric if rubric is not None else data.get("rubric") or DEFAULT_RUBRIC
        if isinstance(ref, str | Path):
            try:
                chosen = load_rubric(ref, relative_to=path.parent)
            except InputError as exc:
                # A reference that does not resolve is this file's problem; a rubric file
                # with errors of its own reports them at its own lines.
                own = rubric is None and "rubric" in data
                unresolved = all(p.line is None for p in exc.problems)
                if not (own and unresolved):
                    raise
                for p in exc.problems:
                    detail = p.message if p.file == str(ref) else f"{p.file}: {p.message}"
                    problems.append(source.problem(("rubric",), detail))

    answers: dict[str, Any] = {}
    if chosen is not None and isinstance(answers_in, dict):
        raw = {k[1]: v for k, v in source.raw.items() if len(k) == 2 and k[0] == "answers"}
        answers, issues = check_answers(chosen, answers_in, raw, complete=complete)
        for issue in issues:
            problems.append(source.problem(("answers", issue.question), issue.message))
        if assessment is not None:
            for key in assessment.notes:
                if key not in chosen.by_id:
                    problems.append(
                        source.problem(
                            ("notes", key),
                            f"rubric {chosen.id!r} has no question {key!r}"
                            f"{suggest(key, list(chosen.by_id))}",
                        )
                    )
    if problems:
        raise InputError(problems)
    assert assessment is not None and chosen is not None
    return Loaded(path=path, assessment=assessment, rubric=chosen, answers=answers)


def to_model(model: type[BaseModel], source: src.Source) -> BaseModel:
    """Validate parsed data as ``model``, locating errors (for callers with their own models)."""
    try:
        return model.model_validate(source.data)
    except ValidationError as exc:
        raise InputError(pydantic_problems(source, exc)) from None
