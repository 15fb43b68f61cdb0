"""The `cannon` command: aim and verify in process and against a served process (--url),
batch files in and out, train, bench; clear messages and exit codes, never a traceback."""

from __future__ import annotations

import csv
import io
import json
import math
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from app.cli.main import main
from app.config import Settings
from app.model.store import load_model
from app.physics import reference
from app.physics.vacuum import Cannon
from tests.conftest import CANNON, GRAVITY, closed_form_landing, environment, serving


def cannon(
    *args: str, stdin: str | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`cannon ARGS` in its own process, as a user runs it."""
    return subprocess.run(
        [*CANNON, *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        env=environment(env),
    )


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """`cannon ARGS` in this process: exit code, stdout, stderr."""
    try:
        main(list(args))
        code = 0
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else 1
        if isinstance(stop.code, str):
            print(stop.code, file=sys.stderr)  # what Python prints for sys.exit("...")
    out, err = capsys.readouterr()
    return code, out, err


def test_aim_prints_a_verified_answer_with_units() -> None:
    result = cannon("aim", "6.5", "--tolerance", "1e-6")
    assert result.returncode == 0, result.stderr
    for unit in (" m\n", " rad (", " m/s\n", "hit"):
        assert unit in result.stdout
    lines = dict(line.split(maxsplit=1) for line in result.stdout.splitlines())
    angle, velocity = float(lines["angle"].split()[0]), float(lines["velocity"].split()[0])
    assert abs(closed_form_landing(velocity, angle) - 6.5) <= 2e-6  # printed to 6 decimals


def test_aim_json_is_the_services_answer(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "aim", "6.5", "--tolerance", "1e-6", "--json")
    answer = json.loads(out)
    assert code == 0 and answer["hit"] is True and answer["tolerance"] == 1e-6
    assert abs(closed_form_landing(answer["velocity"], answer["angle"]) - 6.5) <= 1e-6
    code, out, _ = run(capsys, "aim", "0.2", "--no-refine", "--json")
    assert code == 0 and json.loads(out)["refined"] is False


@pytest.mark.parametrize(
    "args, code, message",
    [
        (["aim", "20"], 1, "out of reach"),
        (["aim", "5", "--tolerance", "-1"], 1, "greater than or equal to"),
        (["aim", "nan"], 1, "finite number"),
        (["aim", "--", "-3"], 1, "greater than 0"),
        (["aim", "five"], 2, "invalid float value"),
        (["aim"], 2, "either a distance or --file"),
        (["aim", "5", "--file", "t.csv"], 2, "either a distance or --file"),
        (["verify", "--angle", "3", "--velocity", "9", "--distance", "7.5"], 1, "cannon fires"),
        (["verify", "--angle", "0.6"], 2, "required"),
        (["aim", "--file", "no-such-file.csv"], 1, "cannot read the targets"),
        (["bench", "nonsense"], 2, "invalid choice"),
    ],
)
def test_mistakes_get_a_message_and_an_exit_code(
    capsys: pytest.CaptureFixture[str], args: list[str], code: int, message: str
) -> None:
    exit_code, _, err = run(capsys, *args)  # an exception escaping main() fails the test
    assert exit_code == code and message in err


@pytest.mark.parametrize(
    "args",
    [
        ["aim", "20"],
        ["aim", "five"],
        ["verify", "--angle", "3", "--velocity", "9", "--distance", "1"],
    ],
)
def test_a_users_mistake_never_prints_a_traceback(args: list[str]) -> None:
    result = cannon(*args)
    assert result.returncode in (1, 2) and result.stderr.startswith(("cannon: ", "usage: "))
    assert "Traceback" not in result.stderr


def test_aim_reads_the_default_tolerance_from_settings() -> None:
    result = cannon("aim", "3.3", "--json", env={"CANNON_DEFAULT_TOLERANCE": "1e-6"})
    assert json.loads(result.stdout)["tolerance"] == 1e-6


def check_rows(rows: list[dict[str, str]], targets: list[float], tolerance: float) -> None:
    assert [float(row["distance_m"]) for row in rows] == targets
    for row in rows:
        if row["reachable"] == "false":
            assert float(row["max_range_m"]) > 10 and "out of reach" in row["detail"]
            continue
        landing = closed_form_landing(float(row["velocity_m_per_s"]), float(row["angle_rad"]))
        assert row["hit"] == "true" and abs(landing - float(row["distance_m"])) <= tolerance


def test_aim_a_csv_file_gives_csv_with_units(tmp_path: Path) -> None:
    targets = tmp_path / "targets.csv"
    targets.write_text("name,distance\nnear,0.5\nfar,20\nmid,7.25\n")
    result = cannon("aim", "--file", str(targets), "--tolerance", "1e-6")
    assert result.returncode == 0, result.stderr
    check_rows(list(csv.DictReader(io.StringIO(result.stdout))), [0.5, 20.0, 7.25], 1e-6)
    assert "3 targets: 2 hit, 0 missed, 1 unreachable" in result.stderr


def test_aim_a_json_file_or_stdin_gives_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "t.json").write_text(json.dumps({"distances": [1.5, 3.0]}))
    out_file = tmp_path / "answers.json"
    code, out, err = run(capsys, "aim", "--file", str(tmp_path / "t.json"), "--out", str(out_file))
    solutions = json.loads(out_file.read_text())["solutions"]
    assert code == 0 and out == "" and "2 targets: 2 hit" in err
    assert [s["distance"] for s in solutions] == [1.5, 3.0] and all(s["hit"] for s in solutions)
    result = cannon("aim", "--file", "-", stdin="2.0\n4.0\n")  # one number per line: CSV
    check_rows(list(csv.DictReader(io.StringIO(result.stdout))), [2.0, 4.0], 0.05)


@pytest.mark.parametrize(
    "text, message",
    [("1\nx\n", "line 2"), ("a,b\n1,2\n", "'distance' column"), ('{"d": [1]}', "list of numbers")],
)
def test_unreadable_target_files_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, message: str
) -> None:
    path = tmp_path / ("t.json" if text.startswith("{") else "t.csv")
    path.write_text(text)
    code, _, err = run(capsys, "aim", "--file", str(path))
    assert code == 1 and message in err


def test_verify_agrees_with_the_closed_form(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "verify", "--angle", "0.6", "--velocity", "9", "--distance", "7.5")
    assert code == 0 and "MISS" in out and "m/s" in out and " s\n" in out
    code, out, _ = run(
        capsys, "verify", "--angle", "0.6", "--velocity", "9", "--distance", "7.5", "--json"
    )
    check = json.loads(out)
    assert check["landing_distance"] == pytest.approx(closed_form_landing(9, 0.6), rel=1e-12)
    assert check["hit"] is False and check["miss"] == pytest.approx(
        abs(check["landing_distance"] - 7.5)
    )


def test_url_asks_a_served_process_and_gets_the_same_answers(
    served: tuple[subprocess.Popen[str], str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, url = served
    for args in (
        ["aim", "7.5", "--tolerance", "1e-6", "--json"],
        ["verify", "--angle", "0.6", "--velocity", "9", "--distance", "7.5", "--json"],
    ):
        local, remote = run(capsys, *args), run(capsys, *args, "--url", url)
        assert remote[0] == 0 and json.loads(remote[1]) == json.loads(local[1])
    (tmp_path / "t.csv").write_text("distance\n1\n30\n")
    code, out, _ = run(capsys, "aim", "--file", str(tmp_path / "t.csv"), "--url", url)
    check_rows(list(csv.DictReader(io.StringIO(out))), [1.0, 30.0], 0.05)
    code, _, err = run(capsys, "aim", "30", "--url", url)
    assert code == 1 and "out of reach" in err and "HTTP 422" in err


def test_url_takes_an_api_key_and_says_when_it_is_wrong(capsys: pytest.CaptureFixture[str]) -> None:
    with serving(Settings(api_key="s3cret")) as url:
        code, _, err = run(capsys, "aim", "2", "--url", url)
        assert code == 1 and "HTTP 401" in err
        code, out, _ = run(capsys, "aim", "2", "--url", url, "--api-key", "s3cret", "--json")
        assert code == 0 and json.loads(out)["hit"] is True


def test_url_without_a_service_is_a_clear_error() -> None:
    result = cannon("aim", "2", "--url", "http://127.0.0.1:9")
    assert result.returncode == 1 and "failed" in result.stderr and "Traceback" not in result.stderr


def test_train_shows_progress_and_the_validation_figures(tmp_path: Path) -> None:
    weights = tmp_path / "tiny.safetensors"
    result = cannon("train", "--steps", "30", "--out", str(weights))
    assert result.returncode == 0, result.stderr
    assert "training" in result.stderr and "30/30" in result.stderr  # the progress bar
    assert "validation on" in result.stdout and "median miss" in result.stdout
    assert weights.exists() and (tmp_path / "tiny.json").exists()


def test_train_air_trains_validates_and_saves_a_model_the_service_can_load(
    tmp_path: Path,
) -> None:
    weights = tmp_path / "air.safetensors"
    result = cannon("train", "--air", "--steps", "20", "--out", str(weights))
    assert result.returncode == 0, result.stderr
    assert "training air" in result.stderr and "20/20" in result.stderr  # the progress bar
    assert "targets through air, network alone" in result.stdout
    assert "median miss" in result.stdout and "Traceback" not in result.stderr
    network, card = load_model(weights, Cannon(), "air")  # sha256, cannon and envelope checked
    assert card["training"]["steps"] == 20 and card["validation"]["targets"] == 2000
    four = [torch.tensor([value], dtype=torch.float64) for value in (2.0, 0.0, -1.0, 0.1)]
    with torch.no_grad():  # a target 2 m off in a headwind: a shot it can fire
        angle, velocity = network(*four)
    assert 0 < float(angle) < math.pi / 2 and 0 < float(velocity) <= Cannon().max_velocity


def test_bench_runs_a_benchmark(tmp_path: Path) -> None:
    figures = tmp_path / "approaches.json"
    result = cannon("bench", "approaches", "--quick", "--json", str(figures))
    assert result.returncode == 0, result.stderr
    assert "|" in result.stdout and json.loads(figures.read_text())


def test_aim_and_verify_through_air(capsys: pytest.CaptureFixture[str]) -> None:
    air = ["--drag", "0.1", "--wind", "-2", "--launch-height", "1.5"]
    code, out, _ = run(capsys, "aim", "4", "--velocity", "9", "--arc", "high", "--json", *air)
    shot = json.loads(out)
    assert code == 0 and shot["hit"] and shot["velocity"] == 9.0
    truth = reference.landing(shot["velocity"], shot["angle"], 1.5, 0.0, -2.0, 0.1, GRAVITY)
    assert abs(truth.distance - 4.0) <= shot["tolerance"]
    angle, velocity = str(shot["angle"]), str(shot["velocity"])
    code, out, _ = run(
        capsys,
        "verify",
        "--angle",
        angle,
        "--velocity",
        velocity,
        "--distance",
        "4",
        "--json",
        *air,
    )
    verified = json.loads(out)["landing_distance"]  # our DOP853 against scipy's, both at 1e-12
    assert code == 0 and verified == pytest.approx(truth.distance, abs=1e-10)
    code, _, err = run(capsys, "aim", "4", "--drag", "0.5")
    assert code == 1 and "less than or equal to 0.2" in err
