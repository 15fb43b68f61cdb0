"""The benchmark against ballistic-solver runs, and every answer of ours it reports lands on
its target by the reference (small sizes: correctness, not speed)."""

from __future__ import annotations

import contextlib
import io

import pytest

from benchmarks import peer

pytest.importorskip("ballistic_solver", reason="the bench extra's peer")


def test_the_peer_benchmark_compares_on_the_same_targets() -> None:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        results = peer.main(["--quick"])
    rows = results["one_at_a_time"]
    ours = [r for r in rows if r["solver"].startswith("cannon-aim")]
    theirs = [r for r in rows if r["solver"].startswith("ballistic-solver")]
    assert len(ours) == 6 and len(theirs) == 2
    assert all(r["hit_rate"] == 1.0 and r["worst_miss_m"] <= r["tolerance_m"] for r in ours)
    assert all(0 < r["hit_rate"] <= 1 and r["median_us"] > 0 for r in theirs)  # measured, not 0
    assert all(r["vs_peer_median"] > 0 for r in ours)
    assert all(r["hit_rate"] == 1.0 and r["vs_peer"] > 0 for r in results["batched"])
    assert "vs peer" in out.getvalue() and "batches of 1000" in out.getvalue()
