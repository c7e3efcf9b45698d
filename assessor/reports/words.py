"""Numbers, answers and verdicts in words: shared by every report format and the diff."""

from __future__ import annotations

import math
import re
from typing import Any

from assessor.domain.rubric import Question, Rubric
from assessor.domain.words import VERDICT_LABEL as VERDICT_LABEL  # the reports' verdict words
from assessor.domain.words import VERDICT_MEANING as VERDICT_MEANING
from assessor.fileio import terminal_safe

IMPROVEMENTS_SHOWN = 5
"""What would raise the verdict: the reports list this many (the JSON report has them all)."""
NOTE_IN_TABLE = 400
"""Longer notes are shortened in answer tables and shown in full after them."""
NOTE_SHORT = 240

KIND_LABEL = {"blocker": "Blocker", "condition": "Condition"}
POINT_LABEL = {**KIND_LABEL, "ready": "Ready", "open": "Open", "cost": "Cost"}
"""Labels of the executive summary's key points, by kind."""


def clean(text: Any) -> str:
    """User text without escape sequences or control characters (tabs and newlines kept).

    Whole ANSI sequences go, not only their ESC byte, and so do bidirectional overrides,
    which could make a report read differently from what it says.
    """
    if text is None:
        return ""
    text = str(text)
    if not UNSAFE.search(text):  # the common case, and the cheap one
        return text
    return terminal_safe(text.replace("\r\n", "\n").replace("\r", "\n"))


# Anything terminal_safe would change: control characters (escape sequences start with one)
# and bidirectional controls.
UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def one_line(text: Any) -> str:
    """User text on one line: all whitespace runs become one space."""
    return " ".join(clean(text).split())


def shorten(text: Any, limit: int) -> str:
    """One line of at most ``limit`` characters, cut at a word boundary with an ellipsis."""
    line = one_line(text)
    if len(line) <= limit:
        return line
    cut = line[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.") + "…"


def plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n} {word if n == 1 else (many or word + 's')}"


def number(value: float) -> str:
    """A count or amount with thousands separators and no needless decimals."""
    if not math.isfinite(value):
        return "n/a"
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".") if abs(value) >= 1 else f"{value:.4g}"


def money(value: float) -> str:
    """Currency units: two decimals below 1,000 per day, whole units above."""
    if not math.isfinite(value):
        return "n/a"
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:,.2f}"


def percent(value: float) -> str:
    """A fraction as a percentage with as few digits as it needs (0.03 -> 3%, 0.001 -> 0.1%)."""
    if not math.isfinite(value):
        return "n/a"
    pct = value * 100
    if pct == 0:
        return "0%"
    if abs(pct) >= 1:
        return f"{pct:.1f}".removesuffix(".0") + "%"
    return f"{pct:.2g}%"


def one_in(rate: float) -> str:
    """A rate as "1 in N" (0.01 -> "1 in 100")."""
    if rate <= 0 or not math.isfinite(rate):
        return "none"
    return f"1 in {number(round(1 / rate))}"


def duration(seconds: float) -> str:
    seconds = float(seconds)
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size and (seconds / size).is_integer():
            return f"{int(seconds // size)} {unit}"
    return f"{number(seconds)} s"


def answer_words(question: Question | None, value: Any) -> str:
    """An answer as a reader sees it: the option's label, yes/no, 3%, 4,000, or unknown."""
    if question is None:
        return one_line(value) if isinstance(value, str) else _plain(value)
    if value is None:
        return "unknown"
    if question.type == "choice":
        return question.label_of(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if question.type == "fraction" and isinstance(value, int | float):
        return f"{percent(value)} ({one_in(value)})" if value > 0 else "0%"
    if question.type == "number" and isinstance(value, int | float):
        unit = f" {question.unit}" if question.unit else ""
        return number(value) + unit
    return clean(value)


def _plain(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return number(value)
    if isinstance(value, list):
        return ", ".join(_plain(v) for v in value)
    return clean(value)


PARAM_LABEL = {
    "confidence_threshold": "Confidence threshold",
    "review_sample_rate": "Review sample of confident outputs",
    "review_all": "Review every output",
    "ttl_seconds": "Cache lifetime",
    "max_attempts": "Attempts per step",
    "backoff_seconds": "Retry backoff",
    "max_error_rate": "Highest acceptable error rate",
    "criteria": "Criteria measured",
}


def param_label(key: str) -> str:
    return PARAM_LABEL.get(key) or key.replace("_", " ").capitalize()


def param_words(key: str, value: Any) -> str:
    """A pattern parameter in words (rates as percentages, durations with units)."""
    if value is None:
        return "not set"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float) and not math.isfinite(value):
        return "n/a"
    if key.endswith("_rate") and isinstance(value, int | float):
        extra = f" ({one_in(value)})" if key == "max_error_rate" and value > 0 else ""
        return percent(value) + extra
    if key.endswith("_seconds") and isinstance(value, int | float):
        return duration(value)
    if key == "confidence_threshold" and isinstance(value, int | float):
        return f"{value:.2f}".rstrip("0").rstrip(".") if value < 1 else "1"
    if isinstance(value, list):
        return ", ".join(str(v).replace("_", " ") for v in value)
    return _plain(value)


def question_label(rubric: Rubric, qid: str) -> str:
    """A short name for a question: the title of the dimension that reads it, else its prompt."""
    for d in rubric.dimensions:
        if d.question == qid:
            return d.title
    q = rubric.by_id.get(qid)
    return q.prompt.rstrip("?") if q else qid


def change_words(rubric: Rubric, answers: dict[str, Any], changes: dict[str, Any]) -> str:
    """Answer changes in words: "Human oversight: Fully autonomous → A person approves each one"."""
    parts = []
    for qid, value in changes.items():
        q = rubric.by_id.get(qid)
        before = answer_words(q, answers[qid]) if qid in answers else "not answered"
        parts.append(f"{question_label(rubric, qid)}: {before} → {answer_words(q, value)}")
    return "; ".join(parts)


def capitalized(text: str) -> str:
    return text[:1].upper() + text[1:]
