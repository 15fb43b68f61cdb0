"""One JSON error shape, `{"detail": ...}`, for every error the API returns.

FastAPI's default handler for validation errors would echo the offending input back, and a
NaN or Infinity input cannot be written as strict JSON: rendering it raises and turns a 422
into a 500. The handler here writes non-finite numbers as strings instead.
"""

from __future__ import annotations

import math
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse


class ApiError(Exception):
    """An error with a FastAPI-style `detail` list and optional top-level extra fields."""

    def __init__(
        self, status_code: int, loc: list[str | int], msg: str, kind: str, **extra: Any
    ) -> None:
        super().__init__(msg)
        self.status_code = status_code
        self.detail = [{"type": kind, "loc": loc, "msg": msg}]
        self.extra = extra


def finite_json(value: Any) -> Any:
    """Replace non-finite floats, anywhere in a JSON-able value, by their names."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)  # 'nan', 'inf', '-inf'
    if isinstance(value, dict):
        return {key: finite_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [finite_json(item) for item in value]
    return value


async def validation_error(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    return JSONResponse({"detail": finite_json(jsonable_encoder(error.errors()))}, status_code=422)


async def api_error(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, ApiError)
    return JSONResponse({"detail": error.detail, **error.extra}, status_code=error.status_code)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(ApiError, api_error)
