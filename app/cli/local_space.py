"""The HTTP client's 3D methods (`aim_at`, `aim_many_at`, `verify_at`) answered in this
process by the shipped models, for `cannon aim --target` and `cannon verify --target`
without --url.

Each call builds the very body or query the HTTP client would send (cannon_client.calls),
validates it with the server's request models and answers it through the server's replies
(app/api/space_replies.py), so a value the service would refuse is refused here too, and the
answer is the same JSON read into the same client models. Units: m, m/s, m/s^2, rad, 1/m.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import cannon_client
from cannon_client import calls
from cannon_client.space import options

from app.aiming.engine import Engine
from app.api import space_replies
from app.api.space_schemas import AimAtBatchRequest, AimAtRequest, VerifyAtQuery
from app.cli.checks import checked, translated
from app.cli.local_odds import checked_odds, with_odds
from app.config import Settings

SCENE = ("wind", "launch_height", "drag", "target_velocity", "target_acceleration")


def full(scene: dict[str, Any]) -> dict[str, Any]:
    """Every field of a scene (m/s, m, 1/m, m/s, m/s^2), None where not given, as the
    client's scene() takes them; a field it does not know is a TypeError, as in the client."""
    unknown = scene.keys() - set(SCENE)
    if unknown:
        raise TypeError(f"unexpected keyword arguments: {', '.join(sorted(unknown))}")
    return {name: scene.get(name) for name in SCENE}


class LocalSpace:
    """The 3D methods of LocalCannon (app/cli/local.py), which holds the engine."""

    engine: Engine
    settings: Settings

    def aim_at(
        self,
        target: calls.Point,
        *,
        tolerance: float | None = None,
        refine: bool | None = None,
        hold: cannon_client.Constraints | None = None,
        intercept: calls.Meeting | None = None,
        uncertainty: cannon_client.Uncertainty | None = None,
        objective: cannon_client.odds.Objective | None = None,
        **scene: Any,
    ) -> cannon_client.InterceptResponse:
        """As CannonClient.aim_at: the shot (elevation, azimuth rad, velocity m/s) that meets
        `target` (x, y, z) m, moving as the scene says, verified; with its odds if asked."""
        made = options(tolerance, refine, hold, intercept, uncertainty, objective, **full(scene))
        call = calls.aim_at(target, made)
        request = checked(AimAtRequest, **(call.json or {}))
        checked_odds(request)
        tolerance = self.settings.tolerance(request.tolerance)
        reply = translated(space_replies.aim_one, self.engine, request, tolerance)
        reply = with_odds(self.engine, request, reply)
        return cannon_client.InterceptResponse.model_validate_json(reply.content)

    def aim_many_at(
        self,
        targets: Sequence[calls.Point],
        *,
        tolerance: float | None = None,
        refine: bool | None = None,
        hold: cannon_client.Constraints | None = None,
        intercept: calls.Meeting | None = None,
        uncertainty: cannon_client.Uncertainty | None = None,
        objective: cannon_client.odds.Objective | None = None,
        **scene: Any,
    ) -> list[cannon_client.TargetSolution]:
        """As CannonClient.aim_many_at, in one call: an answer per target, in order; a target
        no shot meets is a BatchUnreachableTarget in its place."""
        made = options(tolerance, refine, hold, intercept, uncertainty, objective, **full(scene))
        (call,) = calls.aim_many_at(targets, made, max(len(targets), 1))
        request = checked(AimAtBatchRequest, **(call.json or {}))
        checked_odds(request)
        tolerance = self.settings.tolerance(request.tolerance)
        reply = translated(space_replies.aim_many, self.engine, request, tolerance)
        reply = with_odds(self.engine, request, reply)
        return cannon_client.InterceptBatchResponse.model_validate_json(reply.content).solutions

    def verify_at(
        self,
        angle: float,
        velocity: float,
        azimuth: float,
        target: calls.Point,
        *,
        tolerance: float | None = None,
        intercept: calls.Meeting | None = None,
        **scene: Any,
    ) -> cannon_client.InterceptVerdict:
        """As CannonClient.verify_at: where the shot meets the target's height (DOP853), and
        whether it hits within `tolerance` (m)."""
        made = calls.scene(**full(scene))
        call = calls.verify_at(angle, velocity, azimuth, target, tolerance, made, intercept)
        query = checked(VerifyAtQuery, **(call.params or {}))
        tolerance = self.settings.tolerance(query.tolerance)
        answer = translated(space_replies.verify, self.engine, query, tolerance)
        return cannon_client.InterceptVerdict.model_validate_json(answer.model_dump_json())
