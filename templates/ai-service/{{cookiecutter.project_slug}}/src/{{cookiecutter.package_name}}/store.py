"""The task and review store: SQLAlchemy 2 (async), SQLite by default, PostgreSQL by URL.

Tables are created at start-up. A review decision is applied with a conditional update, so
two reviewers deciding the same review at once cannot both win.
"""

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import (
{%- if cookiecutter.response_cache %}
    Boolean,
{%- endif %}
    DateTime,
    Float,
    ForeignKey,
    String,
    Text,
    event,
    func,
    select,
    text,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from .settings import Settings

TASK_STATUSES = ("queued", "running", "delivered", "needs_review", "rejected", "failed")
REVIEW_REASONS = ("low_confidence", "policy", "sample")
VERDICTS = {"approve": "approved", "edit": "edited", "reject": "rejected"}


def _now() -> datetime:
    return datetime.now(UTC)


def _new_id() -> str:
    return uuid.uuid4().hex


class Base(DeclarativeBase):
    pass


class Task(Base):
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


@dataclass(frozen=True)
class ReviewItem:
    """A review together with the task input the reviewer needs to judge it."""

    review: Review
    input: str


class ReviewAlreadyDecided(Exception):
    """The review was decided before (by another reviewer or an earlier request)."""


class IdempotencyConflict(Exception):
    """The idempotency key was used before with a different input."""


_SCHEMA_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")


class Store:
    """Async access to tasks and reviews."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._session = async_sessionmaker(engine, expire_on_commit=False)

    @classmethod
    async def open(cls, settings: Settings) -> "Store":
        """Connect to ``APP_DATABASE_URL`` and create the tables when missing."""
        url = settings.database_url
        connect_args: dict = {}
        if url.startswith("sqlite"):
            database = url.split("///", 1)[-1]
            if database and database != ":memory:":
                Path(database).parent.mkdir(parents=True, exist_ok=True)
            connect_args["timeout"] = 30
        elif url.startswith("postgresql"):
            connect_args["connect_timeout"] = 5
            if settings.database_schema:
                if not _SCHEMA_NAME.fullmatch(settings.database_schema):
                    raise ValueError(f"invalid APP_DATABASE_SCHEMA {settings.database_schema!r}")
                connect_args["options"] = f"-csearch_path={settings.database_schema}"
        # Pre-ping (one extra round trip per checkout) only where connections can go stale.
        engine = create_async_engine(
            url, connect_args=connect_args, pool_pre_ping=not url.startswith("sqlite")
        )
        if url.startswith("sqlite"):
            event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        async with engine.begin() as connection:
            if settings.database_schema and url.startswith("postgresql"):
                await connection.execute(
                    text(f'CREATE SCHEMA IF NOT EXISTS "{settings.database_schema}"')
                )
            await connection.run_sync(Base.metadata.create_all)
        return cls(engine)

    async def close(self) -> None:
        await self.engine.dispose()

    async def ping(self) -> None:
        """Raise when the database cannot be reached."""
        async with self.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    # Tasks

    async def create_task(
        self, input_text: str, *, status: str, idempotency_key: str | None = None
    ) -> tuple[Task, bool]:
        """Insert a task; with an idempotency key already used, return that task instead.

        Returns:
            The task and whether it was created by this call.

        Raises:
            IdempotencyConflict: the key was used with a different input.
        """
        if idempotency_key is not None:
            existing = await self.task_by_idempotency_key(idempotency_key)
            if existing is not None:
                return _same_input(existing, input_text), False
        task = Task(input=input_text, status=status, idempotency_key=idempotency_key)
        try:
            async with self._session() as session, session.begin():
                session.add(task)
        except IntegrityError:
            # A concurrent request with the same key won the insert.
            existing = await self.task_by_idempotency_key(idempotency_key or "")
            if existing is None:
                raise
            return _same_input(existing, input_text), False
        return task, True

    async def task_by_idempotency_key(self, key: str) -> Task | None:
        async with self._session() as session:
            return await session.scalar(select(Task).where(Task.idempotency_key == key))

    async def get_task(self, task_id: str) -> Task | None:
        async with self._session() as session:
            return await session.get(Task, task_id)

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
    ) -> Task:
        """Record the outcome of a task; with a review reason, queue the review too.

        ``task_id`` None inserts the finished task in one write (a synchronous request whose
        task nobody could look up before it finished); otherwise the task is updated.
        """
        async with self._session() as session, session.begin():
            if task_id is None:
                task = Task(id=_new_id(), input=input_text)
                session.add(task)
            else:
                found = await session.get(Task, task_id)
                if found is None:
                    raise LookupError(task_id)
                task = found
            task.status = status
            task.output = output
            task.confidence = confidence
{%- if cookiecutter.response_cache %}
            task.cached = cached
{%- endif %}
            task.error = error
            task.review_reason = review_reason
{%- if cookiecutter.response_cache %}
            task.cache_key = cache_key
{%- endif %}
            task.latency_ms = latency_ms
            if review_reason is not None and output is not None:
                await session.flush()  # the task row first: the review refers to it
                session.add(
                    Review(
                        task_id=task.id,
                        reason=review_reason,
                        model_output=output,
                        confidence=confidence,
                    )
                )
        return task

    # Reviews

    async def list_reviews(
        self, status: str | None = "pending", limit: int = 100
    ) -> list[ReviewItem]:
        query = select(Review, Task.input).join(Task, Task.id == Review.task_id)
        if status is not None:
            query = query.where(Review.status == status)
        query = query.order_by(Review.created_at, Review.id).limit(limit)
        async with self._session() as session:
            rows = (await session.execute(query)).all()
        return [ReviewItem(review=review, input=input_text) for review, input_text in rows]

    async def get_review(self, review_id: str) -> ReviewItem | None:
        query = (
            select(Review, Task.input)
            .join(Task, Task.id == Review.task_id)
            .where(Review.id == review_id)
        )
        async with self._session() as session:
            row = (await session.execute(query)).first()
        return ReviewItem(review=row[0], input=row[1]) if row else None

    async def decide_review(
        self, review_id: str, action: str, edited_output: str | None = None
    ) -> tuple[Review, Task]:
        """Apply a reviewer's decision: approve or edit delivers the task, reject rejects it.

        Raises:
            LookupError: no such review.
            ReviewAlreadyDecided: the review is not pending any more.
        """
        async with self._session() as session, session.begin():
            review = await session.get(Review, review_id)
            if review is None:
                raise LookupError(review_id)
            final = edited_output if action == "edit" else review.model_output
            claimed = await session.execute(
                update(Review)
                .where(Review.id == review_id, Review.status == "pending")
                .values(
                    status=VERDICTS[action],
                    final_output=None if action == "reject" else final,
                    decided_at=_now(),
                )
                .execution_options(synchronize_session=False)
            )
            if claimed.rowcount != 1:
                raise ReviewAlreadyDecided(review_id)
            task = await session.get(Task, review.task_id)
            assert task is not None
            if action == "reject":
                task.status, task.output = "rejected", None
            else:
                task.status, task.output = "delivered", final
        async with self._session() as session:
            fresh = await session.get(Review, review_id)
        assert fresh is not None
        return fresh, task

    async def verdict_counts(self, reasons: tuple[str, ...]) -> dict[str, int]:
        """Number of decided reviews per verdict, for reviews with the given reasons."""
        query = (
            select(Review.status, func.count())
            .where(Review.reason.in_(reasons), Review.status != "pending")
            .group_by(Review.status)
        )
        async with self._session() as session:
            rows = (await session.execute(query)).all()
        return {status: count for status, count in rows}


def _same_input(task: Task, input_text: str) -> Task:
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
