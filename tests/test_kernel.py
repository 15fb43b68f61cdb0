"""The compiled serving physics (app/physics/kernel/) against the independent oracles: scipy's DOP853
(app/physics/reference.py) for where shots land, torch's autograd through app/physics/flight.py for the
slopes Newton uses, and the reference again for every answer the solver gives."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from app.aiming.air import AirPath, Constraint
from app.model.store import DEFAULT_AIR_WEIGHTS, load_model
from app.physics import reference
from app.physics.envelope import METRES as ENVELOPE  # the default cannon's
from app.physics.flight import Air, simulate
from app.physics.kernel import flight
from app.physics.kernel.solve import steps_for
from app.physics.vacuum import Cannon

G = 9.81
UNIT = 10.0**2 / G  # m, the length unit of the default cannon


def shots(n: int, seed: int) -> np.ndarray:
    """(n, 6): velocity m/s, angle rad, launch height m, target height m, wind m/s, drag 1/m
    across the envelope, flat to near vertical, slow (many never climb to the target) to fast."""
    rng = np.random.default_rng(seed)
    h0 = rng.uniform(*ENVELOPE.launch_height, n)
    ht = np.maximum(h0 + rng.uniform(*ENVELOPE.height_difference, n), 0.0)
    return np.stack(
        [
            rng.uniform(0.5, 10.0, n),
            rng.uniform(0.01, 1.56, n),
            h0,
            ht,
            rng.uniform(*ENVELOPE.wind, n),
            rng.uniform(*ENVELOPE.drag, n),
        ],
        axis=1,
    )


def test_dop853_lands_where_scipy_does() -> None:
    never = 0
    for v, a, h0, ht, w, k in shots(400, 1):
        truth = reference.landing(v, a, h0, ht, w, k, G)
        distance, time, apex = flight.landing(v, a, h0, ht, w, k, G, 1e-12)
        assert apex == pytest.approx(truth.apex_height, abs=1e-9)
        if math.isnan(truth.distance):
            never += 1
            assert math.isnan(distance) and math.isnan(time)
            continue
        assert distance == pytest.approx(truth.distance, abs=1e-9)
        assert time == pytest.approx(truth.flight_time, abs=1e-9)
    assert 20 < never < 300  # both kinds of shot were asked


def test_a_grazing_shot_is_seen_coming_down() -> None:
    """A shot whose apex only just clears the target height rises above it and falls back
    within one step: the landing must still be found (scipy's reference flies it alone)."""
    v, a, h0, w, k = 6.0, 1.2, 0.0, 0.0, 0.1
    _, _, apex = flight.landing(v, a, h0, 10.0, w, k, G, 1e-12)
    ht = apex - 1e-7
    distance, _, _ = flight.landing(v, a, h0, ht, w, k, G, 1e-12)
    truth = reference.landing(v, a, h0, ht, w, k, G)
    assert math.isfinite(distance) and distance == pytest.approx(truth.distance, abs=1e-6)


def test_rk4_slopes_are_autograds() -> None:
    """The variational equations' d landing / d(v, θ) against torch's autograd through the
    simulator, which integrates the same equations on its own steps."""
    table = shots(300, 2)
    kernel = np.array([flight.slopes(*row, G, 128) for row in table])  # (n, 4)
    ok = np.isfinite(kernel[:, 0])
    v, a = (torch.tensor(table[ok, i], requires_grad=True) for i in (0, 1))
    air = Air(*(torch.tensor(table[ok, i]) for i in (2, 3, 4, 5)))
    landing = simulate(v, a, air, G, steps=256).landing_distance
    dv, da = torch.autograd.grad(landing.sum(), (v, a))
    assert ok.sum() > 100
    assert np.allclose(kernel[ok, 0], landing.detach().numpy(), atol=1e-6)
    assert np.allclose(kernel[ok, 1], dv.numpy(), rtol=1e-4, atol=1e-6)
    assert np.allclose(kernel[ok, 2], da.numpy(), rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("tolerance", [0.05, 1e-3, 1e-6])
def test_rk4_steps_keep_the_flight_within_a_quarter_tolerance(tolerance: float) -> None:
    """steps_for's rule, over the envelope: all but grazing shots (under 1%, which the
    verifier's corrections take) land within tolerance / 4 of DOP853."""
    steps = steps_for(tolerance, UNIT)
    errors = []
    for row in shots(1500, 3):
        rk4 = flight.slopes(*row, G, steps)[0]
        dop = flight.landing(*row, G, 1e-12)[0]
        if math.isfinite(rk4) and math.isfinite(dop):
            errors.append(abs(rk4 - dop))
    assert np.mean(np.array(errors) > tolerance / 4) < 0.01


@pytest.fixture(scope="module")
def aimer() -> AirPath:
    network, _ = load_model(DEFAULT_AIR_WEIGHTS, Cannon(), "air")
    return AirPath(network, 50)


def low_arc_targets(n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Targets (n,) m with their air (4, n), reachable at 9 m/s on the low arc, and the
    angle (n,) rad each was made with."""
    table = shots(4 * n, seed)
    table[:, 0] = 9.0
    rows = []
    for row in table:
        landing, _, rising, _ = flight.slopes(*row, G, 128)
        if rising > 0 and landing > 0.05:
            rows.append((reference.landing(*row, G).distance, *row[2:], row[1]))
    picked = np.array(rows[:n])
    return picked[:, 0], picked[:, 1:5].T, picked[:, 5]


@pytest.mark.parametrize("tolerance", [0.05, 1e-3, 1e-6])
def test_every_constraint_hits_held_out_targets(aimer: AirPath, tolerance: float) -> None:
    distance, air, angle = low_arc_targets(120, 4)
    for held in ("free", "velocity", "angle"):
        constraint = {
            "free": Constraint(),
            "velocity": Constraint(velocity=9.0, arc="low"),
            "angle": None,
        }[held]
        if constraint is None:  # each target at the angle it was made with
            answers = [aimer.solve(d, air[:, i], tolerance, Constraint(angle=angle[i]), True)
                       for i, d in enumerate(distance)]  # fmt: skip
            velocity = np.array([s.velocity[0] for s in answers])
            angles = np.array([s.angle[0] for s in answers])
            reported = np.array([s.landing_distance[0] for s in answers])
        else:
            solved = aimer.solve(distance, air, tolerance, constraint, True)
            velocity, angles, reported = solved.velocity, solved.angle, solved.landing_distance
        truth = reference.landings(velocity, angles, *air, G).distance
        assert np.all(np.abs(truth - distance) <= tolerance), held
        assert np.allclose(reported, truth, atol=max(1e-9, tolerance * 1e-3)), held


def test_a_target_out_of_reach_is_given_up_early(aimer: AirPath) -> None:
    """Beyond the farthest shot every way is tried and found short well within the budget
    of 50 steps a way, not bisected to the end."""
    air = (0.0, 0.0, -2.0, 0.1)
    for held in (Constraint(), Constraint(velocity=9.0, arc="low"), Constraint(angle=0.8)):
        missed = aimer.solve(np.array([9.0, 11.0]), air, 1e-6, held, True)
        assert not missed.hit.any()
        assert missed.iterations.max() < 40, held
