"""Run the moving-target benchmark and print it: ours beside the peer, same targets, one run."""

from __future__ import annotations

import argparse
import json
from typing import Any

import numpy as np

from app.aiming.engine import Engine
from app.config import Settings
from benchmarks import moving
from benchmarks.moving import cases as made
from benchmarks.moving import judge, solvers
from benchmarks.moving.cases import VELOCITY, Cases

TOLERANCES = (1e-3, 1e-6)  # m
ARCS = ("low", "high")
PEER = "ballistic-solver"
OURS = "cannon-aim"


def verdict(answers: np.ndarray, miss: np.ndarray, tolerance: float) -> dict[str, Any]:
    """The counts of one solver's answers: hit (it says hit and the reference agrees), false
    hit (it says hit, the reference does not), no answer (it says it cannot)."""
    said = answers[:, 3] == 1.0
    hit = said & (miss <= tolerance)
    n = len(answers)
    return {
        "targets": n,
        "hits": int(hit.sum()),
        "hit_rate": float(hit.mean()) if n else 0.0,
        "false_hits": int((said & ~(miss <= tolerance)).sum()),
        "never_down": int((said & ~np.isfinite(miss)).sum()),  # of the false hits
        "no_answer": int((~said).sum()),
        "worst_hit_miss_m": float(miss[hit].max()) if hit.any() else None,
    }


def times(seconds: np.ndarray) -> dict[str, float]:
    return {f"{name}_us": float(np.quantile(seconds, q) * 1e6)
            for name, q in (("median", 0.5), ("p95", 0.95), ("p99", 0.99))}  # fmt: skip


def one_set(
    engine: Engine, cases: Cases, gravity: float, kept: list[dict[str, Any]], meaning: str
) -> list[dict[str, Any]]:
    """Every row for one arc's cases under one meaning of a meeting ("descending" or "any":
    ours aims for it, the reference of that meaning judges both solvers); each solver's
    answers and misses appended to kept."""
    rows, n, arc = [], len(cases.motions), cases.arc
    for tol in TOLERANCES:
        for solver, how in ((PEER, arc), (OURS, arc), (OURS, "free")):
            if solver == PEER:
                call = solvers.peer(cases, arc, tol, gravity)
            else:
                call = solvers.ours(engine, cases, how, tol, meaning)
            seconds, answers = solvers.timed(call, n)
            miss = judge.misses(answers[:, :3], cases.motions, gravity, meaning)
            if solver == PEER:
                batch_seconds, batch_answers = solvers.peer_loop(cases, arc, tol, gravity), None
            else:
                batch_seconds, batch_answers = solvers.ours_batched(
                    engine, cases, how, tol, meaning
                )
            row = {"arc": arc, "intercept": meaning, "solver": solver, "constraint": how,
                   "tolerance_m": tol,
                   **verdict(answers, miss, tol), **times(seconds),
                   "batched_us_per_target": batch_seconds / n * 1e6}  # fmt: skip
            kept.append({"row": row, "answers": answers, "miss": miss, "cases": cases})
            if batch_answers is not None:  # ours: the batch's own answers, judged again
                batch_miss = judge.misses(batch_answers[:, :3], cases.motions, gravity, meaning)
                row["batched_hit_rate"] = verdict(batch_answers, batch_miss, tol)["hit_rate"]
                kept.append({"row": row, "answers": batch_answers, "miss": batch_miss,
                             "cases": cases})  # fmt: skip
            else:  # the peer's loop answers as its single calls did
                row["batched_hit_rate"] = row["hit_rate"]
            rows.append(row)
        peer_median = rows[-3]["median_us"]  # this tolerance's peer row
        for mine in rows[-2:]:
            mine["vs_peer_median"] = mine["median_us"] / peer_median
    return rows


def warm(engine: Engine, cases: Cases, meanings: tuple[str, ...]) -> None:
    """The first calls load the compiled code: not counted."""
    for meaning in meanings:
        for how in ("free", "low", "high"):
            call = solvers.ours(engine, cases, how, 1e-6, meaning)
            solvers.timed(call, min(2, len(cases.motions)))
            solvers.ours_batched(engine, cases, how, 1e-6, meaning)


def options(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.moving",
        description=moving.__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--quick", action="store_true", help="2 scenes of 4 targets per arc")
    parser.add_argument("--scenes", type=int, default=10, help="scenes per arc (default 10)")
    parser.add_argument("--per-scene", type=int, default=20, help="targets a scene (default 20)")
    parser.add_argument("--seed", type=int, default=2031, help="the cases' seed (held out)")
    parser.add_argument(
        "--intercept",
        choices=("descending", "any", "both"),
        default="both",
        help="the meaning of a meeting that aims ours and judges both (default both): "
        "descending, the horizontal miss (m) where the shot comes down through the target's "
        "height (reference.intercept); any, the 3D closest approach (m) anywhere in flight, "
        "the peer's meaning (reference.closest)",
    )
    parser.add_argument("--json", help="also write the figures to this file")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """The figures (and, under "answers", every answer with its reference miss, for tests)."""
    args = options(argv)
    scenes, per_scene = (2, 4) if args.quick else (args.scenes, args.per_scene)
    engine = Engine.load(Settings())
    cannon = engine.air.cannon
    reach = cannon.max_velocity**2 / cannon.gravity
    sets = [made.held_out(arc, scenes, per_scene, args.seed + k, cannon.gravity, reach)
            for k, arc in enumerate(ARCS)]  # fmt: skip
    meanings = judge.MEANINGS if args.intercept == "both" else (args.intercept,)
    warm(engine, sets[0], meanings)
    kept: list[dict[str, Any]] = []
    rows = [row for meaning in meanings for cases in sets
            for row in one_set(engine, cases, cannon.gravity, kept, meaning)]  # fmt: skip
    results = {
        "config": {
            "scenes_per_arc": scenes,
            "targets_per_scene": per_scene,
            "targets_per_arc": [len(c.motions) for c in sets],
            "seed": args.seed,
            "velocity_m_s": VELOCITY,
            "gravity_m_s2": cannon.gravity,
            "max_velocity_m_s": cannon.max_velocity,
            "intercepts": list(meanings),
            "judge": {meaning: judge.NAME[meaning] for meaning in meanings},
            "distance_m": {
                c.arc: [float(c.distance().min()), float(c.distance().max())] for c in sets
            },
        },
        "rows": rows,
    }
    report(results)
    if args.json:
        with open(args.json, "w") as out:
            json.dump(results, out, indent=2)
    return {**results, "answers": kept}


JUDGED = {
    "descending": "descending: the horizontal miss (m) when the shot comes down through the "
    "moving target's height (ours aims for it; the peer's verdict bounds a 3D closest "
    "approach instead, so it is judged by a measure it does not aim for)",
    "any": "any: the 3D closest approach (m) to the moving target anywhere in flight, the "
    'peer\'s own meaning (ours aims with meeting="any")',
}


def report(results: dict[str, Any]) -> None:
    c = results["config"]
    near, far = (
        min(d[0] for d in c["distance_m"].values()),
        max(d[1] for d in c["distance_m"].values()),
    )
    judged = "".join(f"\n  {JUDGED[m]}, by {c['judge'][m]}" for m in c["intercepts"])
    print(
        f"Moving targets at the article's scale ({c['max_velocity_m_s']:g} m/s cannon, g "
        f"{c['gravity_m_s2']:g} m/s^2), {c['targets_per_arc'][0]} on the low arc and "
        f"{c['targets_per_arc'][1]} on the high ({c['scenes_per_arc']} scenes of "
        f"{c['targets_per_scene']} each, seed {c['seed']}), {near:.2f}-{far:.2f} m away, each "
        f"reachable at {c['velocity_m_s']:g} m/s on its arc by construction. Fixed velocity "
        f"{c['velocity_m_s']:g} m/s: both solvers; free (the lowest velocity): ours alone.\n"
        "hit: the solver says hit and the reference agrees that its miss is within the "
        f"tolerance. The column 'judged' says which meaning of the miss judged the row:{judged}"
        "\nfalse hit: the solver says hit, the reference does not (in brackets: the reference "
        "finds no meeting, e.g. no descent through the target's height). no answer: the "
        "solver says it cannot.\nTimes per target, µs: single calls; batch: ours one aim_at "
        "call per scene with all its targets, the peer its loop.\n"
    )
    print(f"{'arc':4} {'judged':10} {'solver':16} {'aim':8} {'tol m':>6} {'hit':>7} "
          f"{'false hit':>10} {'no answer':>9} {'median':>8} {'p95':>8} {'p99':>8} "
          f"{'vs peer':>7} {'batch':>8} {'batch hit':>9}")  # fmt: skip
    for r in results["rows"]:
        aim = "free" if r["constraint"] == "free" else f"{c['velocity_m_s']:g} m/s"
        false = f"{r['false_hits']} ({r['never_down']})"
        ratio = f"{r['vs_peer_median']:.2f}x" if "vs_peer_median" in r else ""
        print(f"{r['arc']:4} {r['intercept']:10} {r['solver']:16} {aim:8} "
              f"{r['tolerance_m']:6.0e} {100 * r['hit_rate']:6.1f}% {false:>10} "
              f"{r['no_answer']:9d} {r['median_us']:8.1f} {r['p95_us']:8.1f} "
              f"{r['p99_us']:8.1f} {ratio:>7} {r['batched_us_per_target']:8.1f} "
              f"{100 * r['batched_hit_rate']:8.1f}%")  # fmt: skip
