"""The task and review store: plain SQLAlchemy 2.0 (Core statements on the models of
``models.py``), SQLite by default, PostgreSQL by URL.

Every method runs one transaction on the store's threads (the database drivers are
synchronous) and comes back with plain records (:class:`TaskRecord`,
:class:`ReviewRecord`). Every write is committed before the method returns, so a task
exists in the database when its response is sent: a process killed right after answering
loses nothing, and every instance on the same database sees the task at once.

The schema is managed by Alembic (``migrations/``): :meth:`Store.open` applies the
migrations (``<script> db upgrade`` does the same by hand). A review decision is applied
with a conditional update, so two reviewers deciding the same review at once cannot both
win.
"""

import asyncio
import dataclasses
import logging
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import (
    Connection,
    Engine,
    create_engine,
    event,
    func,
    insert,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.exc import IntegrityError

from .models import TASK_STATUSES, VERDICTS, Base, Review, Task, new_id, now
from .settings import Settings

__all__ = [
    "TASK_STATUSES",
    "Base",
    "IdempotencyConflict",
    "Review",
    "ReviewAlreadyDecided",
    "ReviewItem",
    "ReviewRecord",
    "Store",
    "Task",
    "TaskRecord",
    "upgrade_database",
]

log = logging.getLogger(__name__)
T = TypeVar("T")

SERVER_THREADS = 8
"""Threads (and pooled connections) of a store on a database server. SQLite gets one: it
has one writer at a time anyway, so writes queue in the thread instead of on file locks."""
MIGRATION_LOCK = 7_214_031
"""PostgreSQL advisory lock held while migrating: instances starting together migrate
one after the other."""
LEGACY_REVISION = "0001"
"""The schema of databases created before migrations existed (``create_all``)."""


@dataclass
class TaskRecord:
    """One row of ``tasks`` (same fields as :class:`models.Task`)."""

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
    """One row of ``reviews`` (same fields as :class:`models.Review`)."""

    id: str
    task_id: str
    reason: str
    status: str
    model_output: str
    final_output: str | None
    confidence: float | None
    created_at: datetime
    decided_at: datetime | None
    decided_by: str | None


@dataclass(frozen=True)
class ReviewItem:
    """A review together with the task input the reviewer needs to judge it."""

    review: ReviewRecord
    input: str


@dataclass(frozen=True)
class ReviewPage:
    """A page of reviews and the counts a reviewer needs around it."""

    items: list[ReviewItem]
    total: int
    """Reviews matching the filter, over all pages."""
    by_reason: dict[str, int]
    """Reviews with the page's status, per reason (whatever the reason filter)."""


class ReviewAlreadyDecided(Exception):
    """The review was decided before (by another reviewer or an earlier request)."""


class IdempotencyConflict(Exception):
    """The idempotency key was used before with a different input."""


_SCHEMA_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")
_TASK_FIELDS = [field.name for field in dataclasses.fields(TaskRecord)]
_REVIEW_FIELDS = [field.name for field in dataclasses.fields(ReviewRecord)]
_TASK_COLUMNS = [getattr(Task, name) for name in _TASK_FIELDS]
_REVIEW_COLUMNS = [getattr(Review, name) for name in _REVIEW_FIELDS]


def _task(row: Any) -> TaskRecord:
    return TaskRecord(*row)


def _review_item(row: Any) -> ReviewItem:
    *values, task_input = row
    return ReviewItem(review=ReviewRecord(*values), input=task_input)


def make_engine(settings: Settings) -> Engine:
    """The SQLAlchemy engine of ``APP_DATABASE_URL`` (its folder created for SQLite)."""
    url = settings.database_url
    connect_args: dict[str, Any] = {}
    options: dict[str, Any] = {}
    sqlite = url.startswith("sqlite")
    if sqlite:
        database = url.split("///", 1)[-1].split("?", 1)[0]
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        connect_args["timeout"] = 30
    else:
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
    return engine


def upgrade_database(engine: Engine, settings: Settings, revision: str = "head") -> None:
    """Apply the Alembic migrations up to ``revision`` (synchronous; idempotent)."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", f"{__package__}:migrations")
    schema = settings.database_schema if engine.dialect.name == "postgresql" else None
    with engine.begin() as connection:
        if schema:
            connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
        if engine.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        config.attributes["connection"] = connection
        tables = set(inspect(connection).get_table_names())
        if "tasks" in tables and "alembic_version" not in tables:
            log.warning("database created before migrations: marked as %s", LEGACY_REVISION)
            command.stamp(config, LEGACY_REVISION)
        command.upgrade(config, revision)


class Store:
    """Tasks and reviews. Every ``async`` method is one transaction on the store's threads."""

    def __init__(self, engine: Engine, *, threads: int = 1) -> None:
        self.engine = engine
        """The synchronous SQLAlchemy engine; use it through :meth:`run`."""
        self._executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="store")

    @classmethod
    async def open(cls, settings: Settings) -> "Store":
        """Connect to ``APP_DATABASE_URL`` and apply the migrations."""
        engine = make_engine(settings)
        threads = 1 if engine.dialect.name == "sqlite" else SERVER_THREADS
        store = cls(engine, threads=threads)
        try:
            await store._call(upgrade_database, engine, settings)
        except BaseException:
            await store.close()
            raise
        return store

    async def close(self) -> None:
        try:
            await self._call(self.engine.dispose)
        finally:
            self._executor.shutdown(wait=False)

    async def _call(self, work: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._executor, work, *args)

    async def run(self, work: Callable[[Connection], T]) -> T:
        """Run ``work(connection)`` in one transaction on the store's threads; return its
        result. Keep ``work`` to database calls: it runs outside the event loop."""
        return await self._call(self._transaction, work)

    def _transaction(self, work: Callable[[Connection], T]) -> T:
        with self.engine.begin() as connection:
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
        stamp = now()
        task = TaskRecord(
            id=new_id(),
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
            created_at=stamp,
            updated_at=stamp,
        )
        try:
            with self.engine.begin() as connection:
                connection.execute(insert(Task), vars(task))
        except IntegrityError:
            # A concurrent request with the same key won the insert.
            existing = self._task_by_key(idempotency_key or "")
            if existing is None:
                raise
            return _same_input(existing, input_text), False
        return task, True

    def _task_by_key(self, key: str) -> TaskRecord | None:
        query = select(*_TASK_COLUMNS).where(Task.idempotency_key == key)
        with self.engine.begin() as connection:
            row = connection.execute(query).first()
        return _task(row) if row is not None else None

    async def task_by_idempotency_key(self, key: str) -> TaskRecord | None:
        return await self._call(self._task_by_key, key)

    async def get_task(self, task_id: str) -> TaskRecord | None:
        query = select(*_TASK_COLUMNS).where(Task.id == task_id)

        def read(connection: Connection) -> TaskRecord | None:
            row = connection.execute(query).first()
            return _task(row) if row is not None else None

        return await self.run(read)

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
    ) -> TaskRecord:
        """Record the outcome of a task (committed before this returns); with a review
        reason, queue the review in the same transaction.

        ``task_id`` None inserts the finished task in one write (a synchronous request whose
        task nobody could look up before it finished); otherwise the task is updated.
        """
        stamp = now()
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
            "updated_at": stamp,
        }
        if task_id is not None:
            return await self.run(lambda connection: _update_task(connection, task_id, values))
        task = TaskRecord(
            id=new_id(), input=input_text, idempotency_key=None, created_at=stamp, **values
        )

        def insert_task(connection: Connection) -> TaskRecord:
            connection.execute(insert(Task), vars(task))
            _insert_review(connection, task)
            return task

        return await self.run(insert_task)

    # Reviews

    async def list_reviews(
        self, status: str | None = "pending", limit: int = 100
    ) -> list[ReviewItem]:
        page = await self.page_reviews(status, limit=limit)
        return page.items

    async def page_reviews(
        self,
        status: str | None = "pending",
        *,
        reason: str | None = None,
        newest_first: bool = False,
        offset: int = 0,
        limit: int = 100,
    ) -> ReviewPage:
        """One page of reviews (oldest first unless ``newest_first``), with the number of
        reviews matching the filter and, per reason, the number with this status."""
        where = [] if status is None else [Review.status == status]
        matching = where if reason is None else [*where, Review.reason == reason]
        order = (
            (Review.created_at.desc(), Review.id.desc())
            if newest_first
            else (Review.created_at, Review.id)
        )
        query = (
            select(*_REVIEW_COLUMNS, Task.input)
            .join(Task, Task.id == Review.task_id)
            .where(*matching)
            .order_by(*order)
            .offset(offset)
            .limit(limit)
        )
        count = select(func.count()).select_from(Review).where(*matching)
        by_reason = select(Review.reason, func.count()).where(*where).group_by(Review.reason)

        def read(connection: Connection) -> ReviewPage:
            return ReviewPage(
                items=[_review_item(row) for row in connection.execute(query)],
                total=connection.execute(count).scalar_one(),
                by_reason={row[0]: row[1] for row in connection.execute(by_reason)},
            )

        return await self.run(read)

    async def get_review(self, review_id: str) -> ReviewItem | None:
        query = (
            select(*_REVIEW_COLUMNS, Task.input)
            .join(Task, Task.id == Review.task_id)
            .where(Review.id == review_id)
        )

        def read(connection: Connection) -> ReviewItem | None:
            row = connection.execute(query).first()
            return _review_item(row) if row is not None else None

        return await self.run(read)

    async def decide_review(
        self, review_id: str, action: str, edited_output: str | None = None, *, by: str
    ) -> tuple[ReviewRecord, TaskRecord]:
        """Apply a reviewer's decision: approve or edit delivers the task, reject rejects it.

        Raises:
            LookupError: no such review.
            ReviewAlreadyDecided: the review is not pending any more.
        """

        def decide(connection: Connection) -> tuple[ReviewRecord, TaskRecord]:
            query = select(*_REVIEW_COLUMNS).where(Review.id == review_id)
            row = connection.execute(query).first()
            if row is None:
                raise LookupError(review_id)
            review = ReviewRecord(*row)
            final = edited_output if action == "edit" else review.model_output
            decided = dataclasses.replace(
                review,
                status=VERDICTS[action],
                final_output=None if action == "reject" else final,
                decided_at=now(),
                decided_by=by,
            )
            claimed = connection.execute(
                update(Review)
                .where(Review.id == review_id, Review.status == "pending")
                .values(
                    status=decided.status,
                    final_output=decided.final_output,
                    decided_at=decided.decided_at,
                    decided_by=by,
                )
            )
            if claimed.rowcount != 1:
                raise ReviewAlreadyDecided(review_id)
            outcome = {
                "status": "rejected" if action == "reject" else "delivered",
                "output": None if action == "reject" else final,
                "updated_at": now(),
            }
            task = _update_task(connection, review.task_id, outcome, queue_review=False)
            return decided, task

        return await self.run(decide)

    async def verdict_counts(self, reasons: tuple[str, ...]) -> dict[str, int]:
        """Number of decided reviews per verdict, for reviews with the given reasons."""
        query = (
            select(Review.status, func.count())
            .where(Review.reason.in_(reasons), Review.status != "pending")
            .group_by(Review.status)
        )
        return await self.run(
            lambda connection: {status: count for status, count in connection.execute(query)}
        )


def _update_task(
    connection: Connection, task_id: str, values: dict[str, Any], *, queue_review: bool = True
) -> TaskRecord:
    found = connection.execute(update(Task).where(Task.id == task_id).values(values)).rowcount
    if found != 1:
        raise LookupError(task_id)
    task = _task(connection.execute(select(*_TASK_COLUMNS).where(Task.id == task_id)).one())
    if queue_review:
        _insert_review(connection, task)
    return task


def _insert_review(connection: Connection, task: TaskRecord) -> None:
    if task.review_reason is None or task.output is None:
        return
    connection.execute(
        insert(Review),
        {
            "id": new_id(),
            "task_id": task.id,
            "reason": task.review_reason,
            "status": "pending",
            "model_output": task.output,
            "final_output": None,
            "confidence": task.confidence,
            "created_at": task.updated_at,
            "decided_at": None,
            "decided_by": None,
        },
    )


def _same_input(task: TaskRecord, input_text: str) -> TaskRecord:
    if task.input != input_text:
        raise IdempotencyConflict(task.id)
    return task


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # WAL lets readers work while a request writes; NORMAL sync is safe with WAL against a
    # killed process (a power cut may lose the last commits).
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
