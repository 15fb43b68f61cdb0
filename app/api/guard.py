"""Who may aim, and how many at once: an API key (ASGI middleware) and the load it counts.

Both guard the aiming endpoints only (AIMING below); the limit is applied where the body has
arrived (app/api/intake.py). Health, readiness, metrics, the model
card and the docs stay open, so that probes and scrapers need no secret and are never turned
away by load. Pure ASGI middleware, not FastAPI dependencies: /aim and /aim/batch skip
FastAPI's dependency solver (app/api/strict.py); the key's middleware is installed only when a
key is configured.
"""

from __future__ import annotations

import hmac
import threading

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from app.api.errors import ErrorResponse

AIMING = frozenset(
    {"/aim", "/aim/batch", "/calibrate", "/verify", "/trajectory", "/trajectory3d", "/loss-surface"}
)


class ApiKeyMiddleware:
    """401 unless the request carries the key, as `X-API-Key` or `Authorization: Bearer`."""

    def __init__(self, app: ASGIApp, api_key: str) -> None:
        self.app = app
        self.key = api_key.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] in AIMING and not self.allowed(scope):
            response = ErrorResponse(
                {"detail": "missing or wrong API key: send it as X-API-Key or Bearer token"},
                status_code=401,
                headers={"WWW-Authenticate": "Bearer"},
            )
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def allowed(self, scope: Scope) -> bool:
        headers = Headers(scope=scope)
        given = headers.get("x-api-key", "")
        if not given:
            scheme, _, token = headers.get("authorization", "").partition(" ")
            given = token.strip() if scheme.lower() == "bearer" else ""
        return hmac.compare_digest(given.encode(), self.key)  # constant time


class Load:
    """Aiming requests in flight, plus work still running for requests that already got
    their 504 (a Python thread cannot be stopped): both count against the limit."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.in_flight = 0  # changed on the event loop only
        self.orphans = 0  # changed under the lock: worker threads decrement it
        self.lock = threading.Lock()

    def full(self) -> bool:
        return self.in_flight + self.orphans >= self.limit
