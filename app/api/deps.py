"""Dependencies the routes declare with `Annotated`.

`async def` on purpose: FastAPI runs a plain `def` dependency in the threadpool, and that hop
costs more than the lookup.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from app.aiming import Aimer
from app.config import Settings


async def get_aimer(request: Request) -> Aimer:
    aimer: Aimer = request.app.state.aimer
    return aimer


async def get_app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


AimerDep = Annotated[Aimer, Depends(get_aimer)]
SettingsDep = Annotated[Settings, Depends(get_app_settings)]
