"""The best-odds aim (app/uncertainty/best.best) at the edge of reach, judged by the
independent reference (benchmarks/odds_reference.py) for benchmarks/odds.py.

A grid that shows where it gains: free (the lowest shot) and a fixed velocity at the
cannon's most, the target at 80%, 95% and 99.5% of the farthest landing, the drag's sigma
small (0.002 1/m) and large (0.02 1/m), muzzle speed 0.1 m/s, elevation and azimuth
0.005 rad, wind 0.3 m/s, a hit within 0.1 m; the scene (heights, wind, drag, a 2D-like or a
3D line of fire) drawn per case. Both aims are flown by the reference through the same
perturbations (common random numbers, a seed the optimiser never sees); the gain is the
paired mean of (hit by the best aim) - (hit by the exact one), with its 95% interval.
"""

from __future__ import annotations

import math
from dataclasses import asdict
from typing import Any

import numpy as np

from app.aiming.air import Constraint
from app.aiming.engine import Engine
from app.aiming.space import Scene
from app.physics.envelope import unit_length
from app.uncertainty import best, odds
from benchmarks import odds_reference

SHARES = (0.8, 0.95, 0.995)  # of the farthest landing
DRAG_SIGMAS = (0.002, 0.02)  # 1/m
OURS = 10_000  # best.best's judging samples (its own figures)


def place(
    engine: Engine,
    scene: Scene,
    constraint: Constraint,
    azimuth: float,
    height: float,
    share: float,
) -> tuple[tuple[float, float, float], tuple[float, float, float], float] | None:
    """A target at `share` of the farthest landing toward `azimuth` at `height` (m), and the
    exact aim at it (None where there is no such hit)."""
    way = (math.cos(azimuth), math.sin(azimuth))
    reach = engine.reach_at((way[0], way[1], height), scene, constraint)
    near, far = float(reach.nearest[0]), float(reach.farthest[0])
    distance = share * far
    if not (math.isfinite(far) and far > 0 and distance >= near):
        return None
    target = (distance * way[0], distance * way[1], height)
    shot = engine.aim_at(target, scene, constraint, tolerance=1e-6).row(0)
    if not shot["hit"]:
        return None
    return target, (shot["velocity"], shot["angle"], shot["azimuth"]), share


def grid(engine: Engine, seed: int, rounds: int) -> list[dict[str, Any]]:
    """The cases: every constraint x share x drag sigma, each with its own scene, `rounds`
    times."""
    rng = np.random.default_rng(seed)
    vmax = engine.space.cannon.max_velocity
    out: list[dict[str, Any]] = []
    pairs = (("free", Constraint()), ("v max", Constraint(velocity=vmax))) * rounds
    for how, constraint in pairs:
        for share in SHARES:
            for drag_sigma in DRAG_SIGMAS:
                while True:
                    flat = rng.uniform() < 0.5
                    launch = rng.uniform(0.0, 2.0)
                    height = float(np.clip(launch + rng.uniform(-1.0, 1.0), 0.0, 3.0))
                    wind = (rng.uniform(-2, 2), 0.0 if flat else rng.uniform(-2, 2))
                    scene = Scene(launch, wind, rng.uniform(0.02, 0.12))
                    azimuth = 0.0 if flat else rng.uniform(-math.pi, math.pi)
                    placed = place(engine, scene, constraint, azimuth, height, share)
                    if placed is not None:
                        break
                spread = odds.Spread(0.1, 0.1, 0.005, 0.005, drag_sigma, 0.3)
                name = f"{len(out):02d} {how} {share:.3f} drag sigma {drag_sigma:g} {'2D' if flat else '3D'}"
                out.append({"name": name, "target": placed[0], "controls": placed[1],
                            "scene": scene, "constraint": constraint, "spread": spread,
                            "share": share, "drag": drag_sigma})  # fmt: skip
    return out


def run(engine: Engine, judging: int, seed: int, rounds: int) -> dict[str, Any]:
    """Every grid case: both aims' reference probabilities and the paired gain."""
    cannon = engine.space.cannon
    unit = unit_length(cannon)
    rows = []
    for i, case in enumerate(grid(engine, seed, rounds)):
        row = case["scene"].rows(np.array([case["target"]]), cannon.gravity)[0]
        held = case["constraint"].velocity is not None
        free = np.array([not held, True, True])
        limits = np.array([
            [cannon.min_velocity, cannon.max_velocity],
            [cannon.min_angle + 1e-9, cannon.max_angle - 1e-9],
            [-math.pi, math.pi],
        ])  # fmt: skip
        exact = np.array(case["controls"])
        found = best.best(exact, row, case["spread"], unit, free, limits, OURS, seed + 31 * i)
        moved = odds_reference.draws(case["spread"], judging, seed + 31 * i + 1_000_003)
        radius = case["spread"].hit_radius
        exact_hits = odds_reference.hits(exact, row, moved, radius)
        best_hits = (
            odds_reference.hits(found.controls, row, moved, radius) if found.gained else exact_hits
        )
        diff = best_hits.astype(float) - exact_hits.astype(float)
        gain = float(diff.mean())
        half = 1.959963984540054 * float(diff.std(ddof=1)) / math.sqrt(judging)
        rows.append({
            "case": case["name"], "share": case["share"], "drag": case["drag"], "target_m": list(case["target"]), "drag_per_m": case["scene"].drag,
            "spread": asdict(case["spread"]), "exact_controls": exact.tolist(),
            "best_controls": found.controls.tolist(), "gained_by_its_own_figures": found.gained,
            "ours_exact": found.exact_probability, "ours_best": found.probability,
            "reference_exact": float(exact_hits.mean()), "reference_best": float(best_hits.mean()),
            "gain": gain, "gain_interval": [gain - half, gain + half],
            "below": gain + half < 0.0, "judging_samples": judging,
        })  # fmt: skip
    gains = [r["gain"] for r in rows]
    goals = {
        "best_cases": len(rows),
        "best_below": sum(r["below"] for r in rows),
        "best_max_gain": max(gains, default=math.nan),
        "best_gained_beyond_noise": sum(r["gain_interval"][0] > 0 for r in rows),
    }
    return {"rows": rows, "goals": goals}


def report(rows: list[dict[str, Any]]) -> None:
    print()
    print("best odds: both aims judged by the reference on common samples (a seed the optimiser "
          "never sees)")  # fmt: skip
    print(f"{'case':<37} {'P(exact)':>8} {'P(best)':>8} {'gain':>8} {'95% interval':>19} "
          f"{'dv m/s':>8} {'d elev rad':>10} {'below':>5}")  # fmt: skip
    for r in rows:
        lo, hi = r["gain_interval"]
        dv = r["best_controls"][0] - r["exact_controls"][0]
        de = r["best_controls"][1] - r["exact_controls"][1]
        print(
            f"{r['case']:<37} {r['reference_exact']:>8.4f} {r['reference_best']:>8.4f} "
            f"{r['gain']:>+8.4f} [{lo:+.4f}, {hi:+.4f}] {dv:>+8.4f} {de:>+10.5f} "
            f"{'YES' if r['below'] else 'no':>5}"
        )
    for label, key, values in (
        ("share of reach", "share", SHARES),
        ("drag sigma", "drag", DRAG_SIGMAS),
    ):
        for value in values:
            chosen = [r["gain"] for r in rows if r[key] == value]
            print(f"mean gain at {label} {value:g}: {np.mean(chosen):+.4f} (largest {max(chosen):+.4f}, "
                  f"{len(chosen)} cases)")  # fmt: skip
