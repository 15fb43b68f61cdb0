"""One JSON error shape, `{"detail": ...}`, for every error the API returns.

FastAPI's default handler for validation errors echoes the offending input back whole, and
that goes wrong three ways: a NaN or Infinity cannot be written as strict JSON, a lone UTF-16
surrogate (`"\\ud800"`) cannot be encoded as UTF-8 (both raise while rendering, turning a 422
into a 500), and a large input is encoded and sent back in full. The handler here echoes a
short, always-encodable summary instead, and every error body is written with ASCII escapes.
"""

from __future__ import annotations

import json
import math
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.requests import ClientDisconnect

from app.api.headers import HARDENING_HEADERS
from app.api.lane import Busy

ECHO_CHARS = 80  # longest string echoed back in an error
ECHO_ITEMS = 8  # largest list or object echoed back in an error
ECHO_DEPTH = 3  # deepest nesting echoed back (deeper inputs would recurse without end)


class ErrorResponse(JSONResponse):
    """JSON with every non-ASCII character escaped, so any string can be encoded."""

    def render(self, content: Any) -> bytes:
        return json.dumps(
            content, ensure_ascii=True, allow_nan=False, separators=(",", ":")
        ).encode()


class ApiError(Exception):
    """An error with a FastAPI-style `detail` list and optional top-level extra fields."""

    def __init__(
        self, status_code: int, loc: list[str | int], msg: str, kind: str, **extra: Any
    ) -> None:
        super().__init__(msg)
        self.status_code = status_code
        self.detail = [{"type": kind, "loc": loc, "msg": msg}]
        self.extra = extra


class ClientGone(Exception):
    """The client disconnected before its answer was ready (app/api/work.py)."""


def summary(value: Any, depth: int = 0) -> Any:
    """A short, JSON-safe stand-in for an input echoed back in an error."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)  # 'nan', 'inf', '-inf'
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**ECHO_CHARS:
        return f"<integer of {len(str(abs(value)))} digits>"
    if isinstance(value, str) and len(value) > ECHO_CHARS:
        return value[:ECHO_CHARS] + f"... <{len(value)} characters>"
    if isinstance(value, bytes):  # a body that is not JSON, in any encoding
        text = value[:ECHO_CHARS].decode("utf-8", "replace")
        return text if len(value) <= ECHO_CHARS else text + f"... <{len(value)} bytes>"
    if isinstance(value, list | tuple | dict):
        if len(value) > ECHO_ITEMS or depth >= ECHO_DEPTH:
            return f"<{type(value).__name__} of {len(value)} items>"
        if isinstance(value, dict):
            return {str(summary(k)): summary(v, depth + 1) for k, v in value.items()}
        return [summary(item, depth + 1) for item in value]
    return value


def shortened(error: dict[str, Any]) -> dict[str, Any]:
    """A validation error with its input, location and context cut to size."""
    short = {**error, "loc": [summary(part) for part in error.get("loc", ())]}
    if "input" in error:
        short["input"] = summary(error["input"])
    if "ctx" in error:
        short["ctx"] = {
            key: summary(item if isinstance(item, int | float | str) else str(item))
            for key, item in error["ctx"].items()
        }
    return short


async def validation_error(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    errors = [shortened(item) for item in error.errors()]
    return ErrorResponse({"detail": jsonable_encoder(errors)}, status_code=422)


async def api_error(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, ApiError)
    return ErrorResponse({"detail": error.detail, **error.extra}, status_code=error.status_code)


async def internal_error(_: Request, error: Exception) -> JSONResponse:
    # The exception is logged by uvicorn; the client gets the shape every error has, no trace.
    # Starlette answers it from outside every middleware: the hardening headers come here.
    return ErrorResponse({"detail": "internal error"}, status_code=500, headers=HARDENING_HEADERS)


async def client_gone(_: Request, error: Exception) -> Response:
    # Nothing reaches a client that left: the status is for the metrics and the log line,
    # nginx's 499 "client closed request", so that no error alert fires on clients' networks.
    return Response(status_code=499)


async def busy(_: Request, error: Exception) -> JSONResponse:
    # The same shape as the concurrency limit's 429 (app/api/intake.py), with its own wait.
    assert isinstance(error, Busy)
    headers = {"Retry-After": str(error.retry_after)}
    return ErrorResponse({"detail": str(error)}, status_code=429, headers=headers)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(Busy, busy)  # heavy work that could not end in time
    app.add_exception_handler(ClientDisconnect, client_gone)  # left while sending the body
    app.add_exception_handler(ClientGone, client_gone)  # left while the work ran
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(ApiError, api_error)
    app.add_exception_handler(Exception, internal_error)
