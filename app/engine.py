"""The aiming engine: the one object the API, the local client and the command line aim with.

It loads both models by one path, checks both by one self-check, and is the one place that
decides how a request is aimed: the vacuum's closed-form fast path (still air, flat ground,
no drag, a free shot: the conditions' zero) or the compiled physics through air. Callers
hand it the request's conditions and constraint and never choose themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from app.aiming import Aimer
from app.air_aiming import AirAimer
from app.config import Settings
from app.model_store import load_air_model, load_model


class Calm(Protocol):
    def still_and_flat(self) -> bool:
        """No drag and the target at the launch height (app/api/air_schemas.py)."""
        ...


@runtime_checkable
class Held(Calm, Protocol):
    def free(self) -> bool:
        """Neither the velocity nor the angle fixed."""
        ...


@dataclass(frozen=True)
class Engine:
    vacuum: Aimer
    air: AirAimer
    card: dict[str, Any]  # the vacuum model's card
    air_card: dict[str, Any]

    @classmethod
    def load(cls, settings: Settings) -> Engine:
        """Both models from the settings' paths; ModelError if one is missing or tampered."""
        cannon, steps = settings.cannon(), settings.max_refine_iterations
        network, card = load_model(settings.model_path, cannon)
        air_network, air_card = load_air_model(settings.air_model_path, cannon)
        return cls(
            Aimer(network, steps, card["version"]), AirAimer(air_network, steps), card, air_card
        )

    @property
    def version(self) -> str:
        """The vacuum model's version (the first twelve hex digits of its sha256)."""
        return self.vacuum.version

    @property
    def air_version(self) -> str:
        version: str = self.air_card["version"]
        return version

    def self_check(self) -> str | None:
        """None when both models aim as their cards say, else why not (a crash counts)."""
        try:
            return self.vacuum.self_check(self.card) or self.air.self_check(self.air_card)
        except Exception as error:
            return f"self-check failed: {type(error).__name__}: {error}"

    @staticmethod
    def in_vacuum(request: Calm) -> bool:
        """Whether a request is the conditions' zero, aimed by the vacuum's fast path: no
        drag (then wind changes nothing), the target at the launch height, and no fixed
        control (a /verify query fixes both and asks only where the shot lands)."""
        return request.still_and_flat() and (request.free() if isinstance(request, Held) else True)
