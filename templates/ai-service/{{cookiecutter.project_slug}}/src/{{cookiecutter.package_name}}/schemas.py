"""Request and response bodies of the JSON API (see the README for the contract)."""

{% if cookiecutter.async_pipeline -%}
from datetime import datetime
{% endif -%}
from typing import Literal

from pydantic import BaseModel, ConfigDict, StrictStr

from .store import ReviewItem, Task


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


def task_out(task: Task) -> TaskOut:
    """The client's view of a task: never the output of a task that is not delivered."""
    delivered = task.status == "delivered"
    return TaskOut(
        task_id=task.id,
        status=task.status,  # type: ignore[arg-type]
        output=task.output if delivered else None,
        confidence=task.confidence,
{%- if cookiecutter.response_cache %}
        cached=task.cached,
{%- endif %}
        review_reason=task.review_reason,
        error=task.error if task.status == "failed" else None,
    )


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
