"""POST /calibrate: the drag, the wind and the muzzle speed's bias from where observed shots
landed. Units: metres (m), metres per second (m/s), radians (rad), seconds (s), inverse
metres (1/m); the velocity bias is a factor (1 = the cannon fires exactly what it is told).

Two forms, as /aim's: in 2D each shot's `landed` is a distance along its line of fire (m)
and the wind a number (m/s, + a tailwind); in 3D `landed` is (x, y) in m with the shot's
`azimuth` (rad), and the wind (x, y). A request's shots are all in one form.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, Field, model_validator

from cannon_client.base import Answer
from cannon_client.calls import Call, given
from cannon_client.conditions import Finite, Strict
from cannon_client.odds import Point2, invalid

Parameter = Literal["drag", "wind", "velocity_bias"]
PARAMETERS: tuple[Parameter, ...] = ("drag", "wind", "velocity_bias")
M = TypeVar("M", bound=BaseModel)
XY = tuple[Annotated[float, Finite], Annotated[float, Finite]]


class ObservedShot(Strict):
    """One ranging shot: what was commanded and where it came down through `target_height`.
    `landed` a number (m along the line of fire: the 2D form) or (x, y) in m (the 3D form,
    with `azimuth`, rad counter-clockwise from +x)."""

    velocity: Annotated[float, Finite, Field(gt=0, description="Commanded velocity, m/s.")]
    angle: Annotated[float, Finite, Field(gt=0, description="Commanded elevation, rad.")]
    landed: Annotated[float, Finite] | XY = Field(description="m, or (x, y) in m.")
    azimuth: Annotated[float | None, Finite, Field(description="rad; 3D only.")] = None
    launch_height: Annotated[float, Finite, Field(ge=0, description="m above ground.")] = 0.0
    target_height: Annotated[float, Finite, Field(ge=0, description="m above ground.")] = 0.0
    flight_time: Annotated[float | None, Finite, Field(gt=0, description="s, if timed.")] = None

    @model_validator(mode="after")
    def _azimuth_in_3d(self) -> ObservedShot:
        if self.azimuth is not None and not isinstance(self.landed, tuple):
            raise ValueError("an azimuth (rad) is the 3D form's: give landed as (x, y) in m")
        return self

    def fields(self) -> dict[str, Any]:
        """As the service takes it: (x, y) as {x, y}, defaults left out."""
        sent = self.model_dump(exclude_defaults=True)
        sent["landed"] = (
            dict(zip("xy", self.landed, strict=True))
            if isinstance(self.landed, tuple)
            else self.landed
        )
        return sent


class Prior(Strict):
    """A normal prior on a fitted parameter, in its unit (drag 1/m, wind m/s per component,
    velocity_bias 1)."""

    mean: Annotated[float, Finite]
    sd: Annotated[float, Finite, Field(gt=0)]


class Estimate(Answer):
    """One fitted parameter."""

    name: str  # drag, wind (2D), wind_x, wind_y (3D) or velocity_bias
    value: float  # in `unit`
    standard_error: float  # one standard deviation, in `unit`
    unit: str  # "1/m", "m/s" or "1" (a factor)


class Residual(Answer):
    """One shot's observed minus predicted, at the fitted air."""

    landed: float | Point2  # m: a number (2D) or {x, y} (3D)
    flight_time: float | None = None  # s; None when not timed


class CalibratedConditions(Answer):
    """The fitted air, ready for /aim: `drag` (1/m) and `wind` (m/s, a number or {x, y})."""

    drag: float  # 1/m
    wind: float | Point2  # m/s

    def wind_value(self) -> float | tuple[float, float]:
        """The wind as the aiming calls take it: a number, or (x, y) in m/s."""
        return self.wind if isinstance(self.wind, float) else (self.wind.x, self.wind.y)


class CalibratedUncertainty(Answer):
    """The fit's standard errors, ready for an Uncertainty: drag (1/m), wind (m/s)."""

    drag_sigma: float  # 1/m; 0 when not fitted
    wind_sigma: float  # m/s, the larger component's in 3D; 0 when not fitted


class CalibrateResponse(Answer):
    """POST /calibrate: the estimates, how sure they are, and the conditions for /aim."""

    estimates: list[Estimate]  # in the order of `correlation`
    correlation: list[list[float]]  # the estimates' correlation matrix
    residuals: list[Residual]  # per shot, in request order
    rms: float  # m, of the landing residuals
    chi_square: float  # the residuals over their sigmas, squared and summed
    degrees_of_freedom: int  # observed numbers minus fitted parameters
    conditions: CalibratedConditions
    velocity_bias: float  # the cannon fires this times the commanded velocity
    uncertainty: CalibratedUncertainty
    iterations: int  # Levenberg-Marquardt iterations (a count)

    def estimate(self, name: str) -> Estimate:
        """The estimate named `name` (KeyError if it was not fitted)."""
        for one in self.estimates:
            if one.name == name:
                return one
        raise KeyError(name)


def observed(shot: ObservedShot | Mapping[str, Any]) -> ObservedShot:
    return shot if isinstance(shot, ObservedShot) else ObservedShot.model_validate(dict(shot))


def calibrate(
    shots: Sequence[ObservedShot | Mapping[str, Any]],
    sigma: float,
    fit: Sequence[Parameter],
    *,
    flight_time_sigma: float | None = None,
    priors: Mapping[Parameter, Prior] | None = None,
    drag: float | None = None,
    wind: float | Sequence[float] | None = None,
    velocity_bias: float | None = None,
) -> Call[CalibrateResponse]:
    """The /calibrate call; the shots and priors validated here, the rest by the service (its
    422)."""
    unknown = [name for name in (*fit, *(priors or {})) if name not in PARAMETERS]
    if unknown:
        raise invalid(f"fit and priors name drag, wind or velocity_bias; not {unknown}")
    body: dict[str, Any] = {
        "shots": [observed(shot).fields() for shot in shots],
        "sigma": sigma,
        "fit": list(fit),
    }
    if priors:
        body["priors"] = {name: prior.model_dump() for name, prior in priors.items()}
    sent_wind = (
        wind
        if wind is None or isinstance(wind, int | float)
        else dict(zip("xy", wind, strict=True))
    )
    body |= given(
        flight_time_sigma=flight_time_sigma, drag=drag, wind=sent_wind, velocity_bias=velocity_bias
    )
    return Call("POST", "/calibrate", CalibrateResponse, json=body)


class CalibrationMethods:
    """The blocking client's `calibrate` (CannonClient)."""

    def send(self, call: Call[M]) -> M:
        raise NotImplementedError

    def calibrate(
        self,
        shots: Sequence[ObservedShot | Mapping[str, Any]],
        sigma: float,
        fit: Sequence[Parameter],
        *,
        flight_time_sigma: float | None = None,
        priors: Mapping[Parameter, Prior] | None = None,
        drag: float | None = None,
        wind: float | Sequence[float] | None = None,
        velocity_bias: float | None = None,
    ) -> CalibrateResponse:
        """The `fit` parameters (drag 1/m, wind m/s, velocity_bias) from where `shots` landed,
        each landing known to `sigma` (m): estimates with standard errors, correlations,
        residuals (m), and the conditions and uncertainty for aim. NotIdentifiable when the
        shots cannot tell them apart, BadShot (with its index) for a shot no air explains."""
        return self.send(
            calibrate(
                shots, sigma, fit, flight_time_sigma=flight_time_sigma, priors=priors,
                drag=drag, wind=wind, velocity_bias=velocity_bias,
            )
        )  # fmt: skip


class AsyncCalibrationMethods:
    """The async client's `calibrate` (AsyncCannonClient): the same, awaited."""

    async def send(self, call: Call[M]) -> M:
        raise NotImplementedError

    async def calibrate(
        self,
        shots: Sequence[ObservedShot | Mapping[str, Any]],
        sigma: float,
        fit: Sequence[Parameter],
        *,
        flight_time_sigma: float | None = None,
        priors: Mapping[Parameter, Prior] | None = None,
        drag: float | None = None,
        wind: float | Sequence[float] | None = None,
        velocity_bias: float | None = None,
    ) -> CalibrateResponse:
        return await self.send(
            calibrate(
                shots, sigma, fit, flight_time_sigma=flight_time_sigma, priors=priors,
                drag=drag, wind=wind, velocity_bias=velocity_bias,
            )
        )  # fmt: skip
