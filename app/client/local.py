"""The client's interface answered in this process by the shipped model: no server needed.

`cannon aim` and `cannon verify` use it by default. Requests go through the server's own
request models, so a value the service would refuse is refused here too, as the same typed
errors the HTTP client raises.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from app.aiming.engine import Engine
from app.api import replies
from app.api.conditions import Conditions, Constraints
from app.api.errors import ApiError, shortened
from app.api.health import ModelCard
from app.api.schemas import (
    AimBatchRequest,
    AimBatchResponse,
    AimRequest,
    AimResponse,
    VerifyQuery,
    VerifyResponse,
)
from app.client.calls import Options
from app.client.clients import Solution
from app.client.errors import error_for
from app.config import Settings, get_settings

Model = TypeVar("Model", bound=BaseModel)
Result = TypeVar("Result")


class LocalCannon:
    """Aims with the models in `settings.model_path` and `settings.air_model_path`, through
    the same engine and replies as the service (ModelError if a model is missing or
    tampered)."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or get_settings()
        self.engine = Engine.load(self.settings)

    def aim(
        self,
        distance: float,
        *,
        tolerance: float | None = None,
        refine: bool | None = None,
        air: Conditions | None = None,
        hold: Constraints | None = None,
    ) -> AimResponse:
        fields = Options(tolerance, refine, air, hold).fields()
        request = checked(AimRequest, distance=distance, **fields)
        tolerance = self.settings.tolerance(request.tolerance)
        way = replies.way(self.engine, request)
        reply = translated(way.first_try, request, tolerance)
        reply = reply or translated(way.aim_one, request, tolerance)
        return AimResponse.model_validate_json(reply.content)

    def aim_many(
        self,
        distances: Sequence[float],
        *,
        tolerance: float | None = None,
        refine: bool | None = None,
        air: Conditions | None = None,
        hold: Constraints | None = None,
    ) -> list[Solution]:
        fields = Options(tolerance, refine, air, hold).fields()
        request = checked(AimBatchRequest, distances=list(distances), **fields)
        tolerance = self.settings.tolerance(request.tolerance)
        reply = translated(replies.way(self.engine, request).aim_many, request, tolerance)
        return AimBatchResponse.model_validate_json(reply.content).solutions

    def verify(
        self,
        angle: float,
        velocity: float,
        distance: float,
        *,
        tolerance: float | None = None,
        air: Conditions | None = None,
    ) -> VerifyResponse:
        fields = Options(tolerance, air=air).fields()
        query = checked(VerifyQuery, angle=angle, velocity=velocity, distance=distance, **fields)
        tolerance = self.settings.tolerance(query.tolerance)
        return translated(replies.way(self.engine, query).verify, query, tolerance)

    def model(self) -> ModelCard:
        return ModelCard.model_validate(self.engine.card)


def translated(work: Callable[..., Result], *args: Any) -> Result:
    """`work(*args)`, its ApiError turned into the client's typed error."""
    try:
        return work(*args)
    except ApiError as error:
        body = {"detail": error.detail, **error.extra}
        raise error_for(error.status_code, body, over_http=False) from error


def checked(model: type[Model], **fields: Any) -> Model:
    """`model` built from `fields` as the service would validate them, or InvalidRequest."""
    try:
        return model.model_validate({k: v for k, v in fields.items() if v is not None})
    except ValidationError as error:
        items = [shortened(dict(item)) for item in error.errors(include_url=False)]
        raise error_for(422, {"detail": items}, over_http=False) from error
