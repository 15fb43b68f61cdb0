"""Request and response bodies of the HTTP API. Units: metres, m/s, radians, seconds.

Validation is strict: finite numbers only, no coercion of booleans or strings into numbers
(or numbers into booleans), and unknown fields are refused.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.aiming.vacuum import MIN_TOLERANCE
from app.api.conditions import Conditions, Constraints
from app.api.odds_schemas import Odds, OddsAnswer
from app.api.space_responses import BatchIntercept, BatchUnreachableTarget

Finite = Field(allow_inf_nan=False)
# A shot's controls as query parameters, for /verify and /trajectory alike.
ShotAngle = Annotated[
    float,
    Finite,
    Field(
        gt=0,
        description="Launch angle in radians (rad) above the horizontal, inside the cannon's limits (default (0, pi/2)).",
        examples=[0.7853981633974483],
    ),
]
ShotVelocity = Annotated[
    float,
    Finite,
    Field(
        gt=0,
        description="Launch velocity in metres per second (m/s), in (0, max velocity] (default max 10).",
        examples=[8.5775],
    ),
]


class AimOptions(Conditions, Constraints, Odds):
    """How closely to aim, through what air, held to what; shared by single and batch
    requests (a batch's targets share one set)."""

    model_config = ConfigDict(strict=True, extra="forbid")

    tolerance: Annotated[
        float | None,
        Finite,
        Field(
            ge=MIN_TOLERANCE,
            description="Largest acceptable miss in metres (m), at least 1e-6; omitted or null: the service's default, 0.05 unless configured otherwise.",
        ),
    ] = None
    refine: bool | None = Field(
        None,
        description="Refine on the true physics when the network's proposal misses by more than the tolerance (omitted or null: true); false returns the network's raw proposal, still verified.",
    )


class AimRequest(AimOptions):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"distance": 7.5, "tolerance": 0.001, "refine": True}]}
    )

    distance: Annotated[
        float, Finite, Field(gt=0, description="Target distance in metres (m), in (0, max range].")
    ]


class AimBatchRequest(AimOptions):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"distances": [2.5, 7.5, 12.0], "tolerance": 0.001}]}
    )

    distances: Annotated[
        list[Annotated[float, Finite]],
        Field(
            min_length=1,
            description="Target distances in metres (m): 1 to the service's batch limit (10,000 unless configured otherwise). A distance outside (0, max range] is reported as unreachable in its own place.",
        ),
    ]


class Verdict(BaseModel):
    """Fields shared by both answers: a shot and what the physics says of it."""

    distance: float = Field(description="Target distance in metres (m).")
    angle: float = Field(description="Launch angle in radians (rad) above the horizontal.")
    velocity: float = Field(description="Launch velocity in metres per second (m/s).")
    landing_distance: float = Field(
        description="Where the shot lands, in metres (m), by float64 physics."
    )
    miss: float = Field(description="|landing_distance - distance| in metres (m).")
    tolerance: float = Field(description="Largest acceptable miss in metres (m).")
    hit: bool = Field(description="Whether miss <= tolerance.")


class AimResponse(Verdict, OddsAnswer):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "distance": 7.5,
                    "angle": 0.7945451736450195,
                    "angle_degrees": 45.52408508234875,
                    "velocity": 8.578208923339844,
                    "flight_time": 1.2478977134990836,
                    "apex_height": 1.909576222490591,
                    "landing_distance": 7.49983233174677,
                    "miss": 0.0001676682532298912,
                    "tolerance": 0.001,
                    "hit": True,
                    "refined": False,
                    "iterations": 0,
                    "model_version": "995f7aa19508",
                }
            ]
        }
    )

    angle_degrees: float = Field(description="Launch angle in degrees.")
    flight_time: float = Field(description="Time from launch to landing in seconds (s).")
    apex_height: float = Field(
        description="Highest point of the flight in metres (m) above the ground."
    )
    refined: bool = Field(description="Whether gradient refinement ran on the network's proposal.")
    iterations: int = Field(description="Refinement steps taken (0 when the proposal already hit).")
    model_version: str = Field(description="First 12 hex digits of the weights file's sha256.")


class BatchSolution(AimResponse):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "distance": 2.5,
                    "angle": 0.7797386646270752,
                    "angle_degrees": 44.67573460629814,
                    "velocity": 4.951907157897949,
                    "flight_time": 0.7098173846632071,
                    "apex_height": 0.6178346823728539,
                    "landing_distance": 2.499471323234854,
                    "miss": 0.0005286767651457858,
                    "tolerance": 0.001,
                    "hit": True,
                    "refined": False,
                    "iterations": 0,
                    "model_version": "995f7aa19508",
                    "reachable": True,
                }
            ]
        }
    )

    reachable: Literal[True] = Field(description="Always true for a solved target.")


class BatchUnreachable(BaseModel):
    distance: float = Field(description="Target distance in metres (m), as given.")
    reachable: Literal[False] = Field(description="Always false: no shot reaches this target.")
    detail: str = Field(description="Why the target cannot be hit, in words.")
    max_range: float | None = Field(
        description="The farthest reachable target in metres (m) in this air and under this constraint; null when no shot comes down at the target's height."
    )
    min_range: float | None = Field(
        None,
        description="The nearest reachable target in metres (m), when the air or the constraint sets one (null in a vacuum: any distance above 0).",
    )


class AimBatchResponse(BaseModel):
    solutions: list[BatchSolution | BatchUnreachable | BatchIntercept | BatchUnreachableTarget] = (
        Field(
            description="One item per requested distance (BatchSolution or BatchUnreachable) "
            "or target (BatchIntercept or BatchUnreachableTarget), in request order."
        )
    )


class VerifyQuery(Conditions):
    model_config = ConfigDict(extra="forbid")

    angle: ShotAngle
    velocity: ShotVelocity
    distance: Annotated[
        float, Finite, Field(ge=0, description="Target distance in metres (m).", examples=[7.5])
    ]
    tolerance: Annotated[
        float | None,
        Finite,
        Field(
            ge=MIN_TOLERANCE,
            description="Largest acceptable miss in metres (m), at least 1e-6; omitted: the service's default, 0.05 unless configured otherwise.",
            examples=[0.001],
        ),
    ] = None


class VerifyResponse(Verdict):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "angle": 0.7853981633974483,
                    "velocity": 8.5775,
                    "distance": 7.5,
                    "landing_distance": 7.499847731906218,
                    "miss": 0.00015226809378177109,
                    "tolerance": 0.001,
                    "hit": True,
                    "flight_time": 1.2365358645520104,
                    "apex_height": 1.8749619329765546,
                }
            ]
        }
    )

    flight_time: float = Field(description="Time from launch to landing in seconds (s).")
    apex_height: float = Field(description="Highest point of the flight in metres (m).")


class ErrorItem(BaseModel):
    loc: list[str | int] = Field(description="Where the error is, e.g. ['body', 'distance'].")
    msg: str = Field(description="What is wrong, in words.")
    type: str = Field(description="A machine-readable error kind.")
    input: Any = Field(None, description="The offending input, shortened when long.")
    ctx: dict[str, Any] | None = Field(None, description="Details of the check that failed.")


class ValidationErrorResponse(BaseModel):
    detail: list[ErrorItem]
    max_range: float | None = Field(
        None,
        description="Present when the target is unreachable: the farthest reachable target in metres (m); null in air where no shot comes down at the target's height.",
    )
    min_range: float | None = Field(
        None,
        description="Present when the target is unreachable in air or under a constraint that sets a nearest reachable target: that distance in metres (m).",
    )
    miss: float | None = Field(
        None,
        description="Present when refinement did not converge (`did_not_converge`): the best shot's miss in metres (m).",
    )
    max_batch: int | None = Field(
        None, description="Present when a batch is too long: the most distances per request."
    )
    parameters: list[str] | None = Field(
        None,
        description="POST /calibrate, `not_identifiable`: the parameters the shots cannot determine.",
    )
    shot: int | None = Field(
        None, description="POST /calibrate, `bad_shot`: the index of the shot no air explains."
    )


class Problem(BaseModel):
    """Any error: a sentence, or a list of items like a validation error's."""

    detail: str | list[ErrorItem]
