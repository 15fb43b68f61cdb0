"""One model for any cannon: the networks work in the cannon's units (lengths over v_max^2/g,
speeds over v_max, drag as k v_max^2/g), so the shipped weights aim a 10 m/s launcher and a
400 m/s gun alike, each at its own scale, verified by the independent reference."""

from __future__ import annotations

import httpx
import numpy as np
import pytest
import torch

from app.aiming.air import Constraint
from app.aiming.engine import Engine
from app.config import Settings
from app.physics import reference
from app.physics.envelope import ENVELOPE, METRES, unit_length
from benchmarks.serving import free_port
from tests.conftest import start, wait_until_up

CANNONS = {"launcher": (10.0, 9.81), "gun": (400.0, 9.81), "moon": (50.0, 1.62)}  # m/s, m/s^2


@pytest.fixture(scope="module", params=list(CANNONS))
def engine(request: pytest.FixtureRequest) -> Engine:
    velocity, gravity = CANNONS[request.param]
    return Engine.load(Settings(max_velocity=velocity, gravity=gravity))


def shots(engine: Engine, n: int, seed: int) -> list[tuple[float, float, float, np.ndarray]]:
    """Reachable targets at the engine's scale, by construction: (distance m, velocity m/s,
    angle rad, air (4,)) of shots drawn across the envelope and landed by the reference."""
    rng, cannon = np.random.default_rng(seed), engine.air.cannon
    e = ENVELOPE.at(cannon)
    drawn = []
    while len(drawn) < n:
        h0 = rng.uniform(*e.launch_height)
        air = np.array(
            [
                h0,
                max(h0 + rng.uniform(*e.height_difference) / 2, 0.0),
                rng.uniform(*e.wind),
                rng.uniform(*e.drag),
            ]
        )
        velocity = cannon.max_velocity * rng.uniform(0.6, 0.95)
        angle = rng.uniform(0.3, 0.9)
        landing = reference.landing(velocity, angle, *air, cannon.gravity).distance
        if np.isfinite(landing) and landing > 0.02 * unit_length(cannon):
            drawn.append((landing, velocity, angle, air))
    return drawn


def test_the_envelope_in_metres_is_the_default_cannons() -> None:
    metres = ENVELOPE.at(Settings().cannon())
    for name, bounds in METRES.as_dict().items():
        assert getattr(metres, name) == pytest.approx(tuple(bounds), rel=1e-12, abs=1e-15)


def test_every_cannon_passes_the_self_check(engine: Engine) -> None:
    assert engine.self_check() is None


@pytest.mark.parametrize("constraint", ["free", "velocity", "angle"])
def test_every_cannon_hits_at_its_scale_by_the_reference(engine: Engine, constraint: str) -> None:
    cannon = engine.air.cannon
    tolerance = 1e-7 * unit_length(cannon)  # 1e-6 m for the 10 m/s launcher
    for distance, velocity, angle, air in shots(engine, 30, seed=7):
        held = {
            "free": Constraint(),
            "velocity": Constraint(velocity=velocity),
            "angle": Constraint(angle=angle),
        }[constraint]
        shot = engine.aim(distance, tuple(air), held, tolerance)
        assert shot.hit.all(), (distance, velocity, angle, air)
        truth = reference.landing(shot.velocity[0], shot.angle[0], *air, cannon.gravity).distance
        assert abs(truth - distance) <= tolerance


def test_the_proposals_are_the_same_shots_in_the_cannons_units() -> None:
    """The same target in units gives the same angle and the same velocity over v_max,
    whatever the cannon (to float32's rounding of the inputs)."""
    answers = []
    for velocity, gravity in CANNONS.values():
        network = Engine.load(Settings(max_velocity=velocity, gravity=gravity)).air.network
        length = velocity**2 / gravity
        units = torch.tensor([[0.3, 0.1, -0.2, 1.2], [0.7, -0.2, 0.3, 0.5]], dtype=torch.float64)
        with torch.no_grad():
            angle, speed = network(
                units[:, 0] * length,
                units[:, 1] * length,
                units[:, 2] * velocity,
                units[:, 3] / length,
            )
        answers.append(torch.stack([angle.double(), speed.double() / velocity]))
    for other in answers[1:]:
        assert torch.allclose(other, answers[0], rtol=1e-5, atol=1e-6)


def test_air_outside_the_cannons_envelope_is_refused(engine: Engine) -> None:
    e = ENVELOPE.at(engine.air.cannon)
    assert engine.outside((0.0, 0.0, 0.0, e.drag[1])) is None
    why = engine.outside((0.0, 0.0, 0.0, e.drag[1] * 1.01))
    assert why is not None and "drag" in why and "1/m" in why


def test_a_served_400_m_s_gun_aims_through_air_with_the_shipped_models() -> None:
    """A real `cannon serve` for a 400 m/s gun: a target 5 km away through air, verified."""
    port = free_port()
    process = start({"CANNON_PORT": str(port), "CANNON_MAX_VELOCITY": "400"})
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(url, process)
        air = {"drag": 6e-5, "wind": -4.0, "launch_height": 2.0, "target_height": 0.5}
        shot = httpx.post(f"{url}/aim", json={"distance": 5000.0, "tolerance": 0.01, **air})
        assert shot.status_code == 200, shot.text
        answer = shot.json()
        truth = reference.landing(
            answer["velocity"], answer["angle"], 2.0, 0.5, -4.0, 6e-5, 9.81
        ).distance
        assert answer["hit"] and abs(truth - 5000.0) <= 0.01 and answer["velocity"] <= 400
        vacuum = httpx.post(f"{url}/aim", json={"distance": 15000.0}).json()
        assert abs(vacuum["velocity"] ** 2 * np.sin(2 * vacuum["angle"]) / 9.81 - 15000) <= 0.05
        # drag the default cannon's bounds allow, but past what the model covers at 400 m/s
        refused = httpx.post(f"{url}/aim", json={"distance": 500.0, "drag": 0.01})
        assert refused.status_code == 422
        assert refused.json()["detail"][0]["type"] == "outside_envelope"
    finally:
        process.terminate()
        process.communicate(timeout=30)
