"""A Python client generated from the schema the service serves (openapi-python-client)
aims through the real server.

The schema is the contract: a client made from it alone, with no hand-written code, must name
the operations and the bodies as the schema does (aim, AimRequest) and read the answers, the
documented errors too. (The TypeScript client is generated and compiled in clients/typescript.)
"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import httpx
import pytest

PACKAGE = "cannon_aim_generated"  # a name nothing else in the session imports


@pytest.fixture(scope="module")
def generated(
    server_url: str, client: httpx.Client, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ModuleType]:
    """The client package generated from GET /openapi.json, imported."""
    work = tmp_path_factory.mktemp("generated")
    schema = work / "openapi.json"
    schema.write_bytes(client.get("/openapi.json").content)
    tools = Path(sys.executable).parent  # the CLI and the ruff it formats with
    env = {**os.environ, "PATH": f"{tools}{os.pathsep}{os.environ.get('PATH', '')}"}
    command = [str(tools / "openapi-python-client"), "generate", "--path", str(schema)]
    command += ["--meta", "none", "--output-path", str(work / PACKAGE)]
    made = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert made.returncode == 0, made.stdout + made.stderr
    assert "warning" not in (made.stdout + made.stderr).lower(), made.stdout + made.stderr
    sys.path.insert(0, str(work))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(work))
        for name in [name for name in sys.modules if name.split(".")[0] == PACKAGE]:
            del sys.modules[name]


def test_the_client_names_what_the_schema_names(generated: ModuleType) -> None:
    operations = {
        path.stem
        for path in Path(generated.__file__).parent.glob("api/*/*.py")
        if path.stem != "__init__"
    }
    assert operations == {
        "aim",
        "aim_batch",
        "calibrate",
        "verify",
        "healthz",
        "readyz",
        "metrics",
        "model",
        "air_model",
        "space_model",
        "trajectory",
        "loss_surface",
    }
    models = importlib.import_module(f"{PACKAGE}.models")
    assert models.AimRequest and models.AimBatchRequest and models.CalibrateRequest


def test_the_generated_client_aims(generated: ModuleType, server_url: str) -> None:
    aim = importlib.import_module(f"{PACKAGE}.api.default.aim")
    aim_batch = importlib.import_module(f"{PACKAGE}.api.default.aim_batch")
    models = importlib.import_module(f"{PACKAGE}.models")
    with generated.Client(base_url=server_url, raise_on_unexpected_status=True) as http:
        hit = aim.sync_detailed(client=http, body=models.AimRequest(distance=7.5, tolerance=1e-3))
        assert hit.status_code == 200
        answer = hit.parsed
        assert isinstance(answer, models.AimResponse)
        assert answer.hit and answer.miss <= 1e-3
        assert abs(answer.landing_distance - 7.5) == pytest.approx(answer.miss)

        through_air = models.AimRequest(distance=5.0, drag=0.1, wind=-3.0, launch_height=1.5)
        air = aim.sync(client=http, body=through_air)
        assert isinstance(air, models.AimResponse) and air.hit

        beyond = aim.sync_detailed(client=http, body=models.AimRequest(distance=12.0))
        assert beyond.status_code == 422
        refusal = beyond.parsed
        assert isinstance(refusal, models.ValidationErrorResponse)
        assert refusal.detail[0].type_ == "unreachable_target"
        assert 10 < refusal.max_range < 12

        batch = aim_batch.sync(client=http, body=models.AimBatchRequest(distances=[2.5, 12.0]))
        assert isinstance(batch, models.AimBatchResponse)
        solved, missed = batch.solutions
        assert isinstance(solved, models.BatchSolution) and solved.hit
        assert isinstance(missed, models.BatchUnreachable) and missed.reachable is False


def test_the_generated_client_calibrates_and_reads_the_odds(
    generated: ModuleType, server_url: str
) -> None:
    """Shots landed by the reference (no noise, sigma 1 cm): the fit finds the drag within
    its standard errors; an aim with `uncertainty` reads its odds; a refusal its kind."""
    from app.physics import reference
    from tests.conftest import GRAVITY

    calibrate = importlib.import_module(f"{PACKAGE}.api.default.calibrate")
    aim = importlib.import_module(f"{PACKAGE}.api.default.aim")
    models = importlib.import_module(f"{PACKAGE}.models")
    commands = [(9.0, 0.3), (8.0, 0.7), (9.5, 1.1)]  # m/s, rad
    shots = [
        models.ObservedShot(
            velocity=v, angle=a, landed=reference.landing(v, a, 0, 0, 0, 0.06, GRAVITY).distance
        )
        for v, a in commands
    ]
    with generated.Client(base_url=server_url, raise_on_unexpected_status=True) as http:
        body = models.CalibrateRequest(
            shots=shots, sigma=0.01, fit=[models.CalibrateRequestFitItem.DRAG]
        )
        fitted = calibrate.sync(client=http, body=body)
        assert isinstance(fitted, models.CalibrateResponse)
        (drag,) = fitted.estimates
        assert drag.name == "drag" and drag.unit == "1/m"
        assert abs(drag.value - 0.06) <= 4 * drag.standard_error

        one = models.CalibrateRequest(
            shots=shots[:1],
            sigma=0.01,
            fit=[models.CalibrateRequestFitItem.DRAG, models.CalibrateRequestFitItem.WIND],
        )
        refused = calibrate.sync_detailed(client=http, body=one)
        assert refused.status_code == 422
        assert isinstance(refused.parsed, models.ValidationErrorResponse)
        assert refused.parsed.detail[0].type_ == "not_identifiable"

        spread = models.Uncertainty(hit_radius=0.1, velocity_sigma=0.05, samples=1000)
        shot = aim.sync(client=http, body=models.AimRequest(distance=6.0, uncertainty=spread))
        assert isinstance(shot, models.AimResponse)
        odds = shot.hit_probability
        assert isinstance(odds, models.HitProbability) and 0 <= odds.monte_carlo <= 1
        assert odds.interval[0] <= odds.monte_carlo <= odds.interval[1]
        assert isinstance(shot.dispersion, models.Dispersion) and shot.dispersion.semi_major > 0
        landed = reference.landing(shot.velocity, shot.angle, 0, 0, 0, 0, GRAVITY).distance
        assert abs(landed - 6.0) <= shot.tolerance
