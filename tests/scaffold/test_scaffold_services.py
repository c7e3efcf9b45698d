"""The full-set generated project on PostgreSQL and Redis (their standard local ports).

Skips when a service is unreachable, unless ASSESSOR_REQUIRE_SERVICES=1 (then fails), through
tests/conftest.py's ``require_services``. Each run uses a PostgreSQL schema and a cache
namespace of its own and removes them afterwards.
"""

from __future__ import annotations

import json
import re
import socket
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from scaffold_support import ProjectVenv, clean_env, explain, variant_names

POSTGRES = ("127.0.0.1", 5432)
REDIS = ("127.0.0.1", 6379)
DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
REDIS_DB = 13

pytestmark = [pytest.mark.services, pytest.mark.slow]


@pytest.fixture
def services(require_services: Callable[..., None]) -> None:
    require_services(POSTGRES, REDIS)


def test_the_generated_services_tests_pass_on_postgresql_and_redis(
    services: None,
    render_variant: Callable[..., Path],
    run_project_pytest: Callable[..., subprocess.CompletedProcess[str]],
) -> None:
    proc = run_project_pytest(
        render_variant("full"),
        "-m",
        "services",
        "-rs",
        env={
            "APP_TEST_DATABASE_URL": DATABASE_URL,
            "APP_TEST_CACHE_URL": f"redis://127.0.0.1:6379/{REDIS_DB}",
            "ASSESSOR_REQUIRE_SERVICES": "1",
        },
    )
    assert proc.returncode == 0, explain(proc)
    summary = proc.stdout.strip().splitlines()[-1]
    assert re.search(r"\b[1-9]\d* passed", summary), summary
    assert "skipped" not in summary, summary


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def request(
    base: str,
    method: str,
    path: str,
    body: Any = None,
    headers: dict[str, str] | None = None,
    token: str | None = None,
) -> tuple[int, Any]:
    data = None if body is None else json.dumps(body).encode()
    auth = {"Authorization": f"Bearer {token}"} if token else {}
    req = urllib.request.Request(
        base + path,
        data=data,
        method=method,
        headers={"Content-Type": "application/json", **auth, **(headers or {})},
    )
    try:
        with urllib.request.urlopen(req, timeout=10) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


class Server:
    """``<project> serve`` as a real process on 127.0.0.1."""

    def __init__(self, venv: ProjectVenv, slug: str, env: dict[str, str], log: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = log
        self.proc = subprocess.Popen(
            [str(venv.bin(slug)), "serve", "--host", "127.0.0.1", "--port", str(self.port)],
            cwd=log.parent,
            env=clean_env(env),
            stdout=log.open("ab"),
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"serve exited:\n{log.read_text()[-4000:]}")
            try:
                status, body = request(self.base, "GET", "/healthz")
                if status in (200, 503):
                    self.health = body
                    return
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise AssertionError(f"serve did not answer:\n{log.read_text()[-4000:]}")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


# PostgreSQL and Redis are inspected with the drivers the generated project installs in the
# shared venv (psycopg, redis), so the tests need no client tools on the machine.
INSPECT = """
import json, sys
import psycopg, redis

action, schema, namespace, db = sys.argv[1:5]
pg = psycopg.connect("postgresql://postgres@127.0.0.1:5432/test", autocommit=True)
cache = redis.Redis(host="127.0.0.1", port=6379, db=int(db))
keys = [k.decode() for k in cache.scan_iter(match=namespace + "*")]
if action == "drop":
    pg.execute('DROP SCHEMA IF EXISTS "%s" CASCADE' % schema)
    if keys:
        cache.delete(*keys)
tables = [row[0] for row in pg.execute(
    "select table_name from information_schema.tables where table_schema = %s", (schema,)
)]
print(json.dumps({"tables": tables, "keys": keys}))
"""


def inspect(venv: ProjectVenv, action: str, names: dict[str, str]) -> dict[str, list[str]]:
    """Tables in the run's schema and keys in its cache namespace (``drop`` removes them)."""
    args = [action, names["schema"], names["namespace"], str(REDIS_DB)]
    proc = subprocess.run(
        [str(venv.python), "-c", INSPECT, *args],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)  # type: ignore[no-any-return]


@pytest.fixture
def isolation(project_venv: ProjectVenv) -> Iterator[dict[str, str]]:
    """A PostgreSQL schema and a cache namespace of this test's own, removed afterwards."""
    run = uuid.uuid4().hex[:12]
    names = {"schema": f"scaffold_{run}", "namespace": f"scaffold-{run}"}
    yield names
    inspect(project_venv, "drop", names)


def wait_final(base: str, task: dict[str, Any], token: str) -> dict[str, Any]:
    """The task once it left ``queued``/``running`` (immediately without the async pattern)."""
    deadline = time.monotonic() + 30
    while task["status"] in ("queued", "running") and time.monotonic() < deadline:
        time.sleep(0.1)
        _, task = request(base, "GET", f"/v1/tasks/{task['task_id']}", token=token)
    return task


def test_the_full_set_service_runs_on_postgresql_and_redis(
    services: None,
    render_variant: Callable[..., Path],
    project_venv: ProjectVenv,
    isolation: dict[str, str],
    tmp_path: Path,
) -> None:
    project = render_variant("full")
    project_venv.install(project)
    slug, _ = variant_names("full")
    env = {
        "APP_DATABASE_URL": DATABASE_URL,
        "APP_DATABASE_SCHEMA": isolation["schema"],
        "APP_CACHE_URL": f"redis://127.0.0.1:6379/{REDIS_DB}",
        "APP_CACHE_NAMESPACE": isolation["namespace"],
        "APP_FAKE_CONFIDENCE": "1.0",
        "APP_REVIEW_SAMPLE_RATE": "0",
    }
    text = json.loads((project / "evals/golden.jsonl").read_text().splitlines()[0])["input"]
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    created = subprocess.run(
        [str(project_venv.bin(slug)), "token", "create", "--name", "ops", "--role", "client"],
        cwd=run_dir,
        env=clean_env(env),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert created.returncode == 0, explain(created)
    token = created.stdout.strip().splitlines()[-1]
    server = Server(project_venv, slug, env, run_dir / "serve.log")
    try:
        # the full set includes the async pipeline: its jobs database is checked too
        assert server.health["checks"] == {"database": "ok", "jobs": "ok", "cache": "ok"}, (
            server.health
        )
        status, refused = request(server.base, "POST", "/v1/tasks", {"input": text})
        assert status == 401, refused
        status, first = request(server.base, "POST", "/v1/tasks", {"input": text}, token=token)
        assert status in (200, 202), first
        first = wait_final(server.base, first, token)
        assert first["status"] == "delivered", first
        assert first["cached"] is False
        _, second = request(server.base, "POST", "/v1/tasks", {"input": text}, token=token)
        second = wait_final(server.base, second, token)
        assert second["status"] == "delivered" and second["cached"] is True, second
        assert second["output"] == first["output"]
    finally:
        server.stop()
    stored = inspect(project_venv, "look", isolation)
    assert stored["tables"], "nothing stored in PostgreSQL"
    assert stored["keys"], "nothing cached in Redis"

    # a restart on the same database still knows the task
    server = Server(project_venv, slug, env, run_dir / "serve-2.log")
    try:
        _, again = request(server.base, "GET", f"/v1/tasks/{first['task_id']}", token=token)
        assert again["status"] == "delivered" and again["output"] == first["output"], again
    finally:
        server.stop()
