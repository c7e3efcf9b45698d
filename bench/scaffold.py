"""Scaffold benchmarks, as ratios to baselines measured in the same run.

    python bench/scaffold.py [--repeat R] [--requests N] [--venv PATH]

1. ``assessor scaffold FILE -o DIR --no-input`` against raw cookiecutter rendering the same
   template with the same context (goal: at most 1.3x). Both as commands (a fresh Python
   process each, what a user waits for) and in-process (the library call against
   ``cookiecutter.main.cookiecutter``), best of R rounds, run in turn.
2. The generated service's request path (``POST /v1/tasks`` with the fake provider, human
   fallback and cache on, a new input each time) against a bare FastAPI endpoint doing the
   same one-row insert (plain SQLAlchemy, in a thread) on the same SQLite database (goal: p50
   at most 1.3x), and cache hits (the same input again) against a bare endpoint returning
   the cached JSON (goal: p50 at most 1.2x; a hit is a stored task too, so it is also shown
   against the bare insert). Both apps run as real uvicorn servers on 127.0.0.1
   (``<project> serve`` and ``uvicorn bare:app``), one keep-alive client sends N requests
   of each kind, the kinds taking turns in every order (a hit asks what the previous round
   asked for the first time). Afterwards the generated service is stopped and every task
   it answered must be in its database (every task is written before its answer).

The generated project needs its dependencies: ``--venv`` names a virtual environment to
install it in; by default the tests' shared venv (.pytest_cache/d/assessor-scaffold-venv) is
used when it exists, otherwise one is built in a temporary folder (needs the package index).
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import hashlib
import http.client
import itertools
import json
import os
import resource
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

TEMPLATE = REPO / "templates" / "ai-service"
CASE = REPO / "examples" / "refund-assistant.yaml"
SHARED_VENVS = REPO / ".pytest_cache" / "d" / "assessor-scaffold-venv"
SCAFFOLD_GOAL = 1.3
REQUEST_GOAL = 1.3
CACHE_GOAL = 1.2

RAW_COOKIECUTTER = """
import json, sys
from cookiecutter.main import cookiecutter
template, context, out = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3]
cookiecutter(template, no_input=True, extra_context=context, output_dir=out)
"""

BARE_APP = """
import asyncio, json, os, secrets
from datetime import UTC, datetime

from fastapi import FastAPI, Response
from pydantic import BaseModel
from sqlalchemy import (
    Column, DateTime, MetaData, String, Table, Text, create_engine, event, insert
)

BODY = json.loads(os.environ["BARE_BODY"])
CACHED = os.environ["BARE_CACHED"].encode()
engine = create_engine(os.environ["BARE_DATABASE_URL"], connect_args={"timeout": 30})


@event.listens_for(engine, "connect")
def pragmas(dbapi_connection, _record):
    # the generated service's settings for SQLite (store.py)
    dbapi_connection.execute("PRAGMA journal_mode=WAL")
    dbapi_connection.execute("PRAGMA synchronous=NORMAL")


rows = Table(
    "bare_tasks",
    MetaData(),
    Column("id", String(32), primary_key=True),
    Column("input", Text),
    Column("output", Text),
    Column("created_at", DateTime(timezone=True)),
)
rows.metadata.create_all(engine)
app = FastAPI()


class TaskIn(BaseModel):
    input: str


def store(text: str) -> str:
    task_id = secrets.token_hex(16)
    with engine.begin() as connection:
        connection.execute(
            insert(rows),
            {
                "id": task_id,
                "input": text,
                "output": BODY["output"],
                "created_at": datetime.now(UTC),
            },
        )
    return task_id


@app.post("/v1/tasks")
async def create_task(task: TaskIn) -> dict:
    task_id = await asyncio.to_thread(store, task.input)
    return {**BODY, "task_id": task_id}


@app.post("/cached")
async def cached(task: TaskIn) -> Response:
    return Response(CACHED, media_type="application/json")
"""


def ratio_line(name: str, value: float, base: float, goal: float, unit: str = "s") -> str:
    ratio = value / base if base else float("inf")
    verdict = "ok" if ratio <= goal else "OVER GOAL"
    return (
        f"ratio {name}: {ratio:.2f}x (goal <= {goal}x, {verdict}; "
        f"{value:.4f}{unit} vs baseline {base:.4f}{unit})"
    )


# ------------------------------------------------------------------------------------------
# 1. scaffold against raw cookiecutter


def cpu_now() -> float:
    """CPU seconds of this process and its finished children (the template's hooks)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def bench_scaffold(repeat: int, work: Path) -> list[str]:
    from assessor.domain.load import load_assessment
    from assessor.scaffold import prepare, render_project

    plan = prepare(load_assessment(CASE)).plan
    context = plan.extra_context()
    assessor_bin = str(Path(sys.executable).parent / "assessor")
    env = {**os.environ, "HOME": str(work / "home")}  # cookiecutter writes a replay file there
    (work / "home").mkdir(parents=True)

    def fresh(name: str, i: int) -> Path:
        return work / f"{name}-{i}"

    # cookiecutter's own command takes the dict under _use_case only from a config file
    config = work / "cookiecutter-config.yaml"
    config.write_text(
        json.dumps({"default_context": context, "replay_dir": str(work / "replay")}),
        encoding="utf-8",
    )
    commands: dict[str, Callable[[int], list[str]]] = {
        "assessor": lambda i: [
            assessor_bin,
            "scaffold",
            str(CASE),
            "-o",
            str(fresh("assessor", i)),
            "--no-input",
        ],
        "cookiecutter-cli": lambda i: [
            str(Path(sys.executable).parent / "cookiecutter"),
            "--no-input",
            "--config-file",
            str(config),
            "-o",
            str(fresh("cookiecutter-cli", i)),
            str(TEMPLATE),
        ],
        "cookiecutter": lambda i: [
            sys.executable,
            "-c",
            RAW_COOKIECUTTER,
            str(TEMPLATE),
            json.dumps(context),
            str(fresh("cookiecutter", i)),
        ],
    }
    best_wall = {name: float("inf") for name in commands}
    best_cpu = {name: float("inf") for name in commands}
    for i in range(repeat):
        for name, make in commands.items():
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            subprocess.run(
                make(i), check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
            wall = time.perf_counter() - start
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
            best_wall[name] = min(best_wall[name], wall)
            best_cpu[name] = min(best_cpu[name], cpu)

    # in-process: the library call against cookiecutter's, imports already paid
    from cookiecutter.main import cookiecutter

    loaded = load_assessment(CASE)
    in_process = {"assessor": float("inf"), "cookiecutter": float("inf")}
    in_process_cpu = dict(in_process)
    os.environ["HOME"] = str(work / "home")
    calls: dict[str, Callable[[int], object]] = {
        "assessor": lambda i: render_project(loaded, work / f"lib-assessor-{i}"),
        "cookiecutter": lambda i: cookiecutter(
            str(TEMPLATE),
            no_input=True,
            extra_context=context,
            output_dir=str(work / f"lib-cookiecutter-{i}"),
        ),
    }
    for i in range(repeat):
        for name, call in calls.items():
            cpu_before = cpu_now()
            start = time.perf_counter()
            call(i)
            in_process[name] = min(in_process[name], time.perf_counter() - start)
            in_process_cpu[name] = min(in_process_cpu[name], cpu_now() - cpu_before)
    return [
        ratio_line(
            "scaffold command vs cookiecutter command (wall)",
            best_wall["assessor"],
            best_wall["cookiecutter-cli"],
            SCAFFOLD_GOAL,
        ),
        ratio_line(
            "scaffold command vs cookiecutter command (cpu)",
            best_cpu["assessor"],
            best_cpu["cookiecutter-cli"],
            SCAFFOLD_GOAL,
        ),
        ratio_line(
            "scaffold command vs python -c cookiecutter() (wall)",
            best_wall["assessor"],
            best_wall["cookiecutter"],
            SCAFFOLD_GOAL,
        ),
        ratio_line(
            "scaffold command vs python -c cookiecutter() (cpu)",
            best_cpu["assessor"],
            best_cpu["cookiecutter"],
            SCAFFOLD_GOAL,
        ),
        ratio_line(
            "scaffold in-process vs cookiecutter() (wall)",
            in_process["assessor"],
            in_process["cookiecutter"],
            SCAFFOLD_GOAL,
        ),
        ratio_line(
            "scaffold in-process vs cookiecutter() (cpu, with hook processes)",
            in_process_cpu["assessor"],
            in_process_cpu["cookiecutter"],
            SCAFFOLD_GOAL,
        ),
    ]


# ------------------------------------------------------------------------------------------
# 2. the generated service against a bare FastAPI endpoint


def template_hash() -> str:
    """Same key as tests/scaffold (so the tests' shared venv is found)."""
    digest = hashlib.sha256(f"{sys.version_info[:2]}".encode())
    for path in sorted(TEMPLATE.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(TEMPLATE)).encode())
            digest.update(b"\0")
            digest.update(path.read_bytes())
            digest.update(b"\0")
    return digest.hexdigest()[:16]


@contextlib.contextmanager
def locked(lock_file: Path) -> Iterator[None]:
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_file, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def venv_for(project: Path, given: Path | None, work: Path) -> tuple[Path, Path]:
    """A venv with the project's dependencies, and the lock guarding pip in it."""
    if given is not None:
        return given, given.parent / f".{given.name}.lock"
    shared = SHARED_VENVS / f"venv-{template_hash()}"
    if (shared / ".assessor-ready").exists():
        return shared, SHARED_VENVS / "venv.lock"
    venv = work / "venv"
    print("building a venv for the generated project (once; needs the package index)...")
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    data = tomllib.loads((project / "pyproject.toml").read_text())
    deps = [
        *data["project"]["dependencies"],
        *data.get("build-system", {}).get("requires", []),
        "editables",
        "httpx",
    ]
    subprocess.run([str(venv / "bin/python"), "-m", "pip", "install", "-q", *deps], check=True)
    return venv, work / "venv.lock"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    def __init__(self, cmd: list[str], env: dict[str, str], cwd: Path, log: Path) -> None:
        self.port = free_port()
        self.proc = subprocess.Popen(
            [*cmd, "--host", "127.0.0.1", "--port", str(self.port)],
            cwd=cwd,
            env=env,
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
        )
        self.log = log
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"server exited:\n{log.read_text()[-3000:]}")
            with contextlib.suppress(OSError):
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                break
            time.sleep(0.1)
        self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        self.last_used = time.monotonic()

    def post(
        self, body: dict[str, str], path: str = "/v1/tasks", token: str | None = None
    ) -> tuple[float, int, bytes]:
        payload = json.dumps(body).encode()
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if time.monotonic() - self.last_used > 4:
            # uvicorn closes a keep-alive connection idle for 5 s (a busy machine pauses)
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        start = time.perf_counter()
        self.conn.request("POST", path, body=payload, headers=headers)
        response = self.conn.getresponse()
        data = response.read()
        self.last_used = time.monotonic()
        return time.perf_counter() - start, response.status, data

    def stop(self) -> None:
        self.conn.close()
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def bench_service(requests: int, work: Path, venv_arg: Path | None) -> list[str]:
    from assessor.domain.load import load_assessment
    from assessor.scaffold import render_project

    project = render_project(
        load_assessment(CASE),
        work / "bench-svc",
        project_slug="bench-svc",
        package_name="bench_svc",
        with_patterns=["human_fallback", "response_cache"],
        without_patterns=["async_pipeline"],
    )
    venv, lock = venv_for(project, venv_arg, work)
    python = venv / "bin" / "python"
    with locked(lock):
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", "--no-build-isolation", "-e", str(project)],
            check=True,
        )
    run_dir = work / "run"
    run_dir.mkdir(parents=True)
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("APP_", "PYTHON", "VIRTUAL_ENV"))
    }
    app_env = {
        **env,
        "APP_FAKE_CONFIDENCE": "1.0",
        "APP_REVIEW_SAMPLE_RATE": "0",
        "APP_DATABASE_URL": f"sqlite:///{run_dir}/bench.db",
    }
    created = subprocess.run(
        [str(venv / "bin" / "bench-svc"), "token", "create", "--name", "bench", "--role", "client"],
        cwd=run_dir,
        env=app_env,
        capture_output=True,
        text=True,
        check=True,
    )
    token = created.stdout.strip().splitlines()[-1]
    generated = Server(
        [str(venv / "bin" / "bench-svc"), "serve", "--log-level", "warning"],
        app_env,
        run_dir,
        run_dir / "generated.log",
    )
    answered = 0
    try:
        _, status, body = generated.post(
            {"input": "What is the refund window for shoes?"}, token=token
        )
        answered += 1
        if status != 200:
            raise SystemExit(f"generated service answered {status}: {body[:500]!r}")
        (run_dir / "bare.py").write_text(BARE_APP)
        _, status, cached_body = generated.post(
            {"input": "What is the refund window for shoes?"}, token=token
        )
        answered += 1
        if status != 200 or json.loads(cached_body).get("cached") is not True:
            raise SystemExit(f"no cache hit: {status} {cached_body[:500]!r}")
        bare = Server(
            [str(python), "-m", "uvicorn", "bare:app", "--log-level", "warning"],
            {
                **env,
                "BARE_BODY": body.decode(),
                "BARE_CACHED": cached_body.decode(),
                "BARE_DATABASE_URL": f"sqlite:///{run_dir}/bench.db",
            },
            run_dir,
            run_dir / "bare.log",
        )
        try:
            kinds = ("miss", "hit", "bare_insert", "bare_cached")
            samples: dict[str, list[float]] = {kind: [] for kind in kinds}
            warm = 30
            batches = 10
            per_batch = max(1, requests // batches)
            counter = 0
            # The kinds take turns in every order: a request that follows one to the same
            # server is faster (its process is awake), so no kind may always go second.
            orders = list(itertools.permutations(kinds))
            previous = "What is the refund window for shoes?"  # answered: a cache hit now
            for batch in range(batches + 1):
                count = warm if batch == 0 else per_batch
                for _ in range(count):
                    counter += 1
                    question = f"Can I return item {counter} after 30 days?"
                    times: dict[str, float] = {}
                    for kind in orders[counter % len(orders)]:
                        if kind == "bare_insert":
                            times[kind], status, answer = bare.post({"input": question})
                        elif kind == "bare_cached":
                            times[kind], status, answer = bare.post({"input": previous}, "/cached")
                        else:
                            text = previous if kind == "hit" else question
                            times[kind], status, answer = generated.post(
                                {"input": text}, token=token
                            )
                            answered += 1
                        assert status == 200, (kind, status, answer[:500])
                        if kind == "hit":
                            assert json.loads(answer)["cached"] is True, answer
                    previous = question
                    if batch == 0:
                        continue
                    for kind, seconds in times.items():
                        samples[kind].append(seconds)
        finally:
            bare.stop()
    finally:
        generated.stop()
    with contextlib.closing(sqlite3.connect(run_dir / "bench.db")) as database:
        (stored,) = database.execute("SELECT count(*) FROM tasks").fetchone()
    if stored != answered:
        raise SystemExit(f"the generated service answered {answered} tasks but stored {stored}")

    p50 = {name: statistics.median(values) for name, values in samples.items()}
    p95 = {name: percentile(values, 0.95) for name, values in samples.items()}
    lines = [
        f"service p50/p95 ms over {len(samples['miss'])} requests each: "
        + ", ".join(f"{name} {p50[name] * 1000:.2f}/{p95[name] * 1000:.2f}" for name in samples)
        + f" (all {answered} answered tasks stored)",
        ratio_line(
            "request path (fake provider, cache miss) vs bare FastAPI one-row insert, p50",
            p50["miss"] * 1000,
            p50["bare_insert"] * 1000,
            REQUEST_GOAL,
            "ms",
        ),
        ratio_line(
            "cache hit vs bare FastAPI returning the cached JSON, p50",
            p50["hit"] * 1000,
            p50["bare_cached"] * 1000,
            CACHE_GOAL,
            "ms",
        ),
        ratio_line(
            "cache hit vs bare FastAPI one-row insert (a hit is a stored task too), p50",
            p50["hit"] * 1000,
            p50["bare_insert"] * 1000,
            CACHE_GOAL,
            "ms",
        ),
    ]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=7, help="rounds for the scaffold timings")
    parser.add_argument("--requests", type=int, default=300, help="measured requests per side")
    parser.add_argument("--venv", type=Path, help="venv to install the generated project in")
    parser.add_argument("--skip-service", action="store_true", help="only the scaffold timing")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="assessor-bench-scaffold-"))
    try:
        for line in bench_scaffold(args.repeat, work / "scaffold"):
            print(line, flush=True)
        if not args.skip_service:
            for line in bench_service(args.requests, work / "service", args.venv):
                print(line, flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
