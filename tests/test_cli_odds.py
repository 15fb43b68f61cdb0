"""`cannon calibrate` and `cannon aim --hit-radius`: ranging shots landed by the independent
reference (scipy) with Gaussian noise, fitted at --url and in this process; the odds of an
aim, every aimed shot landed again by the reference; one-line refusals naming the CSV line;
usage errors; the docs' shots are the reference's."""

from __future__ import annotations

import json
import math
import random
import re
from pathlib import Path

import pytest

from app.physics import reference, reference_space
from tests.conftest import GRAVITY
from tests.test_cli import DOCS, cannon, heavy_modules, run

COMMANDS = [(9.0, 0.3), (9.0, 0.6), (8.0, 0.9), (9.5, 1.1), (7.0, 0.45), (8.5, 0.75)]  # m/s, rad
SIGMA = 0.02  # m
WITHIN = 4.0  # standard errors: a fixed seed, so a fixed draw


def shots_csv(path: Path, drag: float, wind: float, bias: float, seed: int) -> Path:
    """Ranging shots as a crew writes them: the reference's landings plus N(0, SIGMA) m, the
    angle of every other shot in degrees; a name column the command ignores."""
    noise = random.Random(seed)
    rows = ["name,velocity,angle,landed"]
    for i, (velocity, angle) in enumerate(COMMANDS):
        landed = reference.landing(velocity * bias, angle, 0, 0, wind, drag, GRAVITY).distance
        written = f"{math.degrees(angle)!r}deg" if i % 2 else repr(angle)
        rows.append(f"shot{i},{velocity},{written},{landed + noise.gauss(0, SIGMA)!r}")
    path.write_text("\n".join(rows) + "\n")
    return path


def near_truth(answer: dict[str, object], truth: dict[str, float]) -> None:
    estimates = {e["name"]: e for e in answer["estimates"]}  # type: ignore[attr-defined]
    assert set(estimates) == set(truth)
    for name, value in truth.items():
        e = estimates[name]
        assert abs(e["value"] - value) <= WITHIN * e["standard_error"], (name, e)


def test_calibrate_at_a_service_finds_the_air_and_prints_every_unit(
    server_url: str, tmp_path: Path
) -> None:
    truth = {"drag": 0.06, "wind": -1.5, "velocity_bias": 1.03}
    shots = shots_csv(
        tmp_path / "shots.csv", truth["drag"], truth["wind"], truth["velocity_bias"], 4
    )
    fit = ["--sigma", str(SIGMA), "--fit", "drag,wind,velocity_bias", "--url", server_url]
    answer = cannon("calibrate", str(shots), *fit, "--json")
    assert answer.returncode == 0, answer.stderr
    fitted = json.loads(answer.stdout)
    near_truth(fitted, truth)
    human = cannon("calibrate", str(shots), *fit)
    assert human.returncode == 0, human.stderr
    lines = human.stdout.splitlines()
    for name, unit in (("drag", "1/m"), ("wind", "m/s"), ("velocity_bias", "(a factor)")):
        found = re.search(rf"^  {name} +(\S+) ± (\S+) (.+)$", human.stdout, re.M)
        assert found is not None, name
        value, error, said = found.groups()
        served = next(e["value"] for e in fitted["estimates"] if e["name"] == name)
        assert said == unit and float(value) == pytest.approx(served, rel=1e-5)
        assert float(error) > 0
    residuals = [x for x in lines if x.startswith("  line ")]
    assert [int(x.split()[1]) for x in residuals] == [2, 3, 4, 5, 6, 7]  # the file's lines
    assert all(x.endswith(" m") for x in residuals)
    assert "correlation (dimensionless, -1 to 1)" in lines
    aim_with = next(x for x in lines if x.startswith("aim with"))
    assert f"--drag {fitted['conditions']['drag']:.6g}" in aim_with


def test_calibrate_in_process_in_3d(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """The 3D form (azimuth in degrees, landed_x, landed_y), in this process: the same fit as
    the service's translation gives, the wind a vector."""
    drag, wind = 0.05, (1.2, -0.8)
    noise = random.Random(11)
    rows = ["velocity,angle,azimuth_deg,landed_x,landed_y"]
    for (velocity, angle), azimuth in zip(COMMANDS, (0, 45, -35, 85, 145, -115), strict=True):
        met = reference_space.intercept(
            velocity, angle, math.radians(azimuth), (0, 0, 0), wind=wind, drag=drag,
            gravity=GRAVITY,
        )  # fmt: skip
        x, y = (met.point[i] + noise.gauss(0, SIGMA) for i in (0, 1))
        rows.append(f"{velocity},{angle},{azimuth},{x!r},{y!r}")
    shots = tmp_path / "space.csv"
    shots.write_text("\n".join(rows) + "\n")
    code, out, err = run(
        capsys, "calibrate", str(shots), "--sigma", str(SIGMA), "--fit", "drag,wind", "--json"
    )
    assert code == 0, err
    near_truth(json.loads(out), {"drag": drag, "wind_x": wind[0], "wind_y": wind[1]})
    code, out, err = run(
        capsys, "calibrate", str(shots), "--sigma", str(SIGMA), "--fit", "drag,wind"
    )
    assert code == 0 and "wind x " in out and re.search(r"--wind-x \S+ --wind-y \S+", out)


@pytest.mark.parametrize("where", ["url", "process"])
def test_refusals_are_one_line_naming_the_shots_line(
    where: str, server_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("velocity,angle,landed\n\n9,0.3,4.1\n5,0.5,30\n")  # 5 m/s reaches 2.1 m
    one = tmp_path / "one.csv"
    one.write_text("velocity,angle,landed\n9,0.6,6.0\n")
    url = ["--url", server_url] if where == "url" else []
    code, _, err = run(capsys, "calibrate", str(bad), "--sigma", "0.02", "--fit", "drag", *url)
    assert code == 1 and err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith(f"cannon: {bad} line 4 (shot 1): it landed 30 m away")
    code, _, err = run(capsys, "calibrate", str(one), "--sigma", "0.02", "--fit", "drag,wind", *url)
    assert code == 1 and err.startswith("cannon: not identifiable: ") and err.count("\n") == 1
    assert "drag" in err and "wind" in err
    empty = cannon("calibrate", "-", "--sigma", "0.02", "--fit", "drag", *url, stdin="velocity\n")
    assert empty.returncode == 1
    assert "cannot read the shots in standard input: the header names no angle" in empty.stderr


@pytest.mark.parametrize(
    "args, message",
    [
        (["aim", "5", "--velocity-sigma", "0.1"], "give --hit-radius (m) too"),
        (["aim", "5", "--best-odds"], "give --hit-radius (m) too"),
        (["aim", "--file", "t.csv", "--hit-radius", "0.1"], "for one target"),
        (["calibrate", "s.csv", "--sigma", "0.02", "--fit", "gravity"], "comma-separated list"),
        (["calibrate", "s.csv", "--fit", "drag"], "--sigma"),
        (["calibrate", "s.csv", "--sigma", "1", "--fit", "drag", "--timeout", "3"], "give --url"),
    ],
)
def test_usage_errors_exit_2(
    capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code, _, err = run(capsys, *args)
    assert code == 2 and message in err


def landed_in_air(velocity: float, angle: float, drag: float, wind: float = 0.0) -> float:
    return reference.landing(velocity, angle, 0, 0, wind, drag, GRAVITY).distance


def test_aim_with_the_odds_at_a_service_and_in_process_agree(
    server_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    odds = ["--hit-radius", "0.2", "--velocity-sigma", "0.05", "--angle-sigma", "0.3deg"]
    odds += ["--drag-sigma", "0.005", "--samples", "3000", "--seed", "5", "--best-odds"]
    ask = ["aim", "7", "--drag", "0.05", "--tolerance", "1e-4", *odds]
    served = cannon(*ask, "--url", server_url, "--json")
    assert served.returncode == 0, served.stderr
    shot = json.loads(served.stdout)
    assert abs(landed_in_air(shot["velocity"], shot["angle"], 0.05) - 7) <= 1e-4
    chance, best = shot["hit_probability"], shot["best_odds"]
    assert chance["samples"] == 3000 and chance["seed"] == 5
    assert chance["interval"][0] <= chance["monte_carlo"] <= chance["interval"][1]
    assert best["hit_probability"] >= best["exact_hit_probability"] == chance["monte_carlo"]
    assert abs(landed_in_air(best["velocity"], best["angle"], 0.05) - 7) < 0.2  # near it still
    code, out, err = run(capsys, *ask, "--json")  # in this process: the same odds, same seed
    assert code == 0, err
    local = json.loads(out)
    assert local["hit_probability"] == chance and local["dispersion"] == shot["dispersion"]
    human = cannon(*ask, "--url", server_url)
    lines = {line.split()[0]: line for line in human.stdout.splitlines()}
    assert human.returncode == 0 and lines["miss"].endswith(": hit")
    assert f"{100 * chance['monte_carlo']:.2f}% within 0.2 m" in lines["chance"]
    assert " m by " in lines["spread"] and " rad (" in lines["spread"]
    assert " rad (" in lines["best"] and " m/s" in lines["best"] and "%" in lines["its"]


def test_aim_in_3d_with_the_odds(server_url: str) -> None:
    args = ["aim", "--target", "5", "2", "0", "--hit-radius", "0.2", "--azimuth-sigma", "0.5deg"]
    answer = cannon(*args, "--samples", "1000", "--url", server_url, "--json")
    assert answer.returncode == 0, answer.stderr
    shot = json.loads(answer.stdout)
    met = reference_space.intercept(
        shot["velocity"], shot["angle"], shot["azimuth"], (5, 2, 0), gravity=GRAVITY
    )
    assert met.miss <= shot["tolerance"]
    spread = shot["dispersion"]
    assert spread["semi_minor"] >= 0 and spread["semi_major"] > 0
    # the azimuth's error spreads the landing across the line of fire: the long axis is
    # perpendicular to the bearing (mod pi)
    across = math.remainder(spread["orientation"] - shot["azimuth"] - math.pi / 2, math.pi)
    assert abs(across) < 0.05
    refused = cannon(*args, "--intercept", "any", "--url", server_url)
    assert refused.returncode == 1 and "descending" in refused.stderr


def test_the_docs_shots_are_the_references_within_their_noise() -> None:
    """The calibration example's CSV: each landing the reference's through the air the docs
    name (drag 0.05 1/m, 1 m/s headwind, 2% fast), within its centimetre of noise (3 sigma)."""
    docs = DOCS.read_text()
    printed = re.search(r"printf '(velocity,angle,landed\\n.*?)' > shots.csv", docs)
    assert printed is not None
    rows = printed.group(1).split("\\n")[1:]
    for row in filter(None, rows):
        velocity, angle, landed = map(float, row.split(","))
        truth = reference.landing(velocity * 1.02, angle, 0, 0, -1.0, 0.05, GRAVITY).distance
        assert abs(landed - truth) <= 0.03, row


def test_calibrate_help_and_url_import_nothing_heavy(server_url: str, tmp_path: Path) -> None:
    shots = shots_csv(tmp_path / "light.csv", 0.05, 0.0, 1.0, 1)
    for args in (
        ("calibrate", "--help"),
        ("calibrate", str(shots), "--sigma", "0.02", "--fit", "drag", "--url", server_url),
    ):
        code, heavy, _ = heavy_modules(tmp_path, *args)
        assert code == 0 and heavy == [], (args, heavy)
