"""The bridge from the loaded air network to the compiled solver: its weights as plain
arrays, its input scaling and the cannon's limits as one vector, and batches cut into chunks
between which work given up on stops (app/cancel.py)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from torch import Tensor, nn

from app import cancel
from app.model.network import (
    ACCELERATION_LIMIT,
    DISTANCE_LIMIT,
    EDGE,
    MIN_ENERGY,
    SPACE_DISTANCE_LIMIT,
    SPEED_LIMIT,
    STRETCH,
    InverseNetwork,
)
from app.physics.kernel import aim as compiled
from app.physics.kernel import anywhere, intercept, solve
from app.physics.kernel import reach as reaches

CHUNK = 512  # targets per compiled call: a few milliseconds, then a cancellation checkpoint
CHUNK_3D = 32  # the same in 3D, where a moving target costs tenths of a millisecond
MODES = {"free": solve.FREE, "low": solve.LOW, "high": solve.HIGH, "angle": solve.ANGLE}


@dataclass(frozen=True)
class CompiledAimer:
    """The compiled solver bound to one network: `aim` answers (N, COLUMNS) float64."""

    limits: np.ndarray  # (len(LIMITS),) float64
    weights: tuple[np.ndarray, ...]  # w_in, b_in, w_hidden, b_hidden, w_out, b_out; float32

    @classmethod
    def of(cls, network: InverseNetwork, space: InverseNetwork | None = None) -> CompiledAimer:
        """Bound to the air network and, for free shots in 3D, the 3D network."""
        c, e = network.cannon, network.envelope.at(network.cannon)  # metres for this cannon
        limits = [
            c.gravity, c.max_velocity, c.min_angle, c.max_angle,
            DISTANCE_LIMIT * c.max_range,
            *e.height_difference, *e.wind, *e.drag,
            STRETCH, MIN_ENERGY, EDGE,
            SPACE_DISTANCE_LIMIT * c.max_range,
            SPEED_LIMIT * c.max_velocity, ACCELERATION_LIMIT * c.gravity,
        ]  # fmt: skip
        assert len(limits) == len(compiled.LIMITS)
        none = (
            np.zeros((0, 0), np.float32), np.zeros(0, np.float32),
            np.zeros((0, 0, 0), np.float32), np.zeros((0, 0), np.float32),
            np.zeros((0, 0), np.float32), np.zeros(0, np.float32),
        )  # fmt: skip
        weights = arrays(network) + (arrays(space) if space is not None else none)
        return cls(np.asarray(limits, dtype=np.float64), weights)

    def aim(
        self,
        distances: np.ndarray,
        air: np.ndarray,
        mode: str,
        fixed: float,
        tolerance: float,
        refine: bool,
        budget: int,
    ) -> np.ndarray:
        """Answers for distances (N,) m through air (N, 4): launch height m, target height m,
        wind m/s, drag 1/m. Rows: angle rad, velocity m/s, landing m, flight time s, apex m,
        steps."""
        distances = np.ascontiguousarray(distances, dtype=np.float64)
        air = np.ascontiguousarray(air, dtype=np.float64)
        out = np.empty((len(distances), compiled.COLUMNS))
        for start in range(0, len(distances), CHUNK):
            cancel.checkpoint()
            part = slice(start, start + CHUNK)
            compiled.aim_many(
                distances[part], air[part], MODES[mode], fixed, tolerance, refine,
                self.limits, self.weights, budget, out[part],
            )  # fmt: skip
        return out

    def aim_at(
        self,
        scenes: np.ndarray,
        mode: str,
        fixed: float,
        tolerance: float,
        refine: bool,
        budget: int,
        anywhere_in_flight: bool = False,
    ) -> np.ndarray:
        """Answers in 3D for scenes (N, len(space.SCENE)); rows as intercept.COLUMNS says.
        The shot meets each target where it comes down through its height, or at any point
        of the flight (the miss then in 3D)."""
        solver = anywhere.aim_many if anywhere_in_flight else intercept.aim_many
        scenes = np.ascontiguousarray(scenes, dtype=np.float64)
        out = np.empty((len(scenes), intercept.COLUMNS))
        for start in range(0, len(scenes), CHUNK_3D):
            cancel.checkpoint()
            part = slice(start, start + CHUNK_3D)
            solver(
                scenes[part], MODES[mode], fixed, tolerance, refine,
                self.limits, self.weights, budget, out[part],
            )  # fmt: skip
        return out

    def reach(self, air: np.ndarray, mode: str, fixed: float) -> np.ndarray:
        """(nearest, farthest) landing (m) the constraint allows in each air (N, 4): (N, 2)."""
        ends = np.empty((len(air), 2))
        for i, conditions in enumerate(np.ascontiguousarray(air, dtype=np.float64)):
            cancel.checkpoint()
            ends[i] = reaches.reach(MODES[mode], fixed, conditions, self.limits)
        return ends


def arrays(network: InverseNetwork) -> tuple[np.ndarray, ...]:
    """A network's six arrays as solve.network takes them: w_in, b_in, w_hidden, b_hidden,
    w_out, b_out; float32, the weights transposed (the kernel multiplies from the left)."""
    linears = [m for m in network.body if isinstance(m, nn.Linear)]

    def array(t: Tensor) -> np.ndarray:
        return np.ascontiguousarray(t.detach().numpy().T, dtype=np.float32)

    hidden, width = linears[1:-1], linears[0].out_features
    w_hidden = (
        np.stack([array(m.weight) for m in hidden])
        if hidden
        else np.zeros((0, width, width), np.float32)
    )
    b_hidden = (
        np.stack([array(m.bias) for m in hidden]) if hidden else np.zeros((0, width), np.float32)
    )
    first, last = linears[0], linears[-1]
    return (
        array(first.weight), array(first.bias), w_hidden, b_hidden,
        array(last.weight), array(last.bias),
    )  # fmt: skip
