"""Operations endpoints, open to every caller: liveness, readiness, metrics, the model card."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel, ConfigDict, Field

from app.api.deps import EngineDep, engine_of
from app.api.lifecycle import Life
from app.api.strict import StrictRoute

router = APIRouter(route_class=StrictRoute, tags=["operations"])


class Health(BaseModel):
    status: Literal["ok"] = Field(description="Always 'ok': the process serves requests.")


class Ready(BaseModel):
    status: Literal["ready"] = Field(description="The model is loaded and its self-check hit.")
    model_version: str = Field(description="First 12 hex digits of the weights' sha256.")


class NotReady(BaseModel):
    detail: str = Field(description="Why the service is not ready yet, or will not be.")


@router.get(
    "/healthz",
    response_model=Health,
    responses={503: {"model": NotReady, "description": "The model failed its self-check."}},
)
async def healthz(request: Request) -> Health | JSONResponse:
    """Liveness: 200 while the process serves; 503 for good when its model failed the startup
    self-check and the operator kept the process up (CANNON_ON_FAILED_SELF_CHECK=unavailable),
    so that an orchestrator replaces it."""
    life: Life = request.app.state.life
    if life.unfit is not None:
        return JSONResponse({"detail": life.unfit}, status_code=503)
    return Health(status="ok")


class CannonCard(BaseModel):
    gravity: float = Field(description="Gravitational acceleration in m/s^2.")
    max_velocity: float = Field(description="Fastest launch in metres per second (m/s).")
    min_angle: float = Field(description="Lowest launch angle in radians (rad), excluded.")
    max_angle: float = Field(description="Highest launch angle in radians (rad), excluded.")
    max_range: float = Field(description="The farthest reachable target in metres (m).")


class ModelCard(BaseModel):
    """What the weights are, what they were trained for and how well they aim alone."""

    model_config = ConfigDict(extra="allow")  # a newer card may say more

    name: str
    version: str = Field(description="First 12 hex digits of weights_sha256.")
    weights_file: str
    weights_sha256: str = Field(description="sha256 of the weights file, checked at startup.")
    solution_choice: str = Field(description="Which of the shots that hit the network gives.")
    architecture: dict[str, Any]
    cannon: CannonCard = Field(
        description="The cannon the network was trained on. Its inputs are in the cannon's "
        "units, so it serves any muzzle speed and gravity with the same angle limits."
    )
    units: str | None = Field(None, description="The units of the network's inputs.")
    training: dict[str, Any] = Field(description="Training settings and time (s).")
    validation: dict[str, Any] = Field(description="The network's misses alone, in metres (m).")


@router.get(
    "/readyz",
    response_model=Ready,
    responses={503: {"model": NotReady, "description": "Unfit model, or shutting down."}},
)
async def readyz(request: Request) -> Ready | JSONResponse:
    """Readiness: 200 while the service takes traffic. The server listens only once the
    models have passed their self-check; 503 from the first moment of a shutdown's drain."""
    life: Life = request.app.state.life
    reason = life.not_ready()
    if reason is not None:
        return JSONResponse({"detail": reason}, status_code=503)
    return Ready(status="ready", model_version=engine_of(request).version)


@router.get(
    "/metrics",
    response_class=PlainTextResponse,
    responses={200: {"content": {CONTENT_TYPE_LATEST: {}}, "description": "Prometheus text."}},
)
async def metrics(request: Request) -> Response:
    """Prometheus metrics: requests, latency (s), refinements, steps, misses (m), batch sizes,
    the model's version."""
    body = generate_latest(request.app.state.metrics.registry)
    return Response(body, media_type=CONTENT_TYPE_LATEST)


@router.get("/model", response_model=ModelCard)
async def model(engine: EngineDep) -> dict[str, Any]:
    """The model card: architecture, physics constants (SI units), training, validation
    figures (metres) and the weights' sha256."""
    return engine.card


@router.get("/model/air", response_model=ModelCard)
async def air_model(engine: EngineDep) -> dict[str, Any]:
    """The air model's card: as /model, plus the envelope of conditions it covers, in the
    cannon's units (launch height and height difference over max_velocity^2/gravity, wind
    over max_velocity, drag times max_velocity^2/gravity)."""
    return engine.air_card


@router.get("/model/space", response_model=ModelCard)
async def space_model(engine: EngineDep) -> dict[str, Any]:
    """The 3D model's card (targets {x, y, z} in metres, moving or not): as /model, plus its
    inputs in words and the envelope of conditions it covers, in the cannon's units (launch
    height and height difference over max_velocity^2/gravity, wind over max_velocity, drag
    times max_velocity^2/gravity); its validation misses in metres and relative to the
    target's distance."""
    return engine.space_card
