"""Service settings: one class, read from CANNON_* environment variables."""

from __future__ import annotations

import math
from functools import lru_cache
from pathlib import Path
from typing import Annotated

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from app.model_store import DEFAULT_WEIGHTS
from app.physics import STANDARD_GRAVITY, Cannon

Positive = Annotated[float, Field(gt=0, allow_inf_nan=False)]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CANNON_")

    host: str = "127.0.0.1"  # address `cannon serve` binds to
    port: Annotated[int, Field(ge=1, le=65535)] = 8000  # port `cannon serve` listens on
    model_path: Path = DEFAULT_WEIGHTS  # safetensors weights; the JSON card lies beside it
    default_tolerance: Annotated[float, Field(ge=1e-6, allow_inf_nan=False)] = 0.05  # m
    max_body_bytes: Annotated[int, Field(ge=1)] = 1 << 20  # larger request bodies get a 413
    max_refine_iterations: Annotated[int, Field(ge=1, le=10_000)] = (
        50  # Gauss-Newton steps per target
    )
    gravity: Positive = STANDARD_GRAVITY  # m/s^2; must match the model card
    max_velocity: Positive = 10.0  # m/s; must match the model card
    min_angle: Annotated[float, Field(ge=0, allow_inf_nan=False)] = 0.0  # rad, exclusive
    max_angle: Annotated[float, Field(le=math.pi / 2, allow_inf_nan=False)] = math.pi / 2  # rad
    torch_threads: Annotated[int, Field(ge=1)] = (
        1  # intra-op threads; 1 is fastest for tiny tensors
    )
    log_level: str = "info"

    def cannon(self) -> Cannon:
        return Cannon(self.gravity, self.max_velocity, self.min_angle, self.max_angle)


@lru_cache
def get_settings() -> Settings:
    return Settings()
