"""The ASGI app, `app.main:app`: loads and checks the models at startup and serves the routes."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import torch
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi_offline import FastAPIOffline

from app.aiming.engine import Engine
from app.api import contract
from app.api.calibration import router as calibration_router
from app.api.errors import install_error_handlers
from app.api.guard import AIMING, ApiKeyMiddleware, Load
from app.api.headers import HardeningMiddleware
from app.api.health import router as health_router
from app.api.intake import IntakeMiddleware
from app.api.lane import Lane
from app.api.lifecycle import Life, QuietStartupRefusal, ShutdownCutoff, StartupRefused
from app.api.observe import AccessLog, Metrics, ObserveMiddleware
from app.api.routes import direct, router
from app.api.shots import router as shots_router
from app.api.space_shots import router as space_shots_router
from app.config import Settings, get_settings

DESCRIPTION = """
Aims a cannon: given a target distance in metres, returns the launch angle (radians) and
launch velocity (m/s) that land the shot on it. A pretrained inverse network proposes the
controls, float64 physics verifies them, and Gauss-Newton refinement on the true physics
corrects them when the miss is above the tolerance. Every answer reports where the shot
really lands and by how much it misses (metres).
"""


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        torch.set_num_threads(settings.torch_threads)
        # A missing, tampered or corrupt model stops startup here, before the server listens.
        engine = app.state.engine = Engine.load(settings)
        app.state.settings = settings
        # A model that fails its self-check never serves: the server does not start listening,
        # unless the operator keeps the process up to be looked at (then every aiming route,
        # /healthz and /readyz answer 503). With its card each check also holds the raw
        # proposals to the card's figures.
        failure = await asyncio.to_thread(engine.self_check)
        if failure is not None:
            logging.getLogger("uvicorn.error").error(failure)
            if settings.on_failed_self_check == "exit":
                raise StartupRefused(failure)
            life.unfit = failure
        metrics.model.labels(version=engine.version).set(1)
        access_log.start()
        yield
        access_log.close()  # write the last lines before the process ends

    # FastAPIOffline: /docs and /redoc load Swagger UI and ReDoc from this service, not a CDN.
    app = FastAPIOffline(
        title="cannon-aim",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        generate_unique_id_function=contract.operation_id,  # aim, aim_batch, verify, ...
    )
    life = app.state.life = Life()
    # Middleware added last runs first: the startup refusal's one-line report, observing
    # (timing, counting, logging every request), CORS, the key, then the intake (a fit model,
    # room, the body in on time) and the routes.
    metrics = app.state.metrics = Metrics()
    app.state.load = Load(settings.max_concurrent)
    app.state.lane = Lane(settings.workers)  # heavy work a core at a time (app/api/lane.py)
    metrics.abandoned.set_function(lambda: app.state.load.orphans)
    app.add_middleware(
        IntakeMiddleware,
        load=app.state.load,
        life=life,
        max_bytes=settings.max_body_bytes,
        read_timeout=settings.read_timeout,
    )
    if settings.api_key is not None:
        app.add_middleware(ApiKeyMiddleware, api_key=settings.api_key.get_secret_value())
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Content-Type", "X-API-Key", "Authorization", "X-Request-ID"],
            # a browser client honours Retry-After on 429/503 only if it may read it
            expose_headers=["Retry-After", "X-Request-ID"],
        )
    access_log = AccessLog(settings.log_level)
    # Inside Observe, outside CORS and the guards: hardening headers on every answer,
    # `/aim/` served as `/aim`, HEAD run as GET (app/api/headers.py). No slash redirects:
    # their Location would be built from the Host header.
    app.add_middleware(ShutdownCutoff)  # requests cancelled at the end of the grace: 503
    app.add_middleware(HardeningMiddleware)
    app.router.redirect_slashes = False
    app.add_middleware(ObserveMiddleware, metrics=metrics, log=access_log)
    app.add_middleware(QuietStartupRefusal)
    install_error_handlers(app)
    app.include_router(direct)
    app.include_router(calibration_router)  # POST /calibrate
    app.include_router(router)
    app.include_router(health_router)
    app.include_router(shots_router)  # GET /trajectory, /loss-surface; the page at /
    app.include_router(space_shots_router)  # GET /trajectory3d: the page's 3D views
    # The schema states the limits of these settings, and the key when there is one.
    contract.install(app, settings, AIMING if settings.api_key is not None else None)
    return app


app = create_app()
