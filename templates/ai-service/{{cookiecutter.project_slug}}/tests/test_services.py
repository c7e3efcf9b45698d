"""The service on the scale-out setup.

Needs PostgreSQL at 127.0.0.1:5432 (database ``test``, user ``postgres``, trust auth) or the
URL in APP_TEST_DATABASE_URL.
{%- if cookiecutter.response_cache %}
Needs Redis at 127.0.0.1:6379 (database 15) or the URL in APP_TEST_CACHE_URL.
{%- endif %}
Skips when a service is unreachable, unless ASSESSOR_REQUIRE_SERVICES=1 (then fails).
Each test uses a PostgreSQL schema
{%- if cookiecutter.response_cache %} and a cache namespace{% endif %} of its own, removed
afterwards, so parallel runs do not collide.
"""

import asyncio
import os
import socket
import uuid
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

from {{ cookiecutter.package_name }}.app import create_app
from {{ cookiecutter.package_name }}.auth import create_token

from .conftest import CountingProvider, {% if cookiecutter.async_pipeline %}JobClient, {% endif %}make_settings

pytestmark = pytest.mark.services

DATABASE_URL = os.environ.get(
    "APP_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
{%- if cookiecutter.response_cache %}
CACHE_URL = os.environ.get("APP_TEST_CACHE_URL", "redis://127.0.0.1:6379/15")
{%- endif %}


def _reachable(url: str, default_port: int) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname, parts.port or default_port), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture(scope="module")
def service_urls() -> dict:
    needed = [("PostgreSQL", DATABASE_URL, 5432)]
{%- if cookiecutter.response_cache %}
    needed.append(("Redis", CACHE_URL, 6379))
{%- endif %}
    missing = [name for name, url, port in needed if not _reachable(url, port)]
    if missing:
        message = f"{' and '.join(missing)} not reachable"
        if os.environ.get("ASSESSOR_REQUIRE_SERVICES") == "1":
            pytest.fail(f"{message} (ASSESSOR_REQUIRE_SERVICES=1)")
        pytest.skip(message)
    return {"database_url": DATABASE_URL{% if cookiecutter.response_cache %}, "cache_url": CACHE_URL{% endif %}}


@pytest.fixture
def isolation(service_urls: dict) -> Iterator[dict]:
    """A schema{% if cookiecutter.response_cache %} and a cache namespace{% endif %} of this test's own, dropped afterwards."""
    run = uuid.uuid4().hex[:12]
    overrides = dict(service_urls, database_schema=f"test_{run}")
{%- if cookiecutter.async_pipeline %}
    overrides.update(dbos_database_url=service_urls["database_url"], dbos_schema=f"test_{run}_jobs")
{%- endif %}
{%- if cookiecutter.response_cache %}
    overrides["cache_namespace"] = f"test-{run}"
{%- endif %}
    yield overrides
    asyncio.run(_cleanup(overrides))


async def _cleanup(overrides: dict) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(overrides["database_url"])
    with engine.begin() as connection:
        connection.execute(text(f'DROP SCHEMA IF EXISTS "{overrides["database_schema"]}" CASCADE'))
{%- if cookiecutter.async_pipeline %}
        connection.execute(text(f'DROP SCHEMA IF EXISTS "{overrides["dbos_schema"]}" CASCADE'))
{%- endif %}
    engine.dispose()
{%- if cookiecutter.response_cache %}
    from redis.asyncio import Redis

    redis = Redis.from_url(overrides["cache_url"])
    keys = [key async for key in redis.scan_iter(match=f"{overrides['cache_namespace']}:*")]
    if keys:
        await redis.delete(*keys)
    await redis.aclose()
{%- endif %}


def start(tmp_path, overrides: dict, **more) -> TestClient:
    settings = make_settings(tmp_path, **overrides, **more)
    provider = CountingProvider(settings)
    client = {{ "JobClient" if cookiecutter.async_pipeline else "TestClient" }}(create_app(settings, provider=provider))
    client.__enter__()
    client.provider = provider  # type: ignore[attr-defined]
    token = create_token(settings, "test-admin", "admin")
    client.headers["Authorization"] = f"Bearer {token}"
    return client


def test_the_full_flow_on_postgresql(tmp_path, isolation: dict, text: str) -> None:
    client = start(tmp_path, isolation, review_all=True)
    try:
        assert client.get("/healthz").json()["checks"]["database"] == "ok"
        headers = {"Idempotency-Key": "pg-1"}
        task = client.post("/v1/tasks", json={"input": text}, headers=headers).json()
        again = client.post("/v1/tasks", json={"input": text}, headers=headers).json()
        assert again == task
        assert task["status"] == "needs_review"

        [review] = client.get("/v1/reviews").json()
        decided = client.post(f"/v1/reviews/{review['review_id']}", json={"action": "approve"})
        assert decided.status_code == 200
        final = client.get(f"/v1/tasks/{task['task_id']}").json()
        assert final["status"] == "delivered"
        assert final["output"] == review["output"]
    finally:
        client.__exit__(None, None, None)


def test_the_migrations_build_exactly_the_models_on_postgresql(tmp_path, isolation: dict) -> None:
    from {{ cookiecutter.package_name }}.store import make_engine, upgrade_database

    from .test_migrations import differences

    settings = make_settings(tmp_path, **isolation)
    engine = make_engine(settings)
    try:
        upgrade_database(engine, settings)
        upgrade_database(engine, settings)  # a second run changes nothing
        assert differences(engine) == []
    finally:
        engine.dispose()


def test_a_nul_byte_is_a_422_not_a_database_outage(tmp_path, isolation: dict) -> None:
    client = start(tmp_path, isolation)
    try:
        response = client.post("/v1/tasks", json={"input": "before\x00after"})
        read = client.get("/v1/tasks/abc%00def")
    finally:
        client.__exit__(None, None, None)

    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert read.status_code == 422


def test_tasks_survive_a_restart_on_postgresql(tmp_path, isolation: dict, text: str) -> None:
    first = start(tmp_path, isolation)
    try:
        task = first.post("/v1/tasks", json={"input": text}).json()
    finally:
        first.__exit__(None, None, None)

    second = start(tmp_path, isolation)
    try:
        assert second.get(f"/v1/tasks/{task['task_id']}").json() == task
    finally:
        second.__exit__(None, None, None)
{%- if cookiecutter.response_cache %}


def test_two_instances_share_the_redis_cache(tmp_path, isolation: dict, text: str) -> None:
{%- if cookiecutter.async_pipeline %}
    # One job runtime per process: the two instances run one after the other here.
    first = start(tmp_path, isolation)
    try:
        assert first.get("/healthz").json()["checks"]["cache"] == "ok"
        answered = first.post("/v1/tasks", json={"input": text}).json()
    finally:
        first.__exit__(None, None, None)
    second = start(tmp_path / "second", isolation)
    first = second
    try:
        served = second.post("/v1/tasks", json={"input": text}).json()
{%- else %}
    first = start(tmp_path, isolation)
    second = start(tmp_path, isolation)
    try:
        assert first.get("/healthz").json()["checks"]["cache"] == "ok"
        answered = first.post("/v1/tasks", json={"input": text}).json()
        served = second.post("/v1/tasks", json={"input": text}).json()
{%- endif %}

        assert (answered["cached"], served["cached"]) == (False, True)
        assert served["output"] == answered["output"]
        assert second.provider.calls == 0  # type: ignore[attr-defined]
    finally:
        second.__exit__(None, None, None)
        first.__exit__(None, None, None)
{%- endif %}
