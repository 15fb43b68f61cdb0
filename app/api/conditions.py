"""The conditions and the constraint of /aim, /aim/batch and /verify: heights, wind, drag,
and what the shot is held to. Their defaults are flat ground, still air and a free shot: the
conditions' zero, where the answers are the vacuum's exactly. Limits are the air model's
envelope in metres for the default cannon (app/physics/envelope.py); a service configured
for another cannon refuses what its model does not cover at that scale (Engine.outside)."""

from __future__ import annotations

from typing import Annotated, Literal, Self

from pydantic import BaseModel, Field, ValidationInfo, field_validator, model_validator

from app.aiming.engine import Engine
from app.physics.envelope import METRES

Finite = Field(allow_inf_nan=False)
E = METRES  # the default cannon's; the engine refuses what its own cannon's model does not cover


class Conditions(BaseModel):
    """Where the shot starts and ends, and the air it flies through."""

    launch_height: Annotated[
        float,
        Finite,
        Field(
            ge=E.launch_height[0],
            le=E.launch_height[1],
            description=f"Height of the cannon above the ground in metres (m), {E.launch_height[0]} to {E.launch_height[1]}; default 0.",
            examples=[1.5],
        ),
    ] = 0.0
    target_height: Annotated[
        float,
        Finite,
        Field(
            description=f"Height of the target above the ground in metres (m); the shot lands where it comes down through this height. Target minus launch height must lie in [{E.height_difference[0]}, {E.height_difference[1]}] m; default 0.",
            examples=[0.5],
        ),
    ] = 0.0
    wind: Annotated[
        float,
        Finite,
        Field(
            ge=E.wind[0],
            le=E.wind[1],
            description=f"Wind along the line of fire in metres per second (m/s), positive = tailwind, {E.wind[0]} to {E.wind[1]}; default 0. It acts through drag only.",
            examples=[-3.0],
        ),
    ] = 0.0
    drag: Annotated[
        float,
        Finite,
        Field(
            ge=E.drag[0],
            le=E.drag[1],
            examples=[0.1],
            description=f"Quadratic drag coefficient k in inverse metres (1/m) (acceleration -k |v - w| (v - w)), {E.drag[0]} to {E.drag[1]}; a tennis ball is about 0.02, a table-tennis ball about 0.14; default 0.",
        ),
    ] = 0.0

    @field_validator("target_height", mode="after")
    @classmethod
    def _height_difference_in_envelope(cls, target: float, info: ValidationInfo) -> float:
        low, high = E.height_difference
        difference = target - info.data.get("launch_height", 0.0)
        if not low <= difference <= high:
            raise ValueError(
                f"target_height - launch_height must lie in [{low}, {high}] m, the air "
                f"model's envelope; got {difference} m"
            )
        return target

    def still_and_flat(self) -> bool:
        """Whether these are the vacuum's conditions (the engine's rule, Engine.calm)."""
        return Engine.calm((self.launch_height, self.target_height, self.wind, self.drag))


class Constraints(BaseModel):
    """What the shot is held to: free (default), a fixed velocity, or a fixed angle."""

    velocity: Annotated[
        float | None,
        Finite,
        Field(
            gt=0,
            description="Fix the launch velocity in metres per second (m/s), within the cannon's limits, and solve the angle; omitted: free.",
            examples=[9.0],
        ),
    ] = None
    angle: Annotated[
        float | None,
        Finite,
        Field(
            gt=0,
            description="Fix the launch angle in radians (rad), within the cannon's limits, and solve the velocity; omitted: free.",
            examples=[0.9],
        ),
    ] = None
    arc: Literal["low", "high"] = Field(
        "low",
        description="With a fixed velocity: the low arc (flatter, shorter flight) or the high arc (steeper). Ignored otherwise.",
    )

    @model_validator(mode="after")
    def _one_fixed_at_most(self) -> Self:
        if self.velocity is not None and self.angle is not None:
            raise ValueError("fix the velocity or the angle, not both (GET /verify checks a shot)")
        return self

    def free(self) -> bool:
        return self.velocity is None and self.angle is None
