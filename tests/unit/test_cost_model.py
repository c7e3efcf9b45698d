"""The cost model: the review threshold, the three daily costs, and where inputs came from.

Reference values of the regularised incomplete beta function were computed with SciPy
(``scipy.special.betainc``) and are written here as numbers.
"""

from __future__ import annotations

import random
from typing import Any

import pytest

from assessor.domain.costmodel import betainc, compute
from assessor.domain.load import DEFAULT_RUBRIC, load_rubric

RUBRIC = load_rubric(DEFAULT_RUBRIC)


def cost(**answers: Any) -> Any:
    return compute(RUBRIC, {"error_cost": "high", **answers})


# --- I_x(a, b) -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "x", "expected"),
    [
        (0.4, 7.6, 0.1, 0.8340896358280109),
        (0.4, 7.6, 0.01, 0.38838032039090836),
        (1.41, 6.59, 0.5, 0.9790848604252523),
        (0.08, 7.92, 0.01, 0.8423644852218215),
        (2, 3, 0.4, 0.5248),
        (5, 0.5, 0.9, 0.3166429150200122),
        (0.5, 0.5, 0.3, 0.36901011956554536),
        (30, 40, 0.45, 0.6447480085585666),
        (0.2, 7.8, 0.0004, 0.339783501687616),
    ],
)
def test_betainc_matches_reference_values(a: float, b: float, x: float, expected: float) -> None:
    assert betainc(a, b, x) == pytest.approx(expected, rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("x", [0.0, 0.05, 0.3, 0.5, 0.77, 1.0])
def test_betainc_closed_forms(x: float) -> None:
    assert betainc(1, 1, x) == pytest.approx(x)  # uniform
    assert betainc(3, 1, x) == pytest.approx(x**3)
    assert betainc(1, 4, x) == pytest.approx(1 - (1 - x) ** 4)
    assert betainc(2.5, 2.5, 0.5) == pytest.approx(0.5)  # symmetric
    assert betainc(0.3, 2.0, x) + betainc(2.0, 0.3, 1 - x) == pytest.approx(1.0)


def test_betainc_is_bounded_and_increasing() -> None:
    values = [betainc(0.16, 7.84, i / 200) for i in range(201)]
    assert values[0] == 0.0 and values[-1] == 1.0
    assert all(0.0 <= v <= 1.0 for v in values)
    assert values == sorted(values)


# --- The threshold ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("per_error", "per_review", "threshold"),
    [
        (100, 5, 0.95),  # review when P(wrong) > 5/100
        (20, 2, 0.9),
        (40, 10, 0.75),
        (250, 2, 0.99),  # 0.992, capped at the rubric's max_threshold
        (1, 2, 0.5),  # review costs more than an error: floor at min_threshold
        (0, 2, 0.5),
    ],
)
def test_threshold_is_where_review_starts_to_pay(
    per_error: float, per_review: float, threshold: float
) -> None:
    model = cost(cost_per_error=per_error, cost_per_review=per_review, volume_per_day=100)
    assert model.confidence_threshold == pytest.approx(threshold)


def test_below_the_threshold_review_is_cheaper_than_the_expected_error() -> None:
    per_error, per_review = 100.0, 5.0
    model = cost(cost_per_error=per_error, cost_per_review=per_review)
    for confidence in (0.5, 0.9, 0.94):  # below 0.95: P(wrong) x cost > review
        assert (1 - confidence) * per_error > per_review
        assert confidence < model.confidence_threshold
    for confidence in (0.96, 0.99):
        assert (1 - confidence) * per_error < per_review
        assert confidence > model.confidence_threshold


# --- The three daily costs --------------------------------------------------------------------


def test_daily_costs_of_the_three_policies() -> None:
    model = cost(error_rate=0.02, cost_per_error=100, cost_per_review=5, volume_per_day=1000)
    assert model.daily_cost_no_review == pytest.approx(1000 * 0.02 * 100)  # 2,000
    assert model.daily_cost_review_all == pytest.approx(1000 * 5)  # 5,000
    # Beta(0.16, 7.84) per-output error probabilities, reviewed above P(wrong) = 0.05:
    assert model.deferral_rate == pytest.approx(0.12225670224952945, abs=1e-6)
    assert model.residual_error_rate == pytest.approx(0.0052764315498358685, abs=1e-8)
    assert model.daily_cost_with_threshold == pytest.approx(1138.93, abs=0.01)
    assert model.best_policy == "threshold"


def test_deferral_and_residual_match_a_simulation() -> None:
    """The closed forms agree with sampling outputs and applying the threshold to them."""
    rng = random.Random(20240531)
    mean, concentration, p_star = 0.02, 8.0, 0.05
    a, b = mean * concentration, (1 - mean) * concentration
    samples = [rng.betavariate(a, b) for _ in range(200_000)]
    deferred = sum(p > p_star for p in samples) / len(samples)
    residual = sum(p for p in samples if p <= p_star) / len(samples)
    model = cost(error_rate=mean, cost_per_error=100, cost_per_review=5)
    assert model.deferral_rate == pytest.approx(deferred, abs=0.004)
    assert model.residual_error_rate == pytest.approx(residual, rel=0.03)


def test_cheapest_policy_is_named() -> None:
    cheap_errors = cost(error_rate=0.01, cost_per_error=1, cost_per_review=2, volume_per_day=1e5)
    assert cheap_errors.best_policy == "no_review"
    assert cheap_errors.daily_cost_no_review < cheap_errors.daily_cost_with_threshold
    certain_errors = cost(error_rate=1.0, cost_per_error=500, cost_per_review=2)
    assert certain_errors.best_policy in ("review_all", "threshold")
    assert certain_errors.deferral_rate == 1.0


def test_more_review_leaves_fewer_errors() -> None:
    thresholds = []
    for per_review in (40, 20, 10, 5, 2):
        model = cost(error_rate=0.03, cost_per_error=100, cost_per_review=per_review)
        thresholds.append((model.confidence_threshold, model.deferral_rate, model))
    thresholds.sort(key=lambda t: t[0])
    deferrals = [d for _, d, _ in thresholds]
    residuals = [m.residual_error_rate for _, _, m in thresholds]
    assert deferrals == sorted(deferrals)
    assert residuals == sorted(residuals, reverse=True)
    assert all(r <= 0.03 for r in residuals)


# --- Defaults, and saying which were used -----------------------------------------------------


@pytest.mark.parametrize(
    ("level", "per_error"), [("low", 1), ("medium", 20), ("high", 250), ("critical", 5000)]
)
def test_defaults_by_error_cost_level(level: str, per_error: float) -> None:
    model = compute(RUBRIC, {"error_cost": level, "error_rate": 0.01})
    assert model.cost_per_error == per_error
    assert model.cost_per_review == 2
    assert model.volume_per_day == 1000
    assert model.source == "defaults"
    assert model.defaults_used == ["cost_per_error", "cost_per_review", "volume_per_day"]
    assert model.error_rate_assumed is False


def test_given_costs_are_used_and_said_so() -> None:
    model = cost(cost_per_error=80, cost_per_review=3, volume_per_day=500, error_rate=0.01)
    assert (model.cost_per_error, model.cost_per_review, model.volume_per_day) == (80, 3, 500)
    assert model.source == "given"
    assert model.defaults_used == []


def test_partly_given_costs_are_mixed() -> None:
    model = cost(volume_per_day=4000)
    assert model.source == "mixed"
    assert model.defaults_used == ["cost_per_error", "cost_per_review"]
    assert model.daily_cost_review_all == 4000 * 2


def test_unknown_error_rate_uses_the_assumed_rate() -> None:
    model = cost(error_rate=None)
    assert model.error_rate_assumed is True
    assert model.error_rate == 0.05
    assert model.daily_cost_no_review == pytest.approx(1000 * 0.05 * 250)


def test_the_score_json_carries_the_model_and_the_fallback_threshold(assess: Any) -> None:
    result = assess(
        error_cost="high",
        autonomy="human_on_exceptions",
        error_rate=0.005,
        error_rate_source="measured",
        cost_per_error=100,
        cost_per_review=5,
    )
    model = result["cost_model"]
    assert model["source"] == "mixed" and model["defaults_used"] == ["volume_per_day"]
    fallback = next(p for p in result["patterns"] if p["id"] == "human_fallback")
    assert fallback["params"]["confidence_threshold"] == model["confidence_threshold"] == 0.95


def test_text_output_says_where_the_inputs_came_from(tmp_path: Any, cli: Any) -> None:
    from engine_support import answers_for, write_assessment

    path = write_assessment(tmp_path / "case.yaml", answers_for(error_cost="critical"))
    result = cli("score", path)
    assert result.exit_code == 0
    assert "inputs: rubric defaults for cost_per_error, cost_per_review, volume_per_day" in (
        result.stdout
    )
    assert "error rate assumed 5%" in result.stdout
