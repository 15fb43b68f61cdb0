"""Dependencies the routes declare with `Annotated`.

`async def` on purpose: FastAPI runs a plain `def` dependency in the threadpool, and that hop
costs more than the lookup.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from app.aiming.engine import Engine
from app.aiming.vacuum import VacuumPath
from app.config import Settings


def engine_of(request: Request) -> Engine:
    """The engine, for the routes that read and write HTTP themselves (no dependencies)."""
    engine: Engine = request.app.state.engine
    return engine


def settings_of(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_engine(request: Request) -> Engine:
    return engine_of(request)


async def get_aimer(request: Request) -> VacuumPath:
    """The vacuum aimer, for the page's curves (app/api/shots.py)."""
    return engine_of(request).vacuum


async def get_app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


EngineDep = Annotated[Engine, Depends(get_engine)]
AimerDep = Annotated[VacuumPath, Depends(get_aimer)]
SettingsDep = Annotated[Settings, Depends(get_app_settings)]
