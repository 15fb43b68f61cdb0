"""The approaches comparison's results as numbers and as markdown.

`summarise` turns a measured benchmarks.approaches.Benchmark into a JSON-ready dict (true
misses, hit rates, iterations, time per target, the warm-start ratios, the configuration);
`markdown` renders the tables from that dict alone, so the printed tables and the JSON
cannot disagree.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import torch
from torch import Tensor

from benchmarks.descents import (
    FIXED_START,
    GD_LEARNING_RATE,
    TINY_TARGET,
    TOLERANCE,
    true_miss,
    within_limits,
)

if TYPE_CHECKING:
    from benchmarks.approaches import Benchmark, Outcome, WarmStart

HIT_THRESHOLDS = {"5cm": 0.05, "1mm": 1e-3}  # m


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
            "refine_max_iterations": bench.aimer.max_iterations,
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
        "Misses are true misses, by app.physics.vacuum in float64.",
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
