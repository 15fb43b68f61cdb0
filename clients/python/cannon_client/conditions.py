"""What a shot is asked under: the conditions (heights, wind, drag) and the constraint (a fixed
velocity or angle, the arc). Units: metres (m), metres per second (m/s), inverse metres (1/m),
radians (rad).

Validated here as strictly as the service validates them (finite numbers only, no `false` or
"1.5" for a number, no unknown fields, the air model's envelope for the default cannon), so a
value the service would refuse is refused before anything is sent, as the client's own
`InvalidRequest` rather than pydantic's ValidationError: one kind of error for a caller to
catch. tests/test_client_contract.py holds these fields to the served OpenAPI schema.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from cannon_client.errors import InvalidRequest, describe

# The air model's envelope in metres for the default cannon (10 m/s, 9.81 m/s^2), as the
# service's schema states it: closed intervals.
LAUNCH_HEIGHT = (0.0, 3.0)  # m above the ground
HEIGHT_DIFFERENCE = (-3.0, 3.0)  # m, target height minus launch height
WIND = (-5.0, 5.0)  # m/s along the line of fire, + is a tailwind
DRAG = (0.0, 0.2)  # 1/m, quadratic drag coefficient k

Finite = Field(allow_inf_nan=False)


def refused(error: ValidationError) -> InvalidRequest:
    """pydantic's error as the client's, in the shape of the service's 422 items.

    model_validate runs a model's own __init__ (pydantic does so for a custom one), so the
    InvalidRequest raised there reaches here wrapped as a value error: it is taken back out.
    """
    for item in error.errors(include_url=False):
        inner = item.get("ctx", {}).get("error")
        if isinstance(inner, InvalidRequest):
            return inner
    items = [
        {"loc": list(item["loc"]), "msg": item["msg"], "type": item["type"]}
        for item in error.errors(include_url=False)
    ]
    return InvalidRequest(describe(items), None, {"detail": items})


class Strict(BaseModel):
    """A request part: strict, closed to unknown fields, frozen (valid once, valid for good),
    and refusing bad values with InvalidRequest."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True, defer_build=True)

    if not TYPE_CHECKING:  # type checkers keep pydantic's typed __init__ for the fields

        def __init__(self, **data: Any) -> None:
            try:
                super().__init__(**data)
            except ValidationError as error:
                raise refused(error) from None

        @classmethod
        def model_validate(cls, obj: Any, **options: Any) -> Self:
            try:
                return super().model_validate(obj, **options)
            except ValidationError as error:
                raise refused(error) from None

        @classmethod
        def model_validate_json(cls, data: Any, **options: Any) -> Self:
            try:
                return super().model_validate_json(data, **options)
            except ValidationError as error:
                raise refused(error) from None


class Conditions(Strict):
    """Where the shot starts and ends, and the air it flies through. The defaults are flat
    ground and still air: the vacuum's answers exactly."""

    launch_height: Annotated[
        float,
        Finite,
        Field(
            ge=LAUNCH_HEIGHT[0],
            le=LAUNCH_HEIGHT[1],
            description="Height of the cannon above the ground in metres (m), 0 to 3 m.",
        ),
    ] = 0.0
    target_height: Annotated[
        float,
        Finite,
        Field(
            description="Height of the target above the ground in metres (m); target minus "
            "launch height within -3 m to 3 m."
        ),
    ] = 0.0
    wind: Annotated[
        float,
        Finite,
        Field(
            ge=WIND[0],
            le=WIND[1],
            description="Wind along the line of fire in metres per second (m/s), + is a "
            "tailwind, -5 m/s to 5 m/s.",
        ),
    ] = 0.0
    drag: Annotated[
        float,
        Finite,
        Field(
            ge=DRAG[0],
            le=DRAG[1],
            description="Quadratic drag coefficient k in inverse metres (1/m), 0 to 0.2 1/m "
            "(a tennis ball about 0.02 1/m).",
        ),
    ] = 0.0

    @model_validator(mode="after")
    def _height_difference_in_envelope(self) -> Self:
        low, high = HEIGHT_DIFFERENCE
        difference = self.target_height - self.launch_height
        if not low <= difference <= high:
            raise ValueError(
                f"target_height - launch_height must lie in [{low}, {high}] m, the air "
                f"model's envelope; got {difference} m"
            )
        return self


class Constraints(Strict):
    """What the shot is held to: free (the default), a fixed velocity, or a fixed angle."""

    velocity: Annotated[
        float | None,
        Finite,
        Field(
            gt=0,
            description="Fix the launch velocity in metres per second (m/s), within the "
            "cannon's limits, and solve the angle; None: free.",
        ),
    ] = None
    angle: Annotated[
        float | None,
        Finite,
        Field(
            gt=0,
            description="Fix the launch angle in radians (rad), within the cannon's limits, "
            "and solve the velocity; None: free.",
        ),
    ] = None
    arc: Literal["low", "high"] = Field(
        default="low",  # by keyword: type checkers see a default only so (PEP 681)
        description="With a fixed velocity: the low arc (flatter, shorter flight) or the high "
        "arc (steeper). Ignored otherwise.",
    )

    @model_validator(mode="after")
    def _one_fixed_at_most(self) -> Self:
        if self.velocity is not None and self.angle is not None:
            raise ValueError("fix the velocity or the angle, not both (verify checks a shot)")
        return self


Vector3 = tuple[float, float, float]


class Scene(Strict):
    """What the targets of a 3D request share: the launch height, the wind (a number along
    the line of fire, + a tailwind, or a horizontal vector (x, y)), the drag, and the targets'
    motion at firing (each at p + v t + a t^2 / 2, t seconds after firing). Units: m, m/s,
    1/m, m/s^2. The service holds the vectors to its envelope (3 m/s, 2 m/s^2, 5 m/s of wind
    for the default cannon, scaled for others) and answers 422 outside_envelope beyond it."""

    launch_height: Annotated[
        float,
        Finite,
        Field(
            ge=LAUNCH_HEIGHT[0],
            le=LAUNCH_HEIGHT[1],
            description="Height of the muzzle above the ground in metres (m), 0 to 3 m.",
        ),
    ] = 0.0
    wind: (
        Annotated[float, Finite, Field(ge=WIND[0], le=WIND[1])]
        | tuple[Annotated[float, Finite], Annotated[float, Finite]]
    ) = Field(
        default=0.0,
        description="Wind in metres per second (m/s): along the line of fire (+ a tailwind, "
        "-5 to 5 m/s), or (x, y).",
    )
    drag: Annotated[
        float,
        Finite,
        Field(
            ge=DRAG[0],
            le=DRAG[1],
            description="Quadratic drag coefficient k in inverse metres (1/m), 0 to 0.2 1/m.",
        ),
    ] = 0.0
    target_velocity: tuple[Annotated[float, Finite], ...] | None = Field(
        default=None, description="The target's velocity (x, y, z) at firing in m/s."
    )
    target_acceleration: tuple[Annotated[float, Finite], ...] | None = Field(
        default=None, description="The target's constant acceleration (x, y, z) in m/s^2."
    )

    @model_validator(mode="after")
    def _three_components(self) -> Self:
        for name in ("target_velocity", "target_acceleration"):
            given = getattr(self, name)
            if given is not None and len(given) != 3:
                raise ValueError(f"{name} has three components (x, y, z); got {len(given)}")
        return self

    def fields(self) -> dict[str, Any]:
        """The scene as the service takes it: vectors as objects, defaults left out."""
        sent: dict[str, Any] = {}
        if self.launch_height:
            sent["launch_height"] = self.launch_height
        if isinstance(self.wind, tuple):
            sent["wind"] = dict(zip("xy", self.wind, strict=True))
        elif self.wind:
            sent["wind"] = self.wind
        if self.drag:
            sent["drag"] = self.drag
        for name in ("target_velocity", "target_acceleration"):
            given = getattr(self, name)
            if given is not None:
                sent[name] = dict(zip("xyz", given, strict=True))
        return sent


class Target(Strict):
    """A target at firing, in metres: (x, y) or (x, y, z), z its height above the ground."""

    at: tuple[Annotated[float, Finite], ...]

    @model_validator(mode="after")
    def _two_or_three(self) -> Self:
        if len(self.at) not in (2, 3):
            raise ValueError(
                f"a target is (x, y) or (x, y, z) in metres; got {len(self.at)} numbers"
            )
        return self

    def fields(self) -> dict[str, float]:
        return dict(zip("xyz", self.at, strict=False))
