"""Every error answer has one shape: RFC 9457 problem details (``application/problem+json``).

``{"type", "title", "status", "detail", "error", "request_id"}``: ``error`` is a short
stable code for programs (``invalid_request``, ``not_found``, ...), ``detail`` the sentence
for people, ``request_id`` the request's ``X-Request-ID`` (to find its log lines).
Validation problems add ``errors``: ``[{"field", "message"}]``. An answer never repeats
the request's input (it may be huge, binary or not encodable). ``PROBLEM_RESPONSES``
documents the shape in the OpenAPI schema for each status a route can answer.
"""

import json
from collections.abc import Iterable, Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException

from .logs import request_id

MEDIA_TYPE = "application/problem+json"

CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "invalid_request",
    500: "internal_error",
    502: "provider_failed",
    503: "unavailable",
    504: "provider_timeout",
}


def problem_body(
    status: int, detail: str, *, error: str | None = None, **extra: Any
) -> dict[str, Any]:
    body = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "error": error or CODES.get(status, "error"),
        **extra,
    }
    current = request_id.get()
    if current is not None:
        body["request_id"] = current
    return body


def problem(
    status: int,
    detail: str,
    *,
    error: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> Response:
    """An error answer in the one shape."""
    body = problem_body(status, detail, error=error, **extra)
    return Response(
        json.dumps(body, ensure_ascii=True, allow_nan=False).encode(),
        status_code=status,
        media_type=MEDIA_TYPE,
        headers=headers,
    )


def field_errors(errors: Iterable[dict[str, Any]]) -> list[dict[str, str]]:
    """Pydantic's errors without their ``input``: where, and what is wrong."""
    found = []
    for error in errors:
        where = ".".join(str(part) for part in error.get("loc", ()))
        found.append({"field": where, "message": str(error.get("msg", "invalid value"))})
    return found


def validation_problem(errors: Sequence[dict[str, Any]]) -> Response:
    listed = field_errors(errors)
    first = listed[0] if listed else {"field": "", "message": "invalid request"}
    detail = f"{first['field']}: {first['message']}" if first["field"] else first["message"]
    return problem(422, detail, errors=listed)


PROBLEM_SCHEMA = {
    "type": "object",
    "required": ["type", "title", "status", "detail", "error"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "error": {"type": "string"},
        "request_id": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
}


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI ``responses`` entries of these error statuses."""
    return {
        status: {
            "description": HTTPStatus(status).phrase,
            "content": {MEDIA_TYPE: {"schema": PROBLEM_SCHEMA}},
        }
        for status in statuses
    }


def install(app: FastAPI, on_invalid=lambda request: None) -> None:
    """Answer every error of ``app`` as problem details (``on_invalid`` counts 422s)."""

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: RequestValidationError) -> Response:
        on_invalid(request)
        return validation_problem(error.errors())

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException) -> Response:
        detail = error.detail
        if not isinstance(detail, str):
            detail = HTTPStatus(error.status_code).phrase
        return problem(error.status_code, detail, headers=error.headers)
