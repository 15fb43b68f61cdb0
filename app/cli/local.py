"""The HTTP client's interface answered in this process by the shipped models: no server.

`cannon aim` and `cannon verify` use it without --url. Requests go through the server's own
request models and the same engine and replies as the routes, so a value the service would
refuse is refused here too; answers and errors are the light client's (cannon_client), so
the command prints both the same way whichever answered.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import cannon_client
from pydantic import ValidationError
from pydantic_settings import SettingsError

from app.aiming.engine import Engine
from app.api import replies
from app.api.schemas import AimBatchRequest, AimRequest, VerifyQuery
from app.cli.checks import checked, translated
from app.cli.errors import Failure
from app.cli.local_odds import LocalOdds, checked_odds, with_odds
from app.cli.local_space import LocalSpace
from app.config import Settings, get_settings
from app.model.store import ModelError


class LocalCannon(LocalSpace, LocalOdds):
    """Aims with the models in `settings.model_path`, `settings.air_model_path` and
    `settings.space_model_path`, through the same engine and replies as the service
    (ModelError if a model is missing or tampered); in 3D too (LocalSpace). Units: metres,
    m/s, radians, seconds."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or get_settings()
        self.engine = Engine.load(self.settings)

    @property
    def default_tolerance(self) -> float:
        """The service's default tolerance (m): CANNON_DEFAULT_TOLERANCE, else 0.05."""
        return self.settings.default_tolerance

    def aim(
        self,
        distance: float,
        *,
        tolerance: float | None = None,
        refine: bool | None = None,
        air: cannon_client.Conditions | None = None,
        hold: cannon_client.Constraints | None = None,
        uncertainty: cannon_client.Uncertainty | None = None,
        objective: cannon_client.odds.Objective | None = None,
    ) -> cannon_client.AimResponse:
        fields = options(tolerance, refine, air, hold, uncertainty, objective)
        request = checked(AimRequest, distance=distance, **fields)
        checked_odds(request)
        tolerance = self.settings.tolerance(request.tolerance)
        way = replies.way(self.engine, request)
        reply = translated(way.first_try, request, tolerance)
        reply = with_odds(
            self.engine, request, reply or translated(way.aim_one, request, tolerance)
        )
        return cannon_client.AimResponse.model_validate_json(reply.content)

    def aim_many(
        self,
        distances: Sequence[float],
        *,
        tolerance: float | None = None,
        refine: bool | None = None,
        air: cannon_client.Conditions | None = None,
        hold: cannon_client.Constraints | None = None,
        uncertainty: cannon_client.Uncertainty | None = None,
        objective: cannon_client.odds.Objective | None = None,
    ) -> list[cannon_client.Solution]:
        fields = options(tolerance, refine, air, hold, uncertainty, objective)
        request = checked(AimBatchRequest, distances=list(distances), **fields)
        checked_odds(request)
        tolerance = self.settings.tolerance(request.tolerance)
        reply = translated(replies.way(self.engine, request).aim_many, request, tolerance)
        reply = with_odds(self.engine, request, reply)
        return cannon_client.AimBatchResponse.model_validate_json(reply.content).solutions

    def verify(
        self,
        angle: float,
        velocity: float,
        distance: float,
        *,
        tolerance: float | None = None,
        air: cannon_client.Conditions | None = None,
    ) -> cannon_client.VerifyResponse:
        fields = options(tolerance, None, air, None)
        query = checked(VerifyQuery, angle=angle, velocity=velocity, distance=distance, **fields)
        tolerance = self.settings.tolerance(query.tolerance)
        answer = translated(replies.way(self.engine, query).verify, query, tolerance)
        return cannon_client.VerifyResponse.model_validate_json(answer.model_dump_json())

    def model(self) -> cannon_client.ModelCard:
        return cannon_client.ModelCard.model_validate(self.engine.card)

    def air_model(self) -> cannon_client.AirModelCard:
        return cannon_client.AirModelCard.model_validate(self.engine.air_card)

    def space_model(self) -> cannon_client.SpaceModelCard:
        return cannon_client.SpaceModelCard.model_validate(self.engine.space_card)

    def close(self) -> None:
        """Nothing to release; here so the command closes either kind of cannon alike."""


def opened(settings: Settings | None = None) -> LocalCannon:
    """The models loaded in this process, or a Failure naming the setting or the model file
    that stops them (one line, no traceback)."""
    try:
        return LocalCannon(settings)
    except (ValidationError, SettingsError) as error:
        raise Failure(f"invalid CANNON_* settings: {settings_problems(error)}") from None
    except ModelError as error:
        raise Failure(f"cannot load the model: {error}") from None


def settings_problems(error: ValidationError | SettingsError) -> str:
    """Each setting and what is wrong with it, in one line."""
    if isinstance(error, SettingsError):
        return str(error)
    return "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())


def options(
    tolerance: float | None,
    refine: bool | None,
    air: cannon_client.Conditions | None,
    hold: cannon_client.Constraints | None,
    uncertainty: cannon_client.Uncertainty | None = None,
    objective: cannon_client.odds.Objective | None = None,
) -> dict[str, Any]:
    """A request's fields as the HTTP client sends them: None and defaults left out."""
    made = cannon_client.calls.Options(tolerance, refine, air, hold, uncertainty, objective)
    return made.fields()
