"""The vacuum's physics for the training loop (app/training/loop.py): targets uniform over the
range, landed by the closed form, the miss over the range R_max. The lowest launch velocity
that reaches a target is the 45-degree shot here; the loop's velocity penalty finds it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import torch
from torch import Tensor

from app.model.network import InverseNetwork, NetworkConfig
from app.physics.vacuum import Cannon
from app.training.loop import Run, optimise


@dataclass(frozen=True)
class TrainConfig:
    seed: int = 0  # seeds initialisation and the sampling of targets
    steps: int = 15_000  # Adam steps, one fresh batch of targets each
    batch_size: int = 1024  # targets per step, uniform in [0, max range]
    learning_rate: float = 3e-3  # peak Adam rate, cosine-decayed to 1% of it
    velocity_weight_start: float = 0.1  # weight of the (v / v_max)^2 penalty at step 0
    velocity_weight_end: float = 1e-6  # ... at the last step; it shifts misses by ~5 µm
    validation_points: int = 10_001  # dense grid of targets for the model card's figures

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Vacuum:
    """Targets stratified over (0, max range]: one in each of B equal slices, so every batch
    covers the range evenly; the miss relative to the range, squared."""

    cannon: Cannon
    batch_size: int

    def losses(
        self, network: InverseNetwork, sampler: torch.Generator, done: float
    ) -> tuple[Tensor, Tensor]:
        strata = torch.arange(self.batch_size, dtype=torch.float32)  # (B,)
        jitter = torch.rand(self.batch_size, generator=sampler)  # (B,)
        target = (strata + jitter) / self.batch_size * self.cannon.max_range  # (B,) m
        angle, velocity = network(target)  # (B,), (B,)
        landing = self.cannon.landing_distance(velocity, angle)  # (B,) m
        miss_loss = (((landing - target) / self.cannon.max_range) ** 2).mean()
        return miss_loss, ((velocity / self.cannon.max_velocity) ** 2).mean()


def train(
    cannon: Cannon,
    config: TrainConfig | None = None,
    network_config: NetworkConfig | None = None,
    progress: bool = True,
) -> Run:
    """Train a fresh network, deterministic for a given seed on a given machine."""
    config = config or TrainConfig()
    torch.manual_seed(config.seed)
    sampler = torch.Generator().manual_seed(config.seed)
    network = InverseNetwork(cannon, network_config)
    return optimise(network, Vacuum(cannon, config.batch_size), config, sampler, progress)


def network_misses(network: InverseNetwork, target: torch.Tensor) -> torch.Tensor:
    """|landing - target| (m) of the network's proposals, verified in float64. (N,) -> (N,)"""
    with torch.no_grad():
        angle, velocity = network(target.float())
    landing: torch.Tensor = network.cannon.landing_distance(velocity.double(), angle.double())
    return (landing - target.double()).abs()


def validate(
    network: InverseNetwork, points: int = TrainConfig.validation_points, scale: float = 1.0
) -> dict[str, float]:
    """The network alone on an even grid of `points` targets in (0, max range], and on 1,000
    targets from 1e-300 m to 1 mm below that grid, verified in float64. Misses in metres;
    the card's thresholds (5 cm, 1 mm) times `scale`, for a cannon of another size than the
    one trained on."""
    max_range = network.cannon.max_range
    miss = network_misses(
        network, torch.linspace(max_range / points, max_range, points, dtype=torch.float64)
    )
    tiny = network_misses(network, scale * torch.logspace(-300, -3, 1000, dtype=torch.float64))
    return {
        "points": points,
        "median_miss_m": miss.median().item(),
        "p99_miss_m": miss.quantile(0.99).item(),
        "max_miss_m": miss.max().item(),
        "within_5cm": (miss <= 0.05 * scale).double().mean().item(),
        "within_1mm": (miss <= 1e-3 * scale).double().mean().item(),
        "max_miss_below_1mm_m": tiny.max().item(),
    }
