"""Numbers, answers and verdicts in words: shared by every report format and the diff."""

from __future__ import annotations

import math
import re
from typing import Any

from assessor.domain.evidence import percent_text
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
VALUE_LABEL = {"high": "High", "medium": "Medium", "low": "Low", "unrated": "Not rated"}
"""Business value, in words (``unrated``: the assessment gives none)."""
STATUS_LABEL = {"open": "Open", "in_progress": "In progress", "done": "Done"}
"""Improvement plan item status, in words."""
REVIEW_ALL_METHOD = (
    "The policy to follow is the cheapest, except where the rubric requires a person to "
    "review every output: then it is review of every output, whatever would be cheaper, and "
    "the report says which rule requires it."
)
"""The methodology's sentence on when review of every output is chosen (md and html)."""
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


def money(value: float, currency: str = "") -> str:
    """An amount: whole units from 100 up (and for whole amounts), else two decimals; with the
    currency code in front when there is one ("EUR 4,447", "EUR 0.50")."""
    if not math.isfinite(value):
        return "n/a"
    whole = abs(value) >= 100 or float(value).is_integer()
    text = f"{value:,.0f}" if whole else f"{value:,.2f}"
    return f"{currency}\u00a0{text}" if currency else text


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


# ---------------------------------------------------------------------------------------------
# Measured evidence (``assessor evidence add``)


def evidence_source_row(source: dict[str, Any]) -> dict[str, str]:
    """One recorded measurement in words: source, cases, rate, interval, date."""
    where = clean(source.get("path", ""))
    label = {
        "assessor-eval": "project eval",
        "promptfoo": "promptfoo",
        "inspect-ai": "Inspect AI",
        "deepeval": "DeepEval",
        "openai-evals": "OpenAI evals",
        "service-quality": "production review sample",
    }.get(str(source.get("kind")), str(source.get("kind")))
    lower = source.get("lower_95")
    interval = (
        f"{percent_text(lower)} – {percent_text(source['upper_95'])}"
        if isinstance(lower, int | float)
        else f"at most {percent_text(source['upper_95'])}"
    )
    unscored = source.get("unscored") or 0
    return {
        "source": f"{label}: {where}",
        "cases": f"{source['errors']:,} wrong of {source['n']:,}"
        + (f" ({unscored:,} failed to run)" if unscored else ""),
        "rate": percent_text(source["error_rate"]),
        "interval": interval,
        "date": str(source.get("measured_at") or source.get("recorded_at", ""))[:10],
        "id": clean(source.get("eval_id") or source.get("dataset") or ""),
    }


def evidence_summary(evidence: dict[str, Any] | None) -> str:
    """The measurement that counts, in one sentence (empty without evidence)."""
    if not evidence:
        return ""
    head = (
        f"{evidence['errors']:,} wrong of {evidence['n']:,} cases "
        f"({percent_text(evidence['error_rate'])}; 95% interval "
        f"{percent_text(evidence['lower_95'])} – {percent_text(evidence['upper_95'])}), "
        f"measured {str(evidence['measured_at'])[:10]}"
    )
    if not evidence.get("applied"):
        return (
            f"{head}. Not used for scoring: the error rate answer no longer matches it "
            "(edited by hand)."
        )
    limit = evidence.get("limit")
    judged = f"the rules read its upper bound, {percent_text(evidence['upper_95'])}"
    if isinstance(limit, int | float):
        verdict = "within" if evidence["upper_95"] <= limit else "not shown to be within"
        judged += f", {verdict} the limit of {percent_text(limit)}"
    flags = []
    if evidence.get("too_few_cases"):
        flags.append("too few cases")
    if evidence.get("stale"):
        flags.append(f"stale ({evidence['age_days']} days old)")
    extra = f" Flagged: {', '.join(flags)}." if flags else ""
    return f"{head}; {judged}.{extra}"
