"""Typed errors for the client, each keeping what the server said (`detail`, `max_range`)."""

from __future__ import annotations

from typing import Any


class CannonError(Exception):
    """The service answered with an error, or could not be reached (`status_code` None)."""

    def __init__(
        self,
        message: str,
        status_code: int | None = None,
        detail: Any = None,
        body: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.detail = detail  # the server's `detail`: a string or a list of error items
        self.body = body or {}


class InvalidRequest(CannonError):
    """400, 404, 405, 413 or 422: the request itself is wrong; sending it again will not help."""


class UnreachableTarget(InvalidRequest):
    """422 `unreachable_target`: no shot within the cannon's limits reaches the target."""

    @property
    def max_range(self) -> float:
        """The farthest reachable target in metres (m)."""
        return float(self.body["max_range"])


class Unauthorized(CannonError):
    """401: the API key is missing or wrong."""


class Overloaded(CannonError):
    """429: too many requests in flight, still so after the client's retries."""


class NotReady(CannonError):
    """503: the service is starting (or its self-check failed), still so after the retries."""


class ServerTimeout(CannonError):
    """504: the work took longer than the service's time budget."""


class ServerError(CannonError):
    """500 or another unexpected status."""


class Unavailable(CannonError):
    """No answer: the connection failed or the client's timeout ran out."""


BY_STATUS: dict[int, type[CannonError]] = {
    400: InvalidRequest,
    401: Unauthorized,
    404: InvalidRequest,
    405: InvalidRequest,
    413: InvalidRequest,
    422: InvalidRequest,
    429: Overloaded,
    503: NotReady,
    504: ServerTimeout,
}


def error_for(status_code: int, body: dict[str, Any], over_http: bool = True) -> CannonError:
    """The typed error for an error response, its message the server's detail in one line."""
    detail = body.get("detail")
    items = detail if isinstance(detail, list) else []
    kinds = {item.get("type") for item in items if isinstance(item, dict)}
    if "unreachable_target" in kinds:
        kind: type[CannonError] = UnreachableTarget
    else:
        kind = BY_STATUS.get(status_code, ServerError)
    message = describe(detail) + (f" (HTTP {status_code})" if over_http else "")
    return kind(message, status_code, detail, body)


def describe(detail: Any) -> str:
    """The server's detail in one line: `msg (at body.distance)` for each error item."""
    if isinstance(detail, list):
        parts = []
        for item in detail:
            if not isinstance(item, dict):
                parts.append(str(item))
                continue
            where = ".".join(str(part) for part in item.get("loc", ()))
            parts.append(f"{item.get('msg', item)}" + (f" (at {where})" if where else ""))
        return "; ".join(parts)
    return str(detail)
