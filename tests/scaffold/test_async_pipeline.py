"""The generated service's async pipeline, run as real processes (issue 5).

The full-set project (``render_variant("full")``, installed once in the shared venv) runs
as ``serve`` and ``worker`` processes on 127.0.0.1, on SQLite by default and on PostgreSQL
and Redis for the scale-out tests (marked ``services``: they skip when a service is not
reachable, unless ASSESSOR_REQUIRE_SERVICES=1). Every process is killed at teardown; every
wait is bounded.

What is checked, as a client and an operator see it (HTTP answers, history, metrics):

- a service killed with SIGKILL mid-job finishes every job after a restart, exactly once;
- a job waiting for a reviewer survives a restart and completes on approve, edit, reject;
- provider errors, timeouts and malformed output end in ``failed``, never delivered;
- one ``serve`` and two ``worker`` processes share the queue on PostgreSQL; the jobs of a
  worker that is gone for good are handed over by ``recover``;
- PostgreSQL or Redis unreachable: ``/healthz`` says so, requests fail clearly (or, for the
  cache, go on without it), the jobs in flight are not lost.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from scaffold_support import ProjectVenv, clean_env, variant_names

pytestmark = pytest.mark.slow

POSTGRES = ("127.0.0.1", 5432)
REDIS = ("127.0.0.1", 6379)
REDIS_DB = 12
FINAL = ("delivered", "needs_review", "rejected", "failed")
LOW = " [fake:confidence=0.3]"
"""A fake-provider marker: this task's output goes to a reviewer (threshold 0.9)."""


# --- processes ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


TOKENS: dict[str, str] = {}
"""The admin token of each started ``serve`` process, by base URL (``Processes.serve``)."""


def http(
    base: str, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
) -> tuple[int, Any]:
    """A request as the test's admin (the token created for the process at ``base``)."""
    data = None if body is None else json.dumps(body).encode()
    auth = {"Authorization": f"Bearer {TOKENS[base]}"} if base in TOKENS else {}
    request = urllib.request.Request(
        base + path,
        data=data,
        method=method,
        headers={"Content-Type": "application/json", **auth, **(headers or {})},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            raw = response.read()
            return response.status, json.loads(raw) if path != "/metrics" else raw.decode()
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


@dataclass
class Process:
    """One process of the generated project (``serve``, ``worker`` or a helper)."""

    argv: list[str]
    env: dict[str, str]
    cwd: Path
    log: Path
    port: int | None = None
    proc: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, wait: bool = True) -> Process:
        self.proc = subprocess.Popen(
            self.argv,
            cwd=self.cwd,
            env=clean_env(self.env),
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        if wait and self.port is not None:
            deadline = time.monotonic() + 60
            while True:
                if self.proc.poll() is not None:
                    raise AssertionError(f"{self.argv[1]} exited:\n{self.tail()}")
                try:
                    status, _ = http(self.base, "GET", "/healthz")
                    if status in (200, 503):
                        return self
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    raise AssertionError(f"{self.argv[1]} did not answer:\n{self.tail()}")
                time.sleep(0.1)
        return self

    def kill(self) -> None:
        """SIGKILL the process group: no shutdown code runs."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=30)

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-4000:] if self.log.exists() else ""


@dataclass
class Processes:
    """Starts the project's processes and kills every one of them at teardown."""

    script: str
    run_dir: Path
    started: list[Process] = field(default_factory=list)
    tokens: dict[str, str] = field(default_factory=dict)

    def serve(self, env: dict[str, str], name: str = "serve", port: int | None = None) -> Process:
        port = port or free_port()
        argv = [self.script, "serve", "--host", "127.0.0.1", "--port", str(port)]
        TOKENS[f"http://127.0.0.1:{port}"] = self.admin_token(env)
        return self._start(argv, env, name, port)

    def admin_token(self, env: dict[str, str]) -> str:
        """An admin token in the database of ``env`` (created once per database with the
        project's own ``token create``)."""
        database = env["APP_DATABASE_URL"]
        if database not in self.tokens:
            created = self.run(
                "token", "create", "--name", "test-admin", "--role", "admin", env=env
            )
            assert created.returncode == 0, created.stderr
            self.tokens[database] = created.stdout.strip().splitlines()[-1]
        return self.tokens[database]

    def worker(self, env: dict[str, str], name: str) -> Process:
        port = free_port()
        argv = [self.script, "worker", "--host", "127.0.0.1", "--port", str(port)]
        return self._start(argv, env, name, port)

    def _start(self, argv: list[str], env: dict[str, str], name: str, port: int) -> Process:
        process = Process(argv, env, self.run_dir, self.run_dir / f"{name}.log", port)
        self.started.append(process)
        return process.start()

    def run(self, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [self.script, *args],
            cwd=self.run_dir,
            env=clean_env(env),
            capture_output=True,
            text=True,
            timeout=120,
        )

    def kill_all(self) -> None:
        for process in self.started:
            process.kill()


@dataclass(frozen=True)
class Project:
    script: str
    text: str
    """A realistic input for the project's task type (first golden example)."""


@pytest.fixture(scope="module")
def project(render_variant: Callable[..., Path], project_venv: ProjectVenv) -> Project:
    path = render_variant("full")
    project_venv.install(path)
    slug, _ = variant_names("full")
    first = (path / "evals" / "golden.jsonl").read_text(encoding="utf-8").splitlines()[0]
    return Project(script=str(project_venv.bin(slug)), text=json.loads(first)["input"])


@pytest.fixture
def processes(project: Project, tmp_path: Path) -> Iterator[Processes]:
    running = Processes(project.script, tmp_path)
    try:
        yield running
    finally:
        running.kill_all()


def sqlite_env(folder: Path, **more: str) -> dict[str, str]:
    """One machine: SQLite files and the in-memory cache; fast polling for the tests."""
    env = {
        "APP_DATABASE_URL": f"sqlite:///{folder}/app.db",
        "APP_DBOS_DATABASE_URL": f"sqlite:///{folder}/jobs.db",
        "APP_CACHE_URL": "mem://",
        "APP_FAKE_CONFIDENCE": "1.0",
        "APP_CONFIDENCE_THRESHOLD": "0.9",
        "APP_REVIEW_SAMPLE_RATE": "0",
        "APP_REVIEW_ALL": "false",
        "APP_QUEUE_POLL_SECONDS": "0.05",
        "APP_LLM_BACKOFF_SECONDS": "0.05",
    }
    env.update(more)
    return env


# --- the client's view ------------------------------------------------------------------------


def submit(base: str, text: str, headers: dict[str, str] | None = None) -> str:
    status, body = http(base, "POST", "/v1/tasks", {"input": text}, headers)
    assert status == 202, body
    assert body["status"] == "queued", body
    return str(body["task_id"])


def tasks(base: str, ids: list[str]) -> dict[str, dict[str, Any]]:
    found = {}
    for task_id in ids:
        status, body = http(base, "GET", f"/v1/tasks/{task_id}")
        assert status == 200, body
        found[task_id] = body
    return found


def wait_until(
    base: str, ids: list[str], done: Callable[[dict[str, dict[str, Any]]], bool], timeout: float
) -> dict[str, dict[str, Any]]:
    deadline = time.monotonic() + timeout
    while True:
        seen = tasks(base, ids)
        if done(seen):
            return seen
        if time.monotonic() > deadline:
            statuses = Counter(task["status"] for task in seen.values())
            raise AssertionError(f"gave up after {timeout} s: {dict(statuses)}")
        time.sleep(0.1)


def all_final(seen: dict[str, dict[str, Any]]) -> bool:
    return all(task["status"] in FINAL for task in seen.values())


def statuses(task: dict[str, Any]) -> list[str]:
    return [event["status"] for event in task["history"]]


def has_detail(task: dict[str, Any], detail: str) -> bool:
    return any(event.get("detail") == detail for event in task["history"])


def metric(text: str, name: str) -> float:
    """The value of one sample line of /metrics (0 when absent)."""
    for line in text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[-1])
    return 0.0


# --- one machine (SQLite) ----------------------------------------------------------------------


def test_a_service_killed_mid_job_finishes_every_job_exactly_once(
    project: Project, processes: Processes, tmp_path: Path
) -> None:
    env = sqlite_env(
        tmp_path, APP_FAKE_LATENCY_MS="300", APP_WORKER_CONCURRENCY="4", APP_WORKER_ID="one"
    )
    serve = processes.serve(env)
    inputs = [f"{project.text} (job {n})" + (LOW if n % 5 == 0 else "") for n in range(20)]
    ids = [submit(serve.base, text) for text in inputs]
    to_review = {ids[n] for n in range(20) if n % 5 == 0}

    before = wait_until(
        serve.base,
        ids,
        lambda seen: any(t["status"] == "running" for t in seen.values()) and not all_final(seen),
        timeout=60,
    )
    serve.kill()
    in_flight = [i for i, t in before.items() if t["status"] in ("queued", "running")]
    # Twice more, at other moments of the jobs (in a step, between steps, while recording).
    for round_, pause in enumerate((0.45, 0.15)):
        serve = processes.serve(env, name=f"serve-{round_}", port=serve.port)
        time.sleep(pause)
        serve.kill()
    serve = processes.serve(env, name="serve-last", port=serve.port)
    after = wait_until(serve.base, ids, all_final, timeout=120)

    assert in_flight, "the kill came after every job had finished"
    for task_id, task in after.items():
        expected = "needs_review" if task_id in to_review else "delivered"
        assert task["status"] == expected, task
        history = statuses(task)
        assert history.count("queued") == 1, history
        # delivered once, queued for review once: never twice
        assert sum(history.count(s) for s in FINAL) == 1, history
        assert history[-1] == expected, history
        if expected == "delivered":
            assert task["output"], task
    resumed = [t for t in after.values() if has_detail(t, "resumed after a restart")]
    assert resumed, "no job was resumed: the kill did not hit a running job"
    _, pending = http(serve.base, "GET", "/v1/reviews?status=pending")
    assert sorted(review["task_id"] for review in pending) == sorted(to_review)
    _, metrics = http(serve.base, "GET", "/metrics")
    prefix = variant_names("full")[1]
    assert metric(metrics, f"{prefix}_jobs_resumed_total") >= 1
    assert metric(metrics, f'{prefix}_jobs{{status="queued"}}') == 0
    assert metric(metrics, f'{prefix}_jobs{{status="delivered"}}') == 16


def test_a_job_waiting_for_review_completes_after_a_restart(
    project: Project, processes: Processes, tmp_path: Path
) -> None:
    env = sqlite_env(tmp_path, APP_WORKER_ID="one")
    serve = processes.serve(env)
    ids = [submit(serve.base, f"{project.text} (review {n}){LOW}") for n in range(3)]
    wait_until(serve.base, ids, all_final, timeout=60)
    serve.kill()

    serve = processes.serve(env, name="serve-again", port=serve.port)
    _, pending = http(serve.base, "GET", "/v1/reviews")
    review = {r["task_id"]: r for r in pending}
    approved, edited, rejected = ids
    decisions = [
        (approved, {"action": "approve"}),
        (edited, {"action": "edit", "output": "A corrected answer."}),
        (rejected, {"action": "reject"}),
    ]
    for task_id, decision in decisions:
        status, body = http(
            serve.base, "POST", f"/v1/reviews/{review[task_id]['review_id']}", decision
        )
        assert status == 200, body
    status, again = http(
        serve.base, "POST", f"/v1/reviews/{review[approved]['review_id']}", {"action": "reject"}
    )
    assert status == 409, again

    # The waiting jobs resumed in the new process and recorded the decisions.
    done = wait_until(
        serve.base,
        ids,
        lambda seen: all(
            has_detail(seen[i], f"review {v} by test-admin")
            for i, v in ((approved, "approved"), (edited, "edited"), (rejected, "rejected"))
        ),
        timeout=60,
    )
    assert (done[approved]["status"], done[approved]["output"]) == (
        "delivered",
        review[approved]["output"],
    )
    assert (done[edited]["status"], done[edited]["output"]) == ("delivered", "A corrected answer.")
    assert done[rejected]["status"] == "rejected" and "output" not in done[rejected]
    for task in done.values():
        assert statuses(task)[:3] == ["queued", "running", "needs_review"], task["history"]
        assert len(task["history"]) == 4, task["history"]


def test_one_idempotency_key_is_one_task_across_a_restart(
    project: Project, processes: Processes, tmp_path: Path
) -> None:
    env = sqlite_env(tmp_path, APP_WORKER_ID="one", APP_FAKE_LATENCY_MS="200")
    serve = processes.serve(env)
    key = {"Idempotency-Key": "order-42-reply"}
    first = submit(serve.base, project.text, key)
    second = submit(serve.base, project.text, key)
    serve.kill()
    serve = processes.serve(env, name="serve-again", port=serve.port)
    status, third = http(serve.base, "POST", "/v1/tasks", {"input": project.text}, key)
    conflict, body = http(serve.base, "POST", "/v1/tasks", {"input": "another text"}, key)

    assert first == second == third["task_id"]
    assert status == 202
    assert conflict == 409 and "Idempotency-Key" in json.dumps(body)
    task = wait_until(serve.base, [first], all_final, timeout=60)[first]
    assert task["status"] == "delivered"
    assert statuses(task).count("queued") == 1 and statuses(task).count("delivered") == 1


@pytest.mark.parametrize(
    ("marker", "kind"),
    [("[fake:error]", "error"), ("[fake:timeout]", "timeout"), ("[fake:malformed]", "malformed")],
)
def test_a_provider_fault_on_every_attempt_fails_the_job(
    project: Project, processes: Processes, tmp_path: Path, marker: str, kind: str
) -> None:
    env = sqlite_env(tmp_path, APP_LLM_TIMEOUT_SECONDS="0.3", APP_LLM_MAX_ATTEMPTS="3")
    serve = processes.serve(env)
    failing = submit(serve.base, f"{project.text} {marker}")
    flaky = submit(serve.base, f"{project.text} [fake:flaky]")

    seen = wait_until(serve.base, [failing, flaky], all_final, timeout=60)

    failed = seen[failing]
    assert failed["status"] == "failed", failed
    assert "output" not in failed
    assert "3 attempt" in failed["error"], failed["error"]
    assert statuses(failed) == ["queued", "running", "failed"]
    assert seen[flaky]["status"] == "delivered"  # one failed attempt, then retried
    _, metrics = http(serve.base, "GET", "/metrics")
    prefix = variant_names("full")[1]
    assert metric(metrics, f'{prefix}_provider_failed_attempts_total{{kind="{kind}"}}') >= 3
    assert metric(metrics, f'{prefix}_jobs_finished_total{{outcome="failed"}}') == 1


# --- many machines (PostgreSQL and Redis) -------------------------------------------------------


def psql(database: str, sql: str) -> None:
    command = ["psql", "-h", POSTGRES[0], "-U", "postgres", "-d", database, "-q", "-c", sql]
    proc = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr


@pytest.fixture
def postgres(require_services: Callable[..., None]) -> Iterator[str]:
    """A PostgreSQL database of this test's own (app tables and jobs) and a cache namespace
    of the same name, both removed afterwards."""
    require_services(POSTGRES, REDIS)
    name = f"assessor_async_{uuid.uuid4().hex[:12]}"
    psql("test", f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        psql("test", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        forget_cache(name)


def forget_cache(namespace: str) -> None:
    """Delete the test's cache entries (its namespace in database REDIS_DB)."""
    scan = ["redis-cli", "-n", str(REDIS_DB), "--scan", "--pattern", f"{namespace}:*"]
    keys = subprocess.run(scan, capture_output=True, text=True, timeout=30).stdout.split()
    if keys:
        delete = ["redis-cli", "-n", str(REDIS_DB), "DEL", *keys]
        subprocess.run(delete, capture_output=True, timeout=30)


def scale_env(database: str, db_port: int = 5432, redis_port: int = 6379, **more: str) -> dict:
    url = f"postgresql://postgres@127.0.0.1:{db_port}/{database}"
    env = {
        "APP_DATABASE_URL": url,
        "APP_DBOS_DATABASE_URL": url,
        "APP_CACHE_URL": f"redis://127.0.0.1:{redis_port}/{REDIS_DB}",
        "APP_CACHE_NAMESPACE": database,
        "APP_FAKE_CONFIDENCE": "1.0",
        "APP_CONFIDENCE_THRESHOLD": "0.9",
        "APP_REVIEW_SAMPLE_RATE": "0",
        "APP_REVIEW_ALL": "false",
        "APP_QUEUE_POLL_SECONDS": "0.05",
    }
    env.update(more)
    return env


def ran_on(task: dict[str, Any]) -> str:
    """The worker that recorded the task's outcome."""
    return str(task["history"][-1]["worker"])


@pytest.mark.services
def test_one_serve_and_two_workers_share_the_jobs_on_postgresql(
    project: Project, processes: Processes, postgres: str
) -> None:
    # Automatic hand-over off: here `recover` is what moves the jobs of the dead worker.
    env = scale_env(
        postgres,
        APP_FAKE_LATENCY_MS="300",
        APP_WORKER_CONCURRENCY="3",
        APP_WORKER_TIMEOUT_SECONDS="0",
    )
    serve = processes.serve({**env, "APP_SERVE_WORKERS": "false", "APP_WORKER_ID": "api"})
    workers = {
        name: processes.worker({**env, "APP_WORKER_ID": name}, name) for name in ("w1", "w2")
    }
    for worker in workers.values():
        status, health = http(worker.base, "GET", "/healthz")
        assert status == 200 and health["checks"]["jobs"] == "ok", health

    ids = [submit(serve.base, f"{project.text} (scale {n})") for n in range(24)]
    done = wait_until(serve.base, ids, all_final, timeout=120)

    assert {task["status"] for task in done.values()} == {"delivered"}
    by_worker = Counter(ran_on(task) for task in done.values())
    assert set(by_worker) == {"w1", "w2"}, by_worker
    finished = 0.0
    for worker in workers.values():
        _, metrics = http(worker.base, "GET", "/metrics")
        prefix = variant_names("full")[1]
        finished += metric(metrics, f'{prefix}_jobs_finished_total{{outcome="delivered"}}')
    assert finished == 24

    # w2 dies for good mid-job: `recover --force w2` hands its jobs to w1.
    slow = {**env, "APP_FAKE_LATENCY_MS": "1500"}
    workers["w2"].kill()
    workers["w2"] = processes.worker({**slow, "APP_WORKER_ID": "w2"}, "w2-again")
    refused = processes.run("recover", "w2", env=env)  # w2 is alive: its heartbeat says so
    assert refused.returncode == 1, refused
    assert "last heartbeat: w2" in refused.stderr and "--force" in refused.stderr
    ids = [submit(serve.base, f"{project.text} (handover {n})") for n in range(9)]
    wait_until(
        serve.base,
        ids,
        lambda s: any(t["status"] == "running" and ran_on(t) == "w2" for t in s.values()),
        timeout=60,
    )
    workers["w2"].kill()
    now = tasks(serve.base, ids)
    stranded = [i for i, t in now.items() if t["status"] == "running" and ran_on(t) == "w2"]
    recovered = processes.run("recover", "--force", "w2", env=env)
    assert recovered.returncode == 0, recovered.stderr
    handed = re.search(r"(\d+) unfinished job\(s\) handed", recovered.stdout)
    assert handed and int(handed.group(1)) >= len(stranded) >= 1, recovered.stdout
    done = wait_until(serve.base, ids, all_final, timeout=120)
    assert {task["status"] for task in done.values()} == {"delivered"}
    for task_id in stranded:
        assert ran_on(done[task_id]) == "w1", done[task_id]["history"]
        assert statuses(done[task_id]).count("delivered") == 1


def started(task: dict[str, Any]) -> float:
    at = next(e["at"] for e in task["history"] if e["status"] == "running")
    return datetime.fromisoformat(at.replace("Z", "+00:00")).timestamp()


@pytest.mark.services
def test_the_provider_rate_limit_holds_over_all_workers_on_postgresql(
    project: Project, processes: Processes, postgres: str
) -> None:
    # One job at a time per worker, 0.6 s each: one worker alone could not use both slots
    # of a second, so both take jobs, and a limit per worker instead of over all would let
    # more than 2 start in a second.
    env = scale_env(
        postgres,
        APP_PROVIDER_RATE_LIMIT="2",
        APP_PROVIDER_RATE_PERIOD_SECONDS="1",
        APP_WORKER_CONCURRENCY="1",
        APP_FAKE_LATENCY_MS="600",
    )
    serve = processes.serve({**env, "APP_SERVE_WORKERS": "false", "APP_WORKER_ID": "api"})
    for name in ("w1", "w2"):
        processes.worker({**env, "APP_WORKER_ID": name}, name)
    ids = [submit(serve.base, f"{project.text} (limited {n})") for n in range(8)]

    done = wait_until(serve.base, ids, all_final, timeout=60)

    starts = sorted(started(task) for task in done.values())
    # 2 per second over both workers: any 3 consecutive starts span most of a second
    # (without the limit all 8 start within a fraction of one).
    assert all(later - earlier >= 0.8 for earlier, later in zip(starts, starts[2:], strict=False))
    assert {ran_on(task) for task in done.values()} == {"w1", "w2"}


@pytest.mark.services
def test_the_jobs_of_a_silent_worker_move_to_the_others(
    project: Project, processes: Processes, postgres: str
) -> None:
    env = scale_env(postgres, APP_WORKER_CONCURRENCY="3", APP_WORKER_TIMEOUT_SECONDS="2")
    serve = processes.serve({**env, "APP_SERVE_WORKERS": "false", "APP_WORKER_ID": "api"})
    processes.worker({**env, "APP_WORKER_ID": "w1", "APP_FAKE_LATENCY_MS": "300"}, "w1")
    doomed = processes.worker({**env, "APP_WORKER_ID": "w2", "APP_FAKE_LATENCY_MS": "3000"}, "w2")
    ids = [submit(serve.base, f"{project.text} (silent {n})") for n in range(9)]
    seen = wait_until(
        serve.base,
        ids,
        lambda s: any(t["status"] == "running" and ran_on(t) == "w2" for t in s.values()),
        timeout=60,
    )

    doomed.kill()  # and never restarted
    stranded = [i for i, t in seen.items() if t["status"] == "running" and ran_on(t) == "w2"]
    done = wait_until(serve.base, ids, all_final, timeout=90)

    assert {task["status"] for task in done.values()} == {"delivered"}
    for task_id in stranded:
        task = done[task_id]
        assert ran_on(task) == "w1", task["history"]
        assert has_detail(task, "resumed after a restart"), task["history"]
        assert statuses(task).count("delivered") == 1


PROXY = """
import asyncio, sys

async def pipe(reader, writer):
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except Exception:
        pass
    finally:
        writer.close()

async def main(listen, target):
    async def handle(reader, writer):
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection("127.0.0.1", target)
        except OSError:
            writer.close()
            return
        await asyncio.gather(pipe(reader, upstream_writer), pipe(upstream_reader, writer))
    server = await asyncio.start_server(handle, "127.0.0.1", listen)
    print("ready", flush=True)
    await server.serve_forever()

asyncio.run(main(int(sys.argv[1]), int(sys.argv[2])))
"""


@dataclass
class Outage:
    """A TCP forwarder in front of a service: ``cut()`` makes the service unreachable
    (connections reset, new ones refused), ``restore()`` brings it back on the same port."""

    target: int
    folder: Path
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[str] | None = None

    def restore(self) -> None:
        script = self.folder / "proxy.py"
        script.write_text(PROXY, encoding="utf-8")
        self.proc = subprocess.Popen(
            [sys.executable, str(script), str(self.port), str(self.target)],
            stdout=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        assert self.proc.stdout is not None and self.proc.stdout.readline().strip() == "ready"

    def cut(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=30)


@pytest.fixture
def outage(tmp_path: Path) -> Iterator[Callable[[int], Outage]]:
    made: list[Outage] = []

    def make(target: int) -> Outage:
        forwarder = Outage(target, tmp_path)
        forwarder.restore()
        made.append(forwarder)
        return forwarder

    try:
        yield make
    finally:
        for forwarder in made:
            forwarder.cut()


@pytest.mark.services
def test_postgresql_unreachable_is_reported_and_loses_no_job(
    project: Project, processes: Processes, postgres: str, outage: Callable[[int], Outage]
) -> None:
    database = outage(POSTGRES[1])
    env = scale_env(postgres, db_port=database.port, APP_FAKE_LATENCY_MS="1500")
    serve = processes.serve({**env, "APP_WORKER_ID": "one"})
    ids = [submit(serve.base, f"{project.text} (outage {n})") for n in range(3)]
    wait_until(serve.base, ids, lambda s: all(t["status"] == "running" for t in s.values()), 60)

    database.cut()
    try:
        status, health = http(serve.base, "GET", "/healthz")
        assert status == 503, health
        assert health["checks"]["database"].startswith("unavailable"), health
        assert health["checks"]["jobs"].startswith("unavailable"), health
        started = time.monotonic()
        status, refused = http(serve.base, "POST", "/v1/tasks", {"input": project.text})
        assert status == 503, refused
        assert refused["error"] in ("database_unavailable", "jobs_unavailable"), refused
        assert "not reachable" in refused["detail"]
        assert time.monotonic() - started < 20
    finally:
        database.restore()

    done = wait_until(serve.base, ids, all_final, timeout=120)
    assert {task["status"] for task in done.values()} == {"delivered"}
    for task in done.values():
        assert statuses(task).count("delivered") == 1
    status, _ = http(serve.base, "GET", "/healthz")
    assert status == 200


@pytest.mark.services
def test_redis_unreachable_is_reported_and_the_jobs_go_on_without_the_cache(
    project: Project, processes: Processes, postgres: str, outage: Callable[[int], Outage]
) -> None:
    cache = outage(REDIS[1])
    env = scale_env(postgres, redis_port=cache.port, APP_FAKE_LATENCY_MS="500")
    serve = processes.serve({**env, "APP_WORKER_ID": "one"})
    first = submit(serve.base, project.text)
    wait_until(serve.base, [first], all_final, timeout=60)

    cache.cut()
    status, health = http(serve.base, "GET", "/healthz")
    assert status == 503, health
    assert health["checks"]["cache"].startswith("unavailable"), health
    assert health["checks"]["jobs"] == "ok"
    during = submit(serve.base, project.text)  # the cache is optional: answered without it
    done = wait_until(serve.base, [during], all_final, timeout=60)[during]
    assert done["status"] == "delivered" and done["cached"] is False, done
    _, metrics = http(serve.base, "GET", "/metrics")
    prefix = variant_names("full")[1]
    assert metric(metrics, f'{prefix}_cache_lookups_total{{result="error"}}') >= 1

    cache.restore()
    again = submit(serve.base, project.text)
    served = wait_until(serve.base, [again], all_final, timeout=60)[again]
    assert served["status"] == "delivered" and served["cached"] is True, served
