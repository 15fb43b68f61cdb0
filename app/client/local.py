"""The client's interface answered in this process by the shipped model: no server needed.

`cannon aim` and `cannon verify` use it by default. Requests go through the server's own
request models, so a value the service would refuse is refused here too, as the same typed
errors the HTTP client raises.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cached_property
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from app.aiming import Aimer, OutsideLimitsError, UnreachableTargetError, check_shot
from app.air_aiming import AirAimer
from app.api import air_answers
from app.api.air_schemas import Conditions, Constraints
from app.api.answers import aim_json, batch_json
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
from app.model_store import load_air_model, load_model

Model = TypeVar("Model", bound=BaseModel)
Result = TypeVar("Result")


class LocalCannon:
    """Aims with the models in `settings.model_path` and `settings.air_model_path` (the air
    model loaded at its first use; ModelError if a model is missing or tampered)."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or get_settings()
        network, self.card = load_model(self.settings.model_path, self.settings.cannon())
        self.aimer = Aimer(network, self.settings.max_refine_iterations, self.card["version"])

    @cached_property
    def air(self) -> tuple[AirAimer, str]:
        network, card = load_air_model(self.settings.air_model_path, self.settings.cannon())
        return AirAimer(network, self.settings.max_refine_iterations), card["version"]

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
        if not (request.still_and_flat() and request.free()):
            aimer, version = self.air
            content, _ = translated(
                air_answers.aim_one,
                aimer,
                version,
                request.distance,
                request,
                translated(air_answers.constraint_of, aimer, request, []),
                tolerance,
                refine is not False,
            )
            return AimResponse.model_validate_json(content)
        try:
            answer = self.aimer.aim(request.distance, tolerance, refine is not False)
        except UnreachableTargetError as error:
            item = {"type": "unreachable_target", "loc": ["distance"], "msg": str(error)}
            body = {"detail": [item], "max_range": error.max_range}
            raise error_for(422, body, over_http=False) from error
        return AimResponse.model_validate_json(
            aim_json(answer, self.aimer.version, self.aimer.cannon)
        )

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
        if not (request.still_and_flat() and request.free()):
            aimer, version = self.air
            constraint = translated(air_answers.constraint_of, aimer, request, [])
            content, _ = translated(
                air_answers.aim_many,
                aimer,
                version,
                request.distances,
                request,
                constraint,
                tolerance,
                refine is not False,
            )
        else:
            content, _ = batch_json(self.aimer, request.distances, tolerance, refine is not False)
        return AimBatchResponse.model_validate_json(content).solutions

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
        if not query.still_and_flat():
            return translated(air_answers.verify_one, self.aimer.cannon, query, tolerance)
        try:
            shot = check_shot(
                self.aimer.cannon, query.angle, query.velocity, query.distance, tolerance
            )
        except OutsideLimitsError as error:
            item = {"type": "outside_cannon_limits", "loc": [], "msg": str(error)}
            raise error_for(422, {"detail": [item]}, over_http=False) from error
        return VerifyResponse(**vars(shot))

    def model(self) -> ModelCard:
        return ModelCard.model_validate(self.card)


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
