"""The FastAPI app: ``create_app(settings)`` builds it, so tests build the same app.

Routes: ``POST /v1/tasks``, ``GET /v1/tasks/{task_id}``, ``GET /v1/reviews``,
``POST /v1/reviews/{review_id}``, ``GET /review`` (reviewer page, ``review_page.py``),
``GET /healthz`` and ``GET /metrics``.
{%- if cookiecutter.async_pipeline %}

Tasks run as durable jobs (``jobs.py``): ``POST /v1/tasks`` stores and queues the task and
answers 202; ``GET /v1/tasks/{task_id}`` shows its status and history.
{%- endif %}
"""

{% if cookiecutter.async_pipeline -%}
import asyncio
{% endif -%}
import logging
import random
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Literal

from fastapi import Depends, FastAPI, HTTPException, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.exc import DBAPIError, OperationalError
from starlette.types import Scope

from . import USE_CASE, {% if cookiecutter.async_pipeline %}jobs, {% endif %}problems, review_page, tracing
from .auth import Principal, warn_if_off
{%- if not cookiecutter.async_pipeline %}
from .errors import ProviderFailed
{%- endif %}
from .limits import BodySizeLimit
from .logs import RequestId
from .monitoring import quality_report
from .providers import Provider
from .reviews import InvalidDecision
from .schemas import (
    ReviewDecisionOut,
    ReviewOut,
{%- if cookiecutter.async_pipeline %}
    TaskEventOut,
{%- endif %}
    TaskOut,
    decision_model,
    review_out,
    task_in_model,
{%- if not cookiecutter.async_pipeline %}
    task_json,
{%- endif %}
    task_out,
{%- if not cookiecutter.async_pipeline %}
    task_view,
{%- endif %}
)
from .services import Services, check_health, open_services
from .settings import Settings
from .store import IdempotencyConflict, ReviewAlreadyDecided, TaskRecord

log = logging.getLogger(__name__)

TASKS_PATH = "/v1/tasks"
IDEMPOTENCY_KEY_MAX_CHARS = 200
Identifier = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
"""A task or review id in a path (ids are 32 hex digits; anything else is simply unknown)."""
IDEMPOTENCY_KEY_PARAMETER = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "A repeated POST with the same key returns the same task.",
    "schema": {"type": "string", "maxLength": IDEMPOTENCY_KEY_MAX_CHARS},
}


def idempotency_key_of(request: Request) -> str | None:
    """The ``Idempotency-Key`` header, checked like a FastAPI header parameter (422 when too
    long). Read by hand: a declared header parameter costs tens of microseconds on every
    request of the busiest route; the OpenAPI schema declares it all the same."""
    key = request.headers.get("idempotency-key")
    if key is not None and len(key) > IDEMPOTENCY_KEY_MAX_CHARS:
        message = f"String should have at most {IDEMPOTENCY_KEY_MAX_CHARS} characters"
        raise RequestValidationError(
            [
                {
                    "type": "string_too_long",
                    "loc": ("header", "idempotency-key"),
                    "msg": message,
                    "ctx": {"max_length": IDEMPOTENCY_KEY_MAX_CHARS},
                }
            ]
        )
    return key
{%- if not cookiecutter.async_pipeline %}


def task_response(task: TaskRecord, failure: ProviderFailed | None = None) -> Response:
    """The task as the ``TaskOut`` JSON, encoded directly (the busiest response). A task
    whose model call failed is a 502 (504 when the last attempt timed out) in the problem
    shape, with the task under ``task``."""
    if task.status == "failed":
        timed_out = failure is not None and failure.last_error.kind == "timeout"
        return problems.problem(
            504 if timed_out else 502,
            task.error or "the model provider failed",
            task=task_view(task),
        )
    return Response(task_json(task), media_type="application/json")
{%- endif %}


def create_app(
    settings: Settings | None = None,
    *,
    provider: Provider | None = None,
    rng: random.Random | None = None,
    span_exporter: object | None = None,
) -> FastAPI:
    """Build the app. ``provider``, ``rng`` and the tracing ``span_exporter`` replace the
    configured ones (for tests)."""
    settings = settings or Settings()
    TaskIn = task_in_model(settings.max_input_chars)
    ReviewDecisionIn = decision_model(settings.max_output_chars)
    bearer = HTTPBearer(
        auto_error=False, description="A token from `token create` (client, reviewer or admin)."
    )

    def caller(*roles: str):
        """The dependency of a route open to ``roles`` (and admins): the caller, or 401/403."""

        async def authenticated(
            request: Request,
            _credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
        ) -> Principal:
            return await request.app.state.services.auth.require(request, roles)

        return authenticated

    as_client = Depends(caller("client"))
    as_reader = Depends(caller("client", "reviewer"))
    as_reviewer = Depends(caller("reviewer"))

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        warn_if_off(settings)
        app.state.services = await open_services(settings, provider=provider, rng=rng)
{%- if cookiecutter.async_pipeline %}
        try:
            await jobs.start(settings, app.state.services, "serve")
        except BaseException:
            await app.state.services.close()
            raise
        requeue = asyncio.create_task(jobs.requeue_orphans())
        try:
            yield
        finally:
            requeue.cancel()
            await jobs.stop()
            await app.state.services.close()
{%- else %}
        try:
            yield
        finally:
            await app.state.services.close()
{%- endif %}

    app = FastAPI(title=USE_CASE["project_name"], version="0.1.0", lifespan=lifespan)

    def count_invalid(scope: Scope) -> None:
        if scope.get("path") == TASKS_PATH and scope.get("method") == "POST":
            app.state.services.metrics.count_request("invalid")

    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes, on_reject=count_invalid)
    if settings.otel_enabled:
        tracing.instrument(app, settings, span_exporter)
    app.add_middleware(RequestId)  # outermost: every answer and log line carries the id

    def services(request: Request) -> Services:
        return request.app.state.services
{%- if cookiecutter.async_pipeline %}

    async def with_history(task: TaskRecord) -> TaskOut:
        out = task_out(task)
        out.history = [TaskEventOut.model_validate(event) for event in await jobs.history(task.id)]
        return out
{%- endif %}

    def count_invalid_request(request: Request) -> None:
        if request.url.path == TASKS_PATH and request.method == "POST":
            services(request).metrics.count_request("invalid")

    problems.install(app, on_invalid=count_invalid_request)

    @app.exception_handler(OperationalError)
    @app.exception_handler(DBAPIError)
    async def database_down(request: Request, error: Exception) -> Response:
        log.error("database error on %s %s: %s", request.method, request.url.path, error)
        return problems.problem(
            503,
            "the task database is not reachable; try again later",
            error="database_unavailable",
            headers={"Retry-After": "5"},
        )

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception) -> Response:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return problems.problem(500, "unexpected error; it is logged on the server")

    @app.post(
        TASKS_PATH,
{%- if cookiecutter.async_pipeline %}
        status_code=202,
{%- endif %}
        response_model=TaskOut,
        response_model_exclude_none=True,
        openapi_extra={"parameters": [IDEMPOTENCY_KEY_PARAMETER]},
        responses=problems.responses(400, 401, 403, 409, 413, 422, 503{% if not cookiecutter.async_pipeline %}, 502, 504{% endif %}),
    )
    async def create_task(
        body: TaskIn, request: Request, _caller: Principal = as_client
    ) -> {{ "TaskOut" if cookiecutter.async_pipeline else "Response" }}:
{%- if cookiecutter.async_pipeline %}
        """Store the task, queue its job and answer 202 with ``status: queued``. With an
        ``Idempotency-Key`` header, a repeated POST returns the same task (never a second
        job)."""
{%- else %}
        """Run a task and answer with its final state (``delivered``, ``needs_review`` or
        ``failed``). With an ``Idempotency-Key`` header, a repeated POST returns the same task."""
{%- endif %}
        started = time.perf_counter()
        svc = services(request)
        idempotency_key = idempotency_key_of(request)
        text = body.input
        if not text.strip():
            svc.metrics.count_request("invalid")
            raise HTTPException(422, "input: must not be empty")
        if len(text) > settings.max_input_chars:
            svc.metrics.count_request("invalid")
            raise HTTPException(
                422,
                f"input: {len(text)} characters, more than the maximum of "
                f"{settings.max_input_chars} (APP_MAX_INPUT_CHARS)",
            )
{%- if cookiecutter.async_pipeline %}
        try:
            task, created = await svc.store.create_task(
                text, status="queued", idempotency_key=idempotency_key
            )
        except IdempotencyConflict:
            svc.metrics.count_request("invalid")
            raise HTTPException(
                409, "Idempotency-Key: already used for a task with a different input"
            ) from None
        if created:
            await jobs.add_event(task.id, "queued", f"{task.id}:queued")
        try:
            # Also for a repeated POST: queues the job if a crash came between the two writes.
            await jobs.enqueue(task.id)
        except jobs.JobsUnavailable as error:
            log.error("task %s not queued: %s", task.id, error)
            if created:
                await jobs.discard(task.id)  # a retry starts afresh (same key included)
            svc.metrics.count_request("unavailable")
            return problems.problem(  # type: ignore[return-value]
                503,
                "the job queue is not reachable; try again later",
                error="jobs_unavailable",
                headers={"Retry-After": "5"},
            )
        if created:
            svc.metrics.count_request("queued", time.perf_counter() - started)
        return await with_history(task)
{%- else %}
        claimed_id = None
        if idempotency_key is not None:
            # Store the task as running first, so the key is taken before the model runs.
            try:
                task, created = await svc.store.create_task(
                    text, status="running", idempotency_key=idempotency_key
                )
            except IdempotencyConflict:
                svc.metrics.count_request("invalid")
                raise HTTPException(
                    409, "Idempotency-Key: already used for a task with a different input"
                ) from None
            if not created:
                return task_response(task)
            claimed_id = task.id
        task, failure = await svc.pipeline.run_reporting(text, task_id=claimed_id)
        svc.metrics.count_request(task.status, time.perf_counter() - started)
        return task_response(task, failure)
{%- endif %}

    @app.get(
        TASKS_PATH + "/{task_id}",
        response_model=TaskOut,
        response_model_exclude_none=True,
        responses=problems.responses(401, 403, 404, 422, 503),
    )
    async def get_task(
        task_id: Identifier, request: Request, _caller: Principal = as_reader
    ) -> {{ "TaskOut" if cookiecutter.async_pipeline else "Response" }}:
        task = await services(request).store.get_task(task_id)
        if task is None:
            raise HTTPException(404, f"task {task_id} not found")
{%- if cookiecutter.async_pipeline %}
        return await with_history(task)
{%- else %}
        return Response(task_json(task), media_type="application/json")  # failed too: 200
{%- endif %}

    @app.get(
        "/v1/reviews",
        response_model=list[ReviewOut],
        responses=problems.responses(401, 403, 422, 503),
    )
    async def list_reviews(
        request: Request,
        _caller: Principal = as_reviewer,
        status: Literal["pending", "approved", "edited", "rejected", "all"] = Query("pending"),
        limit: int = Query(100, ge=1, le=1000),
    ) -> list[ReviewOut]:
        """Reviews in the queue (``pending`` by default), oldest first."""
        items = await services(request).reviews.list(None if status == "all" else status, limit)
        return [review_out(item) for item in items]

    @app.post(
        "/v1/reviews/{review_id}",
        response_model=ReviewDecisionOut,
        responses=problems.responses(400, 401, 403, 404, 409, 413, 422, 503),
    )
    async def decide_review(
        review_id: Identifier,
        body: ReviewDecisionIn,
        request: Request,
        reviewer: Principal = as_reviewer,
    ) -> ReviewDecisionOut:
        """Approve, edit or reject: the task becomes ``delivered`` (approve, edit) or
        ``rejected``."""
        try:
            review, task = await services(request).reviews.decide(
                review_id, body.action, getattr(body, "output", None), by=reviewer.name
            )
        except InvalidDecision as error:
            raise HTTPException(422, f"output: {error}") from None
        except LookupError:
            raise HTTPException(404, f"review {review_id} not found") from None
        except ReviewAlreadyDecided:
            raise HTTPException(409, f"review {review_id} was already decided") from None
        return ReviewDecisionOut(
            review_id=review.id,
            verdict=review.status,  # type: ignore[arg-type]
            decided_by=review.decided_by,
            task=task_out(task),
        )

    @app.get(
        "/v1/quality",
        responses={401: {"description": "No valid token"}, 403: {"description": "Wrong role"}},
    )
    async def quality(request: Request, _caller: Principal = as_reviewer) -> dict:
        """The error rate of delivered outputs, estimated from the sampled reviews (n,
        errors, rate, Wilson 95% bounds, window): what ``assessor evidence pull`` reads.
        Reviewer or admin token."""
        svc = services(request)
        model = settings.llm_model if settings.llm_provider == "openai" else "fake"
        return quality_report(await svc.monitor.refresh(), model)

    @app.get("/healthz", responses={503: {"description": "A dependency is down"}})
    async def healthz(request: Request) -> JSONResponse:
        """200 when every dependency answers, 503 naming the one that does not."""
        svc = services(request)
        probes = {"database": svc.store.ping}
{%- if cookiecutter.async_pipeline %}
        probes["jobs"] = jobs.ping
{%- endif %}
{%- if cookiecutter.response_cache %}
        probes["cache"] = svc.cache.ping
{%- endif %}
        healthy, checks = await check_health(probes)
        return JSONResponse(
            status_code=200 if healthy else 503,
            content={"status": "ok" if healthy else "unavailable", "checks": checks},
        )

    @app.get(
        "/metrics",
        response_class=PlainTextResponse,
        responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}}},
    )
    async def metrics(request: Request) -> Response:
        svc = services(request)
        await svc.monitor.refresh()  # verdicts given on other instances count too
{%- if cookiecutter.async_pipeline %}
        await jobs.refresh_gauges(svc.metrics)
{%- endif %}
        return Response(
            svc.metrics.render(),
            media_type="text/plain; version=0.0.4; charset=utf-8",
        )

    app.include_router(review_page.router)
    return app
