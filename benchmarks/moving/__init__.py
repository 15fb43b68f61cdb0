"""3D aiming at moving targets against the peer a user would pick for it, `ballistic-solver`
(PyPI, native C++), side by side in one run on the same held-out targets (issue 13).

    python -m benchmarks.moving [--quick] [--scenes 10] [--per-scene 20]
                                [--intercept descending|any|both] [--json PATH]

The cases (cases.py): at the article's scale (10 m/s cannon, g 9.81 m/s^2), across the
envelope: any bearing, target height within +-3 m of the muzzle, target speed up to 3 m/s,
acceleration up to 2 m/s^2, horizontal wind up to 5 m/s from any side, drag 0-0.2 1/m; each
reachable at the fixed velocity (9 m/s) on its arc by construction (the peer's own method: fly
a real shot, put the moving target on it). One set for the low arc, one for the high.

Per arc and tolerance (1 mm, 1e-6 m): the peer at the fixed velocity (`bs.solve`, "precise",
its g 9.81, our wind, its `tolMiss` the tolerance, the target's acceleration), ours at the
same velocity and arc (`Engine.aim_at`, in process) and ours free (the lowest velocity, which
the peer cannot choose). Hits by the reference (judge.py), under either meaning of a meeting
(`--intercept`, default both, each row saying which judged it):

- descending (`reference.intercept`): the horizontal miss when the shot comes down through
  the moving target's height, the service's default miss; ours aims for it. The peer's own
  `miss` is a 3D closest approach, so its `success` is judged by a measure it does not aim
  for.
- any (`reference.closest`): the 3D closest approach to the moving target over the flight,
  the peer's own meaning; ours aims with `meeting="any"`.

Each solver's answers fall in three counts: hit (it says hit, the reference agrees), false hit
(it says hit, the reference does not), no answer (it says it cannot). Time per target: single
calls (median, p95, p99) and batched (ours: one `aim_at` per scene, a scene's targets sharing
it as a request's do; the peer: its loop).

The peer is in the bench extra only, never in the service.
"""

from __future__ import annotations

from typing import Any


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """`python -m benchmarks.moving` (and `cannon bench`'s entry point): see run.py."""
    from benchmarks.moving import run  # imported here: run.py reads this docstring

    return run.main(argv)
