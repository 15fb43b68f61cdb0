"""The 3D network's fitness, checked at startup (app/model/fitness.py says why and how for
the other two): sound weights, every input heeded, and its proposals alone on a fixed set of
held-out moving targets within the card's figures.

The card's figures took one scipy integration per target for 2,000 targets; startup flies
the proposals of STARTUP_TARGETS of the same kind with the compiled DOP853 (the verifier,
equal to the reference far below these misses), a few milliseconds. As for the air model,
only statistics of the bulk (the medians, the share outside 1%) are compared.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import torch

from app.model.fitness import AIR_LIMITS, degenerate, exceeded, ignored_input
from app.model.network import InverseNetwork
from app.physics import space_flight as flight
from app.physics.kernel.model import CompiledAimer
from app.physics.kernel.space import SCENE
from app.training.space import held_out

STARTUP_TARGETS = 300
STARTUP_SEED = 7  # not the card's seed: a set of its own, fixed
# RK4 steps of the shots the startup targets are built from: within about 1e-6 of the length
# unit of DOP853 (the card's 128: 1e-9), far below the misses compared, at 0.4x the cost.
STARTUP_STEPS = 48


def rows(scene: flight.Scene, gravity: float) -> np.ndarray:
    """The compiled solver's scenes (N, len(SCENE)) for a batch of flight.Scene."""
    n = scene.drag.shape[0]
    out = np.empty((n, len(SCENE)))
    out[:, 0], out[:, 1:3], out[:, 3] = scene.launch_height, scene.wind.T, scene.drag
    out[:, 4] = gravity
    out[:, 5:8], out[:, 8:11] = scene.target.T, scene.velocity.T
    out[:, 11:14] = scene.acceleration.T
    return out


def figures(compiled: CompiledAimer, scene: flight.Scene, gravity: float) -> dict[str, float]:
    """The network's proposals alone (no refinement), flown by the compiled verifier."""
    scenes = rows(scene, gravity)
    unit = compiled.limits[1] ** 2 / compiled.limits[0]  # m: v_max^2 / g
    # Its tolerance sets the verifier's: 1e-10 of the unit, far below the misses compared.
    out = compiled.aim_at(scenes, "free", 0.0, 1e-6 * unit, False, 0)
    miss = np.where(np.isfinite(out[:, 7]), out[:, 7], np.inf)  # never came down: infinite
    relative = miss / np.hypot(scenes[:, 5], scenes[:, 6])
    return {
        "median_miss_m": float(np.median(miss)),
        "median_relative_miss": float(np.median(relative)),
        "within_1%": float(np.mean(relative <= 1e-2)),
    }


@torch.no_grad()
def space_unfit(
    network: InverseNetwork, card: Mapping[str, Any] | None, compiled: CompiledAimer
) -> str | None:
    """None if the 3D network is fit, else why; without a card, only the weights and the
    dependence on each input are checked. `compiled` is bound to this network."""
    reason = degenerate(network)
    if reason:
        return reason
    scene, _ = held_out(network.cannon, STARTUP_TARGETS, STARTUP_SEED, STARTUP_STEPS)
    names = list(flight.Scene.__dataclass_fields__)
    fields = [getattr(scene, name) for name in names]

    def forward(*given: torch.Tensor) -> tuple[torch.Tensor, ...]:
        return network.aim_at(flight.Scene(*given))

    reason = ignored_input(forward, fields, names)  # type: ignore[arg-type]
    if reason or card is None:
        return reason
    measured = figures(compiled, scene, network.cannon.gravity)
    over = f"{STARTUP_TARGETS} validation targets"
    return exceeded(measured, card, AIR_LIMITS, over, network.cannon)
