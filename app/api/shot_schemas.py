"""Query and answer models of GET /trajectory and GET /loss-surface. Units: metres, m/s,
radians, seconds, and 1/m for drag.

Validated as strictly as /verify's query: finite numbers only, unknown parameters refused.
Both take /verify's air (app/api/conditions.py: launch and target heights, wind, drag, with
its bounds), so the page draws the flight it aimed. The cannon's limits come from the
configured cannon, not the schema, so the routes check them and answer 422 with the reason
(as /verify does).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.api.conditions import Conditions
from app.api.openapi import GUARDED, unprocessable
from app.api.schemas import ShotAngle, ShotVelocity

Finite = Field(allow_inf_nan=False)
MAX_POINTS = 1000  # points of one arc: more than any screen can show
MAX_GRID = 200  # cells per axis of the loss surface: 40,000 numbers, about 0.8 MB of JSON


class TrajectoryQuery(Conditions):
    model_config = ConfigDict(extra="forbid")

    angle: ShotAngle
    velocity: ShotVelocity
    points: Annotated[
        int,
        Field(
            ge=2,
            le=MAX_POINTS,
            description=f"How many points along the arc, evenly spaced in time (s), from launch to landing: 2 to {MAX_POINTS}.",
            examples=[100],
        ),
    ] = 100


class TrajectoryResponse(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "angle": 0.7853981633974483,
                    "velocity": 8.5775,
                    "points": 3,
                    "x": [0.0, 3.7499238659531096, 7.499847731906219],
                    "y": [0.0, 1.8749619329765543, 0.0],
                    "landing_distance": 7.499847731906218,
                    "flight_time": 1.2365358645520104,
                    "apex_height": 1.8749619329765546,
                }
            ]
        }
    )

    angle: float = Field(description="Launch angle in radians (rad), as given.")
    velocity: float = Field(description="Launch velocity in metres per second (m/s), as given.")
    points: int = Field(description="How many points the arc has (a count).")
    x: list[float] = Field(description="Horizontal positions along the arc in metres (m).")
    y: list[float] = Field(
        description="Heights along the arc above the ground in metres (m): the launch height at launch, the target height at landing."
    )
    landing_distance: float = Field(
        description="Where the shot comes down through the target's height, in metres (m) from the cannon."
    )
    flight_time: float = Field(description="Time from launch to landing in seconds (s).")
    apex_height: float = Field(
        description="Highest point of the flight above the ground in metres (m)."
    )


def grid_size(axis: str, default: int) -> Any:
    return Field(
        ge=2,
        le=MAX_GRID,
        description=f"Grid points along the {axis} axis: 2 to {MAX_GRID} (a count).",
        examples=[default],
    )


class LossSurfaceQuery(Conditions):
    model_config = ConfigDict(extra="forbid")

    distance: Annotated[
        float,
        Finite,
        Field(
            gt=0,
            description="Target distance in metres (m) from the cannon, in (0, max range] where max range is the farthest the cannon reaches in the given air.",
            examples=[7.5],
        ),
    ]
    velocities: Annotated[int, grid_size("velocity (m/s)", 60)] = 60
    angles: Annotated[int, grid_size("angle (rad)", 60)] = 60
    loss: Annotated[
        Literal["squared", "absolute"],
        Field(
            description="'squared': (landing - distance)^2 in square metres (m^2); 'absolute': |landing - distance| in metres (m).",
            examples=["squared"],
        ),
    ] = "squared"


class LossSurfaceResponse(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "distance": 7.5,
                    "loss_kind": "squared",
                    "unit": "m^2",
                    "velocity": [5.0, 10.0],
                    "angle": [0.39269908169872414, 1.1780972450961724],
                    "loss": [
                        [32.46714646281374, 0.08525220618825217],
                        [32.46714646281372, 0.08525220618825165],
                    ],
                    "min_loss": 0.08525220618825165,
                    "max_loss": 32.46714646281374,
                }
            ]
        }
    )

    distance: float = Field(description="Target distance in metres (m).")
    loss_kind: Literal["squared", "absolute"] = Field(description="Which loss `loss` holds.")
    unit: Literal["m^2", "m"] = Field(description="The loss's unit: square metres or metres.")
    velocity: list[float] = Field(
        description="The grid's launch velocities in metres per second (m/s), ascending: evenly spaced up to the maximum velocity."
    )
    angle: list[float] = Field(
        description="The grid's launch angles in radians (rad), ascending: the centres of equal cells of the open angle limits."
    )
    loss: list[list[float | None]] = Field(
        description="loss[i][j] for angle[i] and velocity[j]: the miss squared in square metres (m^2), or the miss in metres (m), where the shot comes down through the target's height; null where it never does (through air only: a target above the launch)."
    )
    min_loss: float = Field(
        description="Smallest loss on the grid (nulls aside): square metres (m^2) or metres (m), as `unit` says."
    )
    max_loss: float = Field(
        description="Largest loss on the grid (nulls aside): square metres (m^2) or metres (m), as `unit` says."
    )


LIMITS_EXAMPLE = {
    "detail": [
        {
            "type": "outside_cannon_limits",
            "loc": ["query"],
            "msg": "the cannon fires velocities in [1e-05, 10] m/s and angles in (0, 1.570796327) rad; got 12.0 m/s at 0.7 rad",
        }
    ]
}
TRAJECTORY_ERRORS = GUARDED | unprocessable(
    "Invalid query, a shot outside the cannon's limits, air outside what the air model covers for this cannon (`outside_envelope`), or a shot that never comes down at the target's height (`never_lands`).",
    LIMITS_EXAMPLE,
)
LOSS_SURFACE_ERRORS = GUARDED | unprocessable(
    "Invalid query, a grid above 200 x 200, air outside what the air model covers for this cannon, or a target out of reach in that air (then `max_range`, and through air `min_range`, in metres, are given too; null where nothing reaches).",
    {
        "detail": [
            {
                "type": "unreachable_target",
                "loc": ["query", "distance"],
                "msg": "target distance 12.0 m is out of reach: reachable targets lie in (0, 10.19367991845056] m",
            }
        ],
        "max_range": 10.19367991845056,
    },
)
