"""ballistic-solver's difficulty buckets, run through both solvers, tiny: every figure is
printed, every case is reachable as built, every success counted is landed again by the
reference, and ours never claims a hit the reference refutes (correctness, not speed: three
cases a bucket are too few for the times to mean anything)."""

from __future__ import annotations

import contextlib
import io
import json
import math
from typing import Any

import pytest

from app.physics import reference
from benchmarks import buckets
from benchmarks.buckets import cases as made

pytest.importorskip("ballistic_solver", reason="the bench extra's peer")

Ran = tuple[dict[str, Any], str]  # the figures (with every answer) and what was printed
BUCKETS = {(arc, drag) for arc in ("low", "high") for drag in ("no", "moderate", "heavy")}


@pytest.fixture(scope="module")
def ran(tmp_path_factory: pytest.TempPathFactory) -> Ran:
    out, written = io.StringIO(), tmp_path_factory.mktemp("buckets") / "buckets.json"
    with contextlib.redirect_stdout(out):
        results = buckets.main(["--quick", "--json", str(written)])
    assert json.loads(written.read_text())["rows"] == results["rows"]
    return results, out.getvalue()


def landed(answer: Any, case: made.Case, gravity: float) -> float:
    """The reference's 3D closest approach (m) of an answer (speed, elevation, azimuth, _)."""
    speed, elevation, azimuth, _ = (float(x) for x in answer)
    return reference.closest(speed, elevation, azimuth, case.target, case.velocity,
                             (0.0, 0.0, 0.0), (0.0, 0.0), case.drag, 0.0, gravity).miss  # fmt: skip


def test_every_figure_is_printed_side_by_side_for_the_six_buckets(ran: Ran) -> None:
    results, printed = ran
    rows = results["rows"]
    assert {(r["arc"], r["drag"], r["solver"]) for r in rows} == {
        (arc, drag, solver)
        for arc, drag in BUCKETS
        for solver in ("ballistic-solver", "cannon-aim")
    }
    lines = printed.splitlines()
    for r in rows:
        n = r["targets"]
        assert n == 3 and r["said_hit"] + r["no_answer"] == n
        assert r["hits_1mm"] <= r["hits_10mm"] <= r["said_hit"]
        assert r["success_1mm"] == r["hits_1mm"] / n and r["success_10mm"] == r["hits_10mm"] / n
        assert 0 < r["median_us"] <= r["p95_us"] <= r["p99_us"]  # measured, not 0
        figures = [f"{100 * r['success_10mm']:.1f}%", f"{100 * r['success_1mm']:.1f}%",
                   f"{r['median_us']:.1f}", f"{r['p95_us']:.1f}", f"{r['p99_us']:.1f}"]  # fmt: skip
        if r["solver"] == "cannon-aim":  # the ratio to the peer's, same bucket, same run
            figures += [f"{r['median_vs_peer']:.3g}x med", f"{r['p99_vs_peer']:.3g}x p99"]
        line = [x for x in lines if x.split()[:3] == [r["arc"], r["drag"], r["solver"]]]
        assert len(line) == 1 and all(f in line[0] for f in figures), (line, figures)
    for words in ("1 cm", "1 mm", "closest approach", "median", "p95", "p99", "µs", "m/s",
                  "1/m", "ours/peer", "false hit", "no answer", "least of 3"):  # fmt: skip
        assert words in printed


def test_every_case_is_reachable_on_its_arc_as_built(ran: Ran) -> None:
    results, _ = ran
    gravity = results["config"]["gravity_m_s2"]
    seen = set()
    for kept in results["answers"][::2]:  # the peer's rows: each bucket's cases once
        for c in kept["cases"]:
            seen.add((c.arc, c.drag_band))
            low, high = (math.radians(x) for x in made.BANDS[c.arc])
            assert 120.0 <= c.speed <= 420.0 and low <= c.elevation <= high
            assert made.DRAGS[c.drag_band][0] <= c.drag <= made.DRAGS[c.drag_band][1]
            assert all(abs(v) <= top for v, top in zip(c.velocity, made.TARGET_SPEED, strict=True))
            assert landed((c.speed, c.elevation, c.azimuth, 1.0), c, gravity) < 1e-6
    assert seen == BUCKETS


def test_every_success_counted_is_landed_again_by_the_reference(ran: Ran) -> None:
    results, _ = ran
    gravity, counted = results["config"]["gravity_m_s2"], 0
    for kept in results["answers"]:  # one per row: a solver on a bucket
        row, within = kept["row"], {1e-2: 0, 1e-3: 0}
        for answer, case, miss in zip(kept["answers"], kept["cases"], kept["miss"], strict=True):
            if not (answer[3] == 1.0 and miss <= 1e-2):
                continue  # counted at neither tolerance
            again = landed(answer, case, gravity)
            assert again == miss
            for tolerance in within:
                within[tolerance] += again <= tolerance
        assert (within[1e-2], within[1e-3]) == (row["hits_10mm"], row["hits_1mm"])
        counted += within[1e-2]
    assert counted > 0


def test_ours_never_claims_a_hit_the_reference_refutes(ran: Ran) -> None:
    results, _ = ran
    ours = [kept for kept in results["answers"] if kept["row"]["solver"] == "cannon-aim"]
    assert len(ours) == 6
    for kept in ours:
        said = kept["answers"][:, 3] == 1.0
        assert kept["row"]["false_hits_1mm"] == 0 and bool((kept["miss"][said] <= 1e-3).all())
