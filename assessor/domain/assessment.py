"""The assessment file: a use case and its answers, validated against a rubric."""

from __future__ import annotations

import datetime as _dt
import difflib
import math
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from assessor.domain.evidence import Evidence
from assessor.domain.rubric import Question, Rubric
from assessor.domain.source import MAX_NUMBER, MAX_NUMBER_TEXT, OUT_OF_RANGE


class UseCase(BaseModel):
    """What is being assessed."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)

    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=100_000)
    owner: str = Field(default="", max_length=200)
    business_value: Literal["low", "medium", "high"] | None = None
    """What the use case is worth to the business; orders a portfolio's build order and
    places it in the value x readiness matrix."""


PLAN_STATUSES = ("open", "in_progress", "done")


class PlanItem(BaseModel):
    """One step of the improvement plan: who does what about a finding, by when."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)

    finding: str = Field(min_length=1, max_length=200)
    """Id of a blocker or condition of the rubric (such as ``no-evaluation``)."""
    action: str = Field(min_length=1, max_length=2000)
    owner: str = Field(default="", max_length=200)
    due: _dt.date | None = None
    """Due date, YYYY-MM-DD."""
    status: Literal["open", "in_progress", "done"] = "open"


class Assessment(BaseModel):
    """One assessment file (contract: version 1)."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)

    version: Literal[1] = 1
    rubric: str | None = None
    """Id of a bundled rubric, or a path to a rubric file (relative to this file)."""
    use_case: UseCase
    answers: dict[str, Any] = Field(default_factory=dict)
    """Answers by question id; validated against the rubric, not by this model."""
    notes: dict[str, str] = Field(default_factory=dict)
    """Free-text notes by question id, shown in reports."""
    evidence: list[Evidence] = Field(default_factory=list)
    """Measured results recorded by ``assessor evidence add`` / ``pull``, oldest first."""
    plan: list[PlanItem] = Field(default_factory=list)
    """The improvement plan: actions on findings, with owners, due dates and status."""

    def to_document(self) -> dict[str, Any]:
        """The assessment as plain data in file order, omitting empty optional parts."""
        doc: dict[str, Any] = {"version": self.version}
        if self.rubric:
            doc["rubric"] = self.rubric
        use_case: dict[str, Any] = {"name": self.use_case.name}
        if self.use_case.description:
            use_case["description"] = self.use_case.description
        if self.use_case.owner:
            use_case["owner"] = self.use_case.owner
        if self.use_case.business_value:
            use_case["business_value"] = self.use_case.business_value
        doc["use_case"] = use_case
        doc["answers"] = dict(self.answers)
        if self.notes:
            doc["notes"] = dict(self.notes)
        if self.evidence:
            doc["evidence"] = [e.model_dump(exclude_none=True) for e in self.evidence]
        if self.plan:
            doc["plan"] = plan_document(self.plan)
        return doc


def plan_document(plan: list[PlanItem]) -> list[dict[str, Any]]:
    """Plan items as plain data in file order (dates as YYYY-MM-DD, empty fields left out)."""
    out = []
    for item in plan:
        entry: dict[str, Any] = {"finding": item.finding, "action": item.action}
        if item.owner:
            entry["owner"] = item.owner
        if item.due is not None:
            entry["due"] = item.due.isoformat()
        entry["status"] = item.status
        out.append(entry)
    return out


class AnswerIssue(BaseModel):
    """One problem with one answer (the loader adds the file position)."""

    question: str
    message: str
    index: int | None = None
    """The item of a multi answer (a list) the problem is at, if one."""


def suggest(name: str, choices: list[str]) -> str:
    """A ' (did you mean ...?)' suffix, or ''."""
    close = difflib.get_close_matches(name, choices, n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def coerce_answer(question: Question, value: Any, raw: str | None) -> tuple[Any, str | None]:
    """Check one answer against its question; return (clean value, error message or None).

    ``raw`` is the answer as written in the file, used where YAML's implicit typing changed it
    (``no`` read as false, ``010`` as 8): text and choice answers keep what the user wrote.
    """
    if value is None:
        if question.nullable:
            return None, None
        return None, "must not be empty" + (
            "; leave it out instead" if not question.required else ""
        )
    kind = question.type
    if kind == "multi":
        clean, problems = multi_answer(question, value, {})
        return (None, problems[0][1]) if problems else (clean, None)
    if kind in ("choice", "text") and not isinstance(value, str):
        if raw is not None:
            value = raw
        else:
            return None, f"must be text, got {type(value).__name__}"
    if kind == "choice":
        allowed = [o.value for o in question.options]
        if value not in allowed:
            return None, f"must be one of {', '.join(allowed)}{suggest(str(value), allowed)}"
        return value, None
    if kind == "text":
        return value, None
    if kind == "boolean":
        if isinstance(value, bool):
            return value, None
        return None, "must be true or false"
    # number / fraction; text that reads as a number is one (YAML leaves "1e3" as text)
    if isinstance(value, str):
        text = value.strip()
        percent = kind == "fraction" and text.endswith("%")
        if len(text) > MAX_NUMBER_TEXT:
            return None, OUT_OF_RANGE
        try:
            value = float(text[:-1]) / 100 if percent else float(text)
        except ValueError:
            hint = " such as 0.03 or 3%" if kind == "fraction" else ""
            return None, f"must be a number{hint}"
    if isinstance(value, bool) or not isinstance(value, int | float):
        hint = " such as 0.03 or 3%" if kind == "fraction" else ""
        return None, f"must be a number{hint}"
    if not math.isfinite(value):
        return None, "must be a finite number"
    if abs(value) > MAX_NUMBER:
        return None, OUT_OF_RANGE
    low = question.min
    high = question.max
    if kind == "fraction":
        low = 0.0 if low is None else low
        high = 1.0 if high is None else high
    if low is not None and value < low:
        return None, f"must be at least {low:g}"
    if high is not None and value > high:
        extra = " (a fraction: 3% is 0.03)" if kind == "fraction" else ""
        return None, f"must be at most {high:g}{extra}"
    return value, None


def multi_answer(
    question: Question, value: Any, raw_items: dict[int, str]
) -> tuple[list[str] | None, list[tuple[int | None, str]]]:
    """Check a multi answer (a list of option ids): every id an option, none twice, and an
    exclusive "none of these" option alone. Returns (clean list, [(item index, message)]).

    ``raw_items`` holds each item as written, where YAML typed it (``no`` read as false)."""
    if not isinstance(value, list):
        return None, [(None, "must be a list of option ids, e.g. [a, b] (or [] for none)")]
    allowed = [o.value for o in question.options]
    exclusive = {o.value for o in question.options if o.exclusive}
    problems: list[tuple[int | None, str]] = []
    clean: list[str] = []
    for i, item in enumerate(value):
        if not isinstance(item, str):
            if i not in raw_items:
                problems.append((i, f"must be an option id, got {type(item).__name__}"))
                continue
            item = raw_items[i]
        if item not in allowed:
            problems.append(
                (
                    i,
                    f"{item!r} is not an option; options: {', '.join(allowed)}"
                    f"{suggest(item, allowed)}",
                )
            )
        elif item in clean:
            problems.append((i, f"{item!r} is selected twice"))
        else:
            clean.append(item)
    chosen_exclusive = [v for v in clean if v in exclusive]
    if chosen_exclusive and len(clean) > 1:
        where = next(i for i, item in enumerate(value) if item == chosen_exclusive[0])
        problems.append(
            (
                where,
                f"{chosen_exclusive[0]!r} (none of these) cannot be selected with other options",
            )
        )
    return (None if problems else clean), problems


def check_answers(
    rubric: Rubric,
    answers: dict[str, Any],
    raw: dict[str, str] | None = None,
    complete: bool = True,
    raw_items: dict[tuple[str, int], str] | None = None,
) -> tuple[dict[str, Any], list[AnswerIssue]]:
    """Validate answers against the rubric.

    Returns the cleaned answers and every issue found. An empty answer (``key:`` with no
    value) counts as not answered, except for nullable questions where ``null`` means
    "unknown". With ``complete``, each required question that applies must be answered;
    questions whose applicability is itself unanswered (no ``task_type``) are not reported,
    so one missing answer gives one message.
    """
    raw = raw or {}
    clean: dict[str, Any] = {}
    issues: list[AnswerIssue] = []
    ids = list(rubric.by_id)
    for key, value in answers.items():
        question = rubric.by_id.get(key)
        if question is None:
            issues.append(
                AnswerIssue(
                    question=key,
                    message=f"rubric {rubric.id!r} has no question {key!r}{suggest(key, ids)}",
                )
            )
            continue
        if value is None and not question.nullable:
            continue
        if question.type == "multi":
            items = {i: text for (q, i), text in (raw_items or {}).items() if q == key}
            selected, problems = multi_answer(question, value, items)
            for index, message in problems:
                issues.append(AnswerIssue(question=key, message=message, index=index))
            if selected is not None:
                clean[key] = selected
            continue
        value, error = coerce_answer(question, value, raw.get(key))
        if error:
            issues.append(AnswerIssue(question=key, message=error))
        else:
            clean[key] = value
    if complete:
        failed = {i.question for i in issues}
        for question in rubric.questions:
            if (
                question.required
                and question.id not in clean
                and question.id not in failed
                and rubric.applies(question, clean) is True
            ):
                issues.append(
                    AnswerIssue(question=question.id, message=missing_message(rubric, question))
                )
    return clean, issues


def missing_message(rubric: Rubric, question: Question) -> str:
    if question.type == "choice":
        hint = " (" + " | ".join(o.value for o in question.options) + ")"
    elif question.type == "multi":
        hint = " (a list of: " + ", ".join(o.value for o in question.options) + ")"
    elif question.type == "boolean":
        hint = " (true | false)"
    else:
        hint = ""
    return f"missing required answer; rubric {rubric.id!r} asks: {question.prompt}{hint}"


def effective_answers(rubric: Rubric, answers: dict[str, Any]) -> dict[str, Any]:
    """Answers with defaults filled in, for questions that apply; the rest dropped.

    Optional questions left out take their default, always (the panel, the results and
    ``assessor score`` agree). Required questions not answered stay missing: they are open,
    never guessed, and rules that read them do not fire.
    """
    return effective_and_applicable(rubric, answers)[0]


def effective_and_applicable(
    rubric: Rubric, answers: dict[str, Any]
) -> tuple[dict[str, Any], list[Question]]:
    """:func:`effective_answers` and the questions that apply (scoring needs both)."""
    out = dict(answers)
    for q in rubric.questions:
        if q.id not in out and not q.required:
            out[q.id] = rubric.compiled.default_of(q.id, out)
    applicable = rubric.applicable(out)
    ids = {q.id for q in applicable}
    return {k: v for k, v in out.items() if k in ids}, applicable
