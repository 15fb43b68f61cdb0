"""The conditioned inverse network for flight through air.

(distance m, height difference m, wind m/s, drag 1/m) -> launch controls (angle rad, velocity
m/s). Like the vacuum `InverseNetwork` it is a small MLP whose raw outputs pass through
`app.network.controls`, so every proposal is a shot the cannon can fire, by construction.

Physics is the same at any height, so only the height difference (target minus launch)
enters. Each input is scaled to about [-1, 1]: the conditions by the envelope's bounds, the
distance by the vacuum maximum range v_max^2 / g. Through air with a tailwind and a target
below the cannon the reach exceeds that vacuum range, so the distance is clamped at
DISTANCE_LIMIT vacuum ranges, past anything in the envelope.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
from torch import Tensor, nn

from app.envelope import ENVELOPE, Envelope
from app.network import controls
from app.physics import Cannon

# Farthest reach in the envelope, in vacuum ranges: 1.26 (12.85 m: no drag, the target
# 3 m below); with margin, so inputs never saturate inside the envelope.
DISTANCE_LIMIT = 1.5


@dataclass(frozen=True)
class AirNetworkConfig:
    hidden: int = 128  # width of each hidden layer: four inputs need more room than one
    layers: int = 3  # number of hidden layers

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def centred(value: Tensor, bounds: tuple[float, float]) -> Tensor:
    """Map [low, high] onto [-1, 1]."""
    low, high = bounds
    return (2 * value - (low + high)) / (high - low)


class AirNetwork(nn.Module):
    """MLP mapping targets and their air to (angle, velocity) inside the cannon's limits."""

    def __init__(
        self,
        cannon: Cannon,
        config: AirNetworkConfig | None = None,
        envelope: Envelope = ENVELOPE,
    ) -> None:
        super().__init__()
        self.cannon = cannon
        self.config = config or AirNetworkConfig()
        self.envelope = envelope
        width, blocks = self.config.hidden, []
        in_features = 5  # distance twice (linear and square root), then the three conditions
        for _ in range(self.config.layers):
            blocks += [nn.Linear(in_features, width), nn.SiLU()]
            in_features = width
        self.body = nn.Sequential(*blocks, nn.Linear(in_features, 2))

    def features(
        self, distance: Tensor, height_difference: Tensor, wind: Tensor, drag: Tensor
    ) -> Tensor:
        """Normalised inputs: each (N,) -> (N, 5), float32 like the weights."""
        x = (distance / (DISTANCE_LIMIT * self.cannon.max_range)).clamp(0.0, 1.0)  # (N,)
        # The square root too: the velocity grows like sqrt(distance) near zero, where a
        # linear input would squeeze the short shots into a sliver of the input.
        return torch.stack(
            [
                2 * x - 1,
                2 * x.sqrt() - 1,
                centred(height_difference, self.envelope.height_difference),
                centred(wind, self.envelope.wind),
                centred(drag, self.envelope.drag),
            ],
            dim=-1,
        ).float()

    def forward(
        self, distance: Tensor, height_difference: Tensor, wind: Tensor, drag: Tensor
    ) -> tuple[Tensor, Tensor]:
        """distance (N,) m, height_difference (N,) m, wind (N,) m/s (+ tailwind), drag (N,) 1/m
        -> angle (N,) rad, velocity (N,) m/s, float32."""
        raw = self.body(self.features(distance, height_difference, wind, drag))  # (N, 2)
        angle, velocity = controls(self.cannon, raw[..., 0], raw[..., 1])
        return angle, velocity
