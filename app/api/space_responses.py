"""Response bodies of aiming in three dimensions at moving targets (issue 13): the answer of
POST /aim with a `target`, of GET /verify in its 3D form, and a batch's items. Units: metres,
m/s, radians, seconds; axes as app/api/space_schemas.py says."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from app.api.odds_schemas import OddsAnswer


class Point(BaseModel):
    """A point in metres."""

    x: float = Field(description="x in metres (m), horizontal.")
    y: float = Field(description="y in metres (m), horizontal.")
    z: float = Field(description="z in metres (m), height above the ground.")


class InterceptVerdict(BaseModel):
    """A shot in three dimensions and what the physics says of it."""

    target: Point = Field(description="The target at firing, in metres (m).")
    angle: float = Field(description="Elevation in radians (rad) above the horizontal.")
    azimuth: float = Field(
        description="Azimuth in radians (rad), counter-clockwise from +x toward +y, in (-pi, pi]."
    )
    velocity: float = Field(description="Launch velocity in metres per second (m/s).")
    intercept_time: float | None = Field(
        description="Seconds (s) after firing when the shot comes down through the target's "
        'height then (with intercept "any": when it passes closest); null when it never does.'
    )
    intercept_point: Point | None = Field(
        description="Where the shot is then, in metres (m) (z: the target's height then); null "
        "when it never comes down there."
    )
    apex_height: float = Field(
        description="Highest point of the flight in metres (m) above the ground."
    )
    miss: float | None = Field(
        description="Horizontal distance in metres (m) between the shot and the target at "
        'intercept_time (with intercept "any": their 3D distance at the closest approach); '
        "null when the shot never comes down through the target's height."
    )
    tolerance: float = Field(description="Largest acceptable miss in metres (m).")
    hit: bool = Field(description="Whether miss <= tolerance.")


class InterceptResponse(InterceptVerdict, OddsAnswer):
    """POST /aim with a `target`: the verified shot that meets it."""

    angle_degrees: float = Field(description="Elevation in degrees.")
    azimuth_degrees: float = Field(description="Azimuth in degrees, in (-180, 180].")
    refined: bool = Field(description="Whether refinement ran on the network's proposal.")
    iterations: int = Field(description="Refinement steps taken (0 when the proposal hit).")
    model_version: str = Field(description="First 12 hex digits of the weights file's sha256.")


class BatchIntercept(InterceptResponse):
    """One solved target of a batch with `targets`."""

    reachable: Literal[True] = Field(description="Always true for a solved target.")


class BatchUnreachableTarget(BaseModel):
    """One target of a batch with `targets` that no shot meets, in its own place."""

    target: Point = Field(description="The target at firing, in metres (m), as given.")
    reachable: Literal[False] = Field(description="Always false: no shot meets this target.")
    detail: str = Field(description="Why the target cannot be hit, in words.")
    max_range: float | None = Field(
        description="The farthest reachable horizontal distance in metres (m) toward the "
        "target's bearing, in this air and under this constraint; null when none comes down "
        "at the target's height."
    )
    min_range: float | None = Field(
        None,
        description="The nearest reachable horizontal distance in metres (m) toward the "
        "target's bearing, when the air or the constraint sets one.",
    )
