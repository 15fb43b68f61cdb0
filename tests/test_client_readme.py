"""clients/python/README.md's examples run as written against a real server, and what they
claim holds: the shots land (by the reference integrator), the batch answers in order. Its
install commands are run by tests/test_client_contract.py (the wheel into a fresh venv)."""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

from app.physics import reference
from tests.conftest import GRAVITY

README = Path(__file__).resolve().parents[1] / "clients" / "python" / "README.md"


def blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)


def run(block: str, server_url: str) -> dict[str, Any]:
    names: dict[str, Any] = {}
    exec(block.replace("http://127.0.0.1:8000", server_url), names)
    return names


def test_the_blocking_example(server_url: str) -> None:
    (block,) = [b for b in blocks() if "with CannonClient(" in b]
    names = run(block, server_url)
    shot = names["shot"]
    landed = shot.velocity**2 * math.sin(2 * shot.angle) / GRAVITY  # m, closed form
    assert shot.hit and abs(landed - 7.5) <= 0.001
    assert [type(a).__name__ for a in names["answers"]] == [
        "BatchSolution", "BatchSolution", "BatchUnreachable",
    ]  # fmt: skip
    held = names["held"]
    assert held.hit and held.velocity == 9.0
    flown = reference.landing(held.velocity, held.angle, 1.5, 0.0, -3.0, 0.1, GRAVITY)
    assert abs(flown.distance - 4.0) <= held.tolerance
    assert len(names["arc"].x) == 50 and names["arc"].y[0] == 1.5  # from the launch height
    assert len(names["surface"].loss) == 60
    assert names["check"].landing_distance > 0


def test_the_async_example(server_url: str) -> None:
    (block,) = [b for b in blocks() if "AsyncCannonClient(" in b]
    block = block.replace("asyncio.run(main())", "")
    names = run(block, server_url)
    captured: dict[str, Any] = {}

    async def main() -> None:  # the example's main, keeping what it computed
        async with names["AsyncCannonClient"](server_url, batch_size=1000, in_flight=4) as c:
            captured["answers"] = await c.aim_many([0.001 * i for i in range(1, 10_001)])

    names["asyncio"].run(names["main"]())  # as written
    names["asyncio"].run(main())
    answers = captured["answers"]
    assert len(answers) == 10_000 and all(a.hit for a in answers)
    assert [a.distance for a in answers[:3]] == [0.001, 0.002, 0.003]


def test_the_calibration_example(server_url: str) -> None:
    """The example's shots are the reference's landings through drag 0.05 1/m, a 1 m/s
    headwind and a cannon 2% fast, within their centimetre of noise; the fit finds that air
    within its standard errors; the shot it aims lands by the reference in the fitted air."""
    (block,) = [b for b in blocks() if "calibrate(" in b]
    names = run(block, server_url)
    for velocity, angle, landed in names["landings"]:
        truth = reference.landing(velocity * 1.02, angle, 0, 0, -1.0, 0.05, GRAVITY).distance
        assert abs(landed - truth) <= 0.03
    fit = names["fit"]
    for name, value in {"drag": 0.05, "wind": -1.0, "velocity_bias": 1.02}.items():
        estimate = fit.estimate(name)
        assert abs(estimate.value - value) <= 4 * estimate.standard_error, estimate
    shot, air = names["shot"], names["air"]
    flown = reference.landing(shot.velocity, shot.angle, 0, 0, air.wind, air.drag, GRAVITY)
    assert abs(flown.distance - 6.0) <= shot.tolerance
    best = shot.best_odds
    assert best is not None and best.hit_probability >= best.exact_hit_probability
    assert 0 <= names["odds"].monte_carlo <= 1
