"""What a request goes through before it may aim: the model is fit, there is room, and the
whole body arrived in time and within the size limit. As pure ASGI middleware, so it covers
the DirectRoutes too.

Order matters:
1. An unfit model (its self-check failed, and the operator keeps the process up) never aims:
   503 `model_not_ready`.
2. A full house is refused at once, before the body is read: 429 with Retry-After.
3. The body is read whole, within what is left of the request's read time (CANNON_READ_TIMEOUT,
   counted from the request's first byte by the server's protocol, app/api/server.py): 408
   after it, 413 past the size limit. A client that leaves meanwhile is a 499, not an error.
4. Only then does an aiming request take its slot. A client that trickles its body in holds
   no slot, so stalled uploads cannot lock the service out.
The app then reads the buffered body; later `receive` calls reach the server's, which is how
a running request learns that its client has gone (app/api/work.py).
"""

from __future__ import annotations

import asyncio
import time

from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.errors import ErrorResponse
from app.api.guard import AIMING, Load
from app.api.lifecycle import Life

CLIENT_GONE = 499  # nginx's "client closed request": never sent, only counted and logged


class IntakeMiddleware:
    def __init__(
        self, app: ASGIApp, load: Load, life: Life, max_bytes: int, read_timeout: float
    ) -> None:
        self.app, self.load, self.life = app, load, life
        self.max_bytes, self.read_timeout = max_bytes, read_timeout
        self.too_large = f"request body larger than the limit of {max_bytes} bytes"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        aiming = scope["path"] in AIMING
        if aiming and self.life.unfit is not None:
            detail = [{"type": "model_not_ready", "loc": [], "msg": self.life.unfit}]
            await ErrorResponse({"detail": detail}, status_code=503)(scope, receive, send)
            return
        if aiming and self.load.full():
            await self.busy(scope, receive, send)
            return
        headers = Headers(scope=scope)
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await self.refuse(413, self.too_large, scope, receive, send)
            return
        if declared not in ("", "0") or "transfer-encoding" in headers:
            body = await self.read_body(scope, receive, send)
            if body is None:
                return  # answered already: 408, 413 or the client left
            receive = replay(body, receive)
        if not aiming:
            await self.app(scope, receive, send)
            return
        if self.load.full():  # filled up while this body was on its way
            await self.busy(scope, receive, send)
            return
        self.load.in_flight += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.load.in_flight -= 1

    async def read_body(self, scope: Scope, receive: Receive, send: Send) -> bytes | None:
        """The whole body, or None after answering why not."""
        state = scope.setdefault("state", {})
        deadline = state.get("read_deadline") or time.monotonic() + self.read_timeout
        chunks, size, more = [], 0, True
        while more:
            try:
                remaining = max(deadline - time.monotonic(), 0.0)
                message = await asyncio.wait_for(receive(), remaining)
            except TimeoutError:
                detail = f"the request was not received within {self.read_timeout} s"
                await self.refuse(408, detail, scope, receive, send)
                return None
            if message["type"] == "http.disconnect":
                await Response(status_code=CLIENT_GONE)(scope, receive, send)  # counted only
                return None
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self.refuse(413, self.too_large, scope, receive, send)
                return None
            chunks.append(chunk)
            more = message.get("more_body", False)
        return b"".join(chunks)

    async def busy(self, scope: Scope, receive: Receive, send: Send) -> None:
        detail = f"busy: {self.load.limit} aiming requests at work, retry shortly"
        response = ErrorResponse({"detail": detail}, status_code=429, headers={"Retry-After": "1"})
        await response(scope, receive, send)

    async def refuse(
        self, status: int, detail: str, scope: Scope, receive: Receive, send: Send
    ) -> None:
        """An error for a request whose body is not (all) read: the connection closes after it,
        since the rest of that body would otherwise be taken for the next request."""
        response = ErrorResponse(
            {"detail": detail}, status_code=status, headers={"Connection": "close"}
        )
        await response(scope, receive, send)


def replay(body: bytes, receive: Receive) -> Receive:
    """A `receive` that gives the buffered body first, then passes on to the server's."""
    given = False

    async def receive_again() -> Message:
        nonlocal given
        if not given:
            given = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return receive_again
