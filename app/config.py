"""Service settings: one class, read from CANNON_* environment variables."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from app.aiming import MIN_TOLERANCE
from app.model_store import DEFAULT_AIR_WEIGHTS, DEFAULT_WEIGHTS
from app.physics import Cannon

DEFAULT_CANNON = Cannon()
Finite = Annotated[float, Field(allow_inf_nan=False)]
Count = Annotated[int, Field(ge=1)]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CANNON_")

    host: str = "127.0.0.1"  # address `cannon serve` binds to
    port: Annotated[int, Field(ge=1, le=65535)] = 8000  # port `cannon serve` listens on
    model_path: Path = DEFAULT_WEIGHTS  # safetensors weights; the JSON card lies beside it
    air_model_path: Path = DEFAULT_AIR_WEIGHTS  # the air model (drag, wind, heights)
    default_tolerance: Annotated[Finite, Field(ge=MIN_TOLERANCE)] = 0.05  # m
    max_body_bytes: Count = 1 << 20  # larger request bodies get a 413
    max_refine_iterations: Annotated[Count, Field(le=10_000)] = 50  # steps per target
    max_batch: Count = 10_000  # most distances in one POST /aim/batch
    # The cannon; the model card must match it (see Cannon for what each limit means).
    gravity: Finite = DEFAULT_CANNON.gravity  # m/s^2
    max_velocity: Finite = DEFAULT_CANNON.max_velocity  # m/s
    min_angle: Finite = DEFAULT_CANNON.min_angle  # rad, exclusive
    max_angle: Finite = DEFAULT_CANNON.max_angle  # rad, exclusive
    torch_threads: Count = 1  # torch intra-op threads
    request_timeout: Annotated[Finite, Field(gt=0)] = 10.0  # s of work per request, then 504
    max_concurrent: Count = 64  # aiming requests in flight at once, then 429
    api_key: SecretStr | None = None  # when set (and not empty), the aiming endpoints need it
    # A request's headers and body must arrive within this many seconds of its first byte,
    # else 408; a connection that sends nothing for as long is closed.
    read_timeout: Annotated[Finite, Field(gt=0, le=300)] = 10.0  # s
    max_header_bytes: Annotated[int, Field(ge=1024, le=1 << 20)] = 16_384  # larger: 431
    # On SIGTERM: /readyz answers 503 for drain_seconds while requests are still served (so
    # a load balancer stops sending), then the server stops accepting and gives the requests
    # in flight shutdown_grace seconds before it cancels them and exits.
    drain_seconds: Annotated[Finite, Field(ge=0, le=300)] = 0.0  # s
    shutdown_grace: Annotated[Finite, Field(gt=0, le=300)] = 10.0  # s
    # A model that fails its startup self-check: "exit" ends the process (exit 1); "unavailable"
    # keeps it up with the aiming routes, /healthz and /readyz answering 503.
    on_failed_self_check: Literal["exit", "unavailable"] = "exit"
    # Origins allowed to call from a browser, comma-separated; none by default.
    cors_origins: Annotated[list[str], NoDecode] = []

    @field_validator("api_key", mode="after")
    @classmethod
    def _empty_key_is_no_key(cls, key: SecretStr | None) -> SecretStr | None:
        # An empty key would match an empty header: refuse to "protect" with it.
        if key is not None and not key.get_secret_value().strip():
            raise ValueError("CANNON_API_KEY is empty: set a key, or unset the variable")
        return key

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return [origin.strip() for origin in value.split(",") if origin.strip()]
        return value

    log_level: Literal["critical", "error", "warning", "info", "debug", "trace"] = "info"

    @model_validator(mode="after")
    def _cannon_is_possible(self) -> Settings:
        self.cannon()  # raises ValueError, which pydantic reports naming the settings
        return self

    def tolerance(self, given: float | None) -> float:
        """The tolerance a request asked for (m), or the default when it gave none."""
        return self.default_tolerance if given is None else given

    def cannon(self) -> Cannon:
        return Cannon(self.gravity, self.max_velocity, self.min_angle, self.max_angle)


@lru_cache
def get_settings() -> Settings:
    return Settings()
