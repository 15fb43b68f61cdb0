"""How well, and how fast, do different approaches aim the cannon? One shared held-out set.

    python -m benchmarks.approaches [--quick] [--json PATH] [--targets N] [--seed S]

Prints a markdown table and, with --json, writes the same numbers as JSON. `--quick` uses 50
targets and a 1,000-step budget for plain gradient descent, with the same code paths.

Targets: N distances drawn uniformly from (0, max_range] by a generator seeded with S
(default 2024; 0 is refused, it is the seed the shipped network and the surrogate were
trained with), plus both ends: 1 mm and exactly max_range = v_max^2 / g. Every approach's
answer is judged the same way: its (velocity, angle) are checked to lie within the cannon's
limits and fired through app.physics in float64 (`true_miss`), whatever the approach
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
3. Differentiable programming, the service's own pipeline: `Aimer.solve` with the shipped
   network (models/inverse.safetensors): the network alone, then the pipeline (network,
   verify, Gauss-Newton refinement) at 5 cm (the service's default) and at 1e-6 m
   (app.aiming.MIN_TOLERANCE). Iterations are refinement steps (`Solutions.iterations`).
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
(app.refinement.refine, at most 50 steps) and for plain gradient descent (approach 2's
descent and budget). The project's goal is a ratio of mean iterations (network / random) of
at most 1/10.

Times are wall-clock on one thread (torch.set_num_threads(1)). Batched approaches solve all
targets in one call, so their time per target is the batch's wall time / N (the pipeline
and the closed form: median of 3 runs after a warm-up; the gradient descents: one run); the
SciPy peers run one target at a time in a loop. One-off costs
(training) are listed separately, not spread over the targets.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from scipy import optimize
from torch import Tensor

from app.aiming import MIN_TOLERANCE, Aimer
from app.model_store import DEFAULT_WEIGHTS, load_model
from app.physics import Cannon
from app.refinement import refine
from benchmarks.surrogate import SurrogateConfig, TrainedSurrogate, cached_surrogate

TRAINING_SEED = 0  # the shipped network's and the surrogate's training seed
DEFAULT_SEED = 2024
DEFAULT_TARGETS = 1_000
QUICK_TARGETS = 50
TINY_TARGET = 1e-3  # m, the near end of the range in the held-out set
TOLERANCE = 0.05  # m, the article's 5 cm and the service's default
HIT_THRESHOLDS = {"5cm": 0.05, "1mm": 1e-3}  # m
WARM_TOLERANCES = (0.05, 1e-3, MIN_TOLERANCE)  # m
GD_LEARNING_RATE = 3e-3
GD_STEPS = 5_000
QUICK_GD_STEPS = 1_000
REFINE_STEPS = 50  # the service's default max_refine_iterations
FIXED_START = (5.0, math.pi / 4)  # (m/s, rad): the middle of the control box
EDGE = 1e-9  # keeps clamped controls inside the open limits
TIMING_RUNS = 3

Forward = Callable[[Tensor, Tensor], Tensor]  # (velocity m/s, angle rad) -> distance m


# ---------------------------------------------------------------- shared building blocks


def held_out_targets(cannon: Cannon, n: int, seed: int) -> Tensor:
    """n distances uniform in (0, max_range] from `seed`, then 1 mm and max_range. (n + 2,)"""
    generator = torch.Generator().manual_seed(seed)
    drawn = (1 - torch.rand(n, generator=generator, dtype=torch.float64)) * cannon.max_range
    ends = torch.tensor([TINY_TARGET, cannon.max_range], dtype=torch.float64)
    return torch.cat([drawn, ends])


def random_starts(cannon: Cannon, n: int, seed: int) -> tuple[Tensor, Tensor]:
    """Random controls within the limits: velocity (n,) m/s, angle (n,) rad, float64."""
    generator = torch.Generator().manual_seed(seed + 1)  # not the targets' stream
    velocity = (1 - torch.rand(n, generator=generator, dtype=torch.float64)) * cannon.max_velocity
    span = cannon.max_angle - cannon.min_angle
    angle = cannon.min_angle + span * torch.rand(n, generator=generator, dtype=torch.float64)
    return velocity, clamp_angle(cannon, angle)


def clamp_angle(cannon: Cannon, angle: Tensor) -> Tensor:
    return angle.clamp(cannon.min_angle + EDGE, cannon.max_angle - EDGE)


def clamp_velocity(cannon: Cannon, velocity: Tensor) -> Tensor:
    return velocity.clamp(EDGE, cannon.max_velocity)


def true_miss(cannon: Cannon, distance: Tensor, velocity: Tensor, angle: Tensor) -> Tensor:
    """|landing - target| (m) by app.physics in float64. (N,) -> (N,)"""
    landing = cannon.landing_distance(velocity.double(), angle.double())
    return (landing - distance.double()).abs()


def within_limits(cannon: Cannon, velocity: Tensor, angle: Tensor) -> bool:
    """Whether every (velocity, angle) is a shot the cannon can fire."""
    return all(
        cannon.can_fire(v, a) for v, a in zip(velocity.tolist(), angle.tolist(), strict=True)
    )


@dataclass
class Descent:
    velocity: Tensor  # (N,) m/s, final
    angle: Tensor  # (N,) rad, final
    iterations: Tensor  # (N,) int64, steps each row took
    path: Tensor | None  # (steps + 1, N, 2) of (velocity, angle), when recorded


def gradient_descent(
    cannon: Cannon,
    forward: Forward,
    distance: Tensor,
    velocity: Tensor,
    angle: Tensor,
    *,
    tolerance: float = TOLERANCE,
    learning_rate: float = GD_LEARNING_RATE,
    max_steps: int = GD_STEPS,
    record: bool = False,
) -> Descent:
    """Plain fixed-rate gradient descent on (forward(v, θ) - d)^2, row by row.

    Each row stops once |forward - d| <= tolerance by `forward`'s own account: for the
    physics that is the true miss, for the surrogate what the surrogate believes. Controls
    are clamped to the cannon's limits after every step. Batched: rows are independent.
    """
    distance = distance.double()
    velocity = clamp_velocity(cannon, velocity.double().clone())
    angle = clamp_angle(cannon, angle.double().clone())
    iterations = torch.zeros_like(distance, dtype=torch.int64)
    path = [torch.stack([velocity, angle], -1)] if record else []
    rows = torch.arange(distance.numel())  # rows still descending
    for _ in range(max_steps):
        v = velocity[rows].requires_grad_(True)
        a = angle[rows].requires_grad_(True)
        with torch.enable_grad():
            residual = forward(v, a) - distance[rows]  # (n,) m
            # The gradient of row i's loss involves only row i, so one backward serves all.
            grad_v, grad_a = torch.autograd.grad((residual**2).sum(), (v, a))
        active = residual.detach().abs() > tolerance  # (n,)
        rows, grad_v, grad_a = rows[active], grad_v[active], grad_a[active]
        if rows.numel() == 0:
            break
        velocity[rows] = clamp_velocity(cannon, velocity[rows] - learning_rate * grad_v)
        angle[rows] = clamp_angle(cannon, angle[rows] - learning_rate * grad_a)
        iterations[rows] += 1
        if record:
            path.append(torch.stack([velocity, angle], -1))
    return Descent(
        velocity=velocity,
        angle=angle,
        iterations=iterations,
        path=torch.stack(path) if record else None,
    )


def surrogate_descent(
    cannon: Cannon,
    surrogate: TrainedSurrogate,
    distance: Tensor,
    max_steps: int = GD_STEPS,
    record: bool = False,
) -> Descent:
    """Approach 1: gradient descent on the surrogate from FIXED_START, until the surrogate
    believes it is within 5 cm."""
    n = distance.numel()
    velocity = torch.full((n,), FIXED_START[0], dtype=torch.float64)
    angle = torch.full((n,), FIXED_START[1], dtype=torch.float64)
    return gradient_descent(
        cannon, surrogate, distance, velocity, angle, max_steps=max_steps, record=record
    )


def newtonian_descent(
    cannon: Cannon,
    distance: Tensor,
    velocity: Tensor,
    angle: Tensor,
    tolerance: float = TOLERANCE,
    max_steps: int = GD_STEPS,
    record: bool = False,
) -> Descent:
    """Approach 2: gradient descent on the true physics from the given starts."""
    return gradient_descent(
        cannon,
        cannon.landing_distance,
        distance,
        velocity,
        angle,
        tolerance=tolerance,
        max_steps=max_steps,
        record=record,
    )


def closed_form(cannon: Cannon, distance: Tensor) -> tuple[Tensor, Tensor]:
    """Approach 4: the lowest-velocity shot, θ = π/4, v = sqrt(d g), clamped to v_max in case
    rounding at the maximum range pushes it over. Returns velocity, angle (N,)."""
    distance = distance.double()
    velocity = (distance * cannon.gravity).sqrt().clamp(max=cannon.max_velocity)
    return velocity, torch.full_like(distance, math.pi / 4)


def brentq_aim(cannon: Cannon, distance: float) -> tuple[float, float, int, int]:
    """Approach 5a for one target: (velocity, angle, iterations, function calls)."""
    v, g = cannon.max_velocity, cannon.gravity

    def miss(angle: float) -> float:
        return v * v * math.sin(2 * angle) / g - distance

    high = math.pi / 4
    if miss(high) <= 0:  # the target is at (or, by rounding, just past) the maximum range
        return v, high, 0, 1
    angle, result = optimize.brentq(miss, 0.0, high, full_output=True)
    return v, max(angle, cannon.min_angle + EDGE), result.iterations, result.function_calls


def least_squares_aim(cannon: Cannon, distance: float) -> tuple[float, float, int, int]:
    """Approach 5b for one target: (velocity, angle, nfev, nfev)."""
    g = cannon.gravity

    def miss(x: Any) -> list[float]:
        return [x[0] * x[0] * math.sin(2 * x[1]) / g - distance]

    result = optimize.least_squares(
        miss,
        FIXED_START,
        bounds=([EDGE, cannon.min_angle + EDGE], [cannon.max_velocity, cannon.max_angle - EDGE]),
    )
    velocity, angle = (float(x) for x in result.x)
    return velocity, angle, int(result.nfev), int(result.nfev)


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
    aimer: Aimer
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
    aimer = Aimer(network, max_iterations=REFINE_STEPS, version=str(card["version"]))
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
                solved.velocity,
                solved.angle,
                solved.iterations,
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

    network_angle, network_velocity = aimer.propose(targets)
    for tolerance in WARM_TOLERANCES:
        cold = refine(cannon, targets, starts[1], starts[0], tolerance, REFINE_STEPS)
        warm = refine(cannon, targets, network_angle, network_velocity, tolerance, REFINE_STEPS)
        bench.warm.append(
            WarmStart(
                "Gauss-Newton refinement",
                tolerance,
                cold.iterations,
                warm.iterations,
                true_miss(cannon, targets, cold.velocity, cold.angle),
                true_miss(cannon, targets, warm.velocity, warm.angle),
                REFINE_STEPS,
            )
        )
    for tolerance in WARM_TOLERANCES:
        cold = newtonian_descent(cannon, targets, *starts, tolerance, gd_steps)
        warm = newtonian_descent(
            cannon, targets, network_velocity, network_angle, tolerance, gd_steps
        )
        bench.warm.append(
            WarmStart(
                "plain gradient descent",
                tolerance,
                cold.iterations,
                warm.iterations,
                true_miss(cannon, targets, cold.velocity, cold.angle),
                true_miss(cannon, targets, warm.velocity, warm.angle),
                gd_steps,
            )
        )
    return bench


# ---------------------------------------------------------------- reporting


def hit_rates(miss: Tensor) -> dict[str, float]:
    return {
        f"hit_{name}_pct": 100 * (miss <= threshold).double().mean().item()
        for name, threshold in HIT_THRESHOLDS.items()
    }


def summarise_outcome(bench: Benchmark, outcome: Outcome) -> dict[str, Any]:
    n = bench.targets.numel()
    miss = true_miss(bench.cannon, bench.targets, outcome.velocity, outcome.angle)
    iterations = outcome.iterations.double()
    row: dict[str, Any] = {
        "approach": outcome.name,
        "mode": outcome.mode,
        "miss_median_m": miss.median().item(),
        "miss_p95_m": miss.quantile(0.95).item(),
        "miss_max_m": miss.max().item(),
        **hit_rates(miss),
        "iterations_mean": iterations.mean().item(),
        "iterations_max": int(outcome.iterations.max().item()),
        "time_per_target_us": outcome.seconds / n * 1e6,
        "one_off": outcome.one_off,
        "within_limits": within_limits(bench.cannon, outcome.velocity, outcome.angle),
        "believed_miss_median_m": None,
        "believed_miss_max_m": None,
        "believed_hit_5cm_pct": None,
    }
    if outcome.believed_miss is not None:
        row["believed_miss_median_m"] = outcome.believed_miss.median().item()
        row["believed_miss_max_m"] = outcome.believed_miss.max().item()
        row["believed_hit_5cm_pct"] = (
            100 * (outcome.believed_miss <= TOLERANCE).double().mean().item()
        )
    return row


def summarise_warm(warm: WarmStart) -> dict[str, Any]:
    random_mean = warm.random_iterations.double().mean().item()
    network_mean = warm.network_iterations.double().mean().item()
    return {
        "method": warm.method,
        "tolerance_m": warm.tolerance,
        "budget": warm.budget,
        "random_iterations_mean": random_mean,
        "random_iterations_max": int(warm.random_iterations.max().item()),
        "random_hit_pct": 100 * (warm.random_miss <= warm.tolerance).double().mean().item(),
        "network_iterations_mean": network_mean,
        "network_iterations_max": int(warm.network_iterations.max().item()),
        "network_hit_pct": 100 * (warm.network_miss <= warm.tolerance).double().mean().item(),
        "ratio_network_over_random": network_mean / random_mean if random_mean > 0 else None,
    }


def summarise(bench: Benchmark, quick: bool) -> dict[str, Any]:
    """Every number the table shows, JSON-ready."""
    s = bench.surrogate
    return {
        "config": {
            "quick": quick,
            "seed": bench.seed,
            "targets": bench.targets.numel(),
            "targets_description": (
                f"{bench.targets.numel() - 2} uniform in (0, max_range] + {TINY_TARGET} m "
                f"+ max_range {bench.cannon.max_range} m"
            ),
            "gradient_descent": {
                "learning_rate": GD_LEARNING_RATE,
                "max_steps": bench.gd_steps,
                "tolerance_m": TOLERANCE,
                "surrogate_start": {"velocity_m_s": FIXED_START[0], "angle_rad": FIXED_START[1]},
            },
            "refine_max_iterations": REFINE_STEPS,
            "surrogate": {
                **s.model.config.as_dict(),
                "training_seconds": s.seconds,
                "train_rmse_m": s.train_rmse_m,
                "grid_rmse_m": s.grid_rmse_m,
                "grid_max_error_m": s.grid_max_error_m,
            },
            "model_version": bench.aimer.version,
            "torch_threads": torch.get_num_threads(),
        },
        "rows": [summarise_outcome(bench, outcome) for outcome in bench.outcomes],
        "warm_start": [summarise_warm(warm) for warm in bench.warm],
    }


def fmt_m(value: float | None) -> str:
    """Metres in 3 significant figures, or — for none."""
    if value is None:
        return "—"
    return "0" if value == 0 else f"{value:.2e}"


def fmt_pct(value: float) -> str:
    return f"{value:.1f}"


def fmt_iter(value: float) -> str:
    return f"{value:.2f}"


def fmt_us(value: float) -> str:
    if value < 10:
        return f"{value:.2f}"
    return f"{value:.1f}" if value < 1000 else f"{value:,.0f}"


def markdown(results: dict[str, Any]) -> str:
    """The tables, from the summary alone (so they and the JSON cannot disagree)."""
    config = results["config"]
    lines = [
        f"Held-out targets: {config['targets_description']} (seed {config['seed']}). "
        "Misses are true misses, by app.physics in float64.",
        "",
        "| approach | mode | miss median (m) | miss p95 (m) | miss max (m) | hit ≤5 cm (%) "
        "| hit ≤1 mm (%) | iterations mean | iterations max | time/target (µs) "
        "| surrogate's own view: miss median / max (m), ≤5 cm (%) | one-off cost |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in results["rows"]:
        believed = (
            "—"
            if row["believed_miss_median_m"] is None
            else f"{fmt_m(row['believed_miss_median_m'])} / {fmt_m(row['believed_miss_max_m'])}, "
            f"{fmt_pct(row['believed_hit_5cm_pct'])}"
        )
        lines.append(
            f"| {row['approach']} | {row['mode']} | {fmt_m(row['miss_median_m'])} "
            f"| {fmt_m(row['miss_p95_m'])} | {fmt_m(row['miss_max_m'])} "
            f"| {fmt_pct(row['hit_5cm_pct'])} | {fmt_pct(row['hit_1mm_pct'])} "
            f"| {fmt_iter(row['iterations_mean'])} | {row['iterations_max']} "
            f"| {fmt_us(row['time_per_target_us'])} | {believed} | {row['one_off']} |"
        )
    lines += [
        "",
        "Warm start (the article's claim): iterations on the true physics from random starts "
        "vs from the network's proposal, same targets; goal: network / random ≤ 0.1.",
        "",
        "| method | tolerance (m) | budget | random: mean (max) iterations | random: hit (%) "
        "| network: mean (max) iterations | network: hit (%) | ratio network / random |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in results["warm_start"]:
        ratio = row["ratio_network_over_random"]
        lines.append(
            f"| {row['method']} | {row['tolerance_m']:g} | {row['budget']} "
            f"| {fmt_iter(row['random_iterations_mean'])} ({row['random_iterations_max']}) "
            f"| {fmt_pct(row['random_hit_pct'])} "
            f"| {fmt_iter(row['network_iterations_mean'])} ({row['network_iterations_max']}) "
            f"| {fmt_pct(row['network_hit_pct'])} "
            f"| {'—' if ratio is None else f'{ratio:.3f}'} |"
        )
    gd, s = config["gradient_descent"], config["surrogate"]
    lines += [
        "",
        f"Plain gradient descent (rows 1, 2): learning rate {gd['learning_rate']:g}, at most "
        f"{gd['max_steps']} steps, stop at 5 cm (row 1 by the surrogate's own account); "
        f"row 1 starts at ({gd['surrogate_start']['velocity_m_s']:g} m/s, π/4 rad), row 2 "
        "from seeded random controls. "
        f"Surrogate fit: RMS error {s['grid_rmse_m']:.3f} m and max {s['grid_max_error_m']:.3f} m "
        "over a 101 x 101 grid of the control limits. "
        f"Gauss-Newton refinement: at most {config['refine_max_iterations']} steps. "
        f"Timing: {config['torch_threads']} torch thread; batched = batch wall time / N.",
    ]
    return "\n".join(lines)


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
