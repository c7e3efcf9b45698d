"""The task and review store: SQLAlchemy 2 Core, SQLite by default, PostgreSQL by URL.

Every method is ONE trip to the store's worker thread, which runs the whole transaction
with the database's synchronous driver (sqlite3, psycopg 3) and comes back with plain
records (:class:`TaskRecord`, :class:`ReviewRecord`). A request therefore waits for the
database once, not once per statement. SQLite gets one worker thread (it has one writer
at a time anyway: writes queue in the thread instead of waiting on file locks);
PostgreSQL gets a small pool of them.

Tables are created at start-up. A review decision is applied with a conditional update, so
two reviewers deciding the same review at once cannot both win.

Write-behind: a new task that is ``delivered`` at once (no review, no idempotency key)
does not wait for its row. ``finish_task(..., write_behind=True)`` returns it and a
background writer inserts it a moment later, together with any others waiting (one
transaction for many rows). The answer is already in the client's hands and nothing else
refers to the row; until it is written, ``get_task`` finds it in memory, and ``close``
(the app's shutdown) writes whatever is left. The cost: a process killed in that moment
(well under a millisecond normally) loses those rows, so ``GET /v1/tasks/{id}`` answers
404 for an answer the client did receive, and another instance sees the task only once it
is written. Every task that goes to review or fails, every task with an idempotency key,
and every task while the database is failing (the last call to it failed) is written
before the response: a database outage still turns requests into 503s.
"""

import asyncio
import contextlib
import dataclasses
import logging
import re
import secrets
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar, cast

from sqlalchemy import (
{%- if cookiecutter.response_cache %}
    Boolean,
{%- endif %}
    Connection,
    DateTime,
    Engine,
    Float,
    ForeignKey,
    String,
    Table,
    Text,
    bindparam,
    create_engine,
    event,
    func,
    select,
    text,
    update,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from .settings import Settings

log = logging.getLogger(__name__)
T = TypeVar("T")

TASK_STATUSES = ("queued", "running", "delivered", "needs_review", "rejected", "failed")
REVIEW_REASONS = ("low_confidence", "policy", "sample")
VERDICTS = {"approve": "approved", "edit": "edited", "reject": "rejected"}


def _now() -> datetime:
    return datetime.now(UTC)


def _new_id() -> str:
    """A random 128-bit id, as 32 hex digits."""
    return secrets.token_hex(16)


class Base(DeclarativeBase):
    pass


class Task(Base):
    """The ``tasks`` table (queries use its columns; the store returns :class:`TaskRecord`)."""

    __tablename__ = "tasks"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=_new_id)
    status: Mapped[str] = mapped_column(String(16), index=True)
    input: Mapped[str] = mapped_column(Text)
    output: Mapped[str | None] = mapped_column(Text)
    """The answer; shown to clients only while the task is ``delivered``."""
    confidence: Mapped[float | None] = mapped_column(Float)
{%- if cookiecutter.response_cache %}
    cached: Mapped[bool] = mapped_column(Boolean, default=False)
{%- endif %}
    error: Mapped[str | None] = mapped_column(Text)
    review_reason: Mapped[str | None] = mapped_column(String(16))
    idempotency_key: Mapped[str | None] = mapped_column(String(200), unique=True)
{%- if cookiecutter.response_cache %}
    cache_key: Mapped[str | None] = mapped_column(String(200))
{%- endif %}
    latency_ms: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=_now, onupdate=_now
    )


class Review(Base):
    """The ``reviews`` table (the store returns :class:`ReviewRecord`)."""

    __tablename__ = "reviews"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=_new_id)
    task_id: Mapped[str] = mapped_column(ForeignKey("tasks.id"), index=True)
    reason: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    """``pending``, then ``approved``, ``edited`` or ``rejected``."""
    model_output: Mapped[str] = mapped_column(Text)
    final_output: Mapped[str | None] = mapped_column(Text)
    confidence: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


TASKS = cast(Table, Task.__table__)
REVIEWS = cast(Table, Review.__table__)


@dataclass
class TaskRecord:
    """One row of ``tasks`` (same fields as :class:`Task`). Read-only by convention (not
    frozen: a frozen dataclass takes twice as long to build, on every request)."""

    id: str
    status: str
    input: str
    output: str | None
    confidence: float | None
{%- if cookiecutter.response_cache %}
    cached: bool
{%- endif %}
    error: str | None
    review_reason: str | None
    idempotency_key: str | None
{%- if cookiecutter.response_cache %}
    cache_key: str | None
{%- endif %}
    latency_ms: float | None
    created_at: datetime
    updated_at: datetime


@dataclass
class ReviewRecord:
    """One row of ``reviews`` (same fields as :class:`Review`)."""

    id: str
    task_id: str
    reason: str
    status: str
    model_output: str
    final_output: str | None
    confidence: float | None
    created_at: datetime
    decided_at: datetime | None


@dataclass(frozen=True)
class ReviewItem:
    """A review together with the task input the reviewer needs to judge it."""

    review: ReviewRecord
    input: str


class ReviewAlreadyDecided(Exception):
    """The review was decided before (by another reviewer or an earlier request)."""


class IdempotencyConflict(Exception):
    """The idempotency key was used before with a different input."""


_SCHEMA_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")
_INSERT_REVIEW = REVIEWS.insert()
_TASK_BY_ID = select(TASKS).where(TASKS.c.id == bindparam("task_id"))
_TASK_BY_KEY = select(TASKS).where(TASKS.c.idempotency_key == bindparam("key"))
_REVIEW_WITH_INPUT = select(REVIEWS, TASKS.c.input.label("task_input")).join(
    TASKS, TASKS.c.id == REVIEWS.c.task_id
)

WRITE_BEHIND_LIMIT = 10_000
"""At most this many rows wait for the write-behind writer; past it (the database is
down or too slow) new tasks are written before the response again."""
WRITE_BEHIND_BATCH = 500
SERVER_THREADS = 8
"""Worker threads (and pooled connections) of a store on a database server."""
CLOSE_TIMEOUT_SECONDS = 10.0
RETRY_FIRST_SECONDS = 0.05
RETRY_MAX_SECONDS = 5.0


def _task(row: Any) -> TaskRecord:
    return TaskRecord(**row._mapping)


def _review_item(row: Any) -> ReviewItem:
    values = dict(row._mapping)
    task_input = values.pop("task_input")
    return ReviewItem(review=ReviewRecord(**values), input=task_input)


class Store:
    """Tasks and reviews. Every ``async`` method is one trip to the store's thread."""

    def __init__(self, engine: Engine, *, threads: int = 1) -> None:
        self.engine = engine
        """The synchronous SQLAlchemy engine; use it through :meth:`run`."""
        self._executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="store")
        self._behind = _WriteBehind(self)
        self._insert_tasks_sql = _PreparedInsert(TASKS, engine.dialect)
        self._keep_open = threads == 1
        self._held: Connection | None = None

    @classmethod
    async def open(cls, settings: Settings) -> "Store":
        """Connect to ``APP_DATABASE_URL`` and create the tables when missing."""
        url = settings.database_url
        connect_args: dict = {}
        options: dict = {}
        sqlite = url.startswith("sqlite")
        if sqlite:
            database = url.split("///", 1)[-1].split("?", 1)[0]
            if database and database != ":memory:":
                Path(database).parent.mkdir(parents=True, exist_ok=True)
            connect_args["timeout"] = 30
        else:
            # Pre-ping (one extra round trip per checkout) only where connections can go stale.
            options |= {"pool_pre_ping": True, "pool_size": SERVER_THREADS}
        if url.startswith("postgresql"):
            connect_args["connect_timeout"] = 5
            if settings.database_schema:
                if not _SCHEMA_NAME.fullmatch(settings.database_schema):
                    raise ValueError(f"invalid APP_DATABASE_SCHEMA {settings.database_schema!r}")
                connect_args["options"] = f"-csearch_path={settings.database_schema}"
        engine = create_engine(url, connect_args=connect_args, **options)
        if sqlite:
            event.listen(engine, "connect", _sqlite_pragmas)
        store = cls(engine, threads=1 if sqlite else SERVER_THREADS)
        schema = settings.database_schema if url.startswith("postgresql") else None

        def create_tables(connection: Connection) -> None:
            if schema:
                connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
            Base.metadata.create_all(connection)

        try:
            await store.run(create_tables)
        except BaseException:
            await store.close()
            raise
        return store

    async def close(self) -> None:
        """Write the rows still waiting in the write-behind queue, then disconnect."""
        try:
            await self._behind.close()
        finally:
            try:
                await self._call(self._disconnect)
            finally:
                self._executor.shutdown(wait=False)

    def _disconnect(self) -> None:
        if self._held is not None:
            self._held.close()
            self._held = None
        self.engine.dispose()

    @contextlib.contextmanager
    def _begin(self) -> Iterator[Connection]:
        """A transaction. With one thread (SQLite) on the connection that thread keeps
        open, else on a connection from the pool (checked with a ping at checkout)."""
        if not self._keep_open:
            with self.engine.begin() as connection:
                yield connection
            return
        held = self._held
        if held is None or held.closed or held.invalidated or held.engine is not self.engine:
            held = self._held = self.engine.connect()
        with held.begin():
            yield held

    async def _call(self, work: Callable[..., T], *args: Any) -> T:
        """Run ``work(*args)`` on the store's thread; note whether the database answered."""
        try:
            result = await asyncio.get_running_loop().run_in_executor(self._executor, work, *args)
        except DBAPIError as error:
            if not isinstance(error, IntegrityError):
                self._behind.database_ok = False
            raise
        if not self._behind.database_ok:
            self._behind.database_back()
        return result

    async def run(self, work: Callable[[Connection], T]) -> T:
        """Run ``work(connection)`` in one transaction on the store's thread; return its
        result. Keep ``work`` to database calls: it runs outside the event loop."""
        return await self._call(self._transaction, work)

    def _transaction(self, work: Callable[[Connection], T]) -> T:
        with self._begin() as connection:
            return work(connection)

    async def ping(self) -> None:
        """Raise when the database cannot be reached."""
        await self.run(lambda connection: connection.execute(text("SELECT 1")).scalar())

    # Tasks

    async def create_task(
        self, input_text: str, *, status: str, idempotency_key: str | None = None
    ) -> tuple[TaskRecord, bool]:
        """Insert a task; with an idempotency key already used, return that task instead.

        Returns:
            The task and whether it was created by this call.

        Raises:
            IdempotencyConflict: the key was used with a different input.
        """
        return await self._call(self._create_task, input_text, status, idempotency_key)

    def _create_task(
        self, input_text: str, status: str, idempotency_key: str | None
    ) -> tuple[TaskRecord, bool]:
        if idempotency_key is not None:
            existing = self._task_by_key(idempotency_key)
            if existing is not None:
                return _same_input(existing, input_text), False
        now = _now()
        task = TaskRecord(
            id=_new_id(),
            status=status,
            input=input_text,
            output=None,
            confidence=None,
{%- if cookiecutter.response_cache %}
            cached=False,
{%- endif %}
            error=None,
            review_reason=None,
            idempotency_key=idempotency_key,
{%- if cookiecutter.response_cache %}
            cache_key=None,
{%- endif %}
            latency_ms=None,
            created_at=now,
            updated_at=now,
        )
        try:
            with self._begin() as connection:
                self._insert_tasks_sql.run(connection, [vars(task)])
        except IntegrityError:
            # A concurrent request with the same key won the insert.
            existing = self._task_by_key(idempotency_key or "")
            if existing is None:
                raise
            return _same_input(existing, input_text), False
        return task, True

    def _task_by_key(self, key: str) -> TaskRecord | None:
        with self._begin() as connection:
            row = connection.execute(_TASK_BY_KEY, {"key": key}).first()
        return _task(row) if row is not None else None

    async def task_by_idempotency_key(self, key: str) -> TaskRecord | None:
        return await self._call(self._task_by_key, key)

    async def get_task(self, task_id: str) -> TaskRecord | None:
        waiting = self._behind.pending.get(task_id)
        if waiting is not None:
            return waiting
        return await self.run(
            lambda connection: _or_none(connection.execute(_TASK_BY_ID, {"task_id": task_id}))
        )

    async def finish_task(
        self,
        task_id: str | None,
        *,
        input_text: str,
        status: str,
        output: str | None = None,
        confidence: float | None = None,
{%- if cookiecutter.response_cache %}
        cached: bool = False,
{%- endif %}
        error: str | None = None,
        review_reason: str | None = None,
{%- if cookiecutter.response_cache %}
        cache_key: str | None = None,
{%- endif %}
        latency_ms: float | None = None,
        write_behind: bool = False,
    ) -> TaskRecord:
        """Record the outcome of a task; with a review reason, queue the review too.

        ``task_id`` None inserts the finished task in one write (a synchronous request whose
        task nobody could look up before it finished); otherwise the task is updated.
        ``write_behind``: a new ``delivered`` task without review is returned at once and
        inserted by the write-behind writer (see the module's docstring); others are
        written before this returns.
        """
        now = _now()
        values: dict[str, Any] = {
            "status": status,
            "output": output,
            "confidence": confidence,
{%- if cookiecutter.response_cache %}
            "cached": cached,
{%- endif %}
            "error": error,
            "review_reason": review_reason,
{%- if cookiecutter.response_cache %}
            "cache_key": cache_key,
{%- endif %}
            "latency_ms": latency_ms,
            "updated_at": now,
        }
        if task_id is not None:
            return await self._call(self._update_task, task_id, values)
        task = TaskRecord(
            id=_new_id(), input=input_text, idempotency_key=None, created_at=now, **values
        )
        delivered = status == "delivered" and review_reason is None
        if write_behind and delivered and self._behind.add(task):
            return task
        await self._call(self._insert_task, task)
        return task

    def _insert_task(self, task: TaskRecord) -> None:
        with self._begin() as connection:
            self._insert_tasks_sql.run(connection, [vars(task)])
            _insert_review(connection, task)

    def _update_task(self, task_id: str, values: dict[str, Any]) -> TaskRecord:
        with self._begin() as connection:
            found = connection.execute(
                update(TASKS).where(TASKS.c.id == task_id).values(values)
            ).rowcount
            if found != 1:
                raise LookupError(task_id)
            task = _task(connection.execute(_TASK_BY_ID, {"task_id": task_id}).one())
            _insert_review(connection, task)
        return task

    def _insert_tasks(self, tasks: list[TaskRecord]) -> None:
        """Insert new tasks in one transaction; one by one (skipping those already there)
        when that fails on a duplicate (a batch that was written although the driver
        reported an error)."""
        try:
            with self._begin() as connection:
                self._insert_tasks_sql.run(connection, [vars(task) for task in tasks])
        except IntegrityError:
            for task in tasks:
                with contextlib.suppress(IntegrityError), self._begin() as connection:
                    self._insert_tasks_sql.run(connection, [vars(task)])

    # Reviews

    async def list_reviews(
        self, status: str | None = "pending", limit: int = 100
    ) -> list[ReviewItem]:
        query = _REVIEW_WITH_INPUT
        if status is not None:
            query = query.where(REVIEWS.c.status == status)
        query = query.order_by(REVIEWS.c.created_at, REVIEWS.c.id).limit(limit)
        return await self.run(
            lambda connection: [_review_item(row) for row in connection.execute(query)]
        )

    async def get_review(self, review_id: str) -> ReviewItem | None:
        query = _REVIEW_WITH_INPUT.where(REVIEWS.c.id == review_id)

        def read(connection: Connection) -> ReviewItem | None:
            row = connection.execute(query).first()
            return _review_item(row) if row is not None else None

        return await self.run(read)

    async def decide_review(
        self, review_id: str, action: str, edited_output: str | None = None
    ) -> tuple[ReviewRecord, TaskRecord]:
        """Apply a reviewer's decision: approve or edit delivers the task, reject rejects it.

        Raises:
            LookupError: no such review.
            ReviewAlreadyDecided: the review is not pending any more.
        """

        def decide(connection: Connection) -> tuple[ReviewRecord, TaskRecord]:
            row = connection.execute(select(REVIEWS).where(REVIEWS.c.id == review_id)).first()
            if row is None:
                raise LookupError(review_id)
            review = ReviewRecord(**row._mapping)
            final = edited_output if action == "edit" else review.model_output
            decided = dataclasses.replace(
                review,
                status=VERDICTS[action],
                final_output=None if action == "reject" else final,
                decided_at=_now(),
            )
            claimed = connection.execute(
                update(REVIEWS)
                .where(REVIEWS.c.id == review_id, REVIEWS.c.status == "pending")
                .values(
                    status=decided.status,
                    final_output=decided.final_output,
                    decided_at=decided.decided_at,
                )
            )
            if claimed.rowcount != 1:
                raise ReviewAlreadyDecided(review_id)
            outcome = {
                "status": "rejected" if action == "reject" else "delivered",
                "output": None if action == "reject" else final,
                "updated_at": _now(),
            }
            connection.execute(update(TASKS).where(TASKS.c.id == review.task_id).values(outcome))
            task = _task(connection.execute(_TASK_BY_ID, {"task_id": review.task_id}).one())
            return decided, task

        return await self.run(decide)

    async def verdict_counts(self, reasons: tuple[str, ...]) -> dict[str, int]:
        """Number of decided reviews per verdict, for reviews with the given reasons."""
        query = (
            select(REVIEWS.c.status, func.count())
            .where(REVIEWS.c.reason.in_(reasons), REVIEWS.c.status != "pending")
            .group_by(REVIEWS.c.status)
        )
        return await self.run(
            lambda connection: {status: count for status, count in connection.execute(query)}
        )


class _WriteBehind:
    """New task rows inserted after the response, many per transaction (see the module's
    docstring).

    On the event loop, :meth:`add` only notes the row (``pending``, read by ``get_task``)
    and queues it; when no write is scheduled it hands one to the store's thread with
    ``executor.submit``. Nothing on the loop waits for that write or is woken by it. A
    write takes every queued row (up to a batch); a failed one puts them back and is
    retried after a back-off."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self.pending: dict[str, TaskRecord] = {}
        """Rows queued or being written, by task id (read and added on the loop)."""
        self.database_ok = True
        """False after a call to the database failed, until one succeeds."""
        self._queue: deque[TaskRecord] = deque()
        self._scheduled = False
        self._closing = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._delay = RETRY_FIRST_SECONDS
        self._retry_handle: asyncio.TimerHandle | None = None

    def add(self, task: TaskRecord) -> bool:
        """Queue a row; False (write it now instead) while the database is failing, or when
        the queue is full or closed."""
        if not self.database_ok or self._closing or len(self.pending) >= WRITE_BEHIND_LIMIT:
            return False
        self.pending[task.id] = task
        self._queue.append(task)
        if not self._scheduled:
            self._scheduled = True
            self._loop = asyncio.get_running_loop()
            # Handed to the thread on the loop's next turn: after this request's answer has
            # gone out, so the write does not compete with building it.
            self._loop.call_soon(self._submit)
        return True

    def _submit(self) -> None:
        if not self._closing:
            self._store._executor.submit(self._write)

    def _write(self) -> None:
        """In the store's thread: write the queued rows (a batch of them)."""
        # Cleared before taking rows: a row queued from now on schedules another write.
        self._scheduled = False
        batch = self._take()
        if not batch:
            return
        try:
            self._store._insert_tasks(batch)
        except Exception as error:  # keep the rows; try again later
            self._queue.extendleft(reversed(batch))
            self._scheduled = True  # the retry is the next write
            self.database_ok = False
            log.warning(
                "%d new task row(s) not written yet, retrying in %.2f s: %s",
                len(self.pending),
                self._delay,
                str(error).splitlines()[0] if str(error) else type(error).__name__,
            )
            if self._loop is not None and not self._loop.is_closed():
                self._loop.call_soon_threadsafe(self._retry_later)
            return
        self.database_ok = True
        self._delay = RETRY_FIRST_SECONDS
        for task in batch:
            self.pending.pop(task.id, None)
        if self._queue and not self._scheduled and not self._closing:
            self._scheduled = True
            self._store._executor.submit(self._write)  # the next batch, after waiting work

    def _take(self) -> list[TaskRecord]:
        batch: list[TaskRecord] = []
        while self._queue and len(batch) < WRITE_BEHIND_BATCH:
            batch.append(self._queue.popleft())
        return batch

    def _retry_later(self) -> None:
        if self._closing or self._loop is None:
            return
        self._retry_handle = self._loop.call_later(self._delay, self._retry)
        self._delay = min(self._delay * 2, RETRY_MAX_SECONDS)

    def _retry(self) -> None:
        self._retry_handle = None
        self._submit()

    def database_back(self) -> None:
        """On the loop, after a call to the database succeeded: write the waiting rows now."""
        self.database_ok = True
        if self._retry_handle is not None:
            self._retry_handle.cancel()
            self._retry()

    def _write_all(self) -> None:
        """In the store's thread, at shutdown: write every queued row or raise."""
        while batch := self._take():
            try:
                self._store._insert_tasks(batch)
            except BaseException:
                self._queue.extendleft(reversed(batch))
                raise
            for task in batch:
                self.pending.pop(task.id, None)

    async def close(self) -> None:
        """Write what is left (waiting up to ``CLOSE_TIMEOUT_SECONDS`` for the database)."""
        self._closing = True
        loop = asyncio.get_running_loop()
        deadline = loop.time() + CLOSE_TIMEOUT_SECONDS
        error: Exception | None = None
        while self.pending and loop.time() < deadline:
            try:
                # Runs after any write already handed to the thread.
                await self._store._call(self._write_all)
            except Exception as failed:
                error = failed
                await asyncio.sleep(RETRY_FIRST_SECONDS)
                continue
            if self.pending:  # rows still being written by another thread (a server)
                await asyncio.sleep(0.01)
        if self.pending:
            log.error(
                "%d new task row(s) lost: the database did not take them within %g s: %s",
                len(self.pending),
                CLOSE_TIMEOUT_SECONDS,
                error,
            )


class _PreparedInsert:
    """An INSERT of whole rows, compiled once for the engine's dialect and run with
    ``exec_driver_sql``: the request path skips SQLAlchemy's per-call statement lookup and
    parameter handling. Values go through the columns' own bind processors, so they are
    stored exactly as SQLAlchemy stores them."""

    def __init__(self, table: Table, dialect: Dialect) -> None:
        compiled = table.insert().compile(dialect=dialect)
        self.sql = str(compiled)
        self.positional = compiled.positiontup
        """Parameter names in order (``?`` placeholders), or None for named ones."""
        self.processors = [
            (column.name, processor)
            for column in table.columns
            if (processor := column.type.bind_processor(dialect)) is not None
        ]

    def run(self, connection: Connection, rows: list[dict[str, Any]]) -> None:
        params: list[Any] = []
        for row in rows:
            if self.processors:
                row = dict(row)
                for name, processor in self.processors:
                    row[name] = processor(row[name])
            if self.positional is not None:
                params.append(tuple(row[name] for name in self.positional))
            else:
                params.append(row)
        connection.exec_driver_sql(self.sql, params if len(params) > 1 else params[0])


def _or_none(result: Any) -> TaskRecord | None:
    row = result.first()
    return _task(row) if row is not None else None


def _insert_review(connection: Connection, task: TaskRecord) -> None:
    if task.review_reason is None or task.output is None:
        return
    connection.execute(
        _INSERT_REVIEW,
        {
            "id": _new_id(),
            "task_id": task.id,
            "reason": task.review_reason,
            "status": "pending",
            "model_output": task.output,
            "final_output": None,
            "confidence": task.confidence,
            "created_at": task.updated_at,
            "decided_at": None,
        },
    )


def _same_input(task: TaskRecord, input_text: str) -> TaskRecord:
    if task.input != input_text:
        raise IdempotencyConflict(task.id)
    return task


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # WAL lets readers work while a request writes; NORMAL sync is safe with WAL.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
