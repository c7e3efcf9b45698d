"""Measured evidence: results of evaluations recorded in the assessment, and how scoring reads
them.

An ``evidence:`` entry records one measurement (a results file or the generated service's
``/v1/quality``): how many cases, how many were wrong, the Wilson 95% interval, where it came
from and when. The latest recording (the entries sharing the newest ``recorded_at``) is pooled
into the answer ``error_rate`` with ``error_rate_source: measured``.

Scoring then judges the rubric's error-rate rules on the interval's upper bound instead of the
point estimate (:func:`judge`): 2 errors in 300 cases is 0.67%, but with 95% confidence only
"at most 2.4%", which does not rule out more than 1 in 100. Pure functions; no I/O.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

if TYPE_CHECKING:
    from assessor.domain.rubric import Rubric

Z_95 = 1.959963984540054
"""The two-sided 95% normal quantile."""

EvidenceKind = Literal[
    "assessor-eval", "promptfoo", "inspect-ai", "deepeval", "openai-evals", "service-quality"
]
KINDS: tuple[str, ...] = (
    "assessor-eval",
    "promptfoo",
    "inspect-ai",
    "deepeval",
    "openai-evals",
    "service-quality",
)

_TOLERANCE = 1e-5
"""Recorded rates are rounded to 6 decimals; a hand edit beyond this is a mismatch."""


def wilson(errors: int, n: int, z: float = Z_95) -> tuple[float, float]:
    """The Wilson score interval of ``errors`` in ``n`` (``(0, 1)`` when ``n`` is 0)."""
    if n <= 0:
        return 0.0, 1.0
    p = errors / n
    z2 = z * z
    centre = p + z2 / (2 * n)
    spread = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    denominator = 1 + z2 / n
    return max(0.0, (centre - spread) / denominator), min(1.0, (centre + spread) / denominator)


def cases_needed(rate: float, limit: float, n: int) -> int | None:
    """How many cases in all, at the same observed ``rate``, make the Wilson upper bound
    at most ``limit``; None when no number would (the rate itself is at or above it)."""
    if rate >= limit:
        return None

    def upper(total: int) -> float:
        p = rate
        z2 = Z_95 * Z_95
        centre = p + z2 / (2 * total)
        spread = Z_95 * math.sqrt(p * (1 - p) / total + z2 / (4 * total * total))
        return (centre + spread) / (1 + z2 / total)

    lo, hi = max(n, 1), max(n, 1)
    while upper(hi) > limit:
        hi *= 2
        if hi > 10**12:
            return None
    while lo < hi:
        mid = (lo + hi) // 2
        if upper(mid) <= limit:
            hi = mid
        else:
            lo = mid + 1
    return lo


def parse_time(text: str) -> datetime:
    """An ISO 8601 time; one without a zone is read as UTC."""
    value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=UTC)


class Evidence(BaseModel):
    """One measurement recorded in the assessment (``evidence:`` list entry)."""

    model_config = ConfigDict(extra="forbid")

    kind: EvidenceKind
    path: str = Field(min_length=1, max_length=4096)
    """The results file as given to ``evidence add``, or the URL ``evidence pull`` read."""
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    """Of the results file (or the response body), so a reader can check it is the one."""
    n: int = Field(ge=1)
    """Cases that were scored."""
    errors: int = Field(ge=0)
    """Cases whose output was wrong."""
    unscored: int = Field(default=0, ge=0)
    """Cases that failed to run (provider errors); not counted in ``n``."""
    error_rate: float = Field(ge=0, le=1)
    lower_95: float | None = Field(default=None, ge=0, le=1)
    upper_95: float = Field(ge=0, le=1)
    """Wilson 95% upper bound of the error rate."""
    recorded_at: str
    """When assessor recorded it (ISO 8601, UTC)."""
    measured_at: str | None = None
    """When the source says it measured, if it says."""
    eval_id: str | None = Field(default=None, max_length=500)
    dataset: str | None = Field(default=None, max_length=500)
    """Dataset name or hash, when the source has one."""
    model: str | None = Field(default=None, max_length=500)
    window: str | None = Field(default=None, max_length=200)
    """For production evidence: the period the sample covers."""

    @field_validator("recorded_at", "measured_at")
    @classmethod
    def _time(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            parse_time(value)
        except ValueError:
            raise ValueError("must be an ISO 8601 time such as 2026-01-31T12:00:00Z") from None
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Evidence:
        if self.errors > self.n:
            raise ValueError(f"errors ({self.errors}) is more than n ({self.n})")
        rate = self.errors / self.n
        if abs(self.error_rate - rate) > _TOLERANCE:
            raise ValueError(f"error_rate {self.error_rate:g} does not match errors/n ({rate:.6f})")
        lo, hi = wilson(self.errors, self.n)
        if abs(self.upper_95 - hi) > _TOLERANCE:
            raise ValueError(
                f"upper_95 {self.upper_95:g} is not the Wilson 95% upper bound of "
                f"{self.errors} in {self.n} ({hi:.6f})"
            )
        if self.lower_95 is not None and abs(self.lower_95 - lo) > _TOLERANCE:
            raise ValueError(
                f"lower_95 {self.lower_95:g} is not the Wilson 95% lower bound of "
                f"{self.errors} in {self.n} ({lo:.6f})"
            )
        return self

    @property
    def time(self) -> datetime:
        """When it was measured: the source's own time, else when it was recorded."""
        return parse_time(self.measured_at or self.recorded_at)


@dataclass
class Measurement:
    """What a results reader found in one file, before it is recorded."""

    kind: str
    n: int
    errors: int
    unscored: int = 0
    measured_at: str | None = None
    eval_id: str | None = None
    dataset: str | None = None
    model: str | None = None
    window: str | None = None
    metrics: dict[str, float] = field(default_factory=dict)


def entry(
    measurement: Measurement, *, path: str, sha256: str, recorded_at: datetime
) -> dict[str, Any]:
    """An ``evidence:`` entry for ``measurement`` (plain data in file order)."""
    lo, hi = wilson(measurement.errors, measurement.n)
    out: dict[str, Any] = {
        "kind": measurement.kind,
        "path": path,
        "sha256": sha256,
        "n": measurement.n,
        "errors": measurement.errors,
    }
    if measurement.unscored:
        out["unscored"] = measurement.unscored
    out["error_rate"] = round(measurement.errors / measurement.n, 6)
    out["lower_95"] = round(lo, 6)
    out["upper_95"] = round(hi, 6)
    out["recorded_at"] = iso(recorded_at)
    for key in ("measured_at", "eval_id", "dataset", "model", "window"):
        value = getattr(measurement, key)
        if value:
            out[key] = value
    return out


def iso(moment: datetime) -> str:
    """A time as ISO 8601 in UTC, to the millisecond (``2026-01-31T12:00:00.250Z``)."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def latest(entries: list[Evidence]) -> list[Evidence]:
    """The entries of the last recording: one ``evidence add`` may record several files, and
    appends them together with one ``recorded_at``."""
    if not entries:
        return []
    last = entries[-1].recorded_at
    out: list[Evidence] = []
    for e in reversed(entries):
        if e.recorded_at != last:
            break
        out.append(e)
    return out[::-1]


def pooled_rate(entries: list[Evidence]) -> float:
    """The error rate the answer records for these entries (rounded as it is written)."""
    n = sum(e.n for e in entries)
    return round(sum(e.errors for e in entries) / n, 6) if n else 0.0


@dataclass
class Judgement:
    """How the evidence on record bears on scoring."""

    applied: bool
    """The answer is the measured rate of the latest evidence, so rules read its bound."""
    overrides: dict[str, Any]
    """Answers the rules read instead of the given ones (the error rate's upper bound)."""
    summary: dict[str, Any] | None
    """The score JSON's ``evidence`` object (None when there is no evidence)."""
    findings: list[dict[str, Any]]
    """Findings of the rubric's evidence rules that apply (too few cases, stale)."""
    sentence: str
    """Appended to the reason of a fired rule that reads the measured question."""


NO_EVIDENCE = Judgement(False, {}, None, [], "")


def judge(
    rubric: Rubric,
    answers: dict[str, Any],
    entries: list[Evidence],
    now: datetime | None = None,
) -> Judgement:
    """What the evidence on record changes in the scoring of ``answers``.

    The evidence applies when the answer to the measured question is the pooled rate of the
    latest recording and its source is ``measured`` (a hand edit of either leaves the
    evidence on record but no longer judged). Then rules see the Wilson 95% upper bound in
    place of the point estimate, and the rubric's evidence rules (too few cases, stale) are
    checked.
    """
    if not entries:
        return NO_EVIDENCE
    policy = rubric.evidence
    now = now or datetime.now(UTC)
    current = latest(entries)
    n = sum(e.n for e in current)
    errors = sum(e.errors for e in current)
    lo, hi = wilson(errors, n)
    rate = errors / n
    measured_at = min(e.time for e in current)
    age_days = max(0, (now - measured_at).days)
    level = answers.get(rubric.policy.key) if rubric.policy is not None else None
    limit = (
        rubric.policy.max_error_rate.get(str(level))
        if rubric.policy is not None and level is not None
        else None
    )
    given = answers.get(policy.question)
    applied = (
        isinstance(given, int | float)
        and not isinstance(given, bool)
        and abs(given - round(rate, 6)) <= _TOLERANCE
        and answers.get(policy.source_question) == "measured"
    )
    needed = cases_needed(rate, limit, n) if limit is not None and hi > limit else None
    facts = {
        "n": n,
        "errors": errors,
        "rate": percent_text(rate),
        "upper": percent_text(hi),
        "age_days": age_days,
        "min_cases": policy.min_cases,
        "max_age_days": policy.max_age_days,
    }
    tests = {"too_few_cases": n < policy.min_cases, "stale": age_days > policy.max_age_days}
    findings: list[dict[str, Any]] = []
    if applied:
        for rule, scope in zip(policy.rules, rubric.compiled.evidence_rules, strict=True):
            if tests[rule.test] and (scope is None or scope(answers) is True):
                findings.append(
                    {
                        "id": rule.id,
                        "kind": rule.kind,
                        "title": rule.title,
                        "reason": _fill(rule.reason, facts),
                        "guide": " ".join(rule.guide.split()),
                        "fix": _fill(rule.fix, facts),
                        "answers": {policy.question: given},
                    }
                )
    summary = {
        "applied": applied,
        "question": policy.question,
        "n": n,
        "errors": errors,
        "error_rate": round(rate, 6),
        "lower_95": round(lo, 6),
        "upper_95": round(hi, 6),
        "limit": limit,
        "measured_at": iso(measured_at),
        "age_days": age_days,
        "stale": tests["stale"],
        "too_few_cases": tests["too_few_cases"],
        "more_cases_needed": (needed - n) if needed is not None else None,
        "sources": [e.model_dump(exclude_none=True) for e in entries],
    }
    return Judgement(
        applied=applied,
        overrides={policy.question: round(hi, 6)} if applied else {},
        summary=summary,
        findings=findings,
        sentence=bound_sentence(rate, hi, lo, n, limit, needed) if applied else "",
    )


def bound_sentence(
    rate: float, upper: float, lower: float, n: int, limit: float | None, needed: int | None
) -> str:
    """The finding's words for a measured rate judged on its bound."""
    head = f"{percent_text(rate)} measured on {n:,} case{'s' if n != 1 else ''}"
    if limit is None or upper <= limit:
        return f"{head}; the upper bound {percent_text(upper)} is within the limit."
    words = _limit_words(limit)
    if lower > limit:
        return f"{head}; even the lower bound {percent_text(lower)} is above {words}."
    if rate > limit:
        return f"{head}: above {words}."
    more = (
        f"about {_round_up(needed - n):,} more cases at that rate would"
        if needed
        else ("more cases would")
    )
    bound = percent_text(upper)
    return f"{head}; the upper bound {bound} does not rule out more than {words}; {more}."


def _limit_words(limit: float) -> str:
    inverse = 1 / limit if limit > 0 else 0
    if inverse and abs(inverse - round(inverse)) < 1e-9:
        return f"1 in {round(inverse):,}"
    return percent_text(limit)


def _round_up(value: int) -> int:
    """Up to two significant figures (2,617 -> 2,700)."""
    if value < 100:
        return value
    step = 10 ** (len(str(value)) - 2)
    return -(-value // step) * step


def percent_text(value: float) -> str:
    """A rate as a percentage, two significant figures below 10%: 0.006667 -> '0.67%',
    0.024 -> '2.4%', 0.5 -> '50%' (the findings, the reports and the CLI all use this)."""
    pct = value * 100
    if pct == 0:
        return "0%"
    digits = 2 if pct < 10 else 3
    text = f"{pct:.{digits}g}"
    if "e" in text:
        text = f"{pct:.4f}".rstrip("0").rstrip(".")
    return text + "%"


_FACT = re.compile(r"\{(n|errors|rate|upper|age_days|min_cases|max_age_days)\}")


def _fill(text: str, facts: dict[str, Any]) -> str:
    flat = " ".join(text.split())
    return _FACT.sub(
        lambda m: (
            f"{facts[m.group(1)]:,}"
            if isinstance(facts[m.group(1)], int)
            else str(facts[m.group(1)])
        ),
        flat,
    )
