"""/metrics and the production error-rate monitor fed by review verdicts."""

import logging
import math
import re

from fastapi.testclient import TestClient

from {{ cookiecutter.package_name }} import task
from {{ cookiecutter.package_name }}.metrics import PREFIX
from {{ cookiecutter.package_name }}.providers import build_request, estimate_usage

from .conftest import sign_in
from .test_reviews_api import a_valid_correction


def test_metrics_report_requests_routing_verdicts_and_latency(make_client, text: str) -> None:
    client = make_client(review_sample_rate=1.0)
    client.post("/v1/tasks", json={"input": text})
    client.post("/v1/tasks", json={"input": text + " [fake:error]"})
    client.post("/v1/tasks", json={"input": ""})
    [review] = client.get("/v1/reviews").json()
    client.post(f"/v1/reviews/{review['review_id']}", json={"action": "approve"})

    response = client.get("/metrics")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    metrics = response.text
{%- if cookiecutter.async_pipeline %}
    assert PREFIX + '_requests_total{outcome="queued"} 2.0' in metrics
    assert PREFIX + '_jobs_finished_total{outcome="delivered"} 1.0' in metrics
    assert PREFIX + '_jobs_finished_total{outcome="failed"} 1.0' in metrics
    assert PREFIX + '_job_latency_seconds_count{outcome="delivered"} 1.0' in metrics
    assert PREFIX + '_jobs{status="delivered"} 1.0' in metrics
{%- else %}
    assert PREFIX + '_requests_total{outcome="delivered"} 1.0' in metrics
    assert PREFIX + '_requests_total{outcome="failed"} 1.0' in metrics
{%- endif %}
    assert PREFIX + '_requests_total{outcome="invalid"} 1.0' in metrics
    assert PREFIX + '_routed_to_human_total{reason="sample"} 1.0' in metrics
    assert PREFIX + '_review_verdicts_total{reason="sample",verdict="approved"} 1.0' in metrics
    assert PREFIX + '_request_latency_seconds_count{outcome="{{ "queued" if cookiecutter.async_pipeline else "delivered" }}"} {{ "2.0" if cookiecutter.async_pipeline else "1.0" }}' in metrics
    assert PREFIX + "_error_rate_reviews 1.0" in metrics
    assert PREFIX + "_error_rate_alert 0.0" in metrics


def test_wrong_sampled_outputs_raise_the_error_rate_alert(make_client, text: str, caplog) -> None:
    client = make_client(review_sample_rate=1.0, max_error_rate=0.01)
    for n in range(3):
        client.post("/v1/tasks", json={"input": f"{text} (case {n})"})

    with caplog.at_level(logging.WARNING):
        for review in client.get("/v1/reviews").json():
            client.post(f"/v1/reviews/{review['review_id']}", json={"action": "reject"})

    metrics = client.get("/metrics").text
    assert PREFIX + "_error_rate_estimate 1.0" in metrics
    assert PREFIX + "_error_rate_alert 1.0" in metrics
    assert "error rate above the assessed maximum" in caplog.text
    sign_in(client)
    assert "The error rate is above the assessed maximum." in client.get("/review").text


def test_approved_samples_keep_the_alert_off(make_client, text: str) -> None:
    client = make_client(review_sample_rate=1.0, max_error_rate=0.01)
    for n in range(3):
        client.post("/v1/tasks", json={"input": f"{text} (case {n})"})
    for review in client.get("/v1/reviews").json():
        client.post(f"/v1/reviews/{review['review_id']}", json={"action": "approve"})

    metrics = client.get("/metrics").text

    assert PREFIX + "_error_rate_estimate 0.0" in metrics
    assert PREFIX + "_error_rate_alert 0.0" in metrics


def test_the_estimate_survives_a_restart(make_client, text: str) -> None:
    first = make_client(review_sample_rate=1.0)
    first.post("/v1/tasks", json={"input": text})
    [review] = first.get("/v1/reviews").json()
    corrected = a_valid_correction(text)
    first.post(f"/v1/reviews/{review['review_id']}", json={"action": "edit", "output": corrected})

    restarted = make_client()

    assert PREFIX + "_error_rate_reviews 1.0" in restarted.get("/metrics").text


def test_healthz_reports_each_dependency(client: TestClient) -> None:
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["checks"]["database"] == "ok"
{%- if cookiecutter.response_cache %}
    assert response.json()["checks"]["cache"] == "ok"
{%- endif %}


def test_a_database_outage_is_reported_and_requests_fail_clearly(
    client: TestClient, text: str
) -> None:
    from sqlalchemy import create_engine

    store = client.app.state.services.store
    working = store.engine
    store.engine = create_engine(
        "postgresql+psycopg://nobody@127.0.0.1:1/none", connect_args={"connect_timeout": 1}
    )
    try:
        health = client.get("/healthz")
        task = client.post("/v1/tasks", json={"input": text})
    finally:
        store.engine = working

    assert health.status_code == 503
    assert health.json()["checks"]["database"].startswith("unavailable")
    assert task.status_code == 503
    assert task.json()["error"] == "database_unavailable"
{%- if not cookiecutter.async_pipeline %}


def test_every_answered_task_is_in_the_database_when_its_answer_arrives(
    make_client, text: str
) -> None:
    """No write-behind: a second instance on the same database finds every task the first
    one answered, at the moment the answer arrives."""
    first = make_client()
    second = make_client()
    answered = [first.post("/v1/tasks", json={"input": f"{text} ({n})"}) for n in range(5)]

    for response in answered:
        assert response.status_code == 200
        task = response.json()
        assert second.get(f"/v1/tasks/{task['task_id']}").json() == task


def test_no_answer_is_given_while_the_database_is_down(make_client, text: str) -> None:
    from sqlalchemy import create_engine

    client = make_client()
    store = client.app.state.services.store
    working = store.engine
    store.engine = create_engine(
        "postgresql+psycopg://nobody@127.0.0.1:1/none", connect_args={"connect_timeout": 1}
    )
    try:
        refused = client.post("/v1/tasks", json={"input": text})
    finally:
        store.engine = working

    assert refused.status_code == 503
    assert "output" not in refused.json()
{%- endif %}


def test_quality_reports_the_sampled_review_estimate(make_client, text: str) -> None:
    client = make_client(review_sample_rate=1.0, max_error_rate=0.01)
    for n in range(4):
        client.post("/v1/tasks", json={"input": f"{text} (case {n})"})
    reviews = client.get("/v1/reviews").json()
    actions = ["approve", "approve", "approve", "reject"]
    for review, action in zip(reviews, actions, strict=True):
        client.post(f"/v1/reviews/{review['review_id']}", json={"action": action})

    response = client.get("/v1/quality")

    assert response.status_code == 200
    quality = response.json()
    assert (quality["format"], quality["format_version"]) == ("assessor-quality", 1)
    assert (quality["n"], quality["errors"], quality["rate"]) == (4, 1, 0.25)
    assert 0 < quality["lower_95"] < 0.25 < quality["upper_95"] < 1
    assert quality["max_error_rate"] == 0.01
    assert quality["window"]["to"] == quality["measured_at"]


def test_quality_is_for_reviewers_and_admins(make_client) -> None:
    assert make_client(role=None).get("/v1/quality").status_code == 401
    assert make_client(role="client").get("/v1/quality").status_code == 403
    assert make_client(role="reviewer").get("/v1/quality").status_code == 200


def metric_value(metrics: str, name: str) -> float:
    """The value of one sample line of ``/metrics`` (``name`` with its labels)."""
    match = re.search(rf"^{re.escape(PREFIX + name)} (\S+)$", metrics, re.MULTILINE)
    assert match, f"{name} not in /metrics"
    return float(match.group(1))


def test_token_usage_and_cost_of_every_paid_call_are_exported(make_client, text: str) -> None:
    client = make_client(llm_price_input_per_million=2.0, llm_price_output_per_million=8.0)
    malformed = text + " [fake:malformed]"
    attempts = client.settings.llm_max_attempts

    client.post("/v1/tasks", json={"input": text})
    client.post("/v1/tasks", json={"input": malformed})

    answered = estimate_usage(build_request(text).messages, task.fake_output(text.strip()))
    rejected = estimate_usage(build_request(malformed).messages, "   ")
    prompt = answered.prompt_tokens + attempts * rejected.prompt_tokens
    completion = answered.completion_tokens + attempts * rejected.completion_tokens
    metrics = client.get("/metrics").text
    assert answered.prompt_tokens > 20 and answered.completion_tokens > 0
    assert metric_value(metrics, '_llm_tokens_total{kind="prompt"}') == prompt
    assert metric_value(metrics, '_llm_tokens_total{kind="completion"}') == completion
    assert metric_value(metrics, '_llm_calls_total{purpose="answer"}') == 1 + attempts
    assert math.isclose(
        metric_value(metrics, "_llm_cost_total"), (prompt * 2.0 + completion * 8.0) / 1e6
    )
{%- if cookiecutter.human_fallback %}


def test_self_consistency_samples_are_counted_as_calls_of_their_own(make_client, text: str) -> None:
    client = make_client(confidence_method="self_consistency", self_consistency_samples=3)

    client.post("/v1/tasks", json={"input": text})

    metrics = client.get("/metrics").text
    assert metric_value(metrics, '_llm_calls_total{purpose="answer"}') == 1
    assert metric_value(metrics, '_llm_calls_total{purpose="confidence_sample"}') == 3
    assert metric_value(metrics, "_confidence_extra_calls_per_task") == 3
{%- endif %}
