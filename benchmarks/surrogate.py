"""The article's physics-blind surrogate: an MLP that learns controls -> landing distance.

It knows nothing about physics. It is fitted to simulated shots (velocity uniform in
(0, v_max] m/s, angle uniform in the cannon's angle limits, landing distance from
app.physics.vacuum in float64), the way the article fits 1,000 shots over 100 epochs. Aiming with
it then means gradient descent on the surrogate's loss (surrogate(v, θ) - d)^2; that descent
is in benchmarks.descents, shared with the descent on the true physics.

Used by benchmarks.approaches (the comparison table) and benchmarks.figures (its loss
surface and descent paths).
"""

from __future__ import annotations

import functools
import math
import time
from dataclasses import asdict, dataclass
from typing import Any

import torch
from torch import Tensor, nn

from app.physics.vacuum import Cannon


@dataclass(frozen=True)
class SurrogateConfig:
    seed: int = 0  # seeds the simulated shots, the initial weights and the shuffling
    shots: int = 1_000  # simulated shots to learn from (the article's 1,000)
    epochs: int = 100  # passes over the shots (the article's 100)
    batch_size: int = 32
    learning_rate: float = 1e-3  # Adam
    hidden: int = 64  # width of each hidden layer
    layers: int = 2  # hidden layers

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class Surrogate(nn.Module):
    """MLP (velocity m/s, angle rad) -> landing distance (m), float64.

    Inputs are scaled to [-1, 1] by the cannon's limits and the output by its maximum range,
    which is plain data normalisation, not physics.
    """

    def __init__(self, cannon: Cannon, config: SurrogateConfig | None = None) -> None:
        super().__init__()
        self.cannon = cannon
        self.config = config or SurrogateConfig()
        blocks: list[nn.Module] = []
        in_features = 2
        for _ in range(self.config.layers):
            blocks += [nn.Linear(in_features, self.config.hidden), nn.SiLU()]
            in_features = self.config.hidden
        self.body = nn.Sequential(*blocks, nn.Linear(in_features, 1)).double()

    def forward(self, velocity: Tensor, angle: Tensor) -> Tensor:
        """velocity, angle (...) -> predicted landing distance (...) m."""
        c = self.cannon
        v = velocity.double() / c.max_velocity
        a = (angle.double() - c.min_angle) / (c.max_angle - c.min_angle)
        x = torch.stack([v, a], dim=-1) * 2 - 1  # (..., 2) in [-1, 1]
        return self.body(x).squeeze(-1) * c.max_range


@dataclass
class TrainedSurrogate:
    model: Surrogate
    seconds: float  # wall time of the training loop
    train_rmse_m: float  # RMS error on its own training shots after training
    grid_rmse_m: float  # RMS error on a 101 x 101 grid over the control limits
    grid_max_error_m: float  # largest error on that grid

    def __call__(self, velocity: Tensor, angle: Tensor) -> Tensor:
        return self.model(velocity, angle)


def simulate_shots(
    cannon: Cannon, shots: int, generator: torch.Generator
) -> tuple[Tensor, Tensor, Tensor]:
    """Random shots within the limits and where the physics lands them (float64).

    Returns velocity (m/s), angle (rad), landing distance (m), each (shots,).
    """
    velocity = (
        1 - torch.rand(shots, generator=generator, dtype=torch.float64)
    ) * cannon.max_velocity
    span = cannon.max_angle - cannon.min_angle
    angle = cannon.min_angle + span * torch.rand(shots, generator=generator, dtype=torch.float64)
    return velocity, angle, cannon.landing_distance(velocity, angle)


def control_grid(cannon: Cannon, points: int) -> tuple[Tensor, Tensor]:
    """A points x points grid of (velocity m/s, angle rad) over the cannon's limits,
    endpoints nudged inside the open limits. Shapes (points, points), indexing 'xy':
    rows follow the angle, columns the velocity."""
    velocity = torch.linspace(0, cannon.max_velocity, points, dtype=torch.float64)
    angle = torch.linspace(cannon.min_angle, cannon.max_angle, points, dtype=torch.float64)
    velocity[0] = cannon.max_velocity * 1e-6
    angle[0], angle[-1] = angle[0] + 1e-6, angle[-1] - 1e-6
    grid_v, grid_a = torch.meshgrid(velocity, angle, indexing="xy")
    return grid_v, grid_a


def train_surrogate(cannon: Cannon, config: SurrogateConfig | None = None) -> TrainedSurrogate:
    """Fit the surrogate to simulated shots with Adam on the mean squared error (m^2).

    Deterministic for a given config on a given machine.
    """
    config = config or SurrogateConfig()
    torch.manual_seed(config.seed)
    generator = torch.Generator().manual_seed(config.seed)
    model = Surrogate(cannon, config)
    velocity, angle, landing = simulate_shots(cannon, config.shots, generator)
    optimiser = torch.optim.Adam(model.parameters(), lr=config.learning_rate)
    start = time.perf_counter()
    for _ in range(config.epochs):
        order = torch.randperm(config.shots, generator=generator)
        for first in range(0, config.shots, config.batch_size):
            rows = order[first : first + config.batch_size]
            loss = ((model(velocity[rows], angle[rows]) - landing[rows]) ** 2).mean()
            optimiser.zero_grad(set_to_none=True)
            loss.backward()
            optimiser.step()
    seconds = time.perf_counter() - start
    model.eval()
    with torch.no_grad():
        train_rmse = ((model(velocity, angle) - landing) ** 2).mean().sqrt().item()
        grid_v, grid_a = control_grid(cannon, 101)
        error = model(grid_v, grid_a) - cannon.landing_distance(grid_v, grid_a)
    return TrainedSurrogate(
        model=model,
        seconds=seconds,
        train_rmse_m=train_rmse,
        grid_rmse_m=math.sqrt((error**2).mean().item()),
        grid_max_error_m=error.abs().max().item(),
    )


@functools.cache
def cached_surrogate(cannon: Cannon, config: SurrogateConfig) -> TrainedSurrogate:
    """train_surrogate, once per process for a given cannon and config.

    Training is deterministic, so benchmarks.approaches and benchmarks.figures run in one
    process (the tests) share one fit; `seconds` is that fit's training time.
    """
    return train_surrogate(cannon, config)
