"""Fallback to a human: outputs below the confidence threshold are held for review."""

import asyncio
import logging

import pytest

from {{ cookiecutter.package_name }}.confidence import (
    FirstAvailable,
    ProviderReported,
    SelfConsistency,
    TokenLogprobs,
)
from {{ cookiecutter.package_name }}.pipeline import route
from {{ cookiecutter.package_name }}.providers import Completion


def test_an_output_at_the_threshold_is_delivered(make_client, text: str) -> None:
    client = make_client(confidence_threshold=0.8, fake_confidence=0.8)

    task = client.post("/v1/tasks", json={"input": text}).json()

    assert task["status"] == "delivered"
    assert task["confidence"] == pytest.approx(0.8)


def test_an_output_below_the_threshold_waits_for_review(make_client, text: str) -> None:
    client = make_client(confidence_threshold=0.8, fake_confidence=0.79)

    task = client.post("/v1/tasks", json={"input": text}).json()

    assert task["status"] == "needs_review"
    assert task["review_reason"] == "low_confidence"
    assert "output" not in task
    [review] = client.get("/v1/reviews").json()
    assert review["reason"] == "low_confidence"
    assert review["confidence"] == pytest.approx(0.79)


def test_confidence_per_input_routes_only_the_unsure_one(make_client, text: str) -> None:
    client = make_client(confidence_threshold=0.9)

    sure = client.post("/v1/tasks", json={"input": text}).json()
    unsure = client.post("/v1/tasks", json={"input": text + " [fake:confidence=0.3]"}).json()

    assert sure["status"] == "delivered"
    assert unsure["status"] == "needs_review"


def test_low_confidence_outputs_are_not_sampled_as_confident(make_client, text: str) -> None:
    client = make_client(confidence_threshold=0.9, fake_confidence=0.5, review_sample_rate=1.0)

    client.post("/v1/tasks", json={"input": text})

    assert [review["reason"] for review in client.get("/v1/reviews").json()] == ["low_confidence"]


def test_approving_a_low_confidence_output_delivers_it(make_client, text: str) -> None:
    client = make_client(confidence_threshold=0.9, fake_confidence=0.5)
    task = client.post("/v1/tasks", json={"input": text}).json()
    [review] = client.get("/v1/reviews").json()

    client.post(f"/v1/reviews/{review['review_id']}", json={"action": "approve"})

    assert client.get(f"/v1/tasks/{task['task_id']}").json()["status"] == "delivered"


def test_the_routing_rule() -> None:
    common = {"threshold": 0.9, "review_all": False, "sample_rate": 0.1}
    assert route(0.95, draw=0.5, **common).deliver is True
    assert route(0.95, draw=0.5, **common).reason is None
    assert route(0.95, draw=0.05, **common).reason == "sample"
    assert route(0.95, draw=0.05, **common).deliver is True
    assert route(0.89, draw=0.5, **common).reason == "low_confidence"
    assert route(None, draw=0.5, **common).deliver is False
    assert route(0.95, draw=0.5, **{**common, "review_all": True}).reason == "policy"
    assert route(0.5, draw=0.5, **{**common, "review_all": True}).reason == "low_confidence"


async def _no_sample() -> str:
    raise AssertionError("not expected to sample")


def test_logprob_confidence_is_the_geometric_mean_token_probability() -> None:
    completion = Completion(text="billing", token_logprobs=(-0.1, -0.3))

    value = asyncio.run(TokenLogprobs().estimate(completion, "billing", _no_sample))

    assert value == pytest.approx(0.8187, abs=1e-4)
    assert asyncio.run(TokenLogprobs().estimate(Completion("x"), "x", _no_sample)) is None


def test_self_consistency_is_the_share_of_agreeing_samples() -> None:
    answers = iter(["Billing", "billing ", "shipping", "billing"])

    async def sample() -> str:
        return next(answers)

    value = asyncio.run(SelfConsistency(4).estimate(Completion("billing"), "billing", sample))

    assert value == pytest.approx(0.75)


def test_auto_takes_the_first_estimator_that_knows() -> None:
    auto = FirstAvailable(ProviderReported(), TokenLogprobs())

    with_logprobs = Completion(text="x", token_logprobs=(0.0,))
    reported = Completion(text="x", provider_confidence=0.4, token_logprobs=(0.0,))

    assert asyncio.run(auto.estimate(with_logprobs, "x", _no_sample)) == pytest.approx(1.0)
    assert asyncio.run(auto.estimate(reported, "x", _no_sample)) == pytest.approx(0.4)
    assert asyncio.run(auto.estimate(Completion("x"), "x", _no_sample)) is None


def test_self_consistency_draws_extra_samples_from_the_provider(make_client, text: str) -> None:
    client = make_client(confidence_method="self_consistency", self_consistency_samples=3)

    task = client.post("/v1/tasks", json={"input": text}).json()

    assert task["confidence"] == pytest.approx(1.0)  # the fake provider always agrees
    assert client.provider.calls == 1 + 3


def test_auto_never_falls_back_to_self_consistency(make_client, text: str, caplog) -> None:
    """A provider that states no confidence and returns no logprobs: one call, and the
    output goes to review instead of costing extra samples, with a warning saying why."""
    client = make_client(confidence_method="auto")
    original = client.provider.complete  # type: ignore[attr-defined]

    async def without_confidence(request):
        completion = await original(request)
        return type(completion)(completion.text)

    client.provider.complete = without_confidence  # type: ignore[attr-defined]

    task = client.post("/v1/tasks", json={"input": text}).json()

    assert task["status"] == "needs_review"
    assert client.provider.calls == 1  # type: ignore[attr-defined]
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("neither a confidence nor token logprobs" in w for w in warnings), warnings


@pytest.mark.parametrize(
    ("method", "extra"), [("auto", 0), ("provider", 0), ("self_consistency", 4)]
)
def test_the_estimator_is_logged_and_exported_at_start_up(
    make_client, caplog, method: str, extra: int
) -> None:
    with caplog.at_level(logging.INFO):
        client = make_client(confidence_method=method, self_consistency_samples=4)

    assert any(
        record.getMessage().startswith(f"confidence estimator: {method}")
        for record in caplog.records
    )
    metrics = client.get("/metrics").text
    assert "_confidence_estimator" + '{method="' + method + '"} 1.0' in metrics
    assert f"_confidence_extra_calls_per_task {float(extra)}" in metrics
