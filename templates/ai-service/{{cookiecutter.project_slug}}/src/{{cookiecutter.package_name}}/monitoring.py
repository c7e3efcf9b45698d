"""Production monitoring: reviewer verdicts feed an error-rate estimate with a Wilson bound.

Only verdicts on ``sample`` and ``policy`` reviews count: those outputs were picked without
looking at their confidence, so they estimate the error rate of what the service delivers
on its own. ``low_confidence`` reviews are excluded (they are the outputs the model was
unsure about, a biased sample). An approval counts as correct; an edit or a rejection as
wrong. When the lower bound of the 95% interval exceeds ``APP_MAX_ERROR_RATE`` (the
assessed maximum), a warning is logged and ``*_error_rate_alert`` becomes 1.
"""

import logging
import math
from dataclasses import dataclass
from datetime import UTC, datetime

from .metrics import Metrics
from .store import Store

log = logging.getLogger(__name__)

UNBIASED_REASONS = ("sample", "policy")
Z_95 = 1.959963984540054


def wilson_interval(errors: int, total: int, z: float = Z_95) -> tuple[float, float]:
    """Wilson score interval of a proportion; (0, 1) when there is no observation."""
    if total == 0:
        return 0.0, 1.0
    p = errors / total
    denominator = 1 + z * z / total
    centre = (p + z * z / (2 * total)) / denominator
    margin = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / denominator
    return max(0.0, centre - margin), min(1.0, centre + margin)


@dataclass(frozen=True)
class ErrorRate:
    errors: int
    reviews: int
    lower: float
    upper: float
    max_error_rate: float

    @property
    def estimate(self) -> float | None:
        return self.errors / self.reviews if self.reviews else None

    @property
    def alert(self) -> bool:
        return self.lower > self.max_error_rate


class ErrorRateMonitor:
    def __init__(self, store: Store, metrics: Metrics, max_error_rate: float) -> None:
        self.store = store
        self.metrics = metrics
        self.max_error_rate = max_error_rate
        self.current = ErrorRate(0, 0, 0.0, 1.0, max_error_rate)

    async def refresh(self) -> ErrorRate:
        """Recount the verdicts from the store (all instances write there), update the gauges,
        and warn when over the limit (once per new verdict, not on every refresh)."""
        counts = await self.store.verdict_counts(UNBIASED_REASONS)
        reviews = sum(counts.values())
        errors = counts.get("edited", 0) + counts.get("rejected", 0)
        lower, upper = wilson_interval(errors, reviews)
        rate = ErrorRate(errors, reviews, lower, upper, self.max_error_rate)
        self.metrics.error_rate.set(rate.estimate or 0.0)
        self.metrics.error_rate_lower.set(lower)
        self.metrics.error_rate_upper.set(upper)
        self.metrics.error_rate_reviews.set(reviews)
        self.metrics.error_rate_max.set(self.max_error_rate)
        self.metrics.error_rate_alert.set(1 if rate.alert else 0)
        if rate.alert and (not self.current.alert or rate.reviews != self.current.reviews):
            log.warning(
                "error rate above the assessed maximum: %d of %d reviewed outputs wrong, "
                "95%% interval [%.3f, %.3f], maximum %.3f",
                errors,
                reviews,
                lower,
                upper,
                self.max_error_rate,
            )
        self.current = rate
        return rate


def quality_report(rate: ErrorRate, model: str) -> dict:
    """``GET /v1/quality``: the production error estimate, in the JSON that
    ``assessor evidence pull`` records as evidence (``"format": "assessor-quality"``).

    ``n`` is the number of decided reviews of the unbiased sample (``sample`` and ``policy``
    reviews), ``errors`` the edited or rejected ones among them; the window is every such
    review so far, up to now.
    """
    now = datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    return {
        "format": "assessor-quality",
        "format_version": 1,
        "n": rate.reviews,
        "errors": rate.errors,
        "rate": rate.estimate,
        "lower_95": rate.lower,
        "upper_95": rate.upper,
        "max_error_rate": rate.max_error_rate,
        "alert": rate.alert,
        "window": {"from": None, "to": now, "reviews": "all sampled reviews so far"},
        "measured_at": now,
        "model": model,
    }
