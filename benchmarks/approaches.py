"""How well, and how fast, do different approaches aim the cannon? One shared held-out set.

    python -m benchmarks.approaches [--quick] [--json PATH] [--targets N] [--seed S]

Prints a markdown table and, with --json, writes the same numbers as JSON. `--quick` uses 50
targets and a 1,000-step budget for plain gradient descent, with the same code paths.

Targets: N distances drawn uniformly from (0, max_range] by a generator seeded with S
(default 2024; 0 is refused, it is the seed the shipped network and the surrogate were
trained with), plus both ends: 1 mm and exactly max_range = v_max^2 / g. Every approach's
answer is judged the same way: its (velocity, angle) are checked to lie within the cannon's
limits and fired through app.physics.vacuum in float64 (`true_miss`), whatever the approach
believes of itself.

The approaches:

1. Surrogate (physics-blind, the article's first approach): an MLP fitted to 1,000
   simulated shots over 100 epochs maps controls -> distance (benchmarks.surrogate). Plain
   gradient descent on (surrogate(v, θ) - d)^2 from a fixed start, the middle of the
   control box (5 m/s, π/4 rad; the article does not say where it starts), stops when the
   SURROGATE's miss is within 5 cm or after the step budget. Reported: the true miss, and
   what the surrogate believed its miss to be.
2. Newtonian: the same plain gradient descent on the true loss (R(v, θ) - d)^2, from random
   controls (seeded, uniform within the limits), stopping when the true miss is within 5 cm
   or after the step budget (5,000 steps; 1,000 with --quick). The article gives no
   learning rate; 3e-3 (in (m/s)/m^2 and rad/m^2) was picked from a sweep over 3e-4..1e-2 on
   another seed: 2e-3..5e-3 do alike, 1e-2 oscillates near the maximum range, smaller rates
   run out of steps. Controls are clamped to the limits after every step.
3. Differentiable programming, the service's own pipeline: `VacuumPath.solve` with the shipped
   network (models/inverse.safetensors): the network alone, then the pipeline (network,
   verify, Gauss-Newton refinement) at 5 cm (the service's default) and at 1e-6 m
   (app.aiming.vacuum.MIN_TOLERANCE). Iterations are refinement steps (`Shots.iterations`).
4. The limit, the closed form in a vacuum: θ = π/4, v = sqrt(d g) (the lowest velocity).
5. What a user would reach for instead, SciPy root finding in a Python loop over targets
   with the range formula written in plain floats:
   a. `scipy.optimize.brentq` on the angle in (0, π/4] at v = v_max (the low arc), default
      tolerances; iterations are brentq's iterations;
   b. `scipy.optimize.least_squares` over (v, θ) within the limits from the fixed start
      (5 m/s, π/4 rad), default method ('trf'), tolerances and finite-difference Jacobian;
      iterations are its `nfev` (for 'trf' one evaluation per iteration; the Jacobian's
      evaluations are not counted).

The warm-start table is the article's key claim: refinement on the true physics from the
network's proposal against the same refinement from random starts (the starts of approach
2), at 5 cm, 1 mm and 1e-6 m, for the service's Gauss-Newton refinement
(app.aiming.refinement.refine, at most 50 steps) and for plain gradient descent (approach 2's
descent and budget). The project's goal is a ratio of mean iterations (network / random) of
at most 1/10.

Times are wall-clock on one thread (torch.set_num_threads(1)). Batched approaches solve all
targets in one call, so their time per target is the batch's wall time / N (the pipeline
and the closed form: median of 3 runs after a warm-up; the gradient descents: one run); the
SciPy peers run one target at a time in a loop. One-off costs
(training) are listed separately, not spread over the targets.

The approaches other than the service's pipeline, the held-out targets and the judge of
misses are in benchmarks.descents; benchmarks.approaches_report turns the measurements into
the JSON and the tables. This module measures and is the command.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from torch import Tensor

from app.aiming.refinement import Refined, refine
from app.aiming.vacuum import MIN_TOLERANCE, VacuumPath
from app.model.store import DEFAULT_WEIGHTS, load_model
from app.physics.vacuum import Cannon
from benchmarks.approaches_report import markdown, summarise
from benchmarks.descents import (
    GD_STEPS,
    TOLERANCE,
    Descent,
    brentq_aim,
    closed_form,
    held_out_targets,
    least_squares_aim,
    newtonian_descent,
    random_starts,
    surrogate_descent,
    true_miss,
)
from benchmarks.surrogate import SurrogateConfig, TrainedSurrogate, cached_surrogate

TRAINING_SEED = 0  # the shipped network's and the surrogate's training seed
DEFAULT_SEED = 2024
DEFAULT_TARGETS = 1_000
QUICK_TARGETS = 50
WARM_TOLERANCES = (0.05, 1e-3, MIN_TOLERANCE)  # m
QUICK_GD_STEPS = 1_000
REFINE_STEPS = 50  # the service's default max_refine_iterations
TIMING_RUNS = 3


# ---------------------------------------------------------------- measuring


@dataclass
class Outcome:
    """One approach's answers for every target."""

    name: str
    mode: str  # "batched" or "per-target loop"
    velocity: Tensor  # (N,) m/s
    angle: Tensor  # (N,) rad
    iterations: Tensor  # (N,) int64
    seconds: float  # wall time for all N targets
    one_off: str = "—"  # training cost etc., not included in `seconds`
    believed_miss: Tensor | None = None  # (N,) m, what the approach thinks it misses by


@dataclass
class WarmStart:
    method: str  # "Gauss-Newton refinement" or "plain gradient descent"
    tolerance: float  # m
    random_iterations: Tensor  # (N,) from random starts
    network_iterations: Tensor  # (N,) from the network's proposal
    random_miss: Tensor  # (N,) m, true
    network_miss: Tensor  # (N,) m, true
    budget: int


@dataclass
class Benchmark:
    cannon: Cannon
    targets: Tensor  # (N,) m
    starts: tuple[Tensor, Tensor]  # random (velocity, angle), (N,) each
    surrogate: TrainedSurrogate
    aimer: VacuumPath
    gd_steps: int
    seed: int
    outcomes: list[Outcome] = field(default_factory=list)
    warm: list[WarmStart] = field(default_factory=list)


def timed(job: Callable[[], Any], runs: int = TIMING_RUNS) -> tuple[Any, float]:
    """(job's result, median wall seconds of `runs` runs)."""
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = job()
        times.append(time.perf_counter() - start)
    return result, statistics.median(times)


def loop(
    cannon: Cannon, targets: Tensor, solve: Callable[[Cannon, float], tuple[float, float, int, int]]
) -> tuple[Tensor, Tensor, Tensor, float]:
    """Run a one-target solver over every target: velocity, angle, iterations, seconds."""
    start = time.perf_counter()
    answers = [solve(cannon, d) for d in targets.tolist()]
    seconds = time.perf_counter() - start
    velocity, angle, iterations, _ = zip(*answers, strict=True)
    return (
        torch.tensor(velocity, dtype=torch.float64),
        torch.tensor(angle, dtype=torch.float64),
        torch.tensor(iterations, dtype=torch.int64),
        seconds,
    )


def warm_starts(
    cannon: Cannon, targets: Tensor, starts: tuple[Tensor, Tensor], aimer: VacuumPath, gd_steps: int
) -> list[WarmStart]:
    """The same refinement on the true physics from the random starts and from the network's
    proposal, at each of WARM_TOLERANCES: Gauss-Newton, then plain gradient descent."""
    network = aimer.propose(targets)  # (angle, velocity)
    random = (starts[1], starts[0])  # (angle, velocity)
    methods: tuple[tuple[str, int, Callable[[Tensor, Tensor, float], Refined | Descent]], ...] = (
        (
            "Gauss-Newton refinement",
            REFINE_STEPS,
            lambda a, v, t: refine(cannon, targets, a, v, t, REFINE_STEPS),
        ),
        (
            "plain gradient descent",
            gd_steps,
            lambda a, v, t: newtonian_descent(cannon, targets, v, a, t, gd_steps),
        ),
    )
    rows = []
    for method, budget, solve in methods:
        for tolerance in WARM_TOLERANCES:
            cold, warm = solve(*random, tolerance), solve(*network, tolerance)
            rows.append(
                WarmStart(
                    method,
                    tolerance,
                    cold.iterations,
                    warm.iterations,
                    true_miss(cannon, targets, cold.velocity, cold.angle),
                    true_miss(cannon, targets, warm.velocity, warm.angle),
                    budget,
                )
            )
    return rows


def measure(
    n_targets: int = DEFAULT_TARGETS,
    seed: int = DEFAULT_SEED,
    gd_steps: int = GD_STEPS,
    cannon: Cannon | None = None,
) -> Benchmark:
    """Run every approach on one held-out set of targets."""
    if seed == TRAINING_SEED:
        raise ValueError(f"seed {TRAINING_SEED} is the training seed; pick another")
    cannon = cannon or Cannon()
    targets = held_out_targets(cannon, n_targets, seed)
    n = targets.numel()
    starts = random_starts(cannon, n, seed)
    surrogate = cached_surrogate(cannon, SurrogateConfig(seed=TRAINING_SEED))
    network, card = load_model(DEFAULT_WEIGHTS, cannon)
    aimer = VacuumPath(network, max_iterations=REFINE_STEPS, version=str(card["version"]))
    bench = Benchmark(cannon, targets, starts, surrogate, aimer, gd_steps, seed)
    aimer.solve(targets[:2], MIN_TOLERANCE)  # warm-up
    add = bench.outcomes.append

    descent, seconds = timed(lambda: surrogate_descent(cannon, surrogate, targets, gd_steps), 1)
    with torch.no_grad():
        believed = (surrogate(descent.velocity, descent.angle) - targets).abs()
    add(
        Outcome(
            "1. surrogate MLP + gradient descent (stops at believed 5 cm)",
            "batched",
            descent.velocity,
            descent.angle,
            descent.iterations,
            seconds,
            one_off=f"surrogate training {surrogate.seconds:.1f} s (1,000 shots, 100 epochs)",
            believed_miss=believed,
        )
    )

    descent, seconds = timed(
        lambda: newtonian_descent(cannon, targets, *starts, TOLERANCE, gd_steps), 1
    )
    add(
        Outcome(
            "2. Newtonian gradient descent on true loss, random start (5 cm)",
            "batched",
            descent.velocity,
            descent.angle,
            descent.iterations,
            seconds,
        )
    )

    trained = f"network training {card['training']['seconds']} s (model card), not rerun"
    for name, tolerance, do_refine in (
        ("3a. network alone (no refinement)", TOLERANCE, False),
        ("3b. network + verify + refine, tolerance 5 cm", TOLERANCE, True),
        ("3c. network + verify + refine, tolerance 1e-6 m", MIN_TOLERANCE, True),
    ):
        solved, seconds = timed(lambda t=tolerance, r=do_refine: aimer.solve(targets, t, r))
        add(
            Outcome(
                name,
                "batched",
                torch.from_numpy(solved.velocity),
                torch.from_numpy(solved.angle),
                torch.from_numpy(solved.iterations),
                seconds,
                one_off=trained,
            )
        )

    (velocity, angle), seconds = timed(lambda: closed_form(cannon, targets))
    add(
        Outcome(
            "4. closed form θ = π/4, v = √(d g)",
            "batched",
            velocity,
            angle,
            torch.zeros(n, dtype=torch.int64),
            seconds,
        )
    )

    for name, solver in (
        ("5a. scipy brentq on θ at v_max (low arc)", brentq_aim),
        ("5b. scipy least_squares over (v, θ), bounded", least_squares_aim),
    ):
        velocity, angle, iterations, seconds = loop(cannon, targets, solver)
        add(Outcome(name, "per-target loop", velocity, angle, iterations, seconds))

    bench.warm = warm_starts(cannon, targets, starts, aimer, gd_steps)
    return bench


# ---------------------------------------------------------------- the command


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="few targets, short descents")
    parser.add_argument("--json", type=Path, help="also write the numbers as JSON here")
    parser.add_argument("--targets", type=int, help="random targets besides the two ends")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="targets and starts")
    args = parser.parse_args(argv)
    if args.seed == TRAINING_SEED:
        parser.error(f"--seed {TRAINING_SEED} is the training seed; pick another")
    if args.targets is not None and args.targets < 1:
        parser.error("--targets must be at least 1")
    return args


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Run the comparison, print the markdown, write --json; return the summary."""
    args = parse(argv)
    torch.set_num_threads(1)
    n = args.targets or (QUICK_TARGETS if args.quick else DEFAULT_TARGETS)
    bench = measure(n, args.seed, QUICK_GD_STEPS if args.quick else GD_STEPS)
    results = summarise(bench, args.quick)
    print(markdown(results))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    return results


if __name__ == "__main__":
    main(sys.argv[1:])
