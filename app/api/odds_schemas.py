"""The odds of a hit on /aim and /aim/batch: the optional `uncertainty` and `objective` of a
request, and what the answer adds with them (app/uncertainty/ computes it). Without
`uncertainty` nothing here is parsed or written: every answer stays as it was."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

Finite = Field(allow_inf_nan=False)
Sigma = Annotated[float, Finite, Field(ge=0, le=1e5)]  # past any cannon: no overflow


def _integral(value: object) -> object:
    """JSON Schema's integer includes 100.0: take it as 100 (strict validation refuses the
    rest, booleans and 100.5 among them)."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


class Uncertainty(BaseModel):
    """What is not exact, as standard deviations of independent normal errors, and what
    counts as a hit."""

    model_config = ConfigDict(strict=True, extra="forbid")

    hit_radius: Annotated[
        float,
        Finite,
        Field(
            gt=0,
            le=1e7,
            description="A hit lands within this horizontal distance of the target, in metres (m).",
        ),
    ]
    velocity_sigma: Annotated[
        Sigma, Field(description="Standard deviation of the launch velocity, in m/s; default 0.")
    ] = 0.0
    angle_sigma: Annotated[
        Sigma,
        Field(description="Standard deviation of the elevation, in radians (rad); default 0."),
    ] = 0.0
    azimuth_sigma: Annotated[
        Sigma,
        Field(
            description="Standard deviation of the azimuth (the bearing), in radians (rad); default 0."
        ),
    ] = 0.0
    wind_sigma: Annotated[
        Sigma,
        Field(
            description="Standard deviation of each horizontal component of the wind, in m/s; default 0."
        ),
    ] = 0.0
    drag_sigma: Annotated[
        Sigma,
        Field(
            description="Standard deviation of the drag coefficient, in 1/m (a drawn drag below 0 counts as 0); default 0."
        ),
    ] = 0.0
    samples: Annotated[
        int,
        Field(
            ge=100,
            le=100_000,
            description="Monte Carlo samples (shots flown), 100 to 100,000; default 10,000.",
        ),
        BeforeValidator(_integral),
    ] = 10_000
    seed: Annotated[
        int,
        Field(
            ge=0,
            le=2**63 - 1,
            description="The Monte Carlo's seed: the same seed, the same samples; default 0.",
        ),
        BeforeValidator(_integral),
    ] = 0


OBJECTIVE = (
    "`exact` (default): the controls that land the shot on the target. `max_hit_probability` "
    "(needs `uncertainty`): also the controls that maximise the chance of landing within "
    "`hit_radius`, in `best_odds`, beside the exact aim's chance."
)


class Odds(BaseModel):
    """The optional fields of an answer's odds (a request's `uncertainty` and `objective`)."""

    model_config = ConfigDict(strict=True, extra="forbid")

    uncertainty: Uncertainty | None = Field(
        None,
        description="Errors of the shot and the air: the answer adds the landing's `dispersion` and its `hit_probability`. Omitted: neither, at no cost.",
    )
    objective: Literal["exact", "max_hit_probability"] = Field("exact", description=OBJECTIVE)


class Point2(BaseModel):
    x: float = Field(description="m along +x (in the 2D form: along the line of fire).")
    y: float = Field(
        description="m along +y (in the 2D form: across the line of fire, to the left)."
    )


class MeanMiss(BaseModel):
    x: float | None = Field(description="m along +x (in the 2D form: along the line of fire).")
    y: float | None = Field(description="m along +y (in the 2D form: across it, to the left).")


class Dispersion(BaseModel):
    """Where the shot may land, linearised: a normal law about the commanded shot's landing.
    Null where the linearisation fails (a grazing shot the RK4 flight does not bring down)."""

    mean_miss: MeanMiss = Field(
        description="The commanded shot's landing minus the target, in metres (m)."
    )
    semi_major: float | None = Field(
        description="One standard deviation along the ellipse's long axis, in metres (m)."
    )
    semi_minor: float | None = Field(
        description="One standard deviation along its short axis, in metres (m)."
    )
    orientation: float | None = Field(
        description="The long axis's angle counter-clockwise from +x, in radians (rad), in (-pi/2, pi/2]."
    )


class HitProbability(BaseModel):
    """The chance of landing within `hit_radius` of the target."""

    monte_carlo: float = Field(
        description="Share of `samples` perturbed shots, flown through the compiled physics, that land within the radius."
    )
    interval: tuple[float, float] = Field(
        description="The Monte Carlo figure's 95% (Wilson) interval."
    )
    linearised: float = Field(
        description="The same chance under the linearised normal law (`dispersion`): close to the Monte Carlo figure where the scatter is small against the reach, off where it is skewed."
    )
    hit_radius: float = Field(description="The radius, in metres (m).")
    samples: int = Field(description="Monte Carlo samples.")
    seed: int = Field(description="Their seed.")


class BestOdds(BaseModel):
    """The aim with the best odds (objective `max_hit_probability`), judged on the same samples as the exact aim."""

    velocity: float = Field(description="Launch velocity in metres per second (m/s).")
    angle: float = Field(description="Elevation in radians (rad).")
    angle_degrees: float = Field(description="Elevation in degrees.")
    azimuth: float = Field(description="Azimuth in radians (rad); 0 in the 2D form.")
    hit_probability: float = Field(description="Its Monte Carlo hit probability.")
    interval: tuple[float, float] = Field(description="Its 95% interval.")
    exact_hit_probability: float = Field(description="The exact aim's, on the same samples.")
    gain: float = Field(
        description="hit_probability - exact_hit_probability; 0 when no aim was found better beyond the Monte Carlo's noise (a paired test at 95%): then these are the exact aim's controls."
    )


class OddsAnswer(BaseModel):
    """What an answer adds for a request with `uncertainty` (absent otherwise)."""

    dispersion: Dispersion | None = Field(
        None, description="With `uncertainty`: where the shot may land, linearised (m)."
    )
    hit_probability: HitProbability | None = Field(
        None, description="With `uncertainty`: the chance of landing within `hit_radius`."
    )
    best_odds: BestOdds | None = Field(
        None, description="With objective `max_hit_probability`: the aim with the best odds."
    )
