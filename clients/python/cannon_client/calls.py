"""What each endpoint is asked and how its answer is read, shared by both clients.

The clients differ only in how they send (blocking or async); the request, the parsing into
typed answers, the typed errors and the retry policy are here, once.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar

from pydantic import BaseModel

from cannon_client import answers
from cannon_client.conditions import Conditions, Constraints, Scene, Target
from cannon_client.errors import CannonError, Unavailable, error_for
from cannon_client.odds import Objective, Uncertainty, odds_fields

if TYPE_CHECKING:  # httpx is imported by the clients, when one is made (clients.py)
    import httpx

M = TypeVar("M", bound=BaseModel)
RETRYABLE = frozenset({429, 503})  # overloaded, or not ready yet: worth asking again


@dataclass(frozen=True)
class Call(Generic[M]):
    """One request and the model its 200 answer is read into."""

    method: str
    path: str
    model: type[M]
    json: dict[str, Any] | None = None
    params: dict[str, Any] | None = None

    def content(self) -> bytes | None:
        """The JSON body. NaN and Infinity are sent as such, so that the service answers
        them with its own 422 and its words (httpx would refuse to encode them at all)."""
        return None if self.json is None else json.dumps(self.json).encode()

    def read(self, response: httpx.Response) -> M:
        """The typed answer, or the typed error for the status the server sent."""
        if response.status_code == 200:
            return self.model.model_validate_json(response.content)
        try:
            body = response.json()
        except ValueError:  # not JSON: a proxy's page, say; its first words are the detail
            body = {"detail": response.text[:200] or response.reason_phrase}
        raise error_for(response.status_code, body if isinstance(body, dict) else {"detail": body})


@dataclass(frozen=True)
class Options:
    """What every aiming request may add to its targets; None and defaults are left out, so
    the service's own defaults apply."""

    tolerance: float | None = None  # m
    refine: bool | None = None
    air: Conditions | None = None  # heights (m), wind (m/s), drag (1/m)
    hold: Constraints | None = None  # a fixed velocity (m/s) or angle (rad), the arc
    uncertainty: Uncertainty | None = None  # the shot's and the air's errors: the odds
    objective: Objective | None = None  # "exact" (the default) or "max_hit_probability"

    def fields(self) -> dict[str, Any]:
        given = {"tolerance": self.tolerance, "refine": self.refine}
        fields = {key: value for key, value in given.items() if value is not None}
        for part in (self.air, self.hold):
            if part is not None:
                fields |= part.model_dump(exclude_defaults=True)
        return fields | odds_fields(self.uncertainty, self.objective)


def aim(distance: float, options: Options) -> Call[answers.AimResponse]:
    body = {"distance": distance, **options.fields()}
    return Call("POST", "/aim", answers.AimResponse, json=body)


def aim_many(
    distances: Sequence[float], options: Options, batch_size: int
) -> list[Call[answers.AimBatchResponse]]:
    """One /aim/batch call per `batch_size` targets, so any number can be asked for."""
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1 (targets per request)")
    return [
        Call(
            "POST",
            "/aim/batch",
            answers.AimBatchResponse,
            json={"distances": list(distances[i : i + batch_size]), **options.fields()},
        )
        for i in range(0, len(distances), batch_size)
    ]


def verify(
    angle: float, velocity: float, distance: float, tolerance: float | None, air: Conditions | None
) -> Call[answers.VerifyResponse]:
    params = {"angle": angle, "velocity": velocity, "distance": distance}
    params |= Options(tolerance=tolerance, air=air).fields()
    return Call("GET", "/verify", answers.VerifyResponse, params=params)


def trajectory(
    angle: float, velocity: float, points: int | None, air: Conditions | None
) -> Call[answers.TrajectoryResponse]:
    params = given(angle=angle, velocity=velocity, points=points) | Options(air=air).fields()
    return Call("GET", "/trajectory", answers.TrajectoryResponse, params=params)


def loss_surface(
    distance: float,
    velocities: int | None,
    angles: int | None,
    loss: Literal["squared", "absolute"] | None,
    air: Conditions | None,
) -> Call[answers.LossSurfaceResponse]:
    params = given(distance=distance, velocities=velocities, angles=angles, loss=loss)
    params |= Options(air=air).fields()
    return Call("GET", "/loss-surface", answers.LossSurfaceResponse, params=params)


Point = Sequence[float]  # (x, y) or (x, y, z) in m
Meeting = Literal["descending", "any"]
Wind = float | Sequence[float]  # m/s along the line of fire, or (x, y)


def target_of(target: Point) -> dict[str, float]:
    """A target as the service takes it, {x, y, z} in m; InvalidRequest if it is not one."""
    return Target(at=tuple(target)).fields()


def scene(
    wind: Wind | None,
    launch_height: float | None,
    drag: float | None,
    target_velocity: Point | None,
    target_acceleration: Point | None,
) -> Scene:
    """The scene of a 3D request, validated; None means the service's default."""
    fields = given(
        wind=wind if wind is None or isinstance(wind, int | float) else tuple(wind),
        launch_height=launch_height,
        drag=drag,
        target_velocity=None if target_velocity is None else tuple(target_velocity),
        target_acceleration=None if target_acceleration is None else tuple(target_acceleration),
    )
    return Scene(**fields)


@dataclass(frozen=True)
class SpaceOptions:
    """What a 3D request adds to its targets: the tolerance, refinement, the scene and the
    constraint (a fixed velocity or elevation, the arc)."""

    tolerance: float | None = None  # m
    refine: bool | None = None
    scene: Scene | None = None
    hold: Constraints | None = None
    # "descending" (the service's default): where the shot comes down through the target's
    # height; "any": at any point of the flight, the miss the 3D closest approach (m)
    intercept: Meeting | None = None
    uncertainty: Uncertainty | None = None  # the odds, as Options'
    objective: Objective | None = None

    def fields(self) -> dict[str, Any]:
        fields = Options(
            self.tolerance, self.refine, None, self.hold, self.uncertainty, self.objective
        ).fields()
        fields |= given(intercept=meeting(self.intercept))
        return fields | (self.scene.fields() if self.scene is not None else {})


def meeting(intercept: Meeting | None) -> Meeting | None:
    """The intercept asked for, refused before sending when it is neither kind."""
    if intercept not in (None, "descending", "any"):
        from cannon_client.errors import InvalidRequest

        message = f'intercept is "descending" or "any", not {intercept!r}'
        raise InvalidRequest(message, None, {"detail": message})
    return intercept


def aim_at(target: Point, options: SpaceOptions) -> Call[answers.InterceptResponse]:
    body = {"target": target_of(target), **options.fields()}
    return Call("POST", "/aim", answers.InterceptResponse, json=body)


def aim_many_at(
    targets: Sequence[Point], options: SpaceOptions, batch_size: int
) -> list[Call[answers.InterceptBatchResponse]]:
    """One /aim/batch call per `batch_size` targets."""
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1 (targets per request)")
    points = [target_of(target) for target in targets]
    return [
        Call(
            "POST",
            "/aim/batch",
            answers.InterceptBatchResponse,
            json={"targets": points[i : i + batch_size], **options.fields()},
        )
        for i in range(0, len(points), batch_size)
    ]


def verify_at(
    angle: float,
    velocity: float,
    azimuth: float,
    target: Point,
    tolerance: float | None,
    scene: Scene | None,
    intercept: Meeting | None = None,
) -> Call[answers.InterceptVerdict]:
    """GET /verify's 3D form: the scene's vectors as flat parameters; a number wind blows
    toward the target's bearing at firing, as /aim takes it."""
    at = target_of(target)
    params = {"angle": angle, "velocity": velocity, "azimuth": azimuth}
    params |= {f"target_{axis}": value for axis, value in at.items()}
    for name, value in (scene.fields() if scene is not None else {}).items():
        if name == "wind":
            if not isinstance(value, dict):
                across = math.hypot(at["x"], at["y"])
                bearing = (at["x"] / across, at["y"] / across) if across else (0.0, 0.0)
                value = {"x": value * bearing[0], "y": value * bearing[1]}
            params |= {f"wind_{axis}": v for axis, v in value.items()}
        elif isinstance(value, dict):
            params |= {f"{name}_{axis}": v for axis, v in value.items()}
        else:
            params[name] = value
    params |= given(tolerance=tolerance, intercept=meeting(intercept))
    return Call("GET", "/verify", answers.InterceptVerdict, params=params)


def given(**params: Any) -> dict[str, Any]:
    """The parameters that were given: None means the service's default."""
    return {key: value for key, value in params.items() if value is not None}


def model() -> Call[answers.ModelCard]:
    return Call("GET", "/model", answers.ModelCard)


def air_model() -> Call[answers.AirModelCard]:
    return Call("GET", "/model/air", answers.AirModelCard)


def space_model() -> Call[answers.SpaceModelCard]:
    return Call("GET", "/model/space", answers.SpaceModelCard)


def health() -> Call[answers.Health]:
    return Call("GET", "/healthz", answers.Health)


def ready() -> Call[answers.Ready]:
    return Call("GET", "/readyz", answers.Ready)


def uniform() -> float:
    """A random number in [0, 1): random.random, its module loaded only when a retry waits."""
    import random

    return random.random()


@dataclass(frozen=True)
class RetryPolicy:
    """Ask again on 429 and 503, waiting what the server's Retry-After says, or else backing
    off exponentially with jitter, so that clients turned away together do not return
    together."""

    retries: int = 3  # extra attempts after the first
    backoff: float = 0.2  # seconds before the first retry without Retry-After; doubles each time
    max_wait: float = 10.0  # seconds: the longest single wait, whatever the server asks
    jitter: Callable[[], float] = field(default=uniform, repr=False)

    def wait(self, response: httpx.Response, attempt: int) -> float | None:
        """Seconds to wait before attempt `attempt + 1`, or None to stop and read the answer."""
        if response.status_code not in RETRYABLE or attempt >= self.retries:
            return None
        asked = retry_after(response.headers.get("Retry-After"))
        if asked is None:
            asked = self.backoff * 2**attempt * (0.5 + self.jitter())
        return min(max(asked, 0.0), self.max_wait)


def retry_after(value: str | None) -> float | None:
    """Retry-After in seconds: a number of seconds, or an HTTP date (RFC 9110, 10.2.3)."""
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return seconds if math.isfinite(seconds) else None  # "nan" and "inf" are no answer
    import email.utils  # here: rarely needed, and 50 ms of the client's import otherwise

    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return when.timestamp() - time.time()


def unreachable(error: httpx.HTTPError, url: str) -> CannonError:
    """Unavailable, for a request that got no answer."""
    import httpx

    kind = "timed out" if isinstance(error, httpx.TimeoutException) else "failed"
    return Unavailable(f"request to {url} {kind}: {type(error).__name__}: {error}")


def headers(api_key: str | None) -> dict[str, str]:
    key = {"X-API-Key": api_key} if api_key else {}
    return {"Content-Type": "application/json", **key}
