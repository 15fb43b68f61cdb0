"""ballistic-solver's own benchmark, run through both solvers: its six difficulty buckets (low
and high arc, by no, moderate and heavy drag), at its scale, side by side in one run (issue
13).

    python -m benchmarks.buckets [--quick] [--per-bucket 100] [--seed 2047] [--json PATH]

The cases (cases.py) are built by the peer's published method (its benchmarks/
linear_cases.py; its difficulty_buckets.py is described in issue 13, and written here, not
copied): a muzzle speed of 120-420 m/s, an elevation in the arc's band (2-38 deg low, 50-78
deg high) at any bearing, a real shot flown (scipy's DOP853 at 1e-12), a target moving at up
to 25 m/s horizontally and 8 m/s vertically placed on the shot at the hit time (0.8-8.5 s on
the low arc, up to 30 s on the high: cases.py says why not 12 s). Drag: none, moderate (5e-4
to 1e-3 1/m) or heavy (1e-3 to 2e-3 1/m); no wind; g 9.81 m/s^2; the muzzle at the origin.
Each case is reachable at its speed on its arc by construction: its shot is the flatter
(low) or steeper (high) of the two through the point where it meets the target, at least a
degree from where the two merge.

Both solvers at the case's speed and arc, asked for 1 mm: the peer (`bs.solve`, its
"precise" preset, its `g` set to 9.81, its `tolMiss` to 1e-3 m), ours (`Engine.aim_at`, in
process, `meeting="any"`: the miss the 3D closest approach, the peer's meaning, a 420 m/s
cannon). Every answer is judged by the reference (`app.physics.reference.closest`: the 3D
closest approach to the moving target over the flight): success (the solver says hit, the
reference agrees) at the peer's 1 cm and at 1 mm; an answer its solver does not claim, yet
within 1 mm by the reference, is counted apart. Time per target, one call at a time, the
least of three (the machine is shared): median, p95, p99 per bucket, and ours over the
peer's in the same run.

The peer is in the bench extra only, never in the service.
"""

from __future__ import annotations

from typing import Any


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """`python -m benchmarks.buckets` (and `cannon bench`'s entry point): see run.py."""
    from benchmarks.buckets import run  # imported here: run.py reads this docstring

    return run.main(argv)
