"""The startup self-checks refuse unfit models (app/model/fitness.py): degenerate weights, and raw
proposals that miss by more than the model card's validation figures allow. Every network
here is the shipped one, loaded and then changed in memory, as a re-signed card would let a
changed file through."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pytest
import torch
from torch import Tensor

from app.aiming import air as air_aiming
from app.aiming import vacuum as aiming
from app.aiming.air import AirPath
from app.aiming.vacuum import VacuumPath
from app.model import fitness
from app.model.network import InverseNetwork
from app.model.store import DEFAULT_AIR_WEIGHTS, DEFAULT_WEIGHTS, load_model
from app.physics.vacuum import Cannon
from app.training.vacuum import validate

Card = dict[str, Any]
Network = InverseNetwork


def vacuum() -> tuple[InverseNetwork, Card]:
    return load_model(DEFAULT_WEIGHTS, Cannon())


def air() -> tuple[InverseNetwork, Card]:
    return load_model(DEFAULT_AIR_WEIGHTS, Cannon(), "air")


def check(network: Network, card: Card | None) -> str | None:
    """The whole self-check of the aimer that serves `network`."""
    if network.config.inputs == "distance":
        return VacuumPath(network, max_iterations=50).self_check(card)
    return AirPath(network, max_iterations=50).self_check(card)


def changed(network: Network, change: Callable[[str, Tensor], object]) -> Network:
    """`network` after change(name, tensor) on every tensor of its state, in place."""
    with torch.no_grad():
        for name, tensor in network.state_dict().items():
            change(name, tensor)
    return network


def end_to_end_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """The self-checks as they were before app/model/fitness.py: only the end-to-end aiming."""
    monkeypatch.setattr(aiming, "vacuum_unfit", lambda network, card: None)
    monkeypatch.setattr(air_aiming, "air_unfit", lambda network, card: None)


LOADERS = pytest.mark.parametrize("load", [vacuum, air], ids=["vacuum", "air"])


@LOADERS
def test_the_shipped_models_are_fit(load: Callable[[], tuple[Network, Card]]) -> None:
    assert check(*load()) is None


def test_the_shipped_figures_leave_a_clear_margin() -> None:
    """Each recomputed figure is at most 80% of what the card allows: far from the limit, so
    that another CPU's rounding (6th digit) or the air's smaller target set cannot cross it."""
    network, card = vacuum()
    air_network, air_card = air()
    measured = [
        (validate(network), card, fitness.VACUUM_LIMITS),
        (
            fitness.air_figures(air_network, fitness.air_targets(air_network)),
            air_card,
            fitness.AIR_LIMITS,
        ),
    ]
    for figures, model_card, limits in measured:
        for limit in limits:
            value, figure = figures[limit.key], model_card["validation"][limit.key]
            if limit.share:
                value, figure = 1 - value, 1 - figure
            assert value <= 0.8 * fitness.allowed(figure, limit.slack), limit.key


def test_the_air_check_has_a_few_hundred_targets() -> None:
    distance, *_ = fitness.air_targets(air()[0])
    assert 200 <= len(distance) <= 400
    assert bool((distance >= 0.01).all())


@LOADERS
@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
@pytest.mark.parametrize("tensor", ["body.2.weight", "body.6.bias"])
def test_a_nan_or_inf_in_one_tensor_is_refused_by_name(
    load: Callable[[], tuple[Network, Card]], bad: float, tensor: str
) -> None:
    network, card = load()

    def spoil(name: str, t: Tensor) -> None:
        if name == tensor:
            t.view(-1)[0] = bad  # one number of one tensor

    reason = check(changed(network, spoil), card)
    assert reason is not None and reason.endswith(f"weights contain NaN/Inf in {tensor}")


@LOADERS
def test_all_zero_weights_are_refused_though_refinement_rescues_them(
    load: Callable[[], tuple[Network, Card]], monkeypatch: pytest.MonkeyPatch
) -> None:
    network, card = load()
    zeroed = changed(network, lambda _, t: t.zero_())
    with monkeypatch.context() as patched:
        end_to_end_only(patched)
        assert check(zeroed, card) is None  # what the self-check said before
    reason = check(zeroed, card)
    assert reason is not None and reason.endswith("weight matrix body.0.weight is all zero")
    assert check(zeroed, None) == reason  # without the card too


def test_a_network_whose_output_is_constant_is_refused() -> None:
    """Finite, nonzero weights whose first layer is saturated: SiLU(-1e4) is -0.0 at every
    input, so every target gets the same shot."""
    network, card = vacuum()

    def saturate(name: str, t: Tensor) -> None:
        if name == "body.0.bias":
            t.fill_(-1e4)

    reason = check(changed(network, saturate), card)
    assert reason == "self-check failed: the network's output does not depend on its input distance"


def test_an_air_network_cut_off_from_the_wind_is_refused() -> None:
    network, card = air()

    def deafen(name: str, t: Tensor) -> None:
        if name == "body.0.weight":
            t[:, 3] = (
                0.0  # the wind's column of the first layer (app/model/network.py's air features)
            )

    reason = check(changed(network, deafen), card)
    assert reason is not None and reason.endswith("does not depend on its input wind")


@LOADERS
def test_weights_that_miss_far_more_than_the_card_says_are_refused(
    load: Callable[[], tuple[Network, Card]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every weight 5% larger: finite, nonzero, still a network of distance and air, and
    refinement still hits every known target; but the raw median miss is 100x the card's."""
    network, card = load()
    scaled = changed(network, lambda name, t: t.mul_(1.05) if name.endswith("weight") else None)
    assert fitness.degenerate(scaled) is None
    with monkeypatch.context() as patched:
        end_to_end_only(patched)
        assert check(scaled, card) is None
    reason = check(scaled, card)
    assert reason is not None and "the network's median_miss_m on" in reason
    assert check(scaled, None) is None  # the figures need the card


@LOADERS
def test_a_card_without_the_figures_is_refused(load: Callable[[], tuple[Network, Card]]) -> None:
    network, card = load()
    del card["validation"]["median_miss_m"]
    assert check(network, card) == (
        f"{'' if network.config.inputs == 'distance' else 'air '}self-check failed: "
        "the model card has no validation figure median_miss_m"
    )


def test_the_margin_is_a_ratio_or_a_slack_whichever_is_larger() -> None:
    assert fitness.allowed(2e-3, 1e-4) == pytest.approx(3e-3)  # 1.5x
    assert fitness.allowed(1e-5, 1e-4) == pytest.approx(1.1e-4)  # + slack
    assert fitness.allowed(0.0, 0.01) == 0.01  # a share of none outside: a little room
