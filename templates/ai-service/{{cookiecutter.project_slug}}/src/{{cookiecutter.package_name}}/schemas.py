"""Request and response bodies of the JSON API (see the README for the contract)."""

import json
{% if cookiecutter.async_pipeline -%}
from datetime import datetime
{% endif -%}
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, StrictStr

from .store import ReviewItem, TaskRecord


class TaskIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    input: StrictStr


class TaskOut(BaseModel):
    """A task as clients see it. ``output`` is present only while the task is delivered."""

    task_id: str
    status: Literal["queued", "running", "delivered", "needs_review", "rejected", "failed"]
    output: str | None = None
    confidence: float | None = None
{%- if cookiecutter.response_cache %}
    cached: bool | None = None
{%- endif %}
    review_reason: str | None = None
    error: str | None = None
{%- if cookiecutter.async_pipeline %}
    history: "list[TaskEventOut] | None" = None
    """Every status change of the task's job, oldest first (``jobs.py``)."""


class TaskEventOut(BaseModel):
    status: str
    at: datetime
    worker: str | None = None
    """The process (``APP_WORKER_ID``) that made the change."""
    detail: str | None = None
{%- endif %}


class ReviewOut(BaseModel):
    review_id: str
    task_id: str
    input: str
    output: str
    confidence: float | None
    reason: Literal["low_confidence", "policy", "sample"]
    status: Literal["pending", "approved", "edited", "rejected"]


class ReviewDecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    action: Literal["approve", "edit", "reject"]
    output: StrictStr | None = None
    """The corrected output; required for ``edit``."""


class ReviewDecisionOut(BaseModel):
    review_id: str
    verdict: Literal["approved", "edited", "rejected"]
    task: TaskOut


def task_view(task: TaskRecord) -> dict[str, Any]:
    """The client's view of a task, as :class:`TaskOut` without its empty fields: never
    the output of a task that is not delivered."""
    view: dict[str, Any] = {"task_id": task.id, "status": task.status}
    if task.status == "delivered" and task.output is not None:
        view["output"] = task.output
    if task.confidence is not None:
        view["confidence"] = task.confidence
{%- if cookiecutter.response_cache %}
    if task.cached is not None:
        view["cached"] = task.cached
{%- endif %}
    if task.review_reason is not None:
        view["review_reason"] = task.review_reason
    if task.status == "failed" and task.error is not None:
        view["error"] = task.error
    return view


def task_out(task: TaskRecord) -> TaskOut:
    return TaskOut.model_validate(task_view(task))


def task_json(task: TaskRecord) -> bytes:
    """:func:`task_view` as JSON: the document FastAPI writes for a ``TaskOut`` response
    model with ``response_model_exclude_none``, without the model's validation and
    serialisation on every request."""
    return json.dumps(
        task_view(task), ensure_ascii=False, allow_nan=False, separators=(",", ":")
    ).encode()


def review_out(item: ReviewItem) -> ReviewOut:
    review = item.review
    return ReviewOut(
        review_id=review.id,
        task_id=review.task_id,
        input=item.input,
        output=review.final_output if review.final_output is not None else review.model_output,
        confidence=review.confidence,
        reason=review.reason,  # type: ignore[arg-type]
        status=review.status,  # type: ignore[arg-type]
    )
