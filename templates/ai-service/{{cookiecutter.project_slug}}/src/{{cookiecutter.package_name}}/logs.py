"""Structured logs and the request id.

Every HTTP request gets an id: the client's ``X-Request-ID`` when it is well-formed (1 to
128 letters, digits and ``._:-``), else a new one. It comes back in the ``X-Request-ID``
response header, in every problem details answer (``request_id``) and in every log line
written while the request is handled. ``APP_LOG_FORMAT=json`` (the default) writes one JSON
object per line: ``time``, ``level``, ``logger``, ``message``, ``request_id`` (inside a
request) and ``exception`` (with a traceback); ``text`` writes plain lines for a terminal.
"""

import json
import logging
import re
import time
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime

from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADER = "X-Request-ID"
WELL_FORMED = re.compile(r"[A-Za-z0-9._:-]{1,128}")

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
"""The id of the request being handled (None outside a request)."""

access_log = logging.getLogger(__name__.rpartition(".")[0] + ".access")


def accepted_id(value: bytes | None) -> str:
    """The client's id when it is well-formed, else a new one."""
    if value is not None:
        try:
            text = value.decode("ascii")
        except UnicodeDecodeError:
            text = ""
        if WELL_FORMED.fullmatch(text):
            return text
    return uuid.uuid4().hex


class RequestId:
    """Pure ASGI middleware: sets :data:`request_id`, returns it in ``X-Request-ID`` and
    logs one ``request`` line per HTTP request (method, path, status, duration)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope["headers"]).get(HEADER.lower().encode())
        current = accepted_id(given)
        token = request_id.set(current)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [
                    (name, value)
                    for name, value in message.get("headers", [])
                    if name.lower() != b"x-request-id"
                ]
                headers.append((b"x-request-id", current.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            access_log.info(
                "%s %s %d",
                scope["method"],
                scope["path"],
                status,
                extra={
                    "method": scope["method"],
                    "path": scope["path"],
                    "status": status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 3),
                },
            )
            request_id.reset(token)


_FIELDS = ("method", "path", "status", "duration_ms")


class JsonFormatter(logging.Formatter):
    """One JSON object per log record."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        current = request_id.get()
        if current is not None:
            line["request_id"] = current
        for name in _FIELDS:
            if name in record.__dict__:
                line[name] = record.__dict__[name]
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def configure(level: str, log_format: str) -> None:
    """Send every log record (uvicorn's included) to stderr in ``log_format``."""
    handler = logging.StreamHandler()
    if log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
