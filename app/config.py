"""Service settings: one class, read from CANNON_* environment variables.

Settings fail loudly: a value past its bound, an API key no HTTP header can carry, or a
misspelt variable (CANNON_APIKEY, which would otherwise start the service with no key at all)
stops startup with a message naming the setting, never one that quietly runs on a default.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict, SettingsError

from app.aiming.vacuum import MIN_TOLERANCE
from app.model.store import DEFAULT_AIR_WEIGHTS, DEFAULT_SPACE_WEIGHTS, DEFAULT_WEIGHTS
from app.physics.vacuum import Cannon

PREFIX = "CANNON_"
DEFAULT_CANNON = Cannon()
Finite = Annotated[float, Field(allow_inf_nan=False)]
Count = Annotated[int, Field(ge=1)]
MIB = 1 << 20  # bytes


def usable_cores(cpu_max: Path = Path("/sys/fs/cgroup/cpu.max")) -> int:
    """The cores this process may use: its CPU set, cut to a container's CPU quota (cgroup
    v2's "quota period", rounded up), since a pod limited to one CPU still sees every core
    of its node."""
    cores = len(os.sched_getaffinity(0))
    try:
        quota, period = cpu_max.read_text().split()[:2]
    except (OSError, ValueError):
        return cores
    if quota == "max":
        return cores
    return max(1, min(cores, -(-int(quota) // int(period))))


class Settings(BaseSettings):
    # hide_input_in_errors: pydantic would otherwise print the value refused, the API key too.
    model_config = SettingsConfigDict(env_prefix=PREFIX, hide_input_in_errors=True)

    host: str = "127.0.0.1"  # address `cannon serve` binds to
    port: Annotated[int, Field(ge=1, le=65535)] = 8000  # port `cannon serve` listens on
    model_path: Path = DEFAULT_WEIGHTS  # safetensors weights; the JSON card lies beside it
    air_model_path: Path = DEFAULT_AIR_WEIGHTS  # the air model (drag, wind, heights)
    space_model_path: Path = DEFAULT_SPACE_WEIGHTS  # the 3D model (moving targets, crosswind)
    # m; at most the cannon's farthest target (checked below), past which every shot is a hit.
    default_tolerance: Annotated[Finite, Field(ge=MIN_TOLERANCE)] = 0.05  # m
    max_body_bytes: Annotated[Count, Field(le=64 * MIB)] = MIB  # larger request bodies: 413
    max_refine_iterations: Annotated[Count, Field(le=10_000)] = 50  # steps per target
    max_batch: Annotated[Count, Field(le=100_000)] = 10_000  # most distances in a POST /aim/batch
    # The cannon; the model card must match it (see Cannon for what each limit means). The
    # upper bounds only refuse nonsense (100 g, 10 km/s): the card refuses any other mismatch.
    gravity: Annotated[Finite, Field(gt=0, le=1000)] = DEFAULT_CANNON.gravity  # m/s^2
    max_velocity: Annotated[Finite, Field(gt=0, le=10_000)] = DEFAULT_CANNON.max_velocity  # m/s
    min_angle: Finite = DEFAULT_CANNON.min_angle  # rad, exclusive
    max_angle: Finite = DEFAULT_CANNON.max_angle  # rad, exclusive
    torch_threads: Annotated[Count, Field(le=256)] = 1  # torch intra-op threads
    # s of work per request, then 504; an hour is no longer a timeout.
    request_timeout: Annotated[Finite, Field(gt=0, le=3600)] = 10.0  # s
    max_concurrent: Annotated[Count, Field(le=10_000)] = 64  # aiming requests in flight, then 429
    # Heavy work (through air, heights, constraints) at once, one per core by default; the
    # rest waits, admitted only if it can end within request_timeout, else 429.
    workers: Annotated[Count, Field(le=256)] = Field(default_factory=usable_cores)
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

    @field_validator("port", mode="before")
    @classmethod
    def _not_a_service_link(cls, value: object) -> object:
        # Kubernetes gives every pod CANNON_PORT=tcp://10.0.0.1:8000 for a Service named
        # "cannon"; pydantic alone would only say "not a valid integer".
        if isinstance(value, str) and "://" in value:
            raise ValueError(
                f"CANNON_PORT={value} looks like a Kubernetes service link (a Service named "
                "cannon sets it), not a port: set enableServiceLinks: false in the pod spec or "
                "set CANNON_PORT explicitly"
            )
        return value

    @field_validator("api_key", mode="after")
    @classmethod
    def _key_fits_a_header(cls, key: SecretStr | None) -> SecretStr | None:
        # An empty key would match an empty header: refuse to "protect" with it. A key with
        # whitespace, control or non-ASCII characters can never arrive in a header intact (a
        # client strips or refuses them; headers are latin-1 bytes, the key is compared as
        # UTF-8): it would lock everyone out. The messages never show the key.
        if key is None:
            return None
        secret = key.get_secret_value()
        if not secret.strip():
            raise ValueError("CANNON_API_KEY is empty: set a key, or unset the variable")
        problem = _unprintable(secret)
        if problem:
            hint = " (a newline from echo or a file?)" if "trailing whitespace" in problem else ""
            raise ValueError(
                f"CANNON_API_KEY has {problem}{hint}, which no HTTP header carries intact: use "
                "printable ASCII only (0x21-0x7E, no spaces)"
            )
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
        cannon = self.cannon()  # raises ValueError, which pydantic reports naming the settings
        # A tolerance wider than the farthest target makes every shot a hit.
        if self.default_tolerance > cannon.max_range:
            raise ValueError(
                f"default_tolerance {self.default_tolerance:g} m is past the cannon's farthest "
                f"target, max_velocity^2/gravity = {cannon.max_range:g} m: every shot would be "
                f"a hit; set at most {cannon.max_range:g} m"
            )
        return self

    def tolerance(self, given: float | None) -> float:
        """The tolerance a request asked for (m), or the default when it gave none."""
        return self.default_tolerance if given is None else given

    def cannon(self) -> Cannon:
        return Cannon(self.gravity, self.max_velocity, self.min_angle, self.max_angle)


def _unprintable(secret: str) -> str:
    """What is wrong with the first character outside 0x21-0x7E, and where; "" if none.

    Says the kind (whitespace, control, non-ASCII) and where (leading, trailing, inner), never
    the character or its position, which would tell a reader of the log part of the key.
    """
    for index, char in enumerate(secret):
        if "!" <= char <= "~":
            continue
        last = index == len(secret) - 1
        where = "a leading" if index == 0 else "a trailing" if last else "an inner"
        kind = "whitespace" if char.isspace() else "control" if char.isascii() else "non-ASCII"
        return f"{where} {kind} character"
    return ""


class UnknownSettingError(SettingsError):
    """A CANNON_* variable that is no setting but within a typo of one: refused, since the
    setting it meant would silently keep its default (CANNON_APIKEY: the service with no key).

    A SettingsError (a ValueError), so `cannon` reports it like any invalid setting.
    """


def setting_variables() -> dict[str, str]:
    """Each setting's variable name, keyed by the part after CANNON_ (upper case)."""
    return {name.upper(): PREFIX + name.upper() for name in Settings.model_fields}


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance, counting a swap of two neighbouring characters as one edit.

    The swap is how fingers misspell (API_KYE); plain Levenshtein counts it as two and would
    let that key through unnoticed.
    """
    before: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            best = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                best = min(best, before[j - 2] + 1)
            current.append(best)
        before, previous = previous, current
    return previous[-1]


def near_miss_limit(suffix: str) -> int:
    """Edits within which a name counts as a misspelling of the setting `suffix` names.

    One for short names (up to 7 characters after CANNON_), two for longer ones: short names
    lie close to one another and to the variables Kubernetes and the scripts set.
    """
    return 1 if len(suffix) <= 7 else 2


def meant(name: str, variables: Mapping[str, str]) -> list[str]:
    """The setting variables (of `variables`, see setting_variables) that `name`, an unknown
    CANNON_* variable, is a typo of: the nearest within their limit, ties all, A to Z."""
    given = name.upper().removeprefix(PREFIX)
    edits = {variable: edit_distance(given, suffix) for suffix, variable in variables.items()}
    near = {v: n for v, n in edits.items() if n <= near_miss_limit(v.removeprefix(PREFIX))}
    closest = min(near.values(), default=0)
    return sorted(variable for variable, n in near.items() if n == closest)


def check_environment(environ: Mapping[str, str]) -> list[str]:
    """The CANNON_* variables that are no setting, sorted; refuse any that is a near miss.

    pydantic-settings ignores unknown variables, so a misspelt one would start the service on
    the default it meant to change. Raises UnknownSettingError naming each near miss and the
    setting it meant; never shows a value (one may be a key).
    """
    variables = setting_variables()
    known = set(variables.values())
    unknown = sorted(
        name for name in environ if name.upper().startswith(PREFIX) and name.upper() not in known
    )
    refusals = []
    for name in unknown:
        candidates = meant(name, variables)
        if candidates:
            refusals.append(f"{name} is not a setting; did you mean {' or '.join(candidates)}?")
    if refusals:
        raise UnknownSettingError("; ".join(refusals))
    return unknown


@lru_cache
def get_settings() -> Settings:
    """The settings from the environment, checked once per process (hence the cache)."""
    ignored = check_environment(os.environ)
    if ignored:
        logging.getLogger("cannon").warning(
            "ignoring %d CANNON_* variable(s) that are not settings: %s",
            len(ignored),
            ", ".join(ignored),
        )
    return Settings()
