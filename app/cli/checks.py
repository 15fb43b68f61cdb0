"""A request as the service would validate it, and the service's errors as the client's: what
the in-process answers (app/cli/local.py, app/cli/local_space.py) share, so that a value the
service would refuse is refused alike, and either kind of cannon fails the same way."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import cannon_client.errors
from pydantic import BaseModel, ValidationError

from app.api.errors import ApiError, shortened

Model = TypeVar("Model", bound=BaseModel)
Result = TypeVar("Result")


def translated(work: Callable[..., Result], *args: Any) -> Result:
    """`work(*args)`, its ApiError turned into the client's typed error."""
    try:
        return work(*args)
    except ApiError as error:
        body = {"detail": error.detail, **error.extra}
        raise cannon_client.errors.error_for(error.status_code, body) from error


def checked(model: type[Model], **fields: Any) -> Model:
    """`model` built from `fields` as the service would validate them, or InvalidRequest."""
    try:
        return model.model_validate({k: v for k, v in fields.items() if v is not None})
    except ValidationError as error:
        items = [shortened(dict(item)) for item in error.errors(include_url=False)]
        raise cannon_client.errors.error_for(422, {"detail": items}) from error
