"""The odds of a hit: what an aiming request may add (`Uncertainty`, the objective) and what
its answer then holds (`dispersion`, `hit_probability`, `best_odds`). Units: metres (m),
metres per second (m/s), radians (rad), inverse metres (1/m).

A request without `uncertainty` gets none of these fields (they stay None) and costs what it
did before. tests/test_client_contract.py holds these models to the served schema.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field

from cannon_client.base import Answer
from cannon_client.conditions import Finite, Strict

Objective = Literal["exact", "max_hit_probability"]
Sigma = Annotated[float, Finite, Field(ge=0, le=1e5)]  # the service's bound, past any cannon


class Uncertainty(Strict):
    """What is not exact, as standard deviations of independent normal errors, and what
    counts as a hit: a landing within `hit_radius` (m) of the target. The Monte Carlo flies
    `samples` perturbed shots drawn from `seed` (the same seed, the same samples)."""

    hit_radius: Annotated[
        float,
        Finite,
        Field(gt=0, le=1e7, description="A hit lands within this distance, in metres (m)."),
    ]
    velocity_sigma: Annotated[
        Sigma, Field(description="Standard deviation of the launch velocity, in m/s.")
    ] = 0.0
    angle_sigma: Annotated[
        Sigma, Field(description="Standard deviation of the elevation, in radians (rad).")
    ] = 0.0
    azimuth_sigma: Annotated[
        Sigma, Field(description="Standard deviation of the azimuth, in radians (rad).")
    ] = 0.0
    wind_sigma: Annotated[
        Sigma, Field(description="Standard deviation of each wind component, in m/s.")
    ] = 0.0
    drag_sigma: Annotated[
        Sigma, Field(description="Standard deviation of the drag coefficient, in 1/m.")
    ] = 0.0
    samples: Annotated[
        int, Field(ge=100, le=100_000, description="Monte Carlo samples, 100 to 100,000.")
    ] = 10_000
    seed: Annotated[int, Field(ge=0, le=2**63 - 1, description="The Monte Carlo's seed.")] = 0

    def fields(self) -> dict[str, Any]:
        """As the service takes it: the radius always, the rest when not the default."""
        return {"hit_radius": self.hit_radius, **self.model_dump(exclude_defaults=True)}


def odds_fields(uncertainty: Uncertainty | None, objective: Objective | None) -> dict[str, Any]:
    """The request's odds fields; None leaves the service's default (no odds; `exact`). The
    objective `max_hit_probability` without an uncertainty is refused before sending."""
    if objective not in (None, "exact", "max_hit_probability"):
        message = f'objective is "exact" or "max_hit_probability", not {objective!r}'
        raise invalid(message)
    if objective == "max_hit_probability" and uncertainty is None:
        raise invalid("objective max_hit_probability needs an uncertainty (its hit_radius, m)")
    fields: dict[str, Any] = {}
    if uncertainty is not None:
        fields["uncertainty"] = uncertainty.fields()
    if objective is not None:
        fields["objective"] = objective
    return fields


def invalid(message: str) -> Exception:
    from cannon_client.errors import InvalidRequest

    return InvalidRequest(message, None, {"detail": message})


class Point2(Answer):
    """A horizontal offset in metres: x and y (in the 2D form, x along the line of fire)."""

    x: float  # m
    y: float  # m


class MeanMiss(Answer):
    """The commanded shot's landing minus the target, in metres (m); None where the
    linearisation fails (a grazing shot the fast flight does not bring down)."""

    x: float | None  # m
    y: float | None  # m


class Dispersion(Answer):
    """Where the shot may land, linearised: a normal law about the commanded shot's landing.
    Its figures are None where the linearisation fails."""

    mean_miss: MeanMiss  # m, the commanded shot's landing minus the target
    semi_major: float | None  # m, one standard deviation along the ellipse's long axis
    semi_minor: float | None  # m, one standard deviation along its short axis
    orientation: float | None  # rad, the long axis counter-clockwise from +x, in (-pi/2, pi/2]


class HitProbability(Answer):
    """The chance of landing within `hit_radius` of the target."""

    monte_carlo: float  # share of the samples that land within the radius (0 to 1)
    interval: tuple[float, float]  # its 95% (Wilson) interval
    linearised: float  # the same chance under the linearised normal law (`dispersion`)
    hit_radius: float  # m
    samples: int  # a count
    seed: int


class BestOdds(Answer):
    """The aim with the best odds (objective `max_hit_probability`), on the exact aim's
    samples."""

    velocity: float  # m/s
    angle: float  # rad, the elevation
    angle_degrees: float  # degrees
    azimuth: float  # rad; 0 in the 2D form
    hit_probability: float  # its Monte Carlo chance (0 to 1)
    interval: tuple[float, float]  # its 95% interval
    exact_hit_probability: float  # the exact aim's, on the same samples
    gain: float  # hit_probability - exact_hit_probability


class Odds(Answer):
    """What an aiming answer adds for a request with `uncertainty` (None otherwise)."""

    dispersion: Dispersion | None = None
    hit_probability: HitProbability | None = None
    best_odds: BestOdds | None = None  # with objective max_hit_probability
