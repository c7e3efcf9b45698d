"""The database tables, as SQLAlchemy 2.0 declarative models.

Alembic migrations (``migrations/versions/``) create and change them; ``<script> db
upgrade`` applies them, and the service applies them at start-up too. A test checks that
these models and the migrations agree: change a model, add a migration.
"""

import secrets
from datetime import UTC, datetime

from sqlalchemy import (
{%- if cookiecutter.response_cache %}
    Boolean,
{%- endif %}
    DateTime,
    Float,
    ForeignKey,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

TASK_STATUSES = ("queued", "running", "delivered", "needs_review", "rejected", "failed")
REVIEW_REASONS = ("low_confidence", "policy", "sample")
VERDICTS = {"approve": "approved", "edit": "edited", "reject": "rejected"}


def now() -> datetime:
    return datetime.now(UTC)


def new_id() -> str:
    """A random 128-bit id, as 32 hex digits."""
    return secrets.token_hex(16)


class Base(DeclarativeBase):
    pass


class Task(Base):
    """One request to the model and its outcome."""

    __tablename__ = "tasks"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
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
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)


class Review(Base):
    """An output waiting for (or decided by) a reviewer."""

    __tablename__ = "reviews"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    task_id: Mapped[str] = mapped_column(ForeignKey("tasks.id"), index=True)
    reason: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    """``pending``, then ``approved``, ``edited`` or ``rejected``."""
    model_output: Mapped[str] = mapped_column(Text)
    final_output: Mapped[str | None] = mapped_column(Text)
    confidence: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_by: Mapped[str | None] = mapped_column(String(100))
    """The name of the token (the reviewer) that decided."""


class ApiToken(Base):
    """A bearer token (``<script> token create``). Only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(16))
    """``client``, ``reviewer`` or ``admin``."""
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)


class ReviewerSession(Base):
    """A reviewer signed in to ``/review`` (the cookie holds the id; only its hash is here)."""

    __tablename__ = "reviewer_sessions"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(16))
    csrf_token: Mapped[str] = mapped_column(String(64))
    """Every form of the page carries it; a post without it is refused."""
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
{%- if cookiecutter.async_pipeline %}


class TaskEvent(Base):
    """One entry of a task's status history."""

    __tablename__ = "task_events"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    task_id: Mapped[str] = mapped_column(String(32), index=True)
    status: Mapped[str] = mapped_column(String(16))
    detail: Mapped[str | None] = mapped_column(Text)
    worker: Mapped[str | None] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    key: Mapped[str] = mapped_column(String(300), unique=True)
    """Makes the write idempotent: a step that runs again writes the same key."""


class WorkerSeen(Base):
    """The last sign of life of each process running jobs (``jobs._watch_workers``)."""

    __tablename__ = "job_workers"

    worker_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    last_seen: Mapped[float] = mapped_column(Float)
    """Unix time of the process's last heartbeat."""
{%- endif %}
