"""Training through the physics: the loss falls, runs are reproducible, models round-trip."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from pathlib import Path

import torch

from app.aiming.engine import Engine
from app.config import Settings
from app.model.store import (
    DEFAULT_AIR_WEIGHTS,
    DEFAULT_SPACE_WEIGHTS,
    DEFAULT_WEIGHTS,
    card_path,
    cpu_model,
    load_model,
    sha256_of,
)
from app.physics.vacuum import Cannon
from app.training.loop import velocity_weight
from app.training.vacuum import TrainConfig, train, validate

SHORT = TrainConfig(steps=400, batch_size=256, validation_points=501)
CANNON = [sys.executable, "-m", "app.cli.main"]
# Seeds 0, 1 and 2 at the shipped settings, here: median misses 1.17, 1.25 and 1.35 mm; within
# 1% of the distance 95.8%, 95.45% and 95.6%; reached 99.75%, 99.7% and 99.65%.
AIR_SPREAD = 1.5
# The 3D model's spread of seeds is not measured (one seed, 30 min here): the air model's
# allowance. Retrained in a clean-clone CI run on this Intel machine, it passed.
SPACE_SPREAD = 1.5


def test_loss_falls(cannon: Cannon) -> None:
    losses = train(cannon, SHORT, progress=False).losses
    assert len(losses) == SHORT.steps
    first, last = sum(losses[:20]) / 20, sum(losses[-20:]) / 20
    assert last < first / 100


def test_same_seed_same_network_other_seed_another(cannon: Cannon) -> None:
    a = train(cannon, SHORT, progress=False)
    b = train(cannon, SHORT, progress=False)
    c = train(cannon, TrainConfig(**{**SHORT.as_dict(), "seed": 1}), progress=False)
    assert a.losses == b.losses
    for name, tensor in a.network.state_dict().items():
        assert torch.equal(tensor, b.network.state_dict()[name])
    assert a.losses != c.losses


def test_velocity_penalty_decays_from_start_to_end() -> None:
    config = TrainConfig()
    weights = [velocity_weight(config, step) for step in range(0, config.steps, 100)]
    assert abs(weights[0] - config.velocity_weight_start) < 1e-12
    assert all(later < earlier for earlier, later in itertools.pairwise(weights))
    assert abs(velocity_weight(config, config.steps - 1) - config.velocity_weight_end) < 1e-12


def test_trained_model_round_trips_through_safetensors(cannon: Cannon, tmp_path: Path) -> None:
    from app.model.store import save_model

    result = train(cannon, SHORT, progress=False)
    weights = tmp_path / "m.safetensors"
    card = save_model(result.network, weights, {"validation": validate(result.network, 501)})
    assert card["weights_sha256"] == sha256_of(weights)
    loaded, loaded_card = load_model(weights, cannon)
    assert loaded_card == card
    probe = torch.linspace(0.1, cannon.max_range, 33)
    with torch.no_grad():
        assert all(
            torch.equal(x, y) for x, y in zip(loaded(probe), result.network(probe), strict=True)
        )


def test_documented_command_reproduces_the_shipped_model(tmp_path: Path) -> None:
    """`cannon train` with the card's seed retrains a model as good as the shipped one.

    On the machine that trained the shipped model the weights came out bit for bit the same;
    other CPUs may round float32 sums differently, so the test asks for the issue's quality
    and no regression past twice the card's figures, and prints whether the bits agree.
    """
    shipped = json.loads(card_path(DEFAULT_WEIGHTS).read_text())
    weights = tmp_path / "retrained.safetensors"
    command = [
        sys.executable,
        "-m",
        "app.cli.main",
        "train",
        "--out",
        str(weights),
        "--seed",
        str(shipped["training"]["seed"]),
    ]
    subprocess.run(command, check=True, capture_output=True, timeout=600)
    card = json.loads(card_path(weights).read_text())
    assert card["validation"]["median_miss_m"] <= 1e-3 and card["validation"]["within_5cm"] >= 0.99
    for key in ("median_miss_m", "p99_miss_m", "max_miss_m"):  # no worse than twice the card
        assert card["validation"][key] <= 2 * shipped["validation"][key]
    print(
        "retrained sha256 equals the shipped one:",
        card["weights_sha256"] == shipped["weights_sha256"],
    )


def test_documented_command_reproduces_the_shipped_air_model(tmp_path: Path) -> None:
    """`cannon train --air` with the card's seed and steps retrains a model as good as the
    shipped one, which the service loads, self-checks and aims with.

    The shipped weights came from this command bit for bit on the CPU model their card names
    (training.cpu); on another CPU float32 sums round differently and training goes its own
    way, as it does with another seed. So the test asks for the card's figures within the
    spread of seeds, and prints the two CPUs and whether the bits agree."""
    shipped = json.loads(card_path(DEFAULT_AIR_WEIGHTS).read_text())
    weights = tmp_path / "air.safetensors"
    training = shipped["training"]
    command = [
        *CANNON,
        "train",
        "--air",
        "--out",
        str(weights),
        "--seed",
        str(training["seed"]),
        "--steps",
        str(training["steps"]),
        "--json",
    ]
    # about 20 min of one core on this Intel Xeon in CI: a cap with room
    subprocess.run(command, check=True, capture_output=True, timeout=3000)
    ours, theirs = (
        json.loads(card_path(weights).read_text())["validation"],
        shipped["validation"],
    )
    assert ours["median_miss_m"] <= AIR_SPREAD * theirs["median_miss_m"]
    assert ours["within_1%"] >= theirs["within_1%"] - 0.03
    assert ours["reached"] >= theirs["reached"] - 0.01
    engine = Engine.load(Settings(air_model_path=weights))
    assert engine.self_check() is None  # its figures against its card, then aims at 1e-6 m
    print(
        f"retrained on {cpu_model()}, shipped trained on {training['cpu']}; sha256 equal:",
        sha256_of(weights) == shipped["weights_sha256"],
    )


def test_documented_command_reproduces_the_shipped_space_model(tmp_path: Path) -> None:
    """`cannon train --space` with the card's seed and steps retrains a 3D model as good as
    the shipped one (within SPACE_SPREAD of its median), which the service loads,
    self-checks (its figures against its own card, then 3D aims at 1e-6 m) and aims with.
    Bit for bit only on the CPU its card names, as for the air model."""
    shipped = json.loads(card_path(DEFAULT_SPACE_WEIGHTS).read_text())
    weights = tmp_path / "space.safetensors"
    training = shipped["training"]
    command = [
        *CANNON, "train", "--space", "--out", str(weights),
        "--seed", str(training["seed"]), "--steps", str(training["steps"]), "--json",
    ]  # fmt: skip
    # about 30 min of one core here: a cap with room
    subprocess.run(command, check=True, capture_output=True, timeout=3600)
    ours, theirs = (
        json.loads(card_path(weights).read_text())["validation"],
        shipped["validation"],
    )
    assert ours["median_relative_miss"] <= SPACE_SPREAD * theirs["median_relative_miss"]
    assert ours["within_1%"] >= theirs["within_1%"] - 0.03
    assert ours["reached"] >= theirs["reached"] - 0.01
    engine = Engine.load(Settings(space_model_path=weights))
    assert engine.self_check() is None
    print(
        f"retrained on {cpu_model()}, shipped trained on {training['cpu']}; sha256 equal:",
        sha256_of(weights) == shipped["weights_sha256"],
    )
