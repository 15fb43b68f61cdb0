"""POST /calibrate: observed shots in, the air and the muzzle speed's bias out, with how sure
the fit is. Two forms, as /aim: the 2D form (`landed` a distance along the line of fire, the
wind along it) and the 3D form (`landed` {x, y}, each shot's `azimuth`, the wind {x, y})."""

from __future__ import annotations

import math
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.api.odds_schemas import Point2

Finite = Field(allow_inf_nan=False)
MAX_SHOTS = 1_000
# Bounds far past any cannon, so that no number overflows a flight: m, m/s, s, 1/m.
LENGTH, SPEED, TIME, DRAG = 1e7, 1e5, 1e5, 1e3
Parameter = Literal["drag", "wind", "velocity_bias"]


class Landed(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")
    x: Annotated[float, Finite, Field(ge=-LENGTH, le=LENGTH, description="m along +x.")]
    y: Annotated[float, Finite, Field(ge=-LENGTH, le=LENGTH, description="m along +y.")]


class ObservedShot(BaseModel):
    """One ranging shot: what was commanded, and where it came down."""

    model_config = ConfigDict(strict=True, extra="forbid")

    velocity: Annotated[
        float,
        Finite,
        Field(ge=1e-3, le=SPEED, description="Commanded launch velocity in m/s, at least 0.001."),
    ]
    angle: Annotated[
        float,
        Finite,
        Field(
            gt=0, lt=math.pi / 2, description="Commanded elevation in radians (rad), in (0, pi/2)."
        ),
    ]
    azimuth: Annotated[
        float | None,
        Finite,
        Field(
            ge=-math.pi,
            le=math.pi,
            description="Commanded azimuth in radians (rad), counter-clockwise from +x; the 3D form only (default 0 there).",
        ),
    ] = None
    landed: Annotated[float, Finite, Field(ge=-LENGTH, le=LENGTH)] | Landed = Field(
        description="Where it came down through target_height: a distance along the line of fire in metres (m) (2D form) or {x, y} in m from the muzzle (3D form)."
    )
    launch_height: Annotated[
        float,
        Finite,
        Field(
            ge=0,
            le=LENGTH,
            description="Height of the muzzle above the ground in metres (m); default 0.",
        ),
    ] = 0.0
    target_height: Annotated[
        float,
        Finite,
        Field(
            ge=0,
            le=LENGTH,
            description="Height at which the landing was observed, in metres (m) above the ground; default 0.",
        ),
    ] = 0.0
    flight_time: Annotated[
        float | None,
        Finite,
        Field(
            gt=0,
            le=TIME,
            description="Observed time of flight in seconds (s), if timed (needs flight_time_sigma).",
        ),
    ] = None


class Prior(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")
    mean: Annotated[
        float,
        Finite,
        Field(
            ge=-SPEED,
            le=SPEED,
            description="Prior mean, in the parameter's unit (drag 1/m, wind m/s per component, velocity_bias 1).",
        ),
    ]
    sd: Annotated[
        float,
        Finite,
        Field(ge=1e-9, le=SPEED, description="Prior standard deviation, in the same unit."),
    ]


class Priors(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")
    drag: Prior | None = None
    wind: Prior | None = None
    velocity_bias: Prior | None = None


class CalibrateRequest(BaseModel):
    model_config = ConfigDict(
        strict=True,
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "shots": [
                        {"velocity": 10.0, "angle": 0.3, "landed": 4.848},
                        {"velocity": 10.0, "angle": 0.9, "landed": 7.138},
                        {"velocity": 7.0, "angle": 1.2, "landed": 2.813},
                    ],
                    "sigma": 0.02,
                    "fit": ["drag"],
                }
            ]
        },
    )

    shots: list[ObservedShot] = Field(
        min_length=1,
        max_length=MAX_SHOTS,
        description=f"The observed shots, 1 to {MAX_SHOTS}, all in one form.",
    )
    sigma: Annotated[
        float,
        Finite,
        Field(
            ge=1e-9,
            le=LENGTH,
            description="Standard deviation of each observed landing coordinate, in metres (m).",
        ),
    ]
    flight_time_sigma: Annotated[
        float | None,
        Finite,
        Field(
            ge=1e-9,
            le=TIME,
            description="Standard deviation of the observed flight times, in seconds (s); needed when any shot has one.",
        ),
    ] = None
    fit: list[Parameter] = Field(
        min_length=1,
        json_schema_extra={"uniqueItems": True},
        description="What to estimate: `drag` (1/m), `wind` (m/s: along the line of fire in the 2D form, {x, y} in 3D), `velocity_bias` (the cannon fires this times the commanded velocity; 1 = exact).",
    )
    priors: Priors | None = Field(
        None, description="Optional normal priors on the fitted parameters."
    )
    drag: Annotated[
        float,
        Finite,
        Field(
            ge=0, le=DRAG, description="The known drag in 1/m, when `fit` leaves it out; default 0."
        ),
    ] = 0.0
    wind: Annotated[float, Finite, Field(ge=-SPEED, le=SPEED)] | Landed = Field(
        0.0,
        description="The known wind in m/s (a number in the 2D form, {x, y} in 3D), when `fit` leaves it out; default 0.",
    )
    velocity_bias: Annotated[
        float,
        Finite,
        Field(
            gt=0,
            le=10,
            description="The known velocity bias (1 = exact, at most 10), when `fit` leaves it out; default 1.",
        ),
    ] = 1.0

    @model_validator(mode="after")
    def _consistent(self) -> CalibrateRequest:
        plane = self.plane()
        if isinstance(self.wind, Landed) == plane and self.wind != 0.0:
            raise ValueError(
                f"`wind` must be {'a number (m/s)' if plane else '{x, y} (m/s)'} in this form"
            )
        if len(set(self.fit)) != len(self.fit):
            raise ValueError("`fit` names a parameter twice")
        if self.priors is not None:
            stray = [
                n
                for n in ("drag", "wind", "velocity_bias")
                if getattr(self.priors, n) is not None and n not in self.fit
            ]
            if stray:
                raise ValueError(f"a prior on {', '.join(stray)}, which `fit` does not estimate")
        return self

    def plane(self) -> bool:
        """The 2D form: the first shot's `landed` is a number."""
        return not isinstance(self.shots[0].landed, Landed)


class Estimate(BaseModel):
    name: str = Field(
        description="drag, wind (2D form), wind_x, wind_y (3D form) or velocity_bias."
    )
    value: float = Field(description="The estimate, in `unit`.")
    standard_error: float = Field(
        description="Its standard error (one standard deviation), in `unit`."
    )
    unit: str = Field(description="1/m, m/s, or 1 (a factor).")


class Residual(BaseModel):
    landed: float | Point2 = Field(
        description="Observed minus predicted landing at the fitted air, in metres (m): a number (2D) or {x, y} (3D)."
    )
    flight_time: float | None = Field(
        None,
        description="Observed minus predicted flight time in seconds (s); null when not timed.",
    )


class CalibratedConditions(BaseModel):
    drag: float = Field(description="Drag in 1/m: pass as /aim's `drag`.")
    wind: float | Point2 = Field(
        description="Wind in m/s: pass as /aim's `wind` (a number in 2D, {x, y} in 3D)."
    )


class CalibratedUncertainty(BaseModel):
    drag_sigma: float = Field(
        description="The drag's standard error in 1/m (0 when not fitted): pass in /aim's `uncertainty`."
    )
    wind_sigma: float = Field(
        description="The wind's standard error in m/s, the larger component's in 3D (0 when not fitted)."
    )


class CalibrateResponse(BaseModel):
    estimates: list[Estimate] = Field(
        description="Each fitted parameter, in the order of `correlation`."
    )
    correlation: list[list[float]] = Field(description="The estimates' correlation matrix.")
    residuals: list[Residual] = Field(description="Per shot, in request order.")
    rms: float = Field(description="Root mean square of the landing residuals in metres (m).")
    chi_square: float = Field(
        description="The residuals over their sigmas, squared and summed: near degrees_of_freedom when the fit explains the shots to their noise."
    )
    degrees_of_freedom: int = Field(description="Observed numbers minus fitted parameters.")
    conditions: CalibratedConditions
    velocity_bias: float = Field(
        description="The cannon fires this times the commanded velocity: command the velocity /aim gives divided by it."
    )
    uncertainty: CalibratedUncertainty
    iterations: int = Field(description="Levenberg-Marquardt iterations taken.")


class NotIdentifiableResponse(BaseModel):
    detail: list[dict[str, object]]
    parameters: list[str] = Field(description="The parameters the shots cannot determine.")
