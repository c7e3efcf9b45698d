"""What errors and reviews cost per day, and the confidence threshold that minimises it.

The model. Each output has a probability ``p`` of being wrong; a calibrated confidence
estimate gives ``confidence = 1 - p``. Across outputs, ``p`` follows a Beta distribution whose
mean is the error rate and whose concentration is set by the rubric (``costs.
confidence_concentration``). Sending an output to review costs ``cost_per_review`` and (we
assume) catches its error; delivering it costs ``p * cost_per_error`` on average. So review
pays off exactly when ``p * cost_per_error > cost_per_review``: the recommended confidence
threshold is ``1 - cost_per_review / cost_per_error``, clamped to the rubric's range.

With ``I_x(a, b)`` the regularised incomplete beta function and ``p* = 1 - threshold``:

* share of outputs reviewed (deferral rate)      ``1 - I_p*(a, b)``
* errors that still get through, per output       ``mean * I_p*(a + 1, b)``
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from assessor.domain.rubric import Rubric


class CostModel(BaseModel):
    """Expected daily costs under three review policies (currency units per day)."""

    model_config = ConfigDict(defer_build=True)

    source: Literal["given", "defaults", "mixed"]
    """``given``: all three inputs came from the assessment; otherwise rubric defaults filled in."""
    defaults_used: list[str]
    cost_per_error: float
    cost_per_review: float
    volume_per_day: float
    error_rate: float
    error_rate_assumed: bool
    """The assessment gave no error rate; the rubric's assumed rate was used."""
    confidence_threshold: float
    """Review outputs whose confidence is below this."""
    deferral_rate: float
    """Share of outputs the threshold sends to review."""
    residual_error_rate: float
    """Share of outputs that are wrong and still delivered with the threshold."""
    daily_cost_no_review: float
    daily_cost_review_all: float
    daily_cost_with_threshold: float
    best_policy: Literal["no_review", "review_all", "threshold"]
    """The policy to follow: ``review_all`` where the rubric requires review of every output
    (``required_by``), else the cheapest."""
    cheapest_policy: Literal["no_review", "review_all", "threshold"] | None = None
    """The policy with the lowest daily cost, whatever is required."""
    policy_reason: str = ""
    """Why ``best_policy`` was chosen, in words: the requirements' reasons (naming the rule
    each follows), or that it is the cheapest."""
    required_by: list[str] = []
    """The ids of the rubric's ``consistency.review_all`` entries (or the rules they name)
    that require review of every output; empty when none does."""


def compute(
    rubric: Rubric, answers: dict[str, Any], required: Sequence[tuple[str, str]] = ()
) -> CostModel:
    """The cost model for these answers, filling gaps with the rubric's defaults.

    ``required``: (id, reason) of each requirement that every output be reviewed; with any,
    the chosen policy is ``review_all`` whatever would be cheaper."""
    return CostModel(**compute_data(rubric, answers, required))


def compute_data(
    rubric: Rubric, answers: dict[str, Any], required: Sequence[tuple[str, str]] = ()
) -> dict[str, Any]:
    """:func:`compute` as plain data (the shape of :class:`CostModel`)."""
    costs = rubric.costs
    policy = rubric.policy
    level = answers.get(policy.key) if policy is not None else None
    defaults_used: list[str] = []

    def pick(name: str, fallback: float) -> float:
        value = answers.get(name)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        defaults_used.append(name)
        return float(fallback)

    table = policy.cost_per_error if policy is not None else {}
    cost_per_error = pick("cost_per_error", table.get(str(level), 20.0))
    cost_per_review = pick("cost_per_review", costs.cost_per_review)
    volume = pick("volume_per_day", costs.volume_per_day)
    source: Literal["given", "defaults", "mixed"] = (
        "given" if not defaults_used else "defaults" if len(defaults_used) == 3 else "mixed"
    )

    rate = answers.get("error_rate")
    assumed = not isinstance(rate, int | float) or isinstance(rate, bool)
    mean = costs.assumed_error_rate if assumed else float(rate)  # type: ignore[arg-type]

    if cost_per_error <= 0:
        threshold = costs.min_threshold
    else:
        threshold = 1.0 - cost_per_review / cost_per_error
    threshold = min(costs.max_threshold, max(costs.min_threshold, threshold))
    p_star = 1.0 - threshold

    if mean <= 0:
        deferral, residual = 0.0, 0.0
    elif mean >= 1:
        deferral, residual = 1.0, 0.0
    else:
        deferral, residual = _review_split(mean, costs.confidence_concentration, p_star)

    no_review = volume * mean * cost_per_error
    review_all = volume * cost_per_review
    with_threshold = volume * (deferral * cost_per_review + residual * cost_per_error)
    options = {"no_review": no_review, "review_all": review_all, "threshold": with_threshold}
    cheapest = min(options, key=lambda k: (options[k], k != "threshold"))
    if required:
        best = "review_all"
        reason = " ".join(why for _, why in required)
    else:
        best = cheapest
        reason = "The cheapest of the three review policies."
    return {
        "source": source,
        "defaults_used": defaults_used,
        "cost_per_error": cost_per_error,
        "cost_per_review": cost_per_review,
        "volume_per_day": volume,
        "error_rate": mean,
        "error_rate_assumed": assumed,
        "confidence_threshold": round(threshold, 4),
        "deferral_rate": round(deferral, 6),
        "residual_error_rate": round(residual, 8),
        "daily_cost_no_review": round(no_review, 2),
        "daily_cost_review_all": round(review_all, 2),
        "daily_cost_with_threshold": round(with_threshold, 2),
        "best_policy": best,
        "cheapest_policy": cheapest,
        "policy_reason": reason,
        "required_by": [name for name, _ in required],
    }


@lru_cache(maxsize=4096)
def _review_split(mean: float, kappa: float, p_star: float) -> tuple[float, float]:
    """(deferral rate, residual error rate) for Beta(mean * kappa, (1 - mean) * kappa) error
    probabilities reviewed above ``p_star``. Cached: a portfolio repeats the same inputs."""
    a, b = mean * kappa, (1.0 - mean) * kappa
    return 1.0 - betainc(a, b, p_star), mean * betainc(a + 1.0, b, p_star)


def betainc(a: float, b: float, x: float) -> float:
    """Regularised incomplete beta ``I_x(a, b)`` (continued fraction, Lentz's method).

    Hand-written on purpose: SciPy's ``betainc`` is the only kept library that has it, and
    SciPy (about 40 MB, with compiled BLAS) for one special function would dominate the
    install; these 30 lines are checked against SciPy's reference values and a Monte Carlo
    estimate in tests/unit/test_cost_model.py.
    """
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    log_front = (
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )
    front = math.exp(log_front)
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _betacf(a, b, x) / a
    return 1.0 - front * _betacf(b, a, 1.0 - x) / b


def _betacf(a: float, b: float, x: float) -> float:
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 300):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < 1e-12:
            break
    return h
