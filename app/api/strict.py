"""Stricter request parsing than FastAPI's default, for every route of the API.

- A JSON object with the same key twice is refused. Python's json keeps the last value, so
  `{"distance": "x", "distance": 8}` would otherwise pass as 8.
- A query parameter given twice is refused. `?angle=0.5&angle=0.6` would otherwise pass as 0.6.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import Response


class RepeatedKeyError(ValueError):
    pass


def unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """json object_pairs_hook that refuses repeated keys."""
    seen = dict(pairs)
    if len(seen) != len(pairs):
        repeated = sorted(
            key for key, count in Counter(key for key, _ in pairs).items() if count > 1
        )
        raise RepeatedKeyError(f"repeated key(s) in a JSON object: {', '.join(repeated)}")
    return seen


class StrictJSONRequest(Request):
    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            body = await self.body()
            try:
                self._json = json.loads(body, object_pairs_hook=unique_keys)
            except RepeatedKeyError as error:
                # Raised as a decode error, FastAPI reports it as a 422 json_invalid.
                raise json.JSONDecodeError(str(error), body.decode(errors="replace"), 0) from error
        return self._json


class StrictRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def strict_handler(request: Request) -> Response:
            if not request.scope["query_string"]:  # the common case, a few µs cheaper
                return await handler(StrictJSONRequest(request.scope, request.receive))
            counts = Counter(key for key, _ in request.query_params.multi_items())
            repeated = [key for key, count in counts.items() if count > 1]
            if repeated:
                raise RequestValidationError(
                    [
                        {
                            "type": "repeated_parameter",
                            "loc": ("query", key),
                            "msg": f"query parameter {key!r} given {counts[key]} times; give it once",
                            "input": request.query_params.getlist(key),
                        }
                        for key in repeated
                    ]
                )
            return await handler(StrictJSONRequest(request.scope, request.receive))

        return strict_handler
