"""Typed errors, each keeping what the server said.

One hierarchy for everything that can go wrong, so a caller can catch `CannonError` alone,
or the one case it can act on (`UnreachableTarget` and its `max_range` in metres, `Overloaded`
to back off). `str(error)` and `.detail` are the server's words as text; `.body` is the
whole JSON body, for anything this client does not name.
"""

from __future__ import annotations

from typing import Any


class CannonError(Exception):
    """The service answered with an error, or could not be reached (`status` None)."""

    def __init__(
        self,
        detail: str,
        status: int | None = None,
        body: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail  # the server's message(s), joined into one line of text
        self.status = status  # the HTTP status, None when no answer came or none was sent
        self.body: dict[str, Any] = body if body is not None else {}

    @property
    def status_code(self) -> int | None:
        """The HTTP status, under the name app.client used."""
        return self.status

    @property
    def items(self) -> list[dict[str, Any]]:
        """The server's error items (`loc`, `msg`, `type`, ...), when its detail is a list."""
        detail = self.body.get("detail")
        return (
            [item for item in detail if isinstance(item, dict)] if isinstance(detail, list) else []
        )


class InvalidRequest(CannonError, ValueError):
    """The request itself is wrong (400, 404, 405, 413, 422, or refused before sending);
    sending it again will not help. A ValueError too, as any refused value is."""


class UnreachableTarget(InvalidRequest):
    """422 `unreachable_target`: no shot within the cannon's limits reaches the target."""

    @property
    def max_range(self) -> float | None:
        """The farthest reachable target in metres (m); None in air where no shot comes
        down at the target's height."""
        value = self.body.get("max_range")
        return None if value is None else float(value)

    @property
    def min_range(self) -> float | None:
        """The nearest reachable target in metres (m), when the air or a constraint sets one."""
        value = self.body.get("min_range")
        return None if value is None else float(value)


class NotIdentifiable(InvalidRequest):
    """422 `not_identifiable` (POST /calibrate): the shots cannot tell the asked parameters
    apart; `detail` says what shot would separate them."""

    @property
    def parameters(self) -> list[str]:
        """The parameters the shots cannot determine (drag, wind, wind_x, velocity_bias...)."""
        return [str(name) for name in self.body.get("parameters", [])]


class BadShot(InvalidRequest):
    """422 `bad_shot` (POST /calibrate): a shot no air could have brought down where it is
    said to have landed."""

    @property
    def shot(self) -> int | None:
        """The shot's index in the request (from 0)."""
        value = self.body.get("shot")
        return None if value is None else int(value)


class Unauthorized(CannonError):
    """401: the API key is missing or wrong."""


class Overloaded(CannonError):
    """429: too many requests in flight, still so after the client's retries."""


class NotReady(CannonError):
    """503: the service is starting (or its self-check failed), still so after the retries."""


class ServerTimeout(CannonError):
    """504: the work took longer than the service's time budget."""


class ServerError(CannonError):
    """500, or any status this client does not expect."""


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


BY_KIND: dict[str, type[InvalidRequest]] = {  # a 422's item type with a class of its own
    "unreachable_target": UnreachableTarget,
    "not_identifiable": NotIdentifiable,
    "bad_shot": BadShot,
}


def error_for(status: int, body: dict[str, Any]) -> CannonError:
    """The typed error for an error response, its text the server's detail in one line."""
    detail = body.get("detail")
    items = detail if isinstance(detail, list) else []
    kinds = [item.get("type") for item in items if isinstance(item, dict)]
    named = [BY_KIND[k] for k in kinds if isinstance(k, str) and k in BY_KIND]
    if named:
        kind: type[CannonError] = named[0]
    else:
        kind = BY_STATUS.get(status, ServerError)
    return kind(describe(detail), status, body)


def describe(detail: Any) -> str:
    """A detail in one line: a sentence as it is; for a list of error items, each
    `msg (at body.distance)`, joined by '; '."""
    if not isinstance(detail, list):
        return str(detail)
    parts = []
    for item in detail:
        if not isinstance(item, dict):
            parts.append(str(item))
            continue
        where = ".".join(str(part) for part in item.get("loc", ()))
        parts.append(f"{item.get('msg', item)}" + (f" (at {where})" if where else ""))
    return "; ".join(parts)
