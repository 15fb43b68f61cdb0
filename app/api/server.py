"""The HTTP server around the app: uvicorn, with time and size limits on what clients send,
and a shutdown that drains and then ends within its grace whatever clients do.

uvicorn reads headers without a time or size limit (its httptools protocol has neither), so
one client trickling a header in holds a connection for good, and an 8 MB header is read
whole. `guarded_protocol` adds both, where the bytes arrive:
- a request's headers and body must arrive within CANNON_READ_TIMEOUT of its first byte: the
  protocol answers 408 while headers are still coming, and stamps the deadline on the request
  for the body (app/api/intake.py); a connection that sends nothing for as long is closed;
- headers larger than CANNON_MAX_HEADER_BYTES get a 431 and the connection is closed.

`Server` adds the drain: on SIGTERM /readyz turns 503 at once (Life.draining) and requests
are still served for CANNON_DRAIN_SECONDS, so a load balancer can stop sending; then uvicorn
stops accepting and gives the requests in flight CANNON_SHUTDOWN_GRACE seconds before it
cancels them (their work stops at its next checkpoint, app/cancel.py).
"""

from __future__ import annotations

import asyncio
import signal
import time
from types import FrameType
from typing import Any

import uvicorn
from fastapi import FastAPI
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from app.api.lifecycle import Life
from app.config import Settings


class GuardedProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a read deadline and a header size limit."""

    read_timeout = 10.0  # s; set per server by `guarded_protocol`
    max_header_bytes = 16_384

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self.header_bytes = 0  # bytes received since the current request's first byte
        self.in_headers = True  # between requests or within headers, not within a body
        self.refused = False
        self.read_timer: asyncio.TimerHandle | None = self.loop.call_later(
            self.read_timeout, self.read_timed_out
        )

    def data_received(self, data: bytes) -> None:
        if self.refused:
            return
        if self.in_headers:
            self.header_bytes += len(data)
        super().data_received(data)
        if self.in_headers and not self.refused and self.header_bytes > self.max_header_bytes:
            self.refuse(431, "request headers larger than the limit")

    def on_message_begin(self) -> None:
        super().on_message_begin()
        deadline = time.monotonic() + self.read_timeout
        self.scope["state"]["read_deadline"] = deadline  # the body's deadline (intake.py)
        self.arm(self.read_timeout)

    def on_headers_complete(self) -> None:
        self.in_headers = False
        self.disarm()
        size = len(self.url) + sum(len(name) + len(value) + 4 for name, value in self.headers)
        if size > self.max_header_bytes:
            self.refuse(431, "request headers larger than the limit")
            raise HeadersRefused  # stops the parser: no app runs for this request
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self.in_headers, self.header_bytes = True, 0

    def send_400_response(self, msg: str) -> None:
        if not self.refused:  # the parser's error after a refusal: answered already
            super().send_400_response(msg)

    def connection_lost(self, exc: Exception | None) -> None:
        self.disarm()
        super().connection_lost(exc)

    def arm(self, seconds: float) -> None:
        self.disarm()
        self.read_timer = self.loop.call_later(seconds, self.read_timed_out)

    def disarm(self) -> None:
        if self.read_timer is not None:
            self.read_timer.cancel()
            self.read_timer = None

    def read_timed_out(self) -> None:
        self.read_timer = None
        if not self.in_headers or self.transport.is_closing():
            return  # headers are in: the body's deadline is the app's (intake.py)
        if self.header_bytes:
            self.refuse(408, f"the request headers did not arrive within {self.read_timeout} s")
        else:
            self.transport.close()  # an idle connection that never sent a request

    def refuse(self, status: int, message: str) -> None:
        """Answer a request the app never sees, in the service's JSON error shape, and close."""
        self.refused = True
        self.disarm()
        body = b'{"detail":"%s"}' % message.encode("ascii")
        head = [STATUS_LINE[status]]
        for name, value in self.server_state.default_headers:
            head += [name, b": ", value, b"\r\n"]
        head += [
            b"content-type: application/json\r\n",
            b"content-length: %d\r\n" % len(body),
            b"x-content-type-options: nosniff\r\n",
            b"connection: close\r\n\r\n",
        ]
        self.transport.write(b"".join(head) + body)
        self.transport.close()


class HeadersRefused(Exception):
    pass


def guarded_protocol(settings: Settings) -> type[GuardedProtocol]:
    """The protocol class with this service's limits (uvicorn instantiates it itself)."""
    limits = {"read_timeout": settings.read_timeout, "max_header_bytes": settings.max_header_bytes}
    return type("GuardedProtocol", (GuardedProtocol,), limits)


class Server(uvicorn.Server):
    """uvicorn's server with a drain before the shutdown."""

    def __init__(self, config: uvicorn.Config, life: Life, drain_seconds: float) -> None:
        super().__init__(config)
        self.life, self.drain_seconds = life, drain_seconds
        self.drain_ends: float | None = None

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        self.life.draining = True  # /readyz: 503 from this moment
        if self.drain_ends is None and self.drain_seconds > 0 and sig == signal.SIGTERM:
            self.drain_ends = time.monotonic() + self.drain_seconds  # on_tick ends it
            self._captured_signals.append(sig)
            return
        super().handle_exit(sig, frame)  # a second signal skips the rest of the drain

    async def on_tick(self, counter: int) -> bool:
        if self.drain_ends is not None and time.monotonic() >= self.drain_ends:
            self.should_exit = True
        return await super().on_tick(counter)


def server(app: FastAPI, settings: Settings, **options: Any) -> Server:
    """A server for `app` with the service's limits; `options` go to uvicorn.Config."""
    config = uvicorn.Config(
        app,
        http=guarded_protocol(settings),
        log_level=settings.log_level,
        access_log=False,  # the app writes one JSON line a request (app/api/observe.py)
        server_header=False,  # no banner naming the server's software
        timeout_graceful_shutdown=settings.shutdown_grace,  # type: ignore[arg-type]
        **options,
    )
    life: Life = app.state.life
    return Server(config, life, settings.drain_seconds)
