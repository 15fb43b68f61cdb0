"""`calibrate` and the odds of an aim answered in this process, for `cannon calibrate` and
`cannon aim --hit-radius` without --url.

As the other in-process answers: the body the HTTP client would send (cannon_client), checked
by the server's request models, answered by the server's own translation (app/api/calibration.py,
app/api/odds.py) into the same JSON, read into the same client models; a refusal is the
service's, as the client's typed error. Units: m, m/s, rad, s, 1/m.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import cannon_client
from cannon_client import calibration

from app.aiming.engine import Engine
from app.api import calibration as served
from app.api import odds
from app.api.calibration_schemas import CalibrateRequest
from app.api.replies import Reply
from app.cli.checks import checked, translated
from app.config import Settings


def checked_odds(body: Any) -> None:
    """A request's odds refused as the service refuses them, before any aiming."""
    translated(odds.checked, body)


def with_odds(engine: Engine, body: Any, reply: Reply) -> Reply:
    """The reply with its odds added when the body asks for them, as the routes add them."""
    if getattr(body, "uncertainty", None) is None:
        return reply
    return translated(odds.added, engine, body, reply)


class LocalOdds:
    """The calibration of LocalCannon (app/cli/local.py), which holds the engine."""

    engine: Engine
    settings: Settings

    def calibrate(
        self,
        shots: Sequence[cannon_client.ObservedShot | Mapping[str, Any]],
        sigma: float,
        fit: Sequence[calibration.Parameter],
        *,
        flight_time_sigma: float | None = None,
        priors: Mapping[calibration.Parameter, cannon_client.Prior] | None = None,
        drag: float | None = None,
        wind: float | Sequence[float] | None = None,
        velocity_bias: float | None = None,
    ) -> cannon_client.CalibrateResponse:
        """As CannonClient.calibrate: the fit of `fit` to where `shots` landed (m)."""
        call = calibration.calibrate(
            shots, sigma, fit, flight_time_sigma=flight_time_sigma, priors=priors, drag=drag,
            wind=wind, velocity_bias=velocity_bias,
        )  # fmt: skip
        body = checked(CalibrateRequest, **(call.json or {}))
        translated(served.refuse_mixed, body)
        answer = translated(served.solved, body, self.settings.gravity)
        return cannon_client.CalibrateResponse.model_validate_json(answer)
