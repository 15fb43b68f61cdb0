"""Where the service is in its life: starting, serving, unfit, draining; and how a refused
start is reported.

The routes and middleware read one `Life` object instead of loose attributes on app.state:
- `unfit`: the startup self-check failed and the operator asked to keep the process up
  (CANNON_ON_FAILED_SELF_CHECK=unavailable): aiming, /healthz and /readyz answer 503.
- `draining`: the server was asked to stop (SIGTERM): /readyz answers 503 from that moment,
  so a load balancer stops sending, while the requests already sent are still answered.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

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
