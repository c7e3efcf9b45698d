"""Reading what is on disk back into a session, strictly or, for a damaged file, by salvage.

A partial assessment loads back with every answer in place (a missing name or an empty answer
is an open question, not an error). A file that is not a valid assessment is salvaged:
whatever answers can be recovered are kept, and the file is set aside by the session.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assessor.errors import InputError

if TYPE_CHECKING:
    from assessor.domain.rubric import Rubric


@dataclass
class Notice:
    """Something the user must be told when the session starts."""

    text: str
    severity: str = "information"
    """``information``, ``warning`` or ``error`` (Textual's notification severities)."""


@dataclass
class SavedState:
    rubric_ref: str | None = None
    name: str = ""
    description: str = ""
    owner: str = ""
    answers: dict[str, Any] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    evidence: list[Any] = field(default_factory=list)
    """Measured results on record (:class:`assessor.domain.evidence.Evidence`), kept as is."""
    business_value: str | None = None
    plan: list[dict[str, Any]] = field(default_factory=list)
    """The improvement plan as plain data: the interactive assessment keeps it as it was."""


def display_name(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def side_name(path: Path, kind: str) -> Path:
    """A free name next to ``path`` for a copy kept aside: ``NAME.KIND-TIMESTAMP``."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    candidate = path.with_name(f"{path.name}.{kind}-{stamp}")
    n = 1
    while candidate.exists():
        candidate = path.with_name(f"{path.name}.{kind}-{stamp}-{n}")
        n += 1
    return candidate


def corrupt_name(path: Path) -> Path:
    return side_name(path, "corrupt")


_PLACEHOLDER_NAME = "\x00unnamed"


def read_state(path: Path, text: str) -> tuple[SavedState, Rubric]:
    """Load an assessment strictly, but as a partial one: a missing name or an empty answer is
    an open question, not an error. Raises InputError when the file is not valid."""
    from assessor.domain import source as src
    from assessor.domain.assessment import plan_document
    from assessor.domain.load import DEFAULT_RUBRIC, assessment_from_source, load_rubric

    name = display_name(path)
    source = src.parse(text, name)
    data = source.data
    if isinstance(data, dict):
        use_case = data.get("use_case")
        if use_case is None and "use_case" not in data:
            data["use_case"] = use_case = {}
        if isinstance(use_case, dict) and use_case.get("name") in (None, ""):
            use_case["name"] = _PLACEHOLDER_NAME
        answers = data.get("answers")
        if isinstance(answers, dict) and any(v is None for v in answers.values()):
            ref = data.get("rubric") if isinstance(data.get("rubric"), str) else None
            try:
                rubric = load_rubric(ref or DEFAULT_RUBRIC, relative_to=path.parent)
            except InputError:
                rubric = None
            for key in [k for k, v in answers.items() if v is None]:
                question = rubric.by_id.get(key) if rubric else None
                if question is None or not question.nullable:
                    del answers[key]
    loaded = assessment_from_source(source, path, complete=False)
    a = loaded.assessment
    state = SavedState(
        rubric_ref=a.rubric,
        name="" if a.use_case.name == _PLACEHOLDER_NAME else a.use_case.name,
        description=a.use_case.description,
        owner=a.use_case.owner,
        answers=dict(loaded.answers),
        notes=dict(a.notes),
        evidence=list(a.evidence),
        business_value=a.use_case.business_value,
        plan=plan_document(a.plan),
    )
    return state, loaded.rubric


SECTIONS = ("use_case", "answers", "notes")


def salvage_lines(text: str) -> dict[str, Any]:
    """What a file YAML cannot parse still says, read line by line: the rubric, and each
    ``key: value`` line under ``use_case``, ``answers`` and ``notes`` that parses on its
    own (``error_cost: [critical`` does not, and only that line is lost)."""
    import yaml

    data: dict[str, Any] = {}
    section: str | None = None
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        try:
            item = yaml.safe_load(stripped)
        except yaml.YAMLError:
            item = None
        if line[0] not in " \t":  # a top-level key
            key = stripped.partition(":")[0].strip()
            section = key if key in SECTIONS else None
            if isinstance(item, dict) and len(item) == 1:
                value = item.get(key)
                if key == "rubric" and isinstance(value, str):
                    data["rubric"] = value
                elif key in SECTIONS and isinstance(value, dict):  # a flow mapping
                    data.setdefault(key, {}).update(value)
            continue
        if section is not None and isinstance(item, dict) and len(item) == 1:
            data.setdefault(section, {}).update(item)
    return data


def salvage(path: Path, text: str | None) -> tuple[SavedState, Rubric, int]:
    """Whatever can be recovered from a file that is not a valid assessment."""
    from assessor.domain import source as src
    from assessor.domain.assessment import coerce_answer
    from assessor.domain.load import DEFAULT_RUBRIC, load_rubric

    data: Any = {}
    raw: dict[Any, str] = {}
    if text is not None:
        try:
            parsed = src.parse(text, path.name, numbers_as_text=True)
            data, raw = parsed.data, parsed.raw
        except InputError:
            data = salvage_lines(text)
    if not isinstance(data, dict):
        data = {}
    state = SavedState()
    ref = data.get("rubric")
    rubric = None
    if isinstance(ref, str) and ref:
        try:
            rubric = load_rubric(ref, relative_to=path.parent)
            state.rubric_ref = ref
        except InputError:
            rubric = None
    if rubric is None:
        rubric = load_rubric(DEFAULT_RUBRIC)
    use_case = data.get("use_case")
    if isinstance(use_case, dict):
        for key in ("name", "description", "owner"):
            value = use_case.get(key)
            if value is not None and not isinstance(value, dict | list):
                text_value = value if isinstance(value, str) else raw.get(("use_case", key), "")
                setattr(state, key, str(text_value)[: 200 if key != "description" else 100_000])
    answers = data.get("answers")
    recovered = 0
    if isinstance(answers, dict):
        for key, value in answers.items():
            question = rubric.by_id.get(key)
            if question is None or (value is None and not question.nullable):
                continue
            clean, error = coerce_answer(question, value, raw.get(("answers", key)))
            if error is None:
                state.answers[key] = clean
                recovered += 1
    notes = data.get("notes")
    if isinstance(notes, dict):
        for key, value in notes.items():
            if key in rubric.by_id and isinstance(value, str):
                state.notes[key] = value
    return state, rubric, recovered
