"""Where the service is in its life: starting, serving, unfit, draining; and how a refused
start is reported.

The routes and middleware read one `Life` object instead of loose attributes on app.state:
- `unfit`: the startup self-check failed and the operator asked to keep the process up
  (CANNON_ON_FAILED_SELF_CHECK=unavailable): aiming, /healthz and /readyz answer 503.
- `draining`: the server was asked to stop (SIGTERM): /readyz answers 503 from that moment,
  so a load balancer stops sending, while the requests already sent are still answered.
"""

from __future__ import annotations

import asyncio
import sys
from dataclasses import dataclass

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send


@dataclass
class Life:
    unfit: str | None = None  # why the model may not aim, when it failed its self-check
    draining: bool = False

    def not_ready(self) -> str | None:
        """Why /readyz says 503, or None when the service takes traffic."""
        if self.unfit is not None:
            return self.unfit
        return "shutting down: draining the requests in flight" if self.draining else None


class StartupRefused(Exception):
    """The service will not serve: its model failed a check. The message says why."""


class QuietStartupRefusal:
    """Report a `StartupRefused` as its one-line message, not as a traceback.

    Starlette answers a failed lifespan startup with the whole traceback as the message, and
    uvicorn logs that message before it exits. For a refusal the operator needs the reason
    alone; anything else that fails at startup keeps its traceback.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "lifespan":
            await self.app(scope, receive, send)
            return

        async def send_reason(message: Message) -> None:
            error = sys.exc_info()[1]  # Starlette sends the failure while handling the error
            if message["type"] == "lifespan.startup.failed" and isinstance(error, StartupRefused):
                message = {**message, "message": f"refusing to serve: {error}"}
            await send(message)

        await self.app(scope, receive, send_reason)


class ShutdownCutoff:
    """A request the server cancels at the end of its shutdown grace gets a 503, not silence
    and not an "Exception in ASGI application" traceback in the log.

    uvicorn cancels the requests still running when CANNON_SHUTDOWN_GRACE runs out; the
    cancellation is expected, so it ends here, at the edge of the app, with an answer when
    none has started yet (a client stalled mid-body gets told why the connection closes).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, send_tracked)
        except asyncio.CancelledError:
            if not started:
                detail = "the server shut down before the answer was ready; retry"
                headers = {"Connection": "close", "Retry-After": "1"}
                response = JSONResponse({"detail": detail}, status_code=503, headers=headers)
                await response(scope, receive, send)
