"""A limit on the size of one HTTP request body, enforced before and while it is read.

Gradio's ``max_file_size`` bounds each file of an upload, but one POST may carry up to 1,000 files, so
a request of many files each under the limit could still fill the disk. :class:`BodyLimit` refuses a
request whose declared ``Content-Length`` is over the limit at once (413, nothing read), and stops one
without a length (chunked) as soon as more than the limit has arrived.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class BodyTooLargeError(Exception):
    """Raised into the app's read of a request body that went over the limit."""


class BodyLimit:
    """ASGI middleware: HTTP request bodies of at most ``max_bytes``; larger ones get 413 in Dutch."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(send)
            return
        received = 0
        started = False

        async def counting() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLargeError
            return message

        async def tracking(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting, tracking)
        except BodyTooLargeError:
            if not started:
                await self._refuse(send)
        except BaseExceptionGroup as group:  # raised inside a task group (streaming routes)
            _, rest = group.split(BodyTooLargeError)
            if rest is not None:
                raise rest from None
            if not started:
                await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        body = (
            f"Te groot: een upload mag samen hoogstens {self.max_bytes / 1_000_000:g} MB zijn "
            "(LOBBY_MAX_UPLOAD_MB)."
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"text/plain; charset=utf-8"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
