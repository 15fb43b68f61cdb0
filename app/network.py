"""The inverse network: target distance (m) -> launch controls (angle rad, velocity m/s).

A small MLP. Its input is the distance divided by the cannon's maximum range, so it sees
numbers in (0, 1]; its outputs pass through sigmoids scaled to the cannon's limits, so every
proposal is a shot the cannon can fire, by construction.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
from torch import Tensor, nn

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
        low, high = self.cannon.min_angle, self.cannon.max_angle
        # Clamped off the ends: in float32 a sigmoid rounds to exactly 0 or 1 past |raw| ~ 17.
        angle = low + (high - low) * torch.sigmoid(raw[..., 0]).clamp(EDGE, 1 - EDGE)  # (N,)
        # The velocity comes out as the energy fraction u = (v / v_max)^2, which the range
        # is linear in, through a sigmoid stretched by STRETCH at each end and clamped: the
        # full-range shot (u = 1) then needs a finite output, not an infinite one.
        u = (1 + 2 * STRETCH) * torch.sigmoid(raw[..., 1]) - STRETCH  # (N,)
        velocity = self.cannon.max_velocity * u.clamp(MIN_ENERGY, 1.0).sqrt()  # (N,) in (0, v_max]
        return angle, velocity
