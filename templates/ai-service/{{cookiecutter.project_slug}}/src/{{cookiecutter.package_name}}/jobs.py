"""The async pipeline: every task is a durable job (a DBOS workflow) on a queue.

``POST /v1/tasks`` stores the task as ``queued`` and enqueues the workflow
:func:`process_task` under the task's id, then answers 202. A worker runs the pipeline's
steps (``pipeline.py``) one by one:
{% if cookiecutter.response_cache %}cache lookup -> {% endif %}generate ->
{%- if cookiecutter.human_fallback %} estimate confidence ->{% endif %} route -> record.
DBOS checkpoints each finished step in its system database (``APP_DBOS_DATABASE_URL``):
when a process dies mid-job, the job resumes from its last finished step when the process
with the same ``APP_WORKER_ID`` starts again (or after ``recover``, see below). A step that
had not finished runs again; the record step checks the task first, so a task is delivered
once and its review is queued once.

Where the jobs run:

- ``serve`` runs the API and, unless ``APP_SERVE_WORKERS=false``, workers in the same process.
- ``worker`` runs workers only. With PostgreSQL as ``APP_DBOS_DATABASE_URL``, any number of
  ``serve`` and ``worker`` processes on any machines share the queue.

The queue's limits are settings: ``APP_WORKER_CONCURRENCY`` jobs at once per process,
``APP_QUEUE_CONCURRENCY`` at once over all processes, and at most
``APP_PROVIDER_RATE_LIMIT`` jobs started per ``APP_PROVIDER_RATE_PERIOD_SECONDS`` (the model
provider's rate limit). A provider call retries with backoff inside its step
(``providers.complete_with_retries``); store steps retry on database errors.

A task routed to a reviewer without being delivered hands over to a second workflow,
:func:`await_review`, which waits durably for the decision (surviving restarts) without
holding a queue slot. The API applies the decision to the task at once (``reviews.py``)
and wakes that workflow, which records it in the task's history and finishes the job.

Every status change is written to the task's history (``GET /v1/tasks/{id}``) with the
worker that made it.
"""

import asyncio
import contextlib
import functools
import logging
import socket
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal, ParamSpec, TypeVar

import sqlalchemy as sa
from dbos import DBOS, DBOSConfig, SetWorkflowID
from sqlalchemy import select, update
from sqlalchemy.exc import DBAPIError, IntegrityError

{% if cookiecutter.response_cache -%}
from .cache import CachedAnswer
{% endif -%}
from .errors import ProviderFailed
from .models import TASK_STATUSES, Review, Task, TaskEvent, WorkerSeen
from .pipeline import Route
from .providers import Completion
from .settings import Settings
from .store import ReviewRecord, TaskRecord

log = logging.getLogger(__name__)
P = ParamSpec("P")
T = TypeVar("T")

QUEUE = "tasks"
REVIEW_TOPIC = "review_decided"
APP_NAME = "{{ cookiecutter.package_name }}"
WORKFLOW_VERSION = "1"
"""DBOS resumes a job only on the version that started it. Bump this when the steps of
``process_task`` or ``await_review`` change order or meaning; drain the queue first."""
REVIEW_WAIT_SLICE_SECONDS = 3600
"""A waiting review workflow also looks at the review itself this often, in case the
wake-up message was lost (the API could not reach the jobs database when it was decided)."""

Role = Literal["serve", "worker"]
FINAL = ("delivered", "needs_review", "rejected", "failed")


class JobsUnavailable(Exception):
    """The jobs database (``APP_DBOS_DATABASE_URL``) cannot be reached."""


@dataclass
class _Runtime:
    settings: Settings
    services: Any  # services.Services; typed loosely to avoid an import cycle
    role: Role
    worker_id: str
    probe: sa.Engine
    watcher: "asyncio.Task[None] | None" = None


_runtime: _Runtime | None = None
_THIS_PROCESS = uuid.uuid4().hex
"""Returned by the first step of a job: a recorded value from another process means the
job is resuming after that process stopped."""


def _rt() -> _Runtime:
    if _runtime is None:
        raise RuntimeError("the job runtime is not started (jobs.start)")
    return _runtime


def _now() -> datetime:
    return datetime.now(UTC)


# --- Configuration and lifecycle ----------------------------------------------------------


def system_database_url(settings: Settings) -> str:
    """``APP_DBOS_DATABASE_URL`` with the driver DBOS uses (psycopg 3 for PostgreSQL)."""
    url = settings.dbos_database_url
    for plain in ("postgresql://", "postgres://"):
        if url.startswith(plain):
            return "postgresql+psycopg://" + url.removeprefix(plain)
    return url


def worker_id(settings: Settings, role: Role) -> str:
    """This process's id in the jobs database: ``APP_WORKER_ID``, else ``<role>-<host>``.

    A process resumes the unfinished jobs recorded under its own id when it starts, so the
    id must be stable across restarts and different for processes running at the same time.
    """
    return settings.worker_id or f"{role}-{socket.gethostname()}"


def _dbos_config(settings: Settings, role: Role) -> DBOSConfig:
    url = system_database_url(settings)
    config: DBOSConfig = {
        "name": APP_NAME,
        "system_database_url": url,
        "dbos_system_schema": settings.dbos_schema,
        "executor_id": worker_id(settings, role),
        # Not DBOS's default (a hash of the code): a restart with an edited prompt or
        # provider must still finish the jobs in flight.
        "application_version": WORKFLOW_VERSION,
        "log_level": "WARNING",
        "notification_listener_polling_interval_sec": 0.2,
    }
    if not url.startswith("sqlite"):
        config["db_engine_kwargs"] = {"connect_args": {"connect_timeout": 5}}
    return config


def _prepare_sqlite(sqlite_url: str) -> None:
    """Create the file's folder and switch the file to write-ahead logging (it stays so):
    readers no longer wait for writers, and a commit costs one write instead of several.
    A killed process loses nothing committed; a power cut may lose the last commits."""
    import sqlite3
    from pathlib import Path

    database = sqlite_url.split("///", 1)[-1].split("?", 1)[0]
    if not database or database == ":memory:":
        return
    Path(database).parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(database, timeout=30)
    try:
        connection.execute("PRAGMA journal_mode=WAL")
    finally:
        connection.close()


async def start(settings: Settings, services: Any, role: Role) -> None:
    """Launch DBOS in the running event loop, so jobs run on it next to the API.

    ``role`` ``serve`` listens to the queue unless ``APP_SERVE_WORKERS=false``; ``worker``
    always does.
    """
    global _runtime
    listen = role == "worker" or settings.serve_workers
    url = system_database_url(settings)
    probe_args = {} if url.startswith("sqlite") else {"connect_args": {"connect_timeout": 3}}
    _runtime = _Runtime(
        settings=settings,
        services=services,
        role=role,
        worker_id=worker_id(settings, role),
        probe=sa.create_engine(url, poolclass=sa.pool.NullPool, **probe_args),
    )
    try:
        await asyncio.to_thread(_prepare_system_database, settings, _runtime.worker_id)
    except DBAPIError as error:
        shown = sa.make_url(url).render_as_string(hide_password=True)
        reason = str(error.orig or error).splitlines()[0]
        raise JobsUnavailable(f"the jobs database {shown} is not reachable: {reason}") from None
    DBOS(config=_dbos_config(settings, role))
    if not listen:
        DBOS.listen_queues([])
    # Launched from the event loop's thread: DBOS then runs async workflows on this loop,
    # where the provider's connections live.
    DBOS.launch()
    _runtime.watcher = asyncio.create_task(_watch_workers(_runtime))
    log.info(
        "jobs: worker id %s, queue %r %s",
        _runtime.worker_id,
        QUEUE,
        "listening" if listen else "not listening (APP_SERVE_WORKERS=false)",
    )


def _prepare_system_database(settings: Settings, worker: str) -> None:
    """Create or migrate the jobs tables and store the queue's limits before launch, so
    the workers find the queue at once; say how many jobs of this worker will resume."""
    from dbos import DBOSClient

    url = system_database_url(settings)
    if url.startswith("sqlite"):
        _prepare_sqlite(url)
    logging.getLogger("dbos").setLevel(logging.WARNING)  # one line per migration otherwise
    DBOS.migrate(url, schema=settings.dbos_schema)
    worker_limit = settings.worker_concurrency
    if settings.queue_concurrency:
        worker_limit = min(worker_limit, settings.queue_concurrency)
    limiter = None
    if settings.provider_rate_limit > 0:
        limiter = {
            "limit": settings.provider_rate_limit,
            "period": settings.provider_rate_period_seconds,
        }
    client = DBOSClient(
        system_database_url=url, dbos_system_schema=settings.dbos_schema, application_name=APP_NAME
    )
    try:
        # The last process started sets the limits for all (they live in the database).
        client.register_queue(
            QUEUE,
            worker_concurrency=worker_limit,
            global_concurrency=settings.queue_concurrency or None,
            limiter=limiter,  # type: ignore[arg-type]
            polling_interval_sec=settings.queue_poll_seconds,
            on_conflict="always_update",
            application_name=APP_NAME,
        )
        unfinished = client.list_workflows(
            status="PENDING", executor_id=worker, load_input=False, load_output=False
        )
        if unfinished:
            log.warning("jobs: %d unfinished job(s) of %s resume now", len(unfinished), worker)
    finally:
        client.destroy()


async def stop() -> None:
    global _runtime
    if _runtime is None:
        return
    if _runtime.watcher is not None:
        _runtime.watcher.cancel()
    await asyncio.to_thread(DBOS.destroy, workflow_completion_timeout_sec=0)
    _runtime.probe.dispose()
    _runtime = None


async def ping() -> None:
    """Raise when the jobs database cannot be reached (for ``/healthz``)."""
    engine = _rt().probe

    def check() -> None:
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))

    await asyncio.to_thread(check)


_last_reachable = 0.0


async def _recently_reachable() -> None:
    """Fail fast when the jobs database is down (DBOS itself would wait for it), without
    a connection per request: a success is trusted for two seconds."""
    global _last_reachable
    if time.monotonic() - _last_reachable < 2.0:
        return
    await ping()
    _last_reachable = time.monotonic()


# --- What the API calls ---------------------------------------------------------------------


async def enqueue(task_id: str) -> None:
    """Queue the job of a stored task; queuing the same task again is a no-op.

    Raises:
        JobsUnavailable: the jobs database did not answer in time.
    """
    try:
        await _recently_reachable()
        async with asyncio.timeout(10):
            with SetWorkflowID(task_id):
                await DBOS.enqueue_workflow_async(QUEUE, process_task, task_id)
    except (TimeoutError, DBAPIError) as error:
        raise JobsUnavailable(str(error) or type(error).__name__) from None


async def discard(task_id: str) -> None:
    """Remove a task whose job could not be queued. Should the enqueue still land later,
    the job finds no task and does nothing."""

    def delete(connection: sa.Connection) -> None:
        connection.execute(sa.delete(TaskEvent).where(TaskEvent.task_id == task_id))
        connection.execute(sa.delete(Task).where(Task.id == task_id))

    await _rt().services.store.run(delete)


async def requeue_orphans(limit: int = 10_000) -> int:
    """Queue the jobs of tasks stored as ``queued`` whose enqueue never happened (a crash
    between the two writes). Called once at start-up; enqueuing is idempotent."""
    query = select(Task.id).where(Task.status == "queued").order_by(Task.created_at).limit(limit)
    ids = await _rt().services.store.run(lambda connection: connection.scalars(query).all())
    for task_id in ids:
        await enqueue(task_id)
    return len(ids)


async def review_decided(review: ReviewRecord) -> None:
    """Tell the job waiting for this review that it was decided (best effort: the waiting
    job also checks the review itself every ``REVIEW_WAIT_SLICE_SECONDS``)."""
    if review.reason == "sample":
        # A sampled output was delivered already and its job is finished: the decision
        # is recorded here.
        status = "rejected" if review.status == "rejected" else "delivered"
        detail = f"sample {review.status} by {review.decided_by}"
        await add_event(review.task_id, status, f"review:{review.id}", detail)
        return
    try:
        async with asyncio.timeout(5):
            await DBOS.send_async(review_workflow_id(review.task_id), review.id, REVIEW_TOPIC)
    except Exception as error:  # the waiting job will find the decision on its own
        log.warning("could not wake the job of task %s: %s", review.task_id, error)


async def history(task_id: str) -> list[dict[str, Any]]:
    """The task's status changes, oldest first: status, at, worker, detail."""
    columns = (TaskEvent.status, TaskEvent.at, TaskEvent.worker, TaskEvent.detail)
    query = select(*columns).where(TaskEvent.task_id == task_id).order_by(TaskEvent.id)
    events = await _rt().services.store.run(
        lambda connection: [dict(row._mapping) for row in connection.execute(query)]
    )
    for event in events:
        if event["at"].tzinfo is None:  # SQLite keeps no time zone; the values are UTC
            event["at"] = event["at"].replace(tzinfo=UTC)
    return events


async def status_counts() -> dict[str, int]:
    """Tasks per status over all processes (queue depth = ``queued``)."""
    query = select(Task.status, sa.func.count()).group_by(Task.status)
    return await _rt().services.store.run(
        lambda connection: {status: count for status, count in connection.execute(query)}
    )


async def refresh_gauges(metrics: Any) -> None:
    """Set the ``*_jobs`` gauges from the store (all processes' tasks) before a scrape."""
    try:
        counts = await status_counts()
    except DBAPIError as error:
        log.warning("job gauges not refreshed: %s", error)
        return
    for status in TASK_STATUSES:
        metrics.jobs.labels(status=status).set(counts.get(status, 0))


def review_workflow_id(task_id: str) -> str:
    return f"{task_id}-review"


# --- Recovery of a worker that is gone for good ---------------------------------------------


async def _watch_workers(rt: _Runtime) -> None:
    """Heartbeat, and hand the jobs of silent workers to the queue.

    Every process writes its heartbeat each ``APP_WORKER_TIMEOUT_SECONDS / 4`` (15 s when
    the timeout is 0, for ``recover``). A worker
    silent for longer than ``APP_WORKER_TIMEOUT_SECONDS`` is taken for gone: its unfinished
    jobs go back on their queue, where the running workers pick them up (a worker that
    restarts with its id finds them handed over, or resumes them itself). A process only
    judges others after its own heartbeat has worked for a whole timeout, so that after a
    database outage every process has had the time to write its heartbeat again.
    """
    timeout = rt.settings.worker_timeout_seconds
    healthy_since: float | None = None
    while True:
        try:
            await _heartbeat(rt)
            now = time.monotonic()
            healthy_since = healthy_since or now
            if timeout > 0 and now - healthy_since >= timeout:
                for gone in await _silent_workers(rt, timeout):
                    handed = await asyncio.to_thread(_hand_over, gone)
                    await _forget(rt, gone)
                    if handed:
                        log.warning(
                            "worker %s silent for %g s: %d job(s) handed over",
                            gone,
                            timeout,
                            handed,
                        )
        except DBAPIError as error:
            healthy_since = None
            log.warning("jobs: heartbeat not written: %s", str(error).splitlines()[0])
        except Exception:  # keep watching whatever happens
            log.exception("jobs: worker watch failed")
        await asyncio.sleep(_heartbeat_window(rt.settings) / 4)


def _heartbeat_window(settings: Settings) -> float:
    """How long a heartbeat counts as a sign of life."""
    return settings.worker_timeout_seconds or 60.0


async def _recent_heartbeats(settings: Settings, worker_ids: list[str]) -> dict[str, float]:
    """Seconds since the last heartbeat of each of ``worker_ids`` that looks alive."""
    from .store import Store

    store = await Store.open(settings)
    try:
        query = select(WorkerSeen.worker_id, WorkerSeen.last_seen).where(
            WorkerSeen.worker_id.in_(worker_ids),
            WorkerSeen.last_seen > time.time() - _heartbeat_window(settings),
        )
        rows = await store.run(lambda connection: connection.execute(query).all())
    finally:
        await store.close()
    return {worker: time.time() - seen for worker, seen in rows}


async def _heartbeat(rt: _Runtime) -> None:
    def beat(connection: sa.Connection) -> None:
        updated = connection.execute(
            update(WorkerSeen)
            .where(WorkerSeen.worker_id == rt.worker_id)
            .values(last_seen=time.time())
        )
        if updated.rowcount == 0:
            connection.execute(
                sa.insert(WorkerSeen).values(worker_id=rt.worker_id, last_seen=time.time())
            )

    await rt.services.store.run(beat)


async def _silent_workers(rt: _Runtime, silent_for: float) -> list[str]:
    query = select(WorkerSeen.worker_id).where(
        WorkerSeen.last_seen < time.time() - silent_for, WorkerSeen.worker_id != rt.worker_id
    )
    return await rt.services.store.run(lambda connection: list(connection.scalars(query)))


async def _forget(rt: _Runtime, worker: str) -> None:
    """Until it beats again. Several processes handing over one worker is harmless."""
    statement = sa.delete(WorkerSeen).where(WorkerSeen.worker_id == worker)
    await rt.services.store.run(lambda connection: connection.execute(statement))


def _hand_over(worker: str) -> int:
    """Put the worker's unfinished jobs back on their queues. Only jobs still PENDING under
    that worker's id move, so a job another worker already took is left alone. (DBOS's own
    recovery function: the one its launch runs for the process's own id.)"""
    return len(DBOS._recover_pending_workflows([worker]))


class WorkerLooksAlive(Exception):
    """``recover`` was asked for a worker whose heartbeat is recent."""


def recover(settings: Settings, worker_ids: list[str], *, force: bool = False) -> list[str]:
    """Hand the unfinished jobs of workers that will not come back to the running ones;
    returns the ids of the jobs handed over.

    Only for workers that are really gone: a live worker would run the same job twice
    (DBOS fences its later checkpoints, but its model calls would be repeated). A worker
    that restarts with its ``APP_WORKER_ID`` resumes its jobs by itself.

    Raises:
        WorkerLooksAlive: a worker wrote a heartbeat within ``APP_WORKER_TIMEOUT_SECONDS``
            (60 s when 0) and ``force`` is not set.
    """
    from dbos import DBOSClient

    if not force:
        recent = asyncio.run(_recent_heartbeats(settings, worker_ids))
        if recent:
            ago = ", ".join(f"{w} {age:.0f} s ago" for w, age in sorted(recent.items()))
            raise WorkerLooksAlive(
                f"last heartbeat: {ago}. Stop it first (or wait), or pass --force if you "
                "are sure it is gone"
            )

    client = DBOSClient(
        system_database_url=system_database_url(settings),
        dbos_system_schema=settings.dbos_schema,
        application_name=APP_NAME,
    )
    try:
        pending = client.list_workflows(
            status="PENDING", executor_id=worker_ids, load_input=False, load_output=False
        )
        for status in pending:
            client.resume_workflow(status.workflow_id, queue_name=status.queue_name)
        return [status.workflow_id for status in pending]
    finally:
        client.destroy()


# --- Status history --------------------------------------------------------------------------


async def add_event(task_id: str, status: str, key: str, detail: str | None = None) -> None:
    """Append to the task's history once per ``key``."""
    statement = sa.insert(TaskEvent).values(
        task_id=task_id, status=status, detail=detail, worker=_rt().worker_id, at=_now(), key=key
    )
    with contextlib.suppress(IntegrityError):  # written before, by an earlier run of the step
        await _rt().services.store.run(lambda connection: connection.execute(statement))


def _step_key(name: str) -> str:
    return f"{DBOS.workflow_id}:{DBOS.step_id}:{name}"


def _store_step(function: Callable[P, Awaitable[T]]) -> Callable[P, Awaitable[T]]:
    """A step that writes to the store: while the database is unreachable it waits and
    retries (backoff up to 30 s) instead of failing the job, as DBOS does for its own
    database. The job resumes where it was once the database is back."""

    @functools.wraps(function)
    async def until_the_database_answers(*args: P.args, **kwargs: P.kwargs) -> T:
        delay = 0.5
        while True:
            try:
                return await function(*args, **kwargs)
            except DBAPIError as error:
                log.warning(
                    "%s: database unreachable, retrying in %.1f s: %s",
                    function.__name__,
                    delay,
                    str(error).splitlines()[0],
                )
                await asyncio.sleep(delay)
                delay = min(delay * 2, 30.0)

    return DBOS.step(name=function.__name__)(until_the_database_answers)


# --- The steps ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Started:
    input: str
    token: str
    skip: bool = False


@_store_step
async def start_job(task_id: str) -> Started:
    """Mark the task ``running``; skip a task that is finished already."""
    token = _THIS_PROCESS
    store = _rt().services.store
    query = select(Task.status, Task.input).where(Task.id == task_id)
    row = await store.run(lambda connection: connection.execute(query).first())
    if row is None or row.status in FINAL:
        return Started(input="", token=token, skip=True)
    # History first, status second: a client that sees a status sees its history entry.
    await add_event(task_id, "running", _step_key("running"))
    statement = (
        update(Task)
        .where(Task.id == task_id, Task.status == "queued")
        .values(status="running", updated_at=_now())
    )
    await store.run(lambda connection: connection.execute(statement))
    return Started(input=row.input, token=token)


{%- if cookiecutter.response_cache %}


@DBOS.step()
async def lookup_cache(text: str) -> tuple[str, CachedAnswer | None]:
    pipeline = _rt().services.pipeline
    key = pipeline.cache_key(text)
    return key, await pipeline.lookup_cache(key)
{%- endif %}


@dataclass(frozen=True)
class Generated:
    completion: Completion | None
    output: str
    error: str | None = None


@DBOS.step()
async def generate(text: str) -> Generated:
    """The model call: timeouts, retries with backoff and the output check happen inside
    (``providers.complete_with_retries``); an exhausted call is a ``failed`` task."""
    try:
        completion, output = await _rt().services.pipeline.generate(text)
    except ProviderFailed as failure:
        return Generated(completion=None, output="", error=str(failure))
    return Generated(completion=completion, output=output)
{%- if cookiecutter.human_fallback %}


@DBOS.step()
async def estimate_confidence(text: str, completion: Completion, output: str) -> float | None:
    return await _rt().services.pipeline.estimate_confidence(text, completion, output)
{%- endif %}


@DBOS.step()
async def decide(confidence: float | None) -> Route:
    """The routing rule draws a random number for the review sample: as a step, a resumed
    job keeps the first draw."""
{%- if cookiecutter.human_fallback %}
    return _rt().services.pipeline.decide(confidence)
{%- else %}
    return _rt().services.pipeline.decide()
{%- endif %}


@_store_step
async def record(
    task_id: str,
    text: str,
    output: str,
    confidence: float | None,
    decision: Route,
    cache_key: str | None,
    started_at: float,
) -> str:
    """Store the outcome once: a run after a crash finds the task finished and only makes
    sure the history has it."""
    services = _rt().services
    status = "delivered" if decision.deliver else "needs_review"
    await add_event(task_id, status, _step_key(status), decision.reason)
    task = await services.store.get_task(task_id)
    if task is not None and task.status == "running":
        task = await services.pipeline.record(
            task_id,
            text,
            output,
            confidence,
            decision,
{%- if cookiecutter.response_cache %}
            cache_key=cache_key or "",
{%- endif %}
            latency_ms=(time.time() - started_at) * 1000,
        )
        _observe_finished(task)
    return status
{%- if cookiecutter.response_cache %}


@_store_step
async def record_cached(task_id: str, text: str, cache_key: str, answer: CachedAnswer) -> None:
    store = _rt().services.store
    await add_event(task_id, "delivered", _step_key("delivered"), "cached answer")
    task = await store.get_task(task_id)
    if task is not None and task.status == "running":
        task = await store.finish_task(
            task_id,
            input_text=text,
            status="delivered",
            output=answer.output,
            confidence=answer.confidence,
            cached=True,
            cache_key=cache_key,
            latency_ms=0.0,
        )
        _observe_finished(task)
{%- endif %}


@_store_step
async def record_failure(task_id: str, text: str, error: str, started_at: float) -> None:
    store = _rt().services.store
    await add_event(task_id, "failed", _step_key("failed"), error[:500])
    task = await store.get_task(task_id)
    if task is not None and task.status == "running":
        task = await store.finish_task(
            task_id,
            input_text=text,
            status="failed",
            error=error,
            latency_ms=(time.time() - started_at) * 1000,
        )
        _observe_finished(task)


@_store_step
async def review_outcome(task_id: str, review_id: str | None) -> tuple[str, str] | None:
    """The decision on the task's review and who made it, once made (else None)."""
    query = select(Review.id, Review.status, Review.decided_by).where(Review.task_id == task_id)
    if review_id is not None:
        query = query.where(Review.id == review_id)
    query = query.order_by(Review.created_at)
    row = await _rt().services.store.run(lambda connection: connection.execute(query).first())
    if row is None or row.status == "pending":
        return None
    return row.id, f"{row.status} by {row.decided_by}"


@_store_step
async def record_review(task_id: str, review_id: str, verdict: str) -> None:
    status = "rejected" if verdict.startswith("rejected") else "delivered"
    await add_event(task_id, status, _step_key(status), f"review {verdict}")


def _observe_finished(task: TaskRecord) -> None:
    metrics = _rt().services.metrics
    created = task.created_at
    if created.tzinfo is None:  # SQLite returns naive UTC
        created = created.replace(tzinfo=UTC)
    waited = max(0.0, (_now() - created).total_seconds())
    metrics.job_latency.labels(outcome=task.status).observe(waited)
    metrics.jobs_finished.labels(outcome=task.status).inc()


async def _note_resumed(task_id: str) -> None:
    """Say in the history that the job resumed in another process. Not a step (a resumed
    run must take the same steps as the first one), and skipped when the history has the
    outcome already (the process died before DBOS marked the job done: the rest is replay;
    the outcome is written to the history before the task's status)."""
    events = await history(task_id)
    if events and events[-1]["status"] in FINAL:
        return
    key = f"{task_id}:resumed:{uuid.uuid4().hex}"
    await add_event(task_id, "running", key, "resumed after a restart")
    _rt().services.metrics.jobs_resumed.inc()


# --- The workflows --------------------------------------------------------------------------


@DBOS.workflow(name="process_task")
async def process_task(task_id: str) -> str:
    """One task, from queued to delivered, needs_review or failed."""
    started = await start_job(task_id)
    if started.skip:
        return "skipped"
    if started.token != _THIS_PROCESS:
        await _note_resumed(task_id)
    started_at = time.time()
    text = started.input
    cache_key = None
{%- if cookiecutter.response_cache %}
    cache_key, cached = await lookup_cache(text)
    if cached is not None:
        await record_cached(task_id, text, cache_key, cached)
        return "delivered"
{%- endif %}
    generated = await generate(text)
    if generated.error is not None or generated.completion is None:
        await record_failure(task_id, text, generated.error or "no output", started_at)
        return "failed"
{%- if cookiecutter.human_fallback %}
    confidence = await estimate_confidence(text, generated.completion, generated.output)
{%- else %}
    confidence = None
{%- endif %}
    decision = await decide(confidence)
    if not decision.deliver:
        # Started before the review exists, so a decision always finds it waiting.
        with SetWorkflowID(review_workflow_id(task_id)):
            await DBOS.start_workflow_async(await_review, task_id)
    return await record(
        task_id, text, generated.output, confidence, decision, cache_key, started_at
    )


@DBOS.workflow(name="await_review")
async def await_review(task_id: str) -> str:
    """Wait, durably and without a queue slot, for the reviewer's decision on the task."""
    review_id: str | None = None
    while True:
        message = await DBOS.recv_async(REVIEW_TOPIC, timeout_seconds=REVIEW_WAIT_SLICE_SECONDS)
        if message is not None:
            review_id = str(message)
        outcome = await review_outcome(task_id, review_id)
        if outcome is not None:
            break
    decided_id, verdict = outcome
    await record_review(task_id, decided_id, verdict)
    return verdict
