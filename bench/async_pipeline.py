"""Benchmark: the generated service's async pipeline, end to end, against direct calls.

Renders the full-set project (templates/ai-service), installs it once in a cached venv, and
runs it as real processes on 127.0.0.1 with the fake provider (``APP_FAKE_LATENCY_MS``):

- ``sqlite``: one ``serve`` process running its jobs in-process (the one-machine setup);
- ``pg-1`` and ``pg-2``: one API-only ``serve`` and one or two ``worker`` processes on
  PostgreSQL (skipped when PostgreSQL is not reachable).

For each it submits N tasks over HTTP (16 client threads), waits until every task is
delivered, and reports jobs per second (first POST to last delivery) and the
enqueue-to-delivered latency p50/p95 (from each task's status history), under that load and
for jobs submitted one at a time (an idle queue). The baselines, measured in the same run,
are the same fake provider call made directly in one process: with the same concurrency
for the throughput and the latency under load, one call at a time for the idle latency.
Prints one ``ratio`` line per figure (no goals: the issue asks for the figures).

    python bench/async_pipeline.py [--jobs 200] [--latency-ms 100] [--concurrency 16]
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import hashlib
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
TEMPLATE = REPO / "templates" / "ai-service"
SLUG, PACKAGE = "bench-async", "bench_async"
POSTGRES = ("127.0.0.1", 5432)


# --- the project, installed once per template version -----------------------------------------


def template_hash() -> str:
    digest = hashlib.sha256(f"{sys.version_info[:2]}".encode())
    for path in sorted(TEMPLATE.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(TEMPLATE)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def installed_project() -> tuple[Path, Path]:
    """(project folder, venv) under ~/.cache/assessor-bench, rebuilt when the template changes."""
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "assessor-bench"
    cache.mkdir(parents=True, exist_ok=True)
    home = cache / f"async-{template_hash()}"
    with open(cache / "lock", "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        venv = home / "venv"
        if not (home / "ready").exists():
            from cookiecutter.main import cookiecutter

            subprocess.run(["rm", "-rf", str(home)], check=True)
            home.mkdir()
            cookiecutter(
                str(TEMPLATE),
                no_input=True,
                output_dir=str(home),
                extra_context={
                    "project_name": "Bench async",
                    "project_slug": SLUG,
                    "package_name": PACKAGE,
                    "task_type": "text_generation",
                    "human_fallback": True,
                    "async_pipeline": True,
                    "response_cache": True,
                },
            )
            print("installing the generated project (once per template version)...", flush=True)
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
            pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q"]
            subprocess.run([*pip, str(home / SLUG)], check=True)
            (home / "ready").write_text("ok")
    return home / SLUG, venv


# --- processes and HTTP --------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def http(base: str, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        base + path, data=data, method=method, headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def environment(extra: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("APP_", "VIRTUAL_ENV"))}
    env.update(extra)
    return env


@contextlib.contextmanager
def processes() -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    try:
        yield started
    finally:
        for proc in started:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=30)


def start(
    started: list[subprocess.Popen[bytes]],
    venv: Path,
    command: str,
    env: dict[str, str],
    cwd: Path,
) -> str:
    port = free_port()
    log = (cwd / f"{command}-{port}.log").open("ab")
    proc = subprocess.Popen(
        [str(venv / "bin" / SLUG), command, "--port", str(port), "--log-level", "warning"],
        cwd=cwd,
        env=environment(env),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    started.append(proc)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"{command} exited; see {log.name}")
        with contextlib.suppress(OSError):
            if http(base, "GET", "/healthz")[0] == 200:
                return base
        time.sleep(0.1)
    raise SystemExit(f"{command} did not start")


# --- measurements ----------------------------------------------------------------------------


def at(event: dict[str, Any]) -> float:
    return datetime.fromisoformat(event["at"].replace("Z", "+00:00")).timestamp()


def delivered_count(base: str) -> float:
    request = urllib.request.Request(base + "/metrics")
    with urllib.request.urlopen(request, timeout=60) as response:
        for line in response.read().decode().splitlines():
            if line.startswith(f'{PACKAGE}_jobs{{status="delivered"}} '):
                return float(line.split()[-1])
    return 0.0


def cpu_times() -> tuple[float, float]:
    """(busy, total) jiffies of all cores since boot (Linux); (0, 0) elsewhere."""
    try:
        fields = [float(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    except OSError:
        return 0.0, 0.0
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields)


def run_jobs(base: str, jobs: int, text: str) -> dict[str, float]:
    """Submit ``jobs`` tasks with 16 client threads; wait for all; measure from histories."""
    run = uuid.uuid4().hex[:8]
    busy_before, total_before = cpu_times()
    done_before = delivered_count(base)
    started = time.time()
    with ThreadPoolExecutor(16) as pool:
        answers = list(
            pool.map(
                lambda n: http(base, "POST", "/v1/tasks", {"input": f"{text} ({run}-{n})"}),
                range(jobs),
            )
        )
    ids = [body["task_id"] for status, body in answers if status == 202]
    assert len(ids) == jobs, answers[:3]
    # One cheap query per poll (the /metrics gauge), not one GET per task: the client must
    # not compete with the service for the CPU while it is measured.
    deadline = time.monotonic() + 600
    while delivered_count(base) < done_before + jobs:
        if time.monotonic() > deadline:
            raise SystemExit(f"jobs not finished after 600 s: {delivered_count(base)} delivered")
        time.sleep(0.2)
    busy_after, total_after = cpu_times()
    cpu = (busy_after - busy_before) / max(total_after - total_before, 1.0)
    latencies, last = [], 0.0
    for task_id in ids:
        history = http(base, "GET", f"/v1/tasks/{task_id}")[1]["history"]
        queued = next(at(e) for e in history if e["status"] == "queued")
        delivered = next(at(e) for e in history if e["status"] == "delivered")
        latencies.append(delivered - queued)
        last = max(last, delivered)
    return {**summary(jobs / (last - started), latencies), "cpu": cpu}


def one_at_a_time(base: str, jobs: int, text: str) -> dict[str, float]:
    """Latency with an idle queue: each job is submitted once the previous one is done."""
    run = uuid.uuid4().hex[:8]
    latencies = []
    for n in range(jobs):
        task = http(base, "POST", "/v1/tasks", {"input": f"{text} (alone {run}-{n})"})[1]
        deadline = time.monotonic() + 60
        while task["status"] != "delivered":
            if time.monotonic() > deadline:
                raise SystemExit(f"job {task['task_id']} not delivered after 60 s")
            time.sleep(0.005)
            task = http(base, "GET", f"/v1/tasks/{task['task_id']}")[1]
        history = task["history"]
        queued = next(at(e) for e in history if e["status"] == "queued")
        latencies.append(next(at(e) for e in history if e["status"] == "delivered") - queued)
    return summary(jobs / sum(latencies), latencies)


def summary(rate: float, latencies: list[float]) -> dict[str, float]:
    cuts = statistics.quantiles(latencies, n=20)
    return {"rate": rate, "p50": statistics.median(latencies), "p95": cuts[18]}


BASELINE = """
import asyncio, json, sys, time
from {package}.providers import FakeProvider, build_request
from {package}.settings import Settings

async def main(jobs, concurrency):
    provider = FakeProvider(Settings(_env_file=None, fake_latency_ms={latency}))
    gate = asyncio.Semaphore(concurrency)
    latencies = []

    async def one(n):
        async with gate:
            began = time.perf_counter()
            await provider.complete(build_request(f"direct call {{n}}"))
            latencies.append(time.perf_counter() - began)

    began = time.perf_counter()
    await asyncio.gather(*(one(n) for n in range(jobs)))
    print(json.dumps({{"seconds": time.perf_counter() - began, "latencies": latencies}}))

asyncio.run(main(int(sys.argv[1]), int(sys.argv[2])))
"""


def baseline(venv: Path, jobs: int, latency_ms: int, concurrency: int) -> dict[str, float]:
    """The same fake call, made directly in one process with the same concurrency."""
    code = BASELINE.format(package=PACKAGE, latency=latency_ms)
    out = subprocess.run(
        [str(venv / "bin" / "python"), "-c", code, str(jobs), str(concurrency)],
        capture_output=True,
        text=True,
        check=True,
        env=environment({}),
    ).stdout
    data = json.loads(out)
    return summary(jobs / data["seconds"], data["latencies"])


def postgres_reachable() -> bool:
    try:
        with socket.create_connection(POSTGRES, timeout=1):
            return True
    except OSError:
        return False


def psql(sql: str) -> None:
    subprocess.run(
        ["psql", "-h", POSTGRES[0], "-U", "postgres", "-d", "test", "-q", "-c", sql],
        check=True,
        capture_output=True,
        timeout=60,
    )


def scenario(
    name: str, venv: Path, text: str, args: argparse.Namespace, workers: int, base_env: dict
) -> tuple[dict[str, float], dict[str, float]]:
    """(N jobs submitted at once, jobs submitted one at a time) on one setup."""
    common = {
        "APP_FAKE_LATENCY_MS": str(args.latency_ms),
        "APP_FAKE_CONFIDENCE": "1.0",
        "APP_REVIEW_SAMPLE_RATE": "0",
        "APP_REVIEW_ALL": "false",
        "APP_WORKER_CONCURRENCY": str(args.concurrency),
        "APP_QUEUE_POLL_SECONDS": "0.05",
        **base_env,
    }
    with tempfile.TemporaryDirectory(prefix=f"bench-{name}-") as folder, processes() as started:
        cwd = Path(folder)
        if workers == 0:
            base = start(started, venv, "serve", {**common, "APP_WORKER_ID": "serve"}, cwd)
        else:
            api = {**common, "APP_WORKER_ID": "api", "APP_SERVE_WORKERS": "false"}
            base = start(started, venv, "serve", api, cwd)
            for n in range(workers):
                start(started, venv, "worker", {**common, "APP_WORKER_ID": f"w{n}"}, cwd)
        run_jobs(base, 20, text)  # warm-up: connections, first dequeue
        alone = one_at_a_time(base, 20, text)
        return run_jobs(base, args.jobs, text), alone


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=200)
    parser.add_argument("--latency-ms", type=int, default=100)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()

    project, venv = installed_project()
    text = json.loads((project / "evals" / "golden.jsonl").read_text().splitlines()[0])["input"]
    direct = baseline(venv, args.jobs, args.latency_ms, args.concurrency)
    print(
        f"direct fake call ({args.concurrency} at a time, {args.latency_ms} ms): "
        f"{direct['rate']:.1f} calls/s, p50 {direct['p50'] * 1000:.0f} ms, "
        f"p95 {direct['p95'] * 1000:.0f} ms"
    )

    single = baseline(venv, 20, args.latency_ms, 1)
    results: dict[str, tuple[dict[str, float], dict[str, float]]] = {}
    results["sqlite"] = scenario("sqlite", venv, text, args, 0, {})
    if postgres_reachable():
        for workers in (1, 2):
            database = f"bench_async_{uuid.uuid4().hex[:10]}"
            psql(f'CREATE DATABASE "{database}"')
            try:
                url = f"postgresql://postgres@127.0.0.1:5432/{database}"
                env = {"APP_DATABASE_URL": url, "APP_DBOS_DATABASE_URL": url}
                results[f"pg-{workers}"] = scenario(f"pg{workers}", venv, text, args, workers, env)
            finally:
                psql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    else:
        print("PostgreSQL not reachable on 127.0.0.1:5432: pg-1 and pg-2 skipped")

    for name, (load, alone) in results.items():
        print(
            f"ratio {name} throughput vs direct calls: {load['rate'] / direct['rate']:.2f}x "
            f"({load['rate']:.1f} jobs/s vs {direct['rate']:.1f} calls/s; "
            f"the machine's {os.cpu_count()} cores {load['cpu']:.0%} busy)"
        )
        for label, result, base in (("alone", alone, single), ("under load", load, direct)):
            print(
                f"ratio {name} enqueue-to-delivered {label}: "
                f"p50 {result['p50'] / base['p50']:.1f}x, p95 {result['p95'] / base['p95']:.1f}x "
                f"({result['p50'] * 1000:.0f}/{result['p95'] * 1000:.0f} ms vs "
                f"{base['p50'] * 1000:.0f}/{base['p95'] * 1000:.0f} ms)"
            )
    if "pg-1" in results and "pg-2" in results:
        one, two = results["pg-1"][0]["rate"], results["pg-2"][0]["rate"]
        print(
            f"ratio pg scaling 2 workers / 1 worker: {two / one:.2f}x "
            f"({two:.1f} vs {one:.1f} jobs/s)"
        )


if __name__ == "__main__":
    main()
