"""Schemathesis against the app's own OpenAPI schema, sent to a real ``serve`` process: no
5xx, and every answer (status, media type, body) is one the schema documents. Bounded
examples per operation."""

import os
import subprocess
import time
from pathlib import Path

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from {{ cookiecutter.package_name }}.app import create_app
from {{ cookiecutter.package_name }}.settings import Settings

from .test_cli import SCRIPT, free_port

schema = schemathesis.openapi.from_dict(create_app(Settings(_env_file=None)).openapi())


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> tuple[str, dict]:
    """``serve`` on a free port with its own database, and an admin's headers."""
    folder: Path = tmp_path_factory.mktemp("api-schema")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("APP_")},
        "APP_DATABASE_URL": f"sqlite:///{folder}/app.db",
{%- if cookiecutter.async_pipeline %}
        "APP_DBOS_DATABASE_URL": f"sqlite:///{folder}/jobs.db",
{%- endif %}
        "APP_REVIEW_SAMPLE_RATE": "0",
    }
    created = subprocess.run(
        [SCRIPT, "token", "create", "--name", "schemathesis", "--role", "admin"],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert created.returncode == 0, created.stderr
    headers = {"Authorization": f"Bearer {created.stdout.strip().splitlines()[-1]}"}
    port = free_port()
    server = subprocess.Popen(
        [SCRIPT, "serve", "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
        cwd=folder,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert server.poll() is None, "serve exited"
            assert time.monotonic() < deadline, "serve did not start within 60 s"
            time.sleep(0.1)
        yield base, headers
    finally:
        server.terminate()
        server.wait(timeout=30)


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_api_answers_as_its_schema_says(case, served) -> None:
    base, headers = served
    # Unknown query parameters and headers are ignored, as HTTP services usually do: the
    # check that wants them refused is left out; every other check runs.
    case.call_and_validate(
        base_url=base,
        headers=headers,
        excluded_checks=[schemathesis.checks.negative_data_rejection],
    )
