"""The async pipeline (``jobs.py``): 202 and a queued job, status history, idempotency,
the durable wait for a reviewer across a restart, and the worker process's own app.

Killing processes mid-job and the many-machine setup are tested by assessor's own test
suite on the generated project (real processes, PostgreSQL, Redis).
"""

import itertools
import time
from datetime import datetime

import pytest
from fastapi.testclient import TestClient

from {{ cookiecutter.package_name }}.app import create_app
from {{ cookiecutter.package_name }}.jobs import JobsUnavailable
from {{ cookiecutter.package_name }}.metrics import PREFIX
from {{ cookiecutter.package_name }}.worker import create_worker_app

from .conftest import make_settings, wait_for_job


def post(client: TestClient, text: str, **kwargs) -> dict:
    """The real answer of ``POST /v1/tasks`` (the conftest client waits for the job)."""
    response = TestClient.post(client, "/v1/tasks", json={"input": text}, **kwargs)
    assert response.status_code == 202, response.text
    return response.json()


def wait_for_history(client: TestClient, task_id: str, detail: str, timeout: float = 30) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        task = client.get(f"/v1/tasks/{task_id}").json()
        if any(event.get("detail") == detail for event in task["history"]):
            return task
        assert time.monotonic() < deadline, f"no {detail!r} in {task['history']}"
        time.sleep(0.05)


def test_a_task_is_queued_and_answered_202(client: TestClient, text: str) -> None:
    body = post(client, text)

    assert body["status"] == "queued"
    assert "output" not in body
    assert [event["status"] for event in body["history"]] == ["queued"]


def test_the_job_delivers_and_the_history_shows_each_step(client: TestClient, text: str) -> None:
    task_id = post(client, text)["task_id"]

    task = wait_for_job(client, task_id)

    assert task["status"] == "delivered"
    assert task["output"]
    history = task["history"]
    assert [event["status"] for event in history] == ["queued", "running", "delivered"]
    assert all(event["worker"] for event in history)
    assert history[0]["at"] <= history[1]["at"] <= history[2]["at"]


def test_one_idempotency_key_is_one_task_and_one_job(client: TestClient, text: str) -> None:
    headers = {"Idempotency-Key": "order-7-reply"}
    first = post(client, text, headers=headers)
    second = post(client, text, headers=headers)
    wait_for_job(client, first["task_id"])
    third = post(client, text, headers=headers)

    assert first["task_id"] == second["task_id"] == third["task_id"]
    assert third["status"] == "delivered"
    assert [e["status"] for e in third["history"]].count("queued") == 1
    assert client.provider.calls == 1  # type: ignore[attr-defined]


def test_a_provider_that_keeps_failing_fails_the_job(client: TestClient, text: str) -> None:
    task = wait_for_job(client, post(client, text + " [fake:error]")["task_id"])

    assert task["status"] == "failed"
    assert "output" not in task
    assert "simulated error" in task["error"]
    assert task["history"][-1]["status"] == "failed"
{%- if cookiecutter.human_fallback %}


def test_a_job_waiting_for_review_resumes_after_a_restart(make_client, text: str) -> None:
    first = make_client(confidence_threshold=0.9)
    task_id = post(first, text + " [fake:confidence=0.3]")["task_id"]
    assert wait_for_job(first, task_id)["status"] == "needs_review"
    first.__exit__(None, None, None)  # the service stops while the job waits

    second = make_client(confidence_threshold=0.9)
    [review] = second.get("/v1/reviews").json()
    decided = second.post(f"/v1/reviews/{review['review_id']}", json={"action": "approve"})

    assert decided.status_code == 200
    assert decided.json()["task"]["status"] == "delivered"
    task = wait_for_history(second, task_id, "review approved by test-admin")
    assert task["status"] == "delivered"
    assert task["output"] == review["output"]
    assert [e["status"] for e in task["history"]] == [
        "queued",
        "running",
        "needs_review",
        "delivered",
    ]


def test_an_edit_and_a_reject_reach_the_waiting_jobs(make_client, text: str) -> None:
    client = make_client(confidence_threshold=0.9)
    edited_id = post(client, text + " one [fake:confidence=0.2]")["task_id"]
    rejected_id = post(client, text + " two [fake:confidence=0.2]")["task_id"]
    for task_id in (edited_id, rejected_id):
        wait_for_job(client, task_id)
    reviews = {r["task_id"]: r for r in client.get("/v1/reviews").json()}

    client.post(
        f"/v1/reviews/{reviews[edited_id]['review_id']}",
        json={"action": "edit", "output": "A corrected answer."},
    )
    client.post(f"/v1/reviews/{reviews[rejected_id]['review_id']}", json={"action": "reject"})

    edited = wait_for_history(client, edited_id, "review edited by test-admin")
    rejected = wait_for_history(client, rejected_id, "review rejected by test-admin")
    assert (edited["status"], edited["output"]) == ("delivered", "A corrected answer.")
    assert rejected["status"] == "rejected"
    assert "output" not in rejected
{%- endif %}


def moment(task: dict, status: str) -> float:
    """When the task's history first reached ``status`` (Unix time)."""
    at = next(e["at"] for e in task["history"] if e["status"] == status)
    return datetime.fromisoformat(at.replace("Z", "+00:00")).timestamp()


def test_the_provider_rate_limit_spaces_the_jobs(make_client, text: str) -> None:
    client = make_client(provider_rate_limit=2, provider_rate_period_seconds=1.0)
    ids = [post(client, f"{text} (rate {n})")["task_id"] for n in range(6)]

    starts = sorted(moment(wait_for_job(client, task_id), "running") for task_id in ids)

    # Without the limit all six start within a fraction of a second. DBOS counts the window
    # in whole seconds on SQLite under Python 3.11, so up to twice the limit may start
    # around a second boundary (exact on PostgreSQL, see the README).
    assert all(later - earlier >= 0.9 for earlier, later in zip(starts, starts[4:], strict=False))
    assert starts[-1] - starts[0] >= 0.9


def test_worker_concurrency_bounds_the_jobs_running_at_once(make_client, text: str) -> None:
    client = make_client(worker_concurrency=1, fake_latency_ms=50)
    ids = [post(client, f"{text} (one at a time {n})")["task_id"] for n in range(4)]

    tasks = sorted((wait_for_job(client, i) for i in ids), key=lambda t: moment(t, "running"))

    for before, after in itertools.pairwise(tasks):
        assert moment(after, "running") >= moment(before, "delivered")


def test_metrics_show_the_jobs(client: TestClient, text: str) -> None:
    wait_for_job(client, post(client, text)["task_id"])
    wait_for_job(client, post(client, text + " [fake:error]")["task_id"])

    metrics = client.get("/metrics").text

    assert PREFIX + '_jobs{status="queued"} 0.0' in metrics
    assert PREFIX + '_jobs{status="delivered"} 1.0' in metrics
    assert PREFIX + '_jobs{status="failed"} 1.0' in metrics
    assert PREFIX + '_jobs_finished_total{outcome="failed"} 1.0' in metrics
    assert PREFIX + '_job_latency_seconds_count{outcome="delivered"} 1.0' in metrics
    assert PREFIX + '_provider_failed_attempts_total{kind="error"}' in metrics


def test_healthz_checks_the_jobs_database(client: TestClient) -> None:
    assert client.get("/healthz").json()["checks"]["jobs"] == "ok"


def test_the_worker_app_reports_its_health_and_metrics(tmp_path) -> None:
    settings = make_settings(tmp_path, worker_id="worker-7")

    with TestClient(create_worker_app(settings)) as worker:
        health = worker.get("/healthz")
        metrics = worker.get("/metrics")

    assert health.status_code == 200
    assert health.json()["worker_id"] == "worker-7"
    assert health.json()["checks"]["jobs"] == "ok"
    assert PREFIX + '_jobs{status="queued"} 0.0' in metrics.text


def test_an_unreachable_jobs_database_stops_the_start_with_a_clear_message(tmp_path) -> None:
    url = "postgresql://app:secret@127.0.0.1:1/jobs"
    settings = make_settings(tmp_path, dbos_database_url=url)

    app = create_app(settings)
    with pytest.raises(JobsUnavailable, match=r"127\.0\.0\.1:1/jobs is not reachable") as error:
        TestClient(app).__enter__()

    assert "secret" not in str(error.value)
