"""Request ids, structured logs and optional tracing: what an operator sees."""

import io
import json
import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

import {{ cookiecutter.package_name }}
from {{ cookiecutter.package_name }}.app import create_app
from {{ cookiecutter.package_name }}.logs import JsonFormatter
from {{ cookiecutter.package_name }}.tracing import TracingUnavailable

from .conftest import make_settings

NEW_ID = re.compile(r"[0-9a-f]{32}")
SDK_MODULES = (
    "opentelemetry.sdk",
    "opentelemetry.sdk.resources",
    "opentelemetry.sdk.trace",
    "opentelemetry.sdk.trace.export",
    "opentelemetry.exporter",
)
"""What the otel extra brings (recent FastAPI releases import the OpenTelemetry API)."""


def test_a_well_formed_request_id_is_kept_and_returned(make_client) -> None:
    client = make_client()

    response = client.get("/healthz", headers={"X-Request-ID": "checkout-42:retry.1"})

    assert response.headers["X-Request-ID"] == "checkout-42:retry.1"


@pytest.mark.parametrize("given", [None, "two words", "x" * 129, "<script>", ""])
def test_a_missing_or_malformed_request_id_is_replaced_by_a_new_one(
    make_client, given: str | None
) -> None:
    client = make_client()
    headers = {} if given is None else {"X-Request-ID": given}

    first = client.get("/healthz", headers=headers).headers["X-Request-ID"]
    second = client.get("/healthz", headers=headers).headers["X-Request-ID"]

    assert NEW_ID.fullmatch(first) and NEW_ID.fullmatch(second)
    assert first != second


def test_problem_details_carry_the_request_id(make_client) -> None:
    client = make_client()

    response = client.get("/v1/tasks/no-such-task", headers={"X-Request-ID": "trace-me"})

    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["request_id"] == "trace-me"
    generated = client.get("/v1/tasks/no-such-task")
    assert generated.json()["request_id"] == generated.headers["X-Request-ID"]


def test_log_lines_are_json_with_the_request_id(make_client, text: str) -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    level = root.level
    root.setLevel(logging.INFO)
    try:
        client = make_client()
        client.post("/v1/tasks", json={"input": text}, headers={"X-Request-ID": "req-7"})
    finally:
        root.removeHandler(handler)
        root.setLevel(level)

    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    [request] = [
        line for line in lines if line.get("path") == "/v1/tasks" and line.get("method") == "POST"
    ]
    assert request["request_id"] == "req-7"
    assert request["status"] in (200, 202)
    assert request["level"] == "info" and request["time"].endswith("+00:00")
    assert request["duration_ms"] >= 0


def run_python(code: str, tmp_path, **env: str) -> subprocess.CompletedProcess[str]:
    """``code`` in a fresh interpreter (nothing imported yet), in a scratch folder."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("APP_")}
    clean |= {"APP_DATABASE_URL": f"sqlite:///{tmp_path}/app.db", **env}
    source = str(Path({{ cookiecutter.package_name }}.__file__).parents[1])
    clean["PYTHONPATH"] = os.pathsep.join(filter(None, [source, clean.get("PYTHONPATH")]))
{%- if cookiecutter.async_pipeline %}
    clean["APP_DBOS_DATABASE_URL"] = f"sqlite:///{tmp_path}/jobs.db"
{%- endif %}
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_tracing_is_off_by_default_and_needs_no_opentelemetry_sdk(tmp_path) -> None:
    # the SDK blocked as if the otel extra were not installed: the service runs untraced
    code = (
        "import sys\n"
        f"sys.modules.update(dict.fromkeys({SDK_MODULES!r}))\n"
        "from fastapi.testclient import TestClient\n"
        "from {{ cookiecutter.package_name }}.app import create_app\n"
        "app = create_app()\n"
        "with TestClient(app) as client:\n"
        "    assert client.get('/healthz').status_code == 200\n"
        "print('traced' if hasattr(app.state, 'tracer_provider') else 'untraced')\n"
    )

    proc = run_python(code, tmp_path)

    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "untraced"


def test_enabling_tracing_without_opentelemetry_fails_with_a_clear_message(
    tmp_path, monkeypatch
) -> None:
    for name in SDK_MODULES:  # as if the otel extra were not installed
        monkeypatch.setitem(sys.modules, name, None)

    with pytest.raises(TracingUnavailable, match=r"\[otel\]"):
        create_app(make_settings(tmp_path, otel_enabled=True))


def test_serve_with_tracing_on_and_no_opentelemetry_exits_2_naming_the_extra(
    tmp_path,
) -> None:
    code = (
        "import sys\n"
        f"sys.modules.update(dict.fromkeys({SDK_MODULES!r}))\n"
        "from {{ cookiecutter.package_name }}.cli import main\n"
        "sys.exit(main(['serve', '--port', '0']))\n"
    )

    proc = run_python(code, tmp_path, APP_OTEL_ENABLED="true")

    assert proc.returncode == 2, proc.stderr
    assert "APP_OTEL_ENABLED=true" in proc.stderr
    assert "{{ cookiecutter.project_slug }}[otel]" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_with_tracing_on_each_request_is_a_span(tmp_path) -> None:
    pytest.importorskip("opentelemetry.sdk", reason="the otel extra is not installed")
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    exporter = InMemorySpanExporter()
    app = create_app(make_settings(tmp_path, otel_enabled=True), span_exporter=exporter)
    with TestClient(app) as client:
        client.get("/healthz", headers={"X-Request-ID": "span-1"})

    [span] = [s for s in exporter.get_finished_spans() if s.name == "GET /healthz"]
    assert span.attributes["http.response.status_code"] == 200
    assert span.attributes["request.id"] == "span-1"
