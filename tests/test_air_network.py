"""The air network: bounded outputs, reproducible training through the simulator, the shipped
model's files and its card's figures, checked against the independent reference."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
import torch

from app.model.network import AIR, InverseNetwork
from app.model.store import (
    DEFAULT_AIR_WEIGHTS,
    ModelError,
    card_path,
    load_model,
    sha256_of,
)
from app.physics.envelope import ENVELOPE
from app.physics.flight import Air
from app.physics.vacuum import Cannon
from app.training.air import (
    AirTrainConfig,
    ReachTable,
    air_losses,
    max_range,
    nearest,
    train_air,
    validate_air,
)

SHORT = AirTrainConfig(steps=60, batch_size=128, table_shape=(5, 5, 5), near_table_shape=(3, 3, 3))


@pytest.fixture(scope="module")
def shipped() -> tuple[InverseNetwork, dict[str, object]]:
    return load_model(DEFAULT_AIR_WEIGHTS, Cannon(), "air")


@pytest.fixture
def copied(tmp_path: Path) -> Path:
    weights = tmp_path / DEFAULT_AIR_WEIGHTS.name
    shutil.copy(DEFAULT_AIR_WEIGHTS, weights)
    shutil.copy(card_path(DEFAULT_AIR_WEIGHTS), card_path(weights))
    return weights


def test_outputs_stay_inside_the_cannons_limits_for_extreme_inputs(cannon: Cannon) -> None:
    torch.manual_seed(0)
    network = InverseNetwork(cannon, AIR)
    values = {
        "distance": [0.0, 1e-30, 1e-3, 5.0, cannon.max_range, 1e6],
        "height_difference": [-100.0, -3.0, 0.0, 3.0, 100.0],
        "wind": [-50.0, -5.0, 0.0, 5.0, 50.0],
        "drag": [0.0, 0.2, 10.0],
    }
    grid = torch.cartesian_prod(*(torch.tensor(v, dtype=torch.float64) for v in values.values()))
    for scale in (1.0, 1e3):  # and weights large enough to saturate the sigmoids
        with torch.no_grad():
            for parameter in network.parameters():
                parameter.mul_(scale)
            angle, velocity = network(*grid.T)
        assert angle.shape == velocity.shape == (grid.shape[0],)
        assert bool(((angle > cannon.min_angle) & (angle < cannon.max_angle)).all())
        assert bool(((velocity > 0) & (velocity <= cannon.max_velocity)).all())


def test_a_shot_below_the_target_height_gets_a_finite_gradient(cannon: Cannon) -> None:
    network = InverseNetwork(cannon, AIR)
    with torch.no_grad():  # every proposal: 45 degrees at v_max / sqrt(2), apex 1.3 m
        for parameter in network.parameters():
            parameter.zero_()
    n = 8
    distance = torch.full((n,), 1.0, dtype=torch.float64)
    conditions = (torch.full((n,), 3.0), torch.zeros(n), torch.full((n,), 0.1))
    conditions = tuple(c.double() for c in conditions)  # type: ignore[assignment]
    miss, _ = air_losses(network, distance, conditions, AirTrainConfig())
    assert bool((miss > 1).all())  # the unreached-height penalty, not NaN
    miss.sum().backward()  # type: ignore[no-untyped-call]
    gradients = [p.grad for p in network.parameters() if p.grad is not None]
    assert all(bool(torch.isfinite(g).all()) for g in gradients)
    assert any(bool((g != 0).any()) for g in gradients)


def test_reach_table_holds_the_reachable_distances(cannon: Cannon) -> None:
    config = AirTrainConfig(table_shape=(3, 6, 6), near_table_shape=(3, 6, 6))
    table = ReachTable.build(cannon, config, ENVELOPE.at(cannon))
    # A node of both grids, the vacuum on flat ground (v^2 / g), and a point between nodes.
    dh, wind, drag = (
        torch.tensor(v, dtype=torch.float64)
        for v in ([-3.0, 0.0, -0.7], [3.0, 1.0, 2.2], [0.04, 0.0, 0.13])
    )
    near, far = table((dh, wind, drag))
    exact_far = max_range(cannon, (dh, wind, drag))
    assert exact_far[1].item() == pytest.approx(cannon.max_range, rel=1e-6)
    assert far[:2].tolist() == pytest.approx(exact_far[:2].tolist(), rel=1e-9)
    assert far[2].item() == pytest.approx(exact_far[2].item(), rel=0.05)
    exact_near = nearest(cannon, (dh, wind, drag))
    assert near[0].item() == pytest.approx(exact_near[0].item(), rel=1e-9)
    assert exact_near[0].item() > 0.05  # a tailwind carries even the slowest shot forward
    assert exact_near[1].item() == pytest.approx(
        0.0, abs=1e-9
    )  # no drag: a slow shot lands at the cannon


def test_nearest_landing_is_no_farther_than_a_search_over_all_shots(cannon: Cannon) -> None:
    """app/training/reach.py's nearest_landing searches every velocity and angle on grids, so it can
    only land as near or farther than the true nearest; `nearest` goes straight up."""
    from app.training.reach import nearest_landing

    dh, wind, drag = (
        torch.tensor(v, dtype=torch.float64)
        for v in (
            [-3.0, -1.0, 1.0, 2.9, 0.5],
            [5.0, 2.0, 4.0, 4.7, -3.0],
            [0.2, 0.1, 0.05, 0.11, 0.1],
        )
    )
    ours = nearest(cannon, (dh, wind, drag))
    searched = nearest_landing(Air(torch.zeros_like(dh), dh, wind, drag), cannon).clamp_min(0)
    assert bool((ours <= searched + 1e-9).all())
    assert ours[-1].item() == 0.0  # a headwind: a steep shot comes down behind the cannon


def test_short_training_is_reproducible_and_lowers_the_loss(cannon: Cannon) -> None:
    a = train_air(cannon, SHORT, progress=False)
    b = train_air(cannon, SHORT, progress=False)
    assert a.losses == b.losses
    for name, tensor in a.network.state_dict().items():
        assert torch.equal(tensor, b.network.state_dict()[name])
    assert a.skipped_steps == 0
    first, last = sum(a.losses[:10]) / 10, sum(a.losses[-10:]) / 10
    assert last < first / 2


def test_shipped_model_loads_with_its_card(
    shipped: tuple[InverseNetwork, dict[str, object]],
) -> None:
    network, card = shipped
    # Strict JSON: Infinity or NaN in the card would fail here.
    json.loads(card_path(DEFAULT_AIR_WEIGHTS).read_text(), parse_constant=pytest.fail)
    assert isinstance(network, InverseNetwork)
    assert card["weights_sha256"] == sha256_of(DEFAULT_AIR_WEIGHTS)
    assert card["version"] == sha256_of(DEFAULT_AIR_WEIGHTS)[:12]
    assert card["envelope"] == ENVELOPE.as_dict()
    assert card["cannon"] == Cannon().as_dict()


def test_tampered_weights_are_refused(copied: Path) -> None:
    raw = bytearray(copied.read_bytes())
    raw[-1] ^= 0xFF
    copied.write_bytes(bytes(raw))
    with pytest.raises(ModelError, match="sha256"):
        load_model(copied, Cannon(), "air")


@pytest.mark.parametrize("other", [Cannon(min_angle=0.1), Cannon(max_angle=1.5)])
def test_model_for_another_cannon_is_refused(copied: Path, other: Cannon) -> None:
    with pytest.raises(ModelError, match="trained for"):
        load_model(copied, other, "air")


def test_model_for_another_envelope_is_refused(copied: Path) -> None:
    with pytest.raises(ModelError, match="envelope"):
        load_model(copied, Cannon(), "air", replace(ENVELOPE, wind=(-1.0, 1.0)))


def test_air_card_without_envelope_is_refused(copied: Path) -> None:
    card = json.loads(card_path(copied).read_text())
    del card["envelope"]
    card_path(copied).write_text(json.dumps(card))
    with pytest.raises(ModelError, match="envelope"):
        load_model(copied, Cannon(), "air")


def test_air_weights_do_not_load_as_the_vacuum_network(copied: Path) -> None:
    with pytest.raises(ModelError, match="does not fit"):
        load_model(copied, Cannon())


def test_shipped_model_meets_its_card_against_the_reference(
    shipped: tuple[InverseNetwork, dict[str, object]],
) -> None:
    """200 held-out targets flown by solve_ivp: the card's 2,000-target figures, within the
    noise of a tenth of the sample, and the goal of a median miss within 0.1% of the distance."""
    network, card = shipped
    claimed = card["validation"]
    assert isinstance(claimed, dict)
    figures = validate_air(network, 200)
    assert json.loads(json.dumps(figures, allow_nan=False)) == figures  # strict JSON
    assert figures["reached"] >= claimed["reached"] - 0.02
    assert figures["median_relative_miss"] <= 1.5 * claimed["median_relative_miss"]
    assert figures["within_0.1%"] >= claimed["within_0.1%"] - 0.1
    assert figures["within_1%"] >= claimed["within_1%"] - 0.05
    assert claimed["median_relative_miss"] <= 1e-3
    assert figures["median_velocity_excess"] <= claimed["median_velocity_excess"] + 0.02
