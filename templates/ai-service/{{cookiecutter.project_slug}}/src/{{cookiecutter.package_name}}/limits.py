"""Reject request bodies larger than ``APP_MAX_BODY_BYTES`` with HTTP 413, before parsing."""

import json
from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .problems import MEDIA_TYPE, problem_body


class BodySizeLimit:
    """Pure ASGI middleware. A declared ``Content-Length`` over the limit is refused at once
    (the server holds the client to its declared length); a body without one (chunked) is
    read up to the limit before the app sees it."""

    def __init__(
        self, app: ASGIApp, max_bytes: int, on_reject: Callable[[Scope], None] = lambda s: None
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.on_reject = on_reject

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None:
            if declared.isdigit() and int(declared) > self.max_bytes:
                await self._reject(scope, send)
                return
            await self.app(scope, receive, send)
            return
        messages: list[Message] = []
        received = 0
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            received += len(message.get("body", b""))
            if received > self.max_bytes:
                await self._reject(scope, send)
                return
            if not message.get("more_body", False):
                break

        async def replay() -> Message:
            return messages.pop(0) if messages else await receive()

        await self.app(scope, replay, send)

    async def _reject(self, scope: Scope, send: Send) -> None:
        self.on_reject(scope)
        body = json.dumps(
            problem_body(
                413, f"request body larger than {self.max_bytes} bytes (APP_MAX_BODY_BYTES)"
            )
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", MEDIA_TYPE.encode()),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
