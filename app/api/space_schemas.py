"""Request bodies of aiming in three dimensions at moving targets (issue 13); the answers'
are in app/api/space_responses.py.

Axes: x and y horizontal, z up, in metres from the point on the ground under the muzzle; the
muzzle is at `launch_height`. Azimuth in radians counter-clockwise from +x toward +y, in
(-pi, pi]; `angle` stays the elevation. Validation is as strict as app/api/schemas.py's:
finite numbers only, no booleans or strings for numbers, unknown fields refused.

POST /aim and /aim/batch take these bodies when they name a `target` (`targets`) instead of a
`distance` (`distances`); app/api/space_routes.py picks the form, app/api/contract.py serves
both forms as one documented body. The envelope of the scene's vectors (target speed and
acceleration, wind) scales with the cannon, so it is not a bound of these models: the engine
holds a scene to it at the configured cannon's scale (Engine.outside_scene, 422
outside_envelope); the bounds written here are the default cannon's, for the descriptions.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag

from app.aiming.vacuum import MIN_TOLERANCE
from app.api.conditions import Constraints
from app.api.odds_schemas import Odds
from app.physics.envelope import METRES, TARGET_ACCELERATION, TARGET_SPEED

Finite = Field(allow_inf_nan=False)
E = METRES  # the default cannon's envelope (10 m/s, 9.81 m/s^2)
WIND_SPEED = E.wind[1]  # m/s, horizontal, from any side
STRICT = ConfigDict(strict=True, extra="forbid")


class Target(BaseModel):
    """Where a target is at the moment of firing."""

    model_config = ConfigDict(
        strict=True, extra="forbid", json_schema_extra={"examples": [{"x": 4.0, "y": 2.0}]}
    )

    x: Annotated[float, Finite, Field(description="x in metres (m), horizontal.")]
    y: Annotated[float, Finite, Field(description="y in metres (m), horizontal.")]
    z: Annotated[
        float,
        Finite,
        Field(
            description=f"Height above the ground in metres (m); default 0. z minus "
            f"launch_height must lie in [{E.height_difference[0]}, {E.height_difference[1]}] m "
            "for the default cannon (the air model's envelope)."
        ),
    ] = 0.0


class TargetVelocity(BaseModel):
    """The target's velocity at firing, constant unless an acceleration is given."""

    model_config = STRICT

    x: Annotated[float, Finite, Field(description="Along x in metres per second (m/s).")] = 0.0
    y: Annotated[float, Finite, Field(description="Along y in metres per second (m/s).")] = 0.0
    z: Annotated[float, Finite, Field(description="Up in metres per second (m/s).")] = 0.0


class TargetAcceleration(BaseModel):
    """The target's acceleration, constant from the moment of firing."""

    model_config = STRICT

    x: Annotated[
        float, Finite, Field(description="Along x in metres per second squared (m/s^2).")
    ] = 0.0
    y: Annotated[
        float, Finite, Field(description="Along y in metres per second squared (m/s^2).")
    ] = 0.0
    z: Annotated[float, Finite, Field(description="Up in metres per second squared (m/s^2).")] = 0.0


class Wind(BaseModel):
    """A horizontal wind from any side."""

    model_config = STRICT

    x: Annotated[float, Finite, Field(description="Along x in metres per second (m/s).")] = 0.0
    y: Annotated[float, Finite, Field(description="Along y in metres per second (m/s).")] = 0.0


Meeting = Literal["descending", "any"]
MEETING = (
    'Where the shot meets the target: "descending" (the default), where the shot comes down '
    "through the target's height, the miss the horizontal distance between them then (m); "
    'or "any", at any point of the flight, the miss the 3D distance of closest approach (m).'
)
WindAlong = Annotated[float, Finite, Field(ge=E.wind[0], le=E.wind[1])]


def wind_form(value: Any) -> str:
    """Which form a wind is given in: a vector is an object, anything else a number."""
    return "vector" if isinstance(value, dict | Wind) else "number"


AnyWind = Annotated[
    Annotated[WindAlong, Tag("number")] | Annotated[Wind, Tag("vector")],
    Discriminator(wind_form),
]


class SceneOptions(Constraints, Odds):
    """What a 3D request's targets share: the launch height, the air, the targets' motion,
    the constraint (velocity, angle, arc: app/api/conditions.py's), the tolerance."""

    model_config = STRICT

    launch_height: Annotated[
        float,
        Finite,
        Field(
            ge=E.launch_height[0],
            le=E.launch_height[1],
            description=f"Height of the muzzle above the ground in metres (m), "
            f"{E.launch_height[0]} to {E.launch_height[1]}; default 0.",
            examples=[1.5],
        ),
    ] = 0.0
    wind: AnyWind = Field(
        0.0,
        description=f"Wind in metres per second (m/s): a number along the line of fire (toward "
        f"the target's bearing at firing, positive = tailwind, {E.wind[0]} to {E.wind[1]} m/s), "
        f"or a horizontal vector {{x, y}} in m/s of at most {WIND_SPEED} m/s for the default "
        "cannon; default 0. It acts through drag only.",
        examples=[{"x": 0.0, "y": -2.0}],
    )
    drag: Annotated[
        float,
        Finite,
        Field(
            ge=E.drag[0],
            le=E.drag[1],
            description=f"Quadratic drag coefficient k in inverse metres (1/m) (acceleration "
            f"-k |v - w| (v - w)), {E.drag[0]} to {E.drag[1]}; default 0.",
            examples=[0.1],
        ),
    ] = 0.0
    target_velocity: TargetVelocity | None = Field(
        None,
        description=f"The target's velocity at firing in metres per second (m/s), each "
        f"component default 0; at most {TARGET_SPEED} m/s in all for the default cannon "
        "(the envelope scales with the cannon's speed). Omitted: a target that stays put.",
        examples=[{"x": 0.0, "y": 1.5}],
    )
    target_acceleration: TargetAcceleration | None = Field(
        None,
        description=f"The target's constant acceleration in metres per second squared (m/s^2), "
        f"each component default 0; at most {TARGET_ACCELERATION} m/s^2 in all for the default "
        "cannon. Its position at t seconds after firing: p + v t + a t^2 / 2 (m).",
        examples=[{"x": -0.5}],
    )
    tolerance: Annotated[
        float | None,
        Finite,
        Field(
            ge=MIN_TOLERANCE,
            description="Largest acceptable miss in metres (m), at least 1e-6; omitted or "
            "null: the service's default, 0.05 unless configured otherwise.",
        ),
    ] = None
    refine: bool | None = Field(
        None,
        description="Refine on the true physics when the network's proposal misses by more "
        "than the tolerance (omitted or null: true); false returns the proposal, verified.",
    )
    intercept: Meeting = Field("descending", description=MEETING)


class AimAtRequest(SceneOptions):
    """POST /aim with a `target`: one target in three dimensions, perhaps moving."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"target": {"x": 4.0, "y": 2.0}, "target_velocity": {"y": 1.5}, "drag": 0.1}
            ]
        }
    )

    target: Target = Field(
        description="The target at the moment of firing, in metres (m): x, y horizontal, z its "
        "height above the ground (default 0). Its horizontal distance must be above 0 m."
    )


class AimAtBatchRequest(SceneOptions):
    """POST /aim/batch with `targets`: the scene is shared, each target has its own place."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"targets": [{"x": 4.0, "y": 2.0}, {"x": -2.0, "y": 4.0}]}]}
    )

    targets: list[Target] = Field(
        min_length=1,
        description="Targets at the moment of firing, in metres (m): 1 to the service's batch "
        "limit (10,000 unless configured otherwise). One out of reach is reported in its place.",
    )


AZIMUTH = (
    "Azimuth in radians (rad), counter-clockwise from +x toward +y. Giving it asks the 3D "
    "form: target_x and target_y are then required, and distance, target_height and wind "
    "(along the line of fire) are refused."
)
Z = "Target height at firing in metres (m) above the ground (3D form); default 0."
ACCELERATION = "Target acceleration %s in metres per second squared (m/s^2) (3D form); default 0."


def speed(what: str) -> str:
    return f"{what} in metres per second (m/s) (3D form); default 0."


def parameter(description: str, example: float = 0.0) -> Any:
    return Field(description=description, examples=[example])


class VerifyAtQuery(BaseModel):
    """GET /verify's 3D form (chosen by `azimuth`): a given shot at a given, perhaps moving,
    target. Flat, as a query's parameters are; app/api/contract.py documents them beside the
    2D form's."""

    model_config = ConfigDict(extra="forbid")

    angle: Annotated[float, Finite, Field(gt=0, description="Elevation in radians (rad).")]
    velocity: Annotated[
        float, Finite, Field(gt=0, description="Launch velocity in metres per second (m/s).")
    ]
    azimuth: Annotated[float, Finite, parameter(AZIMUTH, 0.4636476090008061)]
    target_x: Annotated[float, Finite, parameter("Target x at firing in metres (m).", 4.0)]
    target_y: Annotated[float, Finite, parameter("Target y at firing in metres (m).", 2.0)]
    target_z: Annotated[float, Finite, parameter(Z, 0.5)] = 0.0
    target_velocity_x: Annotated[float, Finite, parameter(speed("Target velocity along x"))] = 0.0
    target_velocity_y: Annotated[float, Finite, parameter(speed("Target velocity along y"))] = 0.0
    target_velocity_z: Annotated[float, Finite, parameter(speed("Target velocity up"))] = 0.0
    target_acceleration_x: Annotated[float, Finite, parameter(ACCELERATION % "along x")] = 0.0
    target_acceleration_y: Annotated[float, Finite, parameter(ACCELERATION % "along y")] = 0.0
    target_acceleration_z: Annotated[float, Finite, parameter(ACCELERATION % "up")] = 0.0
    wind_x: Annotated[float, Finite, parameter(speed("Wind along x"))] = 0.0
    wind_y: Annotated[float, Finite, parameter(speed("Wind along y"), -2.0)] = 0.0
    launch_height: Annotated[float, Finite, Field(ge=E.launch_height[0], le=E.launch_height[1])] = (
        0.0
    )
    drag: Annotated[float, Finite, Field(ge=E.drag[0], le=E.drag[1])] = 0.0
    tolerance: Annotated[float | None, Finite, Field(ge=MIN_TOLERANCE)] = None
    intercept: Meeting = Field("descending", description=MEETING, examples=["descending"])

    @property
    def target(self) -> tuple[float, float, float]:
        return self.target_x, self.target_y, self.target_z
