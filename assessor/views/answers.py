"""Answer and action helpers the app and the plain wizard share (no Textual here)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from assessor.app.session import Session
    from assessor.domain.rubric import Question


def choices(question: Question) -> list[tuple[Any, str, str]]:
    """(value, label, help) of each option a choice or yes/no question offers."""
    if question.type == "boolean":
        return [(True, "Yes", ""), (False, "No", "")]
    return [(o.value, o.label, o.help) for o in question.options]


def format_answer(question: Question, value: Any) -> str:
    """An answer as the user would type it back (a fraction as a percentage)."""
    if value is None:
        return "unknown" if question.nullable else ""
    if question.type == "fraction" and isinstance(value, int | float):
        return f"{value * 100:g}%"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def progress_text(session: Session, question: Question) -> str:
    """``Risk · question 3 · up to 13 more · required``, as every front end shows it.

    The position counts the questions that apply; "up to" the ones after it that still can
    (an open answer counts as applying), so the count only drops when an answer makes
    questions not apply, and never promises a total that later shrinks.
    """
    ids = [q.id for q in session.questions()]
    number = ids.index(question.id) + 1
    more = len(ids) - number
    where = f"{question.section} · question {number}"
    where += f" · up to {more} more" if more else " · the last one"
    return where + (" · required" if question.required else " · optional")


def slug(text: str) -> str:
    """A folder name from a use-case name: lower case, letters and digits joined by '-'."""
    cleaned = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return cleaned[:60].strip("-") or "ai-service"


def not_ready_reason(session: Session) -> str | None:
    """Why a report or a project cannot be made from the assessment yet, or None.

    Both read the assessment file, so it must be complete and saved.
    """
    if session.readonly and session.dirty:
        return (
            "Read-only here (another assessor has the file open), and the changes made here "
            "are not in the file; export or generate from the other assessor."
        )
    if not session.complete:
        missing = [q.id for q in session.open_questions()]
        if not session.name.strip():
            missing.insert(0, "use_case.name")
        return f"Answer the open questions first: {', '.join(missing)}."
    if not session.readonly and not session.flush():
        return f"The assessment is not saved ({session.save_error}); fix that first."
    return None


def measured_rate(session: Session) -> tuple[float, str] | None:
    """The error rate the latest recorded evidence measured, and it in words, or None.

    Shown under the measured question, so that nobody types over a measurement unawares.
    """
    if not session.evidence:
        return None
    from assessor.domain.evidence import latest, percent_text, pooled_rate, wilson

    current = latest(session.evidence)
    n = sum(e.n for e in current)
    errors = sum(e.errors for e in current)
    lo, upper = wilson(errors, n)
    sources = ", ".join(f"{e.kind} {e.path}" for e in current)
    when = (current[0].measured_at or current[0].recorded_at)[:10]
    rate = pooled_rate(current)
    words = (
        f"Measured: {errors:,} wrong of {n:,} ({percent_text(rate)}; 95% interval "
        f"{percent_text(lo)} – {percent_text(upper)}) on {when}, from {sources}."
    )
    return rate, words


def overrides_measurement(session: Session, question: Question, value: Any) -> bool:
    """Whether answering ``value`` replaces the measured error rate with another number."""
    if question.id != session.rubric.evidence.question:
        return False
    measured = measured_rate(session)
    return (
        measured is not None
        and isinstance(value, int | float)
        and abs(float(value) - measured[0]) > 1e-9
    )
