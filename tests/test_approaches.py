"""The approaches benchmark computes what it claims, on tiny inputs (correctness, not speed)."""

from __future__ import annotations

import contextlib
import io
import json
import math
from pathlib import Path
from typing import Any

import pytest
import torch

from app.aiming.vacuum import MIN_TOLERANCE
from app.physics.vacuum import Cannon
from benchmarks import approaches, approaches_report, descents
from benchmarks.surrogate import SurrogateConfig, train_surrogate
from tests.conftest import closed_form_landing

TINY_SURROGATE = SurrogateConfig(shots=200, epochs=3, hidden=16)  # fast, deliberately poor


def oracle_miss(d: float, velocity: float, angle: float) -> float:
    return abs(closed_form_landing(velocity, angle) - d)


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], str, Path]:
    """One --quick run on 3 random targets (+ the two ends): (returned dict, stdout, json)."""
    path = tmp_path_factory.mktemp("bench") / "approaches.json"
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        results = approaches.main(["--quick", "--targets", "3", "--json", str(path)])
    return results, out.getvalue(), path


def rows_by_prefix(results: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {row["approach"].split(".")[0]: row for row in results["rows"]}


def test_held_out_targets_cover_both_ends_and_are_seeded(cannon: Cannon) -> None:
    d = descents.held_out_targets(cannon, 100, seed=5)
    assert d.numel() == 102 and d.dtype == torch.float64
    assert bool(((d > 0) & (d <= cannon.max_range)).all())
    assert d[-2].item() == descents.TINY_TARGET and d[-1].item() == cannon.max_range
    assert torch.equal(d, descents.held_out_targets(cannon, 100, seed=5))
    assert not torch.equal(d, descents.held_out_targets(cannon, 100, seed=6))


def test_closed_form_hits_every_target_within_limits(cannon: Cannon) -> None:
    d = descents.held_out_targets(cannon, 50, seed=5)
    velocity, angle = descents.closed_form(cannon, d)
    assert descents.true_miss(cannon, d, velocity, angle).max().item() < 1e-9
    for target, v, a in zip(d.tolist(), velocity.tolist(), angle.tolist(), strict=True):
        assert oracle_miss(target, v, a) < 1e-9
        assert cannon.can_fire(v, a)


def test_newtonian_descent_lowers_the_loss_and_stops_at_tolerance(cannon: Cannon) -> None:
    d = torch.tensor([1.0, 4.0, 8.0, 9.5], dtype=torch.float64)
    velocity, angle = descents.random_starts(cannon, 4, seed=5)
    before = descents.true_miss(cannon, d, velocity, angle)
    result = descents.newtonian_descent(cannon, d, velocity, angle, max_steps=3000)
    after = descents.true_miss(cannon, d, result.velocity, result.angle)
    assert bool((after < before).all())
    assert bool((after <= descents.TOLERANCE).all())
    assert bool((result.iterations > 0).all()) and bool((result.iterations < 3000).all())
    assert descents.within_limits(cannon, result.velocity, result.angle)


def test_gradient_descent_leaves_rows_already_within_tolerance(cannon: Cannon) -> None:
    velocity, angle = descents.closed_form(cannon, torch.tensor([3.0], dtype=torch.float64))
    d = torch.tensor([3.0, 3.5], dtype=torch.float64)  # the same shot: a hit, then a miss
    result = descents.newtonian_descent(
        cannon, d, velocity.repeat(2), angle.repeat(2), max_steps=5, record=True
    )
    assert result.iterations.tolist() == [0, 5]
    assert result.path is not None and result.path.shape == (6, 2, 2)
    assert torch.equal(result.path[:, 0], result.path[:1, 0].expand(6, 2))


def test_surrogate_true_miss_is_the_physics_not_the_surrogate(cannon: Cannon) -> None:
    surrogate = train_surrogate(cannon, TINY_SURROGATE)
    d = torch.tensor([2.0, 6.0], dtype=torch.float64)
    result = descents.surrogate_descent(cannon, surrogate, d, max_steps=300)
    miss = descents.true_miss(cannon, d, result.velocity, result.angle)
    with torch.no_grad():
        believed = (surrogate(result.velocity, result.angle) - d).abs()
    for i, target in enumerate(d.tolist()):
        v, a = result.velocity[i].item(), result.angle[i].item()
        assert miss[i].item() == pytest.approx(oracle_miss(target, v, a), abs=1e-12)
        assert abs(miss[i].item() - believed[i].item()) > 1e-6  # a poor fit disagrees
    # It started from the fixed start and moved.
    assert not torch.allclose(result.velocity, torch.full_like(d, descents.FIXED_START[0]))


def test_brentq_finds_the_roots(cannon: Cannon) -> None:
    for d in (1e-3, 3.3, 7.7, cannon.max_range):
        velocity, angle, iterations, calls = descents.brentq_aim(cannon, d)
        assert oracle_miss(d, velocity, angle) < 1e-9
        assert cannon.can_fire(velocity, angle) and angle <= math.pi / 4
        assert calls >= 1 and (iterations > 0 or d == cannon.max_range)


def test_least_squares_finds_the_roots(cannon: Cannon) -> None:
    for d in (1e-3, 3.3, 7.7, cannon.max_range):
        velocity, angle, nfev, _ = descents.least_squares_aim(cannon, d)
        assert oracle_miss(d, velocity, angle) < 1e-5
        assert cannon.can_fire(velocity, angle) and nfev >= 1


def test_training_seed_is_refused() -> None:
    with pytest.raises(SystemExit):
        approaches.main(["--quick", "--seed", str(approaches.TRAINING_SEED)])


def test_json_matches_the_returned_numbers_and_markdown(
    quick_run: tuple[dict[str, Any], str, Path],
) -> None:
    results, stdout, path = quick_run
    assert json.loads(path.read_text()) == results
    assert len(results["rows"]) == 8 and len(results["warm_start"]) == 6
    assert results["config"]["targets"] == 5
    for row in results["rows"]:
        line = next(
            text for text in stdout.splitlines() if text.startswith(f"| {row['approach']} |")
        )
        for key in ("miss_median_m", "miss_p95_m", "miss_max_m"):
            assert f"| {approaches_report.fmt_m(row[key])} |" in line
        assert f"| {approaches_report.fmt_pct(row['hit_5cm_pct'])} |" in line
        assert (
            f"| {approaches_report.fmt_iter(row['iterations_mean'])} | {row['iterations_max']} |"
            in line
        )
        assert f"| {approaches_report.fmt_us(row['time_per_target_us'])} |" in line
    for row in results["warm_start"]:
        assert f"| {row['method']} | {row['tolerance_m']:g} |" in stdout


def test_rows_meet_their_claims(quick_run: tuple[dict[str, Any], str, Path]) -> None:
    results, _, _ = quick_run
    rows = rows_by_prefix(results)
    assert all(row["within_limits"] for row in results["rows"])
    assert rows["3b"]["hit_5cm_pct"] == 100 and rows["3b"]["miss_max_m"] <= 0.05
    assert rows["3c"]["hit_1mm_pct"] == 100 and rows["3c"]["miss_max_m"] <= MIN_TOLERANCE
    assert rows["3a"]["iterations_max"] == 0 and rows["4"]["miss_max_m"] < 1e-9
    assert rows["5a"]["miss_max_m"] < 1e-9 and rows["5a"]["mode"] == "per-target loop"
    surrogate = rows["1"]
    assert surrogate["believed_miss_median_m"] is not None
    assert rows["2"]["believed_miss_median_m"] is None
    # The same refinement from the network: the pipeline at 1e-6 m and the warm-start row.
    warm = {(w["method"], w["tolerance_m"]): w for w in results["warm_start"]}
    gn = warm[("Gauss-Newton refinement", MIN_TOLERANCE)]
    assert gn["network_iterations_mean"] == rows["3c"]["iterations_mean"]
    assert gn["ratio_network_over_random"] == pytest.approx(
        gn["network_iterations_mean"] / gn["random_iterations_mean"]
    )
    assert gn["random_hit_pct"] == 100 and gn["network_hit_pct"] == 100
