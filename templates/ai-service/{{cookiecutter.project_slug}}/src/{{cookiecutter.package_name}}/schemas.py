"""Request and response bodies of the JSON API (see the README for the contract)."""

import json
{% if cookiecutter.async_pipeline -%}
from datetime import datetime
{% endif -%}
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictStr, create_model

from .store import ReviewItem, TaskRecord


def storable(text: str) -> str:
    """Text a database can store and a JSON answer can carry: no NUL, no lone surrogate."""
    if "\x00" in text:
        raise ValueError("must not contain NUL characters")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must be valid Unicode (it contains a lone surrogate)") from None
    return text


Text = Annotated[StrictStr, AfterValidator(storable)]

NOT_BLANK_STORABLE = r"^[^\x00]*[^\s\x00][^\x00]*$"
"""The rule of :func:`storable` plus "not blank", as the OpenAPI schema states it (a
JSON Schema pattern): no NUL, at least one non-space character. Lone surrogates are refused
too (422), but a pattern cannot say so portably: ECMA-style engines (those of schemathesis and
of many clients) cannot compile a surrogate range and would then ignore the whole pattern."""


class TaskIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    input: Text
    """The task's input (at most ``APP_MAX_INPUT_CHARS`` characters; not blank; no NUL or
    lone surrogate)."""


def task_in_model(max_chars: int) -> type[TaskIn]:
    """:class:`TaskIn` whose OpenAPI schema states this service's length limits (the app
    checks them itself, with a message naming the setting)."""

    documented = {"minLength": 1, "maxLength": max_chars, "pattern": NOT_BLANK_STORABLE}
    limits = Field(json_schema_extra=documented)
    return create_model("TaskIn", __base__=TaskIn, input=(Annotated[Text, limits], ...))


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
    decided_by: str | None = None
    """The reviewer (token name) who decided; absent while pending."""


class ReviewDecisionIn(BaseModel):
    """A decision as the review page and the queue take it (any action, output optional)."""

    model_config = ConfigDict(extra="forbid")

    action: Literal["approve", "edit", "reject"]
    output: Text | None = None
    """The corrected output; required for ``edit``, refused otherwise."""


class Approve(BaseModel):
    """Deliver the model's output as it is."""

    model_config = ConfigDict(extra="forbid")
    action: Literal["approve"]


class Reject(BaseModel):
    """Withdraw the output: the task becomes ``rejected``."""

    model_config = ConfigDict(extra="forbid")
    action: Literal["reject"]


class Edit(BaseModel):
    """Deliver the reviewer's corrected output (checked like a model answer)."""

    model_config = ConfigDict(extra="forbid")
    action: Literal["edit"]
    output: Text
    """The corrected output (not blank; no NUL or lone surrogate)."""


def decision_model(max_chars: int) -> Any:
    """The body of ``POST /v1/reviews/{review_id}`` as the API documents it: approve and
    reject take no output, edit needs one of at most ``max_chars`` characters (not blank)."""
    limits = Field(
        min_length=1,
        max_length=max_chars,
        pattern=r"\S",  # enforced; the schema states the whole rule (see NOT_BLANK_STORABLE)
        json_schema_extra={"pattern": NOT_BLANK_STORABLE},
    )
    edit = create_model("Edit", __base__=Edit, output=(Annotated[Text, limits], ...))
    return Annotated[Approve | edit | Reject, Field(discriminator="action")]


class ReviewDecisionOut(BaseModel):
    review_id: str
    verdict: Literal["approved", "edited", "rejected"]
    decided_by: str | None = None
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
        decided_by=review.decided_by,
    )
