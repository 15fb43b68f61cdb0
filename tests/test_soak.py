"""The soak (benchmarks/soak/) runs end to end for a few seconds, prints its rows with the
server's RSS and descriptors, writes them as JSON, and leaves no server behind; its answer
checks catch a wrong answer."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from benchmarks.soak import command, report, traffic
from tests.conftest import environment

ROOT = Path(__file__).resolve().parents[1]
GRAVITY = 9.81  # m/s^2


def test_short_soak_passes_prints_rows_and_writes_json(tmp_path: Path) -> None:
    out = tmp_path / "soak.json"
    # 9 s of load in rows of 3 s; the p99 trend is left out (--p99-growth 1000): 3 s rows of a
    # run this short on a shared machine say nothing of a trend.
    command = [sys.executable, "-m", "benchmarks.soak", "--minutes", "0.15", "--interval", "3"]
    command += ["--p99-growth", "1000", "--seed", "3", "--json", str(out)]
    env = environment()  # the soak drops inherited CANNON_* variables too
    run = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    lines = run.stdout.splitlines()
    heads = next(i for i, line in enumerate(lines) if line.split()[:2] == ["t", "requests"])
    assert {"RSS", "fds", "statuses"} <= set(lines[heads].split())
    assert "(MB)" in lines[heads + 1]
    rule = next(i for i, line in enumerate(lines) if line.startswith("---"))
    rows = lines[heads + 2 : rule]
    assert len(rows) >= 3  # one every 3 s, and the last after the last answers
    assert lines[-1] == "PASS"

    saved = json.loads(out.read_text())
    assert len(saved["rows"]) == len(rows)
    for row in saved["rows"]:
        assert row["rss_mb"] > 50 and row["fds"] > 3 and row["cpu_percent"] >= 0
        assert row["requests"] > 0 and set(row["statuses"]) == {"200"}
        assert row["latency_ms"]["aim"]["p99_ms"] >= row["latency_ms"]["aim"]["p50_ms"] > 0
    seen = set().union(*(row["latency_ms"] for row in saved["rows"]))
    assert seen == set(traffic.KINDS)  # every kind was sent, even in a run this short
    assert saved["verdict"]["pass"] is True
    assert not Path(f"/proc/{saved['settings']['server_pid']}").exists()  # stopped, reaped


def vacuum_shot(distance: float) -> dict[str, float]:
    """The 45-degree shot that lands on `distance` (m), as /aim would answer it."""
    velocity = math.sqrt(distance * GRAVITY)
    return {
        "distance": distance,
        "angle": math.pi / 4,
        "velocity": velocity,
        "miss": 0.0,
        "tolerance": 0.05,
        "hit": True,
    }


def test_checks_recompute_the_landing_and_catch_a_wrong_answer() -> None:
    targets = np.array([1.0, 5.0, 9.5])
    shots = [vacuum_shot(d) for d in targets]
    assert traffic.check_vacuum(targets, shots) is None
    # The service claims a hit, but the shot flies 0.2 m long: the closed form catches it.
    shots[1] = {**shots[1], "velocity": math.sqrt(5.2 * GRAVITY)}
    assert "target 5.0 m: v^2 sin(2θ)/g lands at 5.2" in (
        traffic.check_vacuum(targets, shots) or ""
    )
    assert "hit False" in (traffic.check_hits(targets[:1], [{**shots[0], "hit": False}]) or "")
    unreachable = {"distance": 1.0, "reachable": False, "detail": "too far"}
    assert "unreachable" in (traffic.check_hits(targets[:1], [unreachable]) or "")
    assert "2 answers for 3 targets" in (traffic.check_hits(targets, shots[:2]) or "")


def test_the_mix_keeps_its_pace_and_shares() -> None:
    slots = list(traffic.schedule(rate=20, seconds=60))
    times = [at for at, _ in slots]
    assert times == sorted(times) and times[0] >= 0 and times[-1] < 60
    counts = {kind: sum(k == kind for _, k in slots) for kind in traffic.MIX}
    assert counts == {kind: round(20 * 60 * share) for kind, share in traffic.MIX.items()}
    assert all(min(at for at, k in slots if k == kind) < traffic.STAGGER for kind in traffic.MIX)


@pytest.mark.parametrize(
    "argv", [["--minutes", "0"], ["--rate", "1000"], ["--interval", "0.5"], ["--rate", "-1"]]
)
def test_refuses_options_out_of_bounds(argv: list[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        command.options(argv)
    assert exit_.value.code == 2


def test_verdict_fails_on_an_error_status_memory_growth_and_an_unclean_stop() -> None:
    record = report.Record()
    for _ in range(100):
        record.add("aim", "200", 0.002, None)
    record.add("aim", "500", 0.002, None)
    # RSS 330 MB (warm-up, left out), then 360, 390, 420 MB: 60 MB of growth, budget 50 MB.
    rows = [report.row_of(report.Bucket(), 60 * i, 10.0, 300.0 + 30 * i, 20) for i in range(1, 5)]
    checks, passed = report.verdict(rows, record, command.options(["--minutes", "4"]), exit_code=1)
    failed = {line.split(":")[0] for line, ok in checks if not ok}
    assert failed == {
        "statuses",
        "RSS growth after the first 60 s",
        "server exit code after SIGTERM",
    }
    assert not passed
