"""The client's interface answered in this process by the shipped model: no server needed.

`cannon aim` and `cannon verify` use it by default. Requests go through the server's own
request models, so a value the service would refuse is refused here too, as the same typed
errors the HTTP client raises.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from app.aiming import Aimer, OutsideLimitsError, UnreachableTargetError, check_shot
from app.api.answers import aim_json, batch_json
from app.api.errors import shortened
from app.api.health import ModelCard
from app.api.schemas import (
    AimBatchRequest,
    AimBatchResponse,
    AimRequest,
    AimResponse,
    VerifyQuery,
    VerifyResponse,
)
from app.client.clients import Solution
from app.client.errors import error_for
from app.config import Settings, get_settings
from app.model_store import load_model

Model = TypeVar("Model", bound=BaseModel)


class LocalCannon:
    """Aims with the model in `settings.model_path` (ModelError if it is missing or tampered)."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or get_settings()
        network, self.card = load_model(self.settings.model_path, self.settings.cannon())
        self.aimer = Aimer(network, self.settings.max_refine_iterations, self.card["version"])

    def aim(
        self, distance: float, *, tolerance: float | None = None, refine: bool | None = None
    ) -> AimResponse:
        request = checked(AimRequest, distance=distance, tolerance=tolerance, refine=refine)
        try:
            answer = self.aimer.aim(
                request.distance, self.settings.tolerance(request.tolerance), refine is not False
            )
        except UnreachableTargetError as error:
            item = {"type": "unreachable_target", "loc": ["distance"], "msg": str(error)}
            body = {"detail": [item], "max_range": error.max_range}
            raise error_for(422, body, over_http=False) from error
        return AimResponse.model_validate_json(aim_json(answer, self.aimer.version))

    def aim_many(
        self,
        distances: Sequence[float],
        *,
        tolerance: float | None = None,
        refine: bool | None = None,
    ) -> list[Solution]:
        request = checked(
            AimBatchRequest, distances=list(distances), tolerance=tolerance, refine=refine
        )
        content, _ = batch_json(
            self.aimer,
            request.distances,
            self.settings.tolerance(request.tolerance),
            refine is not False,
        )
        return AimBatchResponse.model_validate_json(content).solutions

    def verify(
        self, angle: float, velocity: float, distance: float, *, tolerance: float | None = None
    ) -> VerifyResponse:
        query = checked(
            VerifyQuery, angle=angle, velocity=velocity, distance=distance, tolerance=tolerance
        )
        try:
            shot = check_shot(
                self.aimer.cannon,
                query.angle,
                query.velocity,
                query.distance,
                self.settings.tolerance(query.tolerance),
            )
        except OutsideLimitsError as error:
            item = {"type": "outside_cannon_limits", "loc": [], "msg": str(error)}
            raise error_for(422, {"detail": [item]}, over_http=False) from error
        return VerifyResponse(**vars(shot))

    def model(self) -> ModelCard:
        return ModelCard.model_validate(self.card)


def checked(model: type[Model], **fields: Any) -> Model:
    """`model` built from `fields` as the service would validate them, or InvalidRequest."""
    try:
        return model.model_validate({k: v for k, v in fields.items() if v is not None})
    except ValidationError as error:
        items = [shortened(dict(item)) for item in error.errors(include_url=False)]
        raise error_for(422, {"detail": items}, over_http=False) from error
