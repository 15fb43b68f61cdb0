"""The bridge from the loaded air network to the compiled solver: its weights as plain
arrays, its input scaling and the cannon's limits as one vector, and batches cut into chunks
between which work given up on stops (app/cancel.py)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from torch import nn

from app import cancel
from app.model.network import DISTANCE_LIMIT, EDGE, MIN_ENERGY, STRETCH, InverseNetwork
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
    def of(cls, network: InverseNetwork) -> CompiledAimer:
        c, e = network.cannon, network.envelope.at(network.cannon)  # metres for this cannon
        limits = [
            c.gravity, c.max_velocity, c.min_angle, c.max_angle,
            DISTANCE_LIMIT * c.max_range,
            *e.height_difference, *e.wind, *e.drag,
            STRETCH, MIN_ENERGY, EDGE,
        ]  # fmt: skip
        assert len(limits) == len(compiled.LIMITS)
        linears = [m for m in network.body if isinstance(m, nn.Linear)]

        def array(t: object) -> np.ndarray:  # transposed: the kernel multiplies from the left
            return np.ascontiguousarray(t.detach().numpy().T, dtype=np.float32)  # type: ignore[attr-defined]

        hidden = linears[1:-1]
        width = linears[0].out_features
        w_hidden = (
            np.stack([array(m.weight) for m in hidden])
            if hidden
            else np.zeros((0, width, width), np.float32)
        )
        b_hidden = (
            np.stack([array(m.bias) for m in hidden])
            if hidden
            else np.zeros((0, width), np.float32)
        )
        weights = (
            array(linears[0].weight), array(linears[0].bias),
            w_hidden, b_hidden,
            array(linears[-1].weight), array(linears[-1].bias),
        )  # fmt: skip
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
