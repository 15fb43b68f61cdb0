"""The inverse network: target distance (m) -> launch controls (angle rad, velocity m/s).

A small MLP. Its input is the distance divided by the cannon's maximum range, so it sees
numbers in (0, 1]; its outputs pass through sigmoids scaled to the cannon's limits, so every
proposal is a shot the cannon can fire, by construction.

`InverseNetwork` is the torch module: training, and batches of targets. `OneTargetNetwork`
runs the same weights for a single target in numpy, because torch's dispatch costs several
microseconds per op on tiny tensors: proposing and verifying one target took 200-300 µs
through torch against 18-34 µs in numpy in the same runs of benchmarks/speed.py. Tests hold
the two to each other.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
from torch import Tensor, nn

from app import ops
from app.ops import Value
from app.physics import Cannon

STRETCH = 0.05  # the velocity sigmoid spans [-5%, 105%] of the energy range before clamping
MIN_ENERGY = 1e-12  # floor on (v / v_max)^2, so the velocity is never 0
EDGE = 1e-6  # keeps the angle strictly inside its open interval, even in float32


@dataclass(frozen=True)
class NetworkConfig:
    hidden: int = 64  # width of each hidden layer
    layers: int = 3  # number of hidden layers

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


class InverseNetwork(nn.Module):
    """MLP mapping target distances to (angle, velocity) inside the cannon's limits."""

    def __init__(self, cannon: Cannon, config: NetworkConfig | None = None) -> None:
        super().__init__()
        self.cannon = cannon
        self.config = config or NetworkConfig()
        width, blocks = self.config.hidden, []
        in_features = 1
        for _ in range(self.config.layers):
            blocks += [nn.Linear(in_features, width), nn.SiLU()]
            in_features = width
        self.body = nn.Sequential(*blocks, nn.Linear(in_features, 2))

    def forward(self, distance: Tensor) -> tuple[Tensor, Tensor]:
        """distance (N,) m -> angle (N,) rad, velocity (N,) m/s."""
        x = (distance / self.cannon.max_range).clamp(0.0, 1.0).unsqueeze(-1)  # (N, 1) in [0, 1]
        raw = self.body(2 * x - 1)  # (N, 2); input centred on 0
        return controls(self.cannon, raw[..., 0], raw[..., 1])


def controls(cannon: Cannon, raw_angle: Value, raw_velocity: Value) -> tuple[Value, Value]:
    """The network's raw outputs -> (angle rad, velocity m/s) inside the cannon's limits."""
    low, high = cannon.min_angle, cannon.max_angle
    # Clamped off the ends: in float32 a sigmoid rounds to exactly 0 or 1 past |raw| ~ 17.
    angle = low + (high - low) * ops.clamp(ops.sigmoid(raw_angle), EDGE, 1 - EDGE)
    # The velocity comes out as the energy fraction u = (v / v_max)^2, which the range is
    # linear in, through a sigmoid stretched by STRETCH at each end and clamped: the
    # full-range shot (u = 1) then needs a finite output, not an infinite one.
    u = (1 + 2 * STRETCH) * ops.sigmoid(raw_velocity) - STRETCH
    velocity = cannon.max_velocity * ops.sqrt(ops.clamp(u, MIN_ENERGY, 1.0))  # in (0, v_max]
    return angle, velocity


class OneTargetNetwork:
    """`InverseNetwork`'s forward pass for one target: numpy matrix-vector products, float32."""

    def __init__(self, network: InverseNetwork) -> None:
        self.cannon = network.cannon
        linears = [layer for layer in network.body if isinstance(layer, nn.Linear)]
        self.layers = [  # weight (out, in), bias (out,), float32 like the module's
            (layer.weight.detach().numpy().copy(), layer.bias.detach().numpy().copy())
            for layer in linears
        ]

    def __call__(self, distance: float) -> tuple[float, float]:
        """distance m -> (angle rad, velocity m/s)."""
        x = min(max(distance / self.cannon.max_range, 0.0), 1.0)
        h = np.array([2 * x - 1], dtype=np.float32)  # (1,)
        for weight, bias in self.layers[:-1]:
            h = weight @ h + bias  # (hidden,)
            h = h / (1 + np.exp(-h))  # SiLU
        weight, bias = self.layers[-1]
        raw_angle, raw_velocity = (weight @ h + bias).tolist()  # (2,) -> floats
        return controls(self.cannon, raw_angle, raw_velocity)
