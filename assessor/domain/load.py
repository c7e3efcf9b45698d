"""Load rubrics and assessments from files, with every problem located at file:line:column."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, get_args

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
    return dict(_bundled())


@lru_cache(maxsize=1)
def _bundled() -> dict[str, Path]:
    return {p.stem: p for p in sorted(rubrics_dir().glob("*.yaml"))}


def pydantic_problems(
    source: src.Source,
    exc: ValidationError,
    prefix: src.Path_ = (),
    model: type[BaseModel] | None = None,
) -> list[Problem]:
    """Turn pydantic's errors into located problems with plain messages."""
    problems = []
    for err in exc.errors():
        loc: tuple[Any, ...] = tuple(
            x for x in err["loc"] if not (isinstance(x, str) and x.startswith("function-"))
        )
        path = (*prefix, *loc)
        problems.append(source.problem(path, _message(err, loc, model)))
    return problems


def _message(err: Any, loc: tuple[Any, ...], model: type[BaseModel] | None) -> str:
    kind = err["type"]
    message = str(err["msg"])
    given = err.get("input")
    if kind == "extra_forbidden":
        allowed = _allowed_keys(model, loc[:-1]) if model is not None else []
        return f"unknown key {loc[-1]!r}" + (suggest(str(loc[-1]), allowed) if allowed else "")
    if kind == "missing":
        return "missing required field"
    if kind == "string_type":
        if isinstance(given, bool | int | float):
            return "must be text; quote the value to keep it as text"
        return "must be text"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return "must be a mapping (key: value lines)"
    if kind in ("list_type", "tuple_type"):
        return "must be a list"
    if kind == "string_too_short" and err.get("ctx", {}).get("min_length") == 1:
        return "must not be empty"
    if message.startswith("Value error, "):
        return message[len("Value error, ") :]
    if message.startswith("Input should be "):
        return "must be " + message[len("Input should be ") :]
    if message.startswith("String should have "):
        return "must have " + message[len("String should have ") :]
    return message


def _allowed_keys(model: type[BaseModel], parent: tuple[Any, ...]) -> list[str]:
    """The keys a mapping at ``parent`` (a pydantic location) may have, for "did you mean"."""
    current: type[BaseModel] | None = model
    for part in parent:
        if isinstance(part, int) or current is None:
            continue
        fields = current.model_fields
        field = next((f for n, f in fields.items() if (f.alias or n) == part), None)
        if field is None:
            field = fields.get(part)
        current = _model_in(field.annotation) if field is not None else None
    if current is None:
        return []
    return [f.alias or n for n, f in current.model_fields.items()]


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def _expect_mapping(source: src.Source) -> None:
    if not isinstance(source.data, dict):
        kind = "a list" if isinstance(source.data, list) else "a single value"
        raise InputError(source.problem((), f"expected a mapping at the top level, got {kind}"))


def load_rubric(ref: str | Path, relative_to: Path | None = None) -> Rubric:
    """Load a bundled rubric by id, or a rubric file by path."""
    path = _rubric_path(ref, relative_to)
    # A rubric file given by path is reloaded when it changes (the interactive assessment
    # may run while someone edits it); a bundled one never changes under a running process.
    bundled = path in _bundled().values()
    return _load_rubric_file(str(path), 0.0 if bundled else _mtime(path))


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def _rubric_path(ref: str | Path, relative_to: Path | None) -> Path:
    text = str(ref)
    bundled = _bundled()
    if text in bundled:
        return bundled[text]
    if "/" in text or "\\" in text or text.endswith((".yaml", ".yml", ".json")):
        path = Path(text)
        if relative_to is not None:
            path = relative_to / path  # an absolute path stays as it is
            _check_referenced_rubric(text, path, relative_to)
        return path
    known = ", ".join(bundled)
    raise InputError(
        Problem(
            text,
            message=f"no bundled rubric {text!r} (bundled: {known}){suggest(text, list(bundled))}",
        )
    )


RUBRIC_SUFFIXES = (".yaml", ".yml", ".json")


def _check_referenced_rubric(text: str, path: Path, folder: Path) -> None:
    """A ``rubric:`` written in an assessment file may only name a rubric file in the
    assessment's folder or below it (after symlinks): an assessment from someone else must
    not make us read (and quote) any other file. A rubric elsewhere is given on the command
    line (``--rubric``) or copied next to the assessment."""
    if not text.endswith(RUBRIC_SUFFIXES):
        raise InputError(
            Problem(text, message="must name a rubric file ending in .yaml, .yml or .json")
        )
    base = os.path.realpath(folder)
    real = os.path.realpath(path)
    if os.path.commonpath([base, real]) != base:
        raise InputError(
            Problem(
                text,
                message="names a file outside the assessment's folder; a rubric file must be "
                "in the assessment's folder or below it (or pass it with --rubric)",
            )
        )


@lru_cache(maxsize=32)
def _load_rubric_file(name: str, mtime: float) -> Rubric:
    path = Path(name)
    source = src.parse(src.read_text(path, _display(path)), _display(path))
    return rubric_from_source(source)


def rubric_from_source(source: src.Source) -> Rubric:
    _expect_mapping(source)
    if not isinstance(source.data.get("questions"), list):
        # Not a rubric at all: say so, without quoting its keys (it may be any file).
        raise InputError(
            source.problem((), "not a rubric file (no 'questions' list at the top level)")
        )
    try:
        return Rubric.model_validate(source.data)
    except ValidationError as exc:
        problems = []
        for p in pydantic_problems(source, exc, model=Rubric):
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
    """The path as the user wrote it; absolute paths under the current folder shortened."""
    text = str(path)
    if not os.path.isabs(text):
        return text
    cwd = os.getcwd()
    return text[len(cwd) + 1 :] if text.startswith(cwd + os.sep) else text


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
    # Text fields keep what the user wrote, even where YAML would type it (no, 010, 1.10);
    # an empty one ("owner:" with no value) counts as not given.
    for key in ("use_case", "notes"):
        if isinstance(data.get(key), dict):
            data[key] = {k: v for k, v in data[key].items() if v is not None}
    _keep_text(source, data.get("use_case"), ("use_case",), ("name", "description", "owner"))
    _keep_text(source, data.get("notes"), ("notes",), None)
    if data.get("rubric") is not None and not isinstance(data["rubric"], str):
        raw = source.raw.get(("rubric",))
        if raw is not None:
            data["rubric"] = raw
    answers_in = data.get("answers")
    if answers_in is None:
        # No answers yet (or "answers:" left empty): every required answer is missing.
        answers_in = data["answers"] = {}
    try:
        assessment: Assessment | None = Assessment.model_validate(data)
    except ValidationError as exc:
        problems.extend(pydantic_problems(source, exc, model=Assessment))
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
        raw_answers = {
            str(k[1]): v for k, v in source.raw.items() if len(k) == 2 and k[0] == "answers"
        }
        raw_items = {
            (str(k[1]), k[2]): v
            for k, v in source.raw.items()
            if len(k) == 3 and k[0] == "answers" and isinstance(k[2], int)
        }
        answers, issues = check_answers(
            chosen, answers_in, raw_answers, complete=complete, raw_items=raw_items
        )
        for issue in issues:
            at: src.Path_ = ("answers", issue.question)
            if issue.index is not None:
                at = (*at, issue.index)
            problems.append(source.problem(at, issue.message))
        notes = data.get("notes")
        for key in notes if isinstance(notes, dict) else ():
            if key not in chosen.by_id:
                problems.append(
                    source.problem(
                        ("notes", key),
                        f"rubric {chosen.id!r} has no question {key!r}"
                        f"{suggest(str(key), list(chosen.by_id))}",
                    )
                )
    if problems:
        raise InputError(problems)
    assert assessment is not None and chosen is not None
    return Loaded(path=path, assessment=assessment, rubric=chosen, answers=answers)


def _keep_text(
    source: src.Source, mapping: Any, at: src.Path_, keys: tuple[str, ...] | None
) -> None:
    """Put back the text as written where YAML typed a scalar (``no``, ``010``, ``1.10``)."""
    if not isinstance(mapping, dict):
        return
    for key, value in mapping.items():
        if (keys is None or key in keys) and value is not None and not isinstance(value, str):
            raw = source.raw.get((*at, key))
            if raw is not None:
                mapping[key] = raw


def to_model(model: type[BaseModel], source: src.Source) -> BaseModel:
    """Validate parsed data as ``model``, locating errors (for callers with their own models)."""
    try:
        return model.model_validate(source.data)
    except ValidationError as exc:
        raise InputError(pydantic_problems(source, exc, model=model)) from None
