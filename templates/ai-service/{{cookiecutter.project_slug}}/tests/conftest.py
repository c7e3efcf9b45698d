"""Shared fixtures: every test builds the real app on its own SQLite file and memory cache."""

import os
import re
{%- if cookiecutter.async_pipeline %}
import time
{%- endif %}
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
{%- if cookiecutter.async_pipeline %}
from httpx import Response
{%- endif %}

from {{ cookiecutter.package_name }}.app import create_app
from {{ cookiecutter.package_name }}.auth import create_token
from {{ cookiecutter.package_name }}.providers import FakeProvider, LLMRequest
from {{ cookiecutter.package_name }}.settings import Settings

PROJECT = Path(__file__).resolve().parents[1]


class CountingProvider(FakeProvider):
    """The fake provider, counting its calls (to prove cache hits and idempotency)."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.calls = 0

    async def complete(self, request: LLMRequest):
        self.calls += 1
        return await super().complete(request)


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Keep a developer's APP_* variables and .env out of every test."""
    for name in list(os.environ):
        if name.startswith("APP_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


{%- if cookiecutter.async_pipeline %}


class JobClient(TestClient):
    """The test client of the async service: a ``POST /v1/tasks`` answered 202 waits for
    the job and returns the task's final state (with the real 202 status code), so the
    behaviour tests read the same in both modes. ``test_jobs.py`` tests the 202 itself."""

    def post(self, url, *args, **kwargs) -> Response:  # type: ignore[override]
        response = super().post(url, *args, **kwargs)
        if url != "/v1/tasks" or response.status_code != 202:
            return response
        task = wait_for_job(self, response.json()["task_id"])
        return Response(202, json=task, request=response.request)


def wait_for_job(client: TestClient, task_id: str, timeout: float = 30.0) -> dict:
    """Poll ``GET /v1/tasks/{task_id}`` until the task leaves ``queued`` and ``running``."""
    deadline = time.monotonic() + timeout
    while True:
        task = TestClient.get(client, f"/v1/tasks/{task_id}").json()
        if task["status"] not in ("queued", "running"):
            return task
        if time.monotonic() > deadline:
            raise AssertionError(f"task {task_id} still {task['status']} after {timeout} s")
        time.sleep(0.02)
{%- endif %}


def make_settings(tmp_path: Path, **overrides) -> Settings:
    """Settings for one test: its own database, fast retries, no random sampling."""
    values: dict = {
        "database_url": f"sqlite:///{tmp_path}/service.db",
        "llm_timeout_seconds": 0.2,
        "llm_backoff_seconds": 0.0,
        "fake_confidence": 1.0,
        "review_sample_rate": 0.0,
        "review_all": False,
        "allowed_hosts": "testserver,localhost",
{%- if cookiecutter.async_pipeline %}
        "dbos_database_url": f"sqlite:///{tmp_path}/jobs.db",
        "queue_poll_seconds": 0.05,
{%- endif %}
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)


@pytest.fixture
def make_client(tmp_path: Path) -> Iterator[Callable[..., TestClient]]:
    """Start the app with settings overrides; ``client.provider`` counts model calls.

    The client sends the bearer token of a new token with ``role`` (``admin`` by default;
    None: no token) named ``test-<role>``.
    """
    started: list[TestClient] = []

    def start(*, role: str | None = "admin", **overrides) -> TestClient:
        settings = make_settings(tmp_path, **overrides)
        provider = CountingProvider(settings)
        client = {{ "JobClient" if cookiecutter.async_pipeline else "TestClient" }}(create_app(settings, provider=provider))
        client.__enter__()
        client.provider = provider  # type: ignore[attr-defined]
        client.settings = settings  # type: ignore[attr-defined]
        if role is not None:
            token = create_token(settings, f"test-{role}", role)
            client.headers["Authorization"] = f"Bearer {token}"
        started.append(client)
        return client

    yield start
    for client in reversed(started):
        client.__exit__(None, None, None)


@pytest.fixture
def client(make_client: Callable[..., TestClient]) -> TestClient:
    return make_client()


def task_of(response) -> dict:
    """The task in an answer to ``POST /v1/tasks``: the body, or the ``task`` of a 502/504
    problem (a failed model call in the synchronous mode)."""
    body = response.json()
    if response.status_code in (502, 504):
        assert response.headers["content-type"] == "application/problem+json"
        return body["task"]
    return body


def sign_in(client: TestClient, name: str = "Rita", role: str = "reviewer") -> str:
    """Sign ``client`` in to the review page with a new token; returns the CSRF token."""
    token = create_token(client.settings, name, role)  # type: ignore[attr-defined]
    response = client.post("/review/login", data={"token": token}, follow_redirects=False)
    assert response.status_code == 303, response.text
    page = client.get("/review")
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found, page.text
    return found.group(1)


def golden_input() -> str:
    """The first golden example's input: a realistic request for this task type."""
    import json

    first = (PROJECT / "evals" / "golden.jsonl").read_text(encoding="utf-8").splitlines()[0]
    return json.loads(first)["input"]


@pytest.fixture
def text() -> str:
    return golden_input()
