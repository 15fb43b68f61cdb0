"""Python client for a cannon-aim service, blocking and async, on httpx.

    from app.client import CannonClient, UnreachableTarget

    with CannonClient("http://127.0.0.1:8000", api_key=None) as cannon:
        shot = cannon.aim(7.5, tolerance=0.001)  # AimResponse: angle (rad), velocity (m/s), ...

Answers are the server's own response models (app/api/schemas.py); errors are typed and keep
the server's `detail`; 429 and 503 are retried, honouring Retry-After.
"""

from app.client.calls import RetryPolicy
from app.client.clients import AsyncCannonClient, CannonClient
from app.client.errors import (
    CannonError,
    InvalidRequest,
    NotReady,
    Overloaded,
    ServerError,
    ServerTimeout,
    Unauthorized,
    Unavailable,
    UnreachableTarget,
)

__all__ = [
    "AsyncCannonClient",
    "CannonClient",
    "CannonError",
    "InvalidRequest",
    "NotReady",
    "Overloaded",
    "RetryPolicy",
    "ServerError",
    "ServerTimeout",
    "Unauthorized",
    "Unavailable",
    "UnreachableTarget",
]
