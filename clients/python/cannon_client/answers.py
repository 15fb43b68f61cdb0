"""The service's answers as this client reads them. Units: metres (m), metres per second
(m/s), radians (rad), seconds (s).

Written by hand, not imported from the server, so that the client installs with httpx and
pydantic alone. tests/test_client_contract.py holds every model here to the served OpenAPI
schema: the same field names, required-ness and JSON types, so the two cannot drift apart
unnoticed. Fields a newer service adds are ignored rather than refused, so an old client keeps
working against a new service (the contract test is what notices them).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import ConfigDict

from cannon_client.base import Answer
from cannon_client.odds import Odds


class Shot(Answer):
    """A shot and what the physics says of it: the fields every aiming answer shares."""

    distance: float  # m, the target
    angle: float  # rad above the horizontal
    velocity: float  # m/s
    landing_distance: float  # m, where the shot lands (float64 physics)
    miss: float  # m, |landing_distance - distance|
    tolerance: float  # m, the largest acceptable miss
    hit: bool  # miss <= tolerance
    flight_time: float  # s, launch to landing
    apex_height: float  # m above the ground, the flight's highest point


class AimResponse(Shot, Odds):
    """POST /aim: a verified shot for one target; with `uncertainty`, its odds (Odds)."""

    angle_degrees: float  # degrees
    refined: bool  # whether refinement ran on the network's proposal
    iterations: int  # refinement steps taken (a count)
    model_version: str  # first 12 hex digits of the weights' sha256


class BatchSolution(AimResponse):
    """One solved target of POST /aim/batch."""

    reachable: Literal[True]


class BatchUnreachable(Answer):
    """One target of POST /aim/batch that no shot reaches, in its own place."""

    distance: float  # m, as given
    reachable: Literal[False]
    detail: str  # why, in words
    max_range: float | None  # m, the farthest reachable target; None: none comes down there
    min_range: float | None = None  # m, the nearest reachable target, when one is set


Solution = BatchSolution | BatchUnreachable


class AimBatchResponse(Answer):
    """POST /aim/batch: one item per requested distance, in request order."""

    solutions: list[BatchSolution | BatchUnreachable]


class VerifyResponse(Shot):
    """GET /verify: where a given shot lands and whether it hits the target."""


class TrajectoryResponse(Answer):
    """GET /trajectory: the arc of a shot, at evenly spaced times from launch to landing."""

    angle: float  # rad, as given
    velocity: float  # m/s, as given
    points: int  # how many points the arc has (a count)
    x: list[float]  # m, horizontal positions
    y: list[float]  # m above the ground: the launch height at launch, the target's at landing
    landing_distance: float  # m
    flight_time: float  # s
    apex_height: float  # m


class LossSurfaceResponse(Answer):
    """GET /loss-surface: the miss over a grid of launch velocities and angles."""

    distance: float  # m, the target
    loss_kind: Literal["squared", "absolute"]
    unit: Literal["m^2", "m"]  # the loss's unit: square metres or metres
    velocity: list[float]  # m/s, ascending
    angle: list[float]  # rad, ascending
    # loss[i][j] for angle[i], velocity[j], in `unit`; None where the shot never comes down
    # through the target's height (through air only: a target above the launch)
    loss: list[list[float | None]]
    min_loss: float  # in `unit`, Nones aside
    max_loss: float  # in `unit`, Nones aside


class CannonCard(Answer):
    """The cannon a network was trained on."""

    gravity: float  # m/s^2
    max_velocity: float  # m/s
    min_angle: float  # rad, excluded
    max_angle: float  # rad, excluded
    max_range: float  # m, in a vacuum


class ModelCard(Answer):
    """GET /model: what the weights are, what they were trained for, how well they aim alone.
    Open: a card may say more than these fields (they land in `model_extra`)."""

    model_config = ConfigDict(extra="allow", defer_build=True)

    name: str
    version: str  # first 12 hex digits of weights_sha256
    weights_file: str
    weights_sha256: str
    solution_choice: str
    architecture: dict[str, Any]
    cannon: CannonCard
    units: str | None = None  # the units of the network's inputs
    training: dict[str, Any]  # settings and time (s)
    validation: dict[str, Any]  # the network's misses alone, in metres (m)


class AirEnvelope(Answer):
    """The conditions the air network covers, closed intervals [low, high] in the cannon's
    units: lengths over max_velocity^2/gravity, speeds over max_velocity, drag as
    k max_velocity^2/gravity (dimensionless)."""

    launch_height: tuple[float, float]
    height_difference: tuple[float, float]  # target minus launch height
    wind: tuple[float, float]
    drag: tuple[float, float]


class AirModelCard(ModelCard):
    """GET /model/air: the air network's card, the inverse card's fields plus its inputs and
    the envelope it covers."""

    inputs: str  # what the network reads, in words
    envelope: AirEnvelope


class SpaceModelCard(ModelCard):
    """GET /model/space: the 3D network's card (targets {x, y, z} in metres, moving or not),
    the inverse card's fields plus its inputs and the envelope it covers, the air model's
    (AirEnvelope, in the cannon's units). Its validation misses are horizontal, in metres
    (`median_miss_m`, `p99_miss_m`) and relative to the target's distance at firing."""

    inputs: str  # what the network reads, in words
    envelope: AirEnvelope


class Health(Answer):
    """GET /healthz: the process serves requests."""

    status: Literal["ok"]


class Ready(Answer):
    """GET /readyz: the model is loaded and its self-check hit."""

    status: Literal["ready"]
    model_version: str  # first 12 hex digits of the weights' sha256


class ErrorItem(Answer):
    """One thing wrong with a request."""

    loc: list[str | int]  # where, e.g. ["body", "distance"]
    msg: str  # what, in words
    type: str  # a machine-readable kind, e.g. "unreachable_target"
    input: Any = None  # the offending input, shortened when long
    ctx: dict[str, Any] | None = None  # details of the check that failed


class Problem(Answer):
    """Any error's body: a sentence, or a list of items."""

    detail: str | list[ErrorItem]


class ValidationErrorResponse(Answer):
    """A 422's body: the items, and the figures some errors carry."""

    detail: list[ErrorItem]
    max_range: float | None = None  # m, when the target is unreachable
    min_range: float | None = None  # m, when air or a constraint sets a nearest target
    miss: float | None = None  # m, the best shot's miss when refinement did not converge
    max_batch: int | None = None  # distances per request, when a batch is too long
    parameters: list[str] | None = None  # POST /calibrate: what the shots cannot determine
    shot: int | None = None  # POST /calibrate: the index of a shot no air explains


class NotReadyResponse(Answer):
    """A 503's body from /healthz or /readyz: why the service is not ready."""

    detail: str


class Point(Answer):
    """A point in metres: x and y horizontal, z up (its height above the ground)."""

    x: float  # m
    y: float  # m
    z: float  # m


class InterceptVerdict(Answer):
    """GET /verify in 3D (with an azimuth): where a given shot meets the target's height."""

    target: Point  # m, the target at firing
    angle: float  # rad, the elevation
    azimuth: float  # rad, counter-clockwise from +x toward +y, in (-pi, pi]
    velocity: float  # m/s
    intercept_time: float | None  # s after firing; None: the shot never comes down there
    intercept_point: Point | None  # m, the shot then (z: the target's height then)
    apex_height: float  # m above the ground
    miss: float | None  # m, horizontal distance shot-target at intercept_time
    tolerance: float  # m
    hit: bool  # miss <= tolerance


class InterceptResponse(InterceptVerdict, Odds):
    """POST /aim with a target: the verified shot (elevation, azimuth, velocity) that meets it;
    with `uncertainty`, its odds (Odds)."""

    angle_degrees: float  # degrees
    azimuth_degrees: float  # degrees, in (-180, 180]
    refined: bool  # whether refinement ran on the network's proposal
    iterations: int  # refinement steps taken (a count)
    model_version: str  # first 12 hex digits of the weights' sha256


class BatchIntercept(InterceptResponse):
    """One solved target of POST /aim/batch with targets."""

    reachable: Literal[True]


class BatchUnreachableTarget(Answer):
    """One target of POST /aim/batch with targets that no shot meets, in its own place."""

    target: Point  # m, as given
    reachable: Literal[False]
    detail: str  # why, in words
    max_range: float | None  # m, the farthest horizontal distance reachable toward it
    min_range: float | None = None  # m, the nearest, when one is set


TargetSolution = BatchIntercept | BatchUnreachableTarget


class InterceptBatchResponse(Answer):
    """POST /aim/batch with targets: one item per target, in request order."""

    solutions: list[BatchIntercept | BatchUnreachableTarget]


class AnyBatchResponse(Answer):
    """POST /aim/batch as served, either form: what AimBatchResponse (distances) and
    InterceptBatchResponse (targets) read, each for its own form."""

    solutions: list[BatchSolution | BatchUnreachable | BatchIntercept | BatchUnreachableTarget]
