"""`cannon aim --target`, `--targets` and `cannon verify --target` (issue 13): 3D aiming at
moving targets, as a user runs the command (a subprocess), in process and against a real
server (--url). Every shot a test accepts is flown again by the independent reference
(scipy's DOP853, app/physics/reference.py) at its target in its scene; every docs/cli.md
example in 3D runs and its shots are landed the same way."""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from app.cli import options
from app.physics import reference
from tests.conftest import GRAVITY, environment
from tests.test_cli import cannon, fields

DOCS = Path(__file__).resolve().parents[1] / "docs" / "cli.md"
MOVING = ["--target", "4", "2", "0.5", "--target-velocity", "0", "1.5", "0"]
LOW = ["--target", "4", "0", "2"]  # 2 m up: a flat 3 m/s shot never comes down there


def parsed(argv: list[str]) -> argparse.Namespace:
    """The command line as the command reads it: the scene a shot was asked in."""
    return options.parser().parse_args(argv)


def flown(shot: dict[str, Any], args: argparse.Namespace) -> reference.Intercept:
    """The shot flown by the reference at its target, in the scene of the command line: a
    number wind turned toward the target's bearing at firing, as the service takes it."""
    target = shot["target"]
    if args.wind_x is not None or args.wind_y is not None:
        wind = (args.wind_x or 0.0, args.wind_y or 0.0)
    else:
        along, across = args.wind or 0.0, math.hypot(target["x"], target["y"])
        wind = (along * target["x"] / across, along * target["y"] / across)
    fly = reference.closest if args.intercept == "any" else reference.intercept
    return fly(
        shot["velocity"],
        shot["angle"],
        shot["azimuth"],
        (target["x"], target["y"], target["z"]),
        tuple(args.target_velocity or (0.0, 0.0, 0.0)),
        tuple(args.target_acceleration or (0.0, 0.0, 0.0)),
        wind,
        args.drag or 0.0,
        args.launch_height or 0.0,
        GRAVITY,
    )


def landed(shot: dict[str, Any], args: argparse.Namespace, aimed: bool = True) -> None:
    """The reference agrees with the answer's miss (and, where the shot comes down through
    the target's height, with when and where), and with its verdict; an aimed shot hits."""
    true = flown(shot, args)
    assert abs(true.miss - shot["miss"]) <= 1e-6, (shot, true)
    assert shot["hit"] == (true.miss <= shot["tolerance"]), (shot, true)
    if args.intercept != "any":
        assert abs(true.time - shot["intercept_time"]) <= 1e-6, (shot, true)
        point = shot["intercept_point"]
        assert math.dist(true.point, (point["x"], point["y"], point["z"])) <= 1e-6, (shot, true)
    assert shot["hit"] or not aimed, shot


def answered(argv: list[str], code: int = 0, stdin: str | None = None) -> Any:
    """`cannon ARGV --json` in its own process: its exit code checked, its JSON answer."""
    result = cannon(*argv, "--json", stdin=stdin)
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr
    return json.loads(result.stdout)


def test_aim_at_a_moving_target_prints_every_number_with_its_unit() -> None:
    """In this process (the shipped models, no server): the answer for people."""
    argv = ["aim", *MOVING, "--wind-y", "-2", "--drag", "0.05", "--tolerance", "1e-6"]
    result = cannon(*argv)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    lines = fields(result.stdout)
    assert lines["target"] == "(4, 2, 0.5) m at firing"
    for name in ("angle", "azimuth"):
        radians, degrees = re.fullmatch(
            r"(\S+) rad \((\S+) degrees\)( elevation)?", lines[name]
        ).group(1, 2)  # type: ignore[union-attr]
        assert float(degrees) == pytest.approx(math.degrees(float(radians)), abs=1e-4)
    assert re.fullmatch(r"\S+ m/s", lines["velocity"])
    assert re.fullmatch(r"after \S+ s at \(\S+, \S+, \S+\) m", lines["intercept"])
    assert re.fullmatch(r"\S+ m", lines["apex"])
    assert re.fullmatch(r"\S+ m \(horizontal\): hit", lines["miss"])
    assert lines["tolerance"] == "1e-06 m (given)"
    shot = {  # printed to 6 decimals: flown again, within 1e-5 m of the target
        "target": {"x": 4.0, "y": 2.0, "z": 0.5},
        "angle": float(lines["angle"].split()[0]),
        "azimuth": float(lines["azimuth"].split()[0]),
        "velocity": float(lines["velocity"].split()[0]),
    }
    assert flown(shot, parsed(argv)).miss <= 1e-5


ACCELERATING = ["--target", "-3", "-2", "1", "--target-acceleration", "0.5", "-1", "0"]
ACCELERATING += ["--wind", "-2", "--drag", "0.1", "--launch-height", "1.5"]
SCENES = [
    pytest.param([*MOVING, "--wind-x", "1", "--wind-y", "-2", "--drag", "0.05"], id="moving"),
    pytest.param(
        ACCELERATING,
        id="accelerating, number wind, launched high",
    ),
    pytest.param(["--target", "-3", "4", "0", "--velocity", "9", "--arc", "high"], id="high arc"),
    pytest.param(["--target", "2", "-5", "0", "--angle", "35deg", "--drag", "0.02"], id="angle"),
    pytest.param(
        ["--target", "4", "1", "2", "--target-velocity", "0", "0", "-1", "--intercept", "any"],
        id="intercept any",
    ),
]


@pytest.mark.parametrize("scene", SCENES)
def test_aim_in_3d_lands_by_the_reference(server_url: str, scene: list[str]) -> None:
    argv = ["aim", *scene, "--tolerance", "1e-6", "--url", server_url]
    shot = answered(argv)
    assert shot["tolerance"] == 1e-6 and shot["azimuth_degrees"] == math.degrees(shot["azimuth"])
    landed(shot, parsed(argv))
    args = parsed(argv)
    if args.velocity is not None:
        assert shot["velocity"] == args.velocity
    if args.angle is not None:
        assert shot["angle"] == pytest.approx(args.angle, abs=1e-15)


def test_no_refine_is_the_networks_proposal_verified(server_url: str) -> None:
    argv = ["aim", *MOVING, "--drag", "0.05", "--no-refine", "--url", server_url]
    result = cannon(*argv, "--json")
    shot = json.loads(result.stdout)
    assert shot["refined"] is False and shot["iterations"] == 0
    assert result.returncode == (0 if shot["hit"] else 1)
    landed(shot, parsed(argv), aimed=False)  # the proposal's miss, as the reference has it


def test_in_process_and_url_answer_alike(server_url: str) -> None:
    """Without --url the models in this process answer, through the server's own replies:
    the same JSON as the service's, and the same refusals."""
    for argv in (
        ["aim", *MOVING, "--drag", "0.1", "--wind", "2"],
        ["verify", "--angle", "0.7", "--velocity", "9", "--azimuth", "0.45", *MOVING],
    ):
        local, remote = cannon(*argv, "--json"), cannon(*argv, "--json", "--url", server_url)
        assert (local.returncode, local.stdout) == (remote.returncode, remote.stdout)
        assert local.stdout, local.stderr
    shot = json.loads(local.stdout)  # the verify: 0.7 rad at 9 m/s misses
    assert local.returncode == 1 and not shot["hit"]
    landed(shot, parsed(argv), aimed=False)
    far = ["aim", "--target", "40", "0", "0"]
    local, remote = cannon(*far), cannon(*far, "--url", server_url)
    assert local.returncode == remote.returncode == 1
    assert "out of reach" in local.stderr and "max" not in local.stdout
    assert remote.stderr.startswith(local.stderr.rstrip()) and "(HTTP 422)" in remote.stderr


def test_verify_in_3d_exits_0_on_a_hit_and_1_on_a_miss(server_url: str) -> None:
    aim = ["aim", *MOVING, "--wind-y", "-2", "--drag", "0.05", "--tolerance", "1e-6"]
    shot = answered([*aim, "--url", server_url])
    given = ["--angle", repr(shot["angle"]), "--velocity", repr(shot["velocity"])]
    given += ["--azimuth", repr(shot["azimuth"])]
    verify = ["verify", *given, *aim[1:], "--url", server_url]
    check = answered(verify)  # the same shot, flown again by the service's DOP853
    landed(check, parsed(verify), aimed=False)
    assert check["hit"] and check["miss"] == pytest.approx(shot["miss"], abs=1e-9)
    degrees = [*given[:4], "--azimuth", f"{math.degrees(shot['azimuth'])}deg"]
    again = answered(["verify", *degrees, *aim[1:], "--url", server_url])
    assert again.keys() == check.keys()
    for key, value in check.items():  # the same but for the last bit of the azimuth
        if isinstance(value, dict | float):
            assert again[key] == pytest.approx(value, rel=1e-12, abs=1e-12), key
        else:
            assert again[key] == value, key
    turned = [*given[:5], repr(shot["azimuth"] + 0.01)]  # 0.01 rad off: about 4.5 cm at 4.5 m
    missed = ["verify", *turned, *aim[1:-2], "--tolerance", "0.01", "--url", server_url]
    check = answered(missed, code=1)
    landed(check, parsed(missed), aimed=False)
    assert not check["hit"] and check["miss"] > 0.01
    result = cannon(*missed)  # for people: the miss says so, and the exit code
    assert result.returncode == 1 and re.search(
        r"^miss +\S+ m \(horizontal\): MISS$", result.stdout, re.M
    )


def check_rows(rows: list[dict[str, str]], args: argparse.Namespace) -> None:
    """A batch's CSV rows: each reachable one landed by the reference (the CSV keeps every
    digit), each unreachable one with its reach and reason."""
    for row in rows:
        if row["reachable"] == "false":
            assert float(row["max_range_m"]) > 0 and "out of reach" in row["detail"]
            continue
        shot: dict[str, Any] = {
            "target": {axis: float(row[f"{axis}_m"]) for axis in "xyz"},
            "intercept_point": {axis: float(row[f"intercept_{axis}_m"]) for axis in "xyz"},
            "hit": row["hit"] == "true",
            **{
                name: float(row[column])
                for name, column in (
                    ("angle", "angle_rad"),
                    ("azimuth", "azimuth_rad"),
                    ("velocity", "velocity_m_per_s"),
                    ("intercept_time", "intercept_time_s"),
                    ("miss", "miss_m"),
                    ("tolerance", "tolerance_m"),
                )
            },
        }
        assert float(row["azimuth_deg"]) == pytest.approx(math.degrees(shot["azimuth"]))
        landed(shot, args)


def test_a_csv_batch_in_3d(server_url: str, tmp_path: Path) -> None:
    (tmp_path / "t.csv").write_text("name,x_m,y_m,z_m\nnear,1,1,0\n\nmid,-2,3,1\nfar,40,0,0\n")
    argv = ["aim", "--targets", str(tmp_path / "t.csv"), "--target-velocity", "0.5", "0", "0"]
    argv += ["--drag", "0.1", "--wind", "1"]  # along each target's own line of fire
    argv += ["--out", str(tmp_path / "a.csv"), "--url", server_url]
    result = cannon(*argv)
    assert result.returncode == 1, result.stderr  # 40 m is out of reach
    assert result.stdout == "" and "3 targets: 2 hit, 0 missed, 1 unreachable" in result.stderr
    assert "tolerance 0.0141 m (the default: 1% of the nearest target's distance)" in result.stderr
    rows = list(csv.DictReader(io.StringIO((tmp_path / "a.csv").read_text())))
    assert [(r["x_m"], r["y_m"], r["z_m"]) for r in rows] == [
        ("1.0", "1.0", "0.0"), ("-2.0", "3.0", "1.0"), ("40.0", "0.0", "0.0")
    ]  # fmt: skip
    assert [r["reachable"] for r in rows] == ["true", "true", "false"]
    check_rows(rows, parsed(argv))
    here = [*argv[:-4], "--out", str(tmp_path / "b.csv")]  # in this process: the same rows
    assert cannon(*here).returncode == 1
    assert (tmp_path / "b.csv").read_text() == (tmp_path / "a.csv").read_text()


def test_a_json_batch_in_3d_from_standard_input(server_url: str) -> None:
    targets = {"targets": [{"x": 3, "y": -1}, {"x": 0.5, "y": 2, "z": 0.8}, [-1, -1, 0.2]]}
    argv = ["aim", "--targets", "-", "--target-acceleration", "-0.5", "0", "0"]
    argv += ["--wind-x", "1.5", "--tolerance", "1e-6", "--url", server_url]
    answer = answered(argv, stdin=json.dumps(targets))
    assert [item["target"] for item in answer["solutions"]] == [
        {"x": 3.0, "y": -1.0, "z": 0.0}, {"x": 0.5, "y": 2.0, "z": 0.8},
        {"x": -1.0, "y": -1.0, "z": 0.2},
    ]  # fmt: skip
    for shot in answer["solutions"]:
        assert shot["reachable"] is True
        landed(shot, parsed(argv))


def test_a_big_batch_goes_in_chunks_with_its_progress(server_url: str, tmp_path: Path) -> None:
    """2,500 targets: three requests of at most 1,000, the bar on standard error, the rows in
    order on standard output."""
    points = [(1 + (i % 50) / 10, -2 + (i // 50) / 12.5, 0.0) for i in range(2_500)]
    (tmp_path / "t.csv").write_text("x,y,z\n" + "".join(f"{x},{y},{z}\n" for x, y, z in points))
    argv = ["aim", "--targets", str(tmp_path / "t.csv"), "--progress", "--url", server_url]
    result = cannon(*argv)
    assert result.returncode == 0, result.stderr[-500:]
    assert "aiming" in result.stderr and "2500/2500" in result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(float(r["x_m"]), float(r["y_m"])) for r in rows] == [(x, y) for x, y, _ in points]
    check_rows(rows[::250], parsed(argv))  # every 250th flown again: 10 shots


@pytest.mark.parametrize(
    "text, message",
    [
        ("x,y,z\n1,2,0\n\n3,abc,0\n", "line 4: not a target x, y, z in metres"),
        ("x,y,z\n1,2,0\n3,4,nan\n", "line 3: not a finite target"),
        ("distance\n1\n", "needs a header naming columns x and y"),
        ("x,y\n", "only its header"),
        ('{"targets": [{"x": 1, "y": 2}, {"x": 1}]}', "target 2: not [x, y, z]"),
        ("[[1, 2, 0], [1, true, 0]]", "target 2: not [x, y, z]"),
        ('{"targets": [{"x": 1, "y": 2, "w": 3}]}', "target 1: not [x, y, z]"),
        ("[]", "no targets in the file"),
        ("[1, 2", "not JSON"),
    ],
)
def test_a_bad_targets_file_names_its_line(text: str, message: str) -> None:
    result = cannon("aim", "--targets", "-", stdin=text)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith("cannon: cannot read the targets in standard input: ")
    assert message in result.stderr, result.stderr


@pytest.mark.parametrize(
    "argv, code, message",
    [
        (["aim", "4", *MOVING], 2, "not a distance and --target together"),
        (["aim", "--file", "t.csv", "--targets", "u.csv"], 2, "not --file and --targets"),
        (["aim", *MOVING, "--target-height", "1"], 2, "with --target the target's z"),
        (["aim", *MOVING, "--wind", "1", "--wind-y", "2"], 2, "not both"),
        (["aim", "4", "--wind-x", "1"], 2, "--wind-x: a 3D option; give --target"),
        (["aim", "4", "--target-velocity", "1", "0", "0", "--intercept", "any"], 2, "3D options"),
        (["aim", "--target", "4", "2"], 2, "expected 3 arguments"),
        (["aim", *MOVING, "--out", "a.csv"], 2, "give --file or --targets"),
        (["aim", *MOVING, "--arc", "high"], 2, "give --velocity (m/s) too"),
        (["aim", *MOVING, "--intercept", "sideways"], 2, "invalid choice"),
        (["verify", "--angle", "0.7", "--velocity", "9", *MOVING], 2, "go together"),
        (["verify", "--angle", "0.7", "--velocity", "9", "--azimuth", "1"], 2, "go together"),
        (
            ["verify", "--angle", "0.7", "--velocity", "9", "--azimuth", "1", "--distance", "4"],
            2,
            "go together",
        ),
        (
            [
                "verify",
                "--angle",
                "0.7",
                "--velocity",
                "9",
                "--azimuth",
                "1",
                *MOVING,
                "--distance",
                "4",
            ],
            2,
            "either --distance",
        ),
        (["verify", "--angle", "0.7", "--velocity", "9", "--wind-y", "1"], 2, "and --azimuth"),
        (["aim", "--target", "4", "2", "0", "--target-velocity", "5", "0", "0"], 1, "at most 3"),
        (["aim", "--target", "0", "0", "1"], 1, "no bearing"),
        (["aim", "--target", "4", "2", "9"], 1, "outside the model's envelope"),
        (["aim", "--target", "4", "nan", "0"], 1, "finite"),
        (["aim", "--target", "40", "0", "0"], 1, "out of reach"),
        (["aim", "--targets", "no-such-file.csv"], 1, "cannot read the targets"),
        (
            ["verify", "--angle", "0.1", "--velocity", "3", "--azimuth", "0", *LOW],
            1,
            "never comes down at the target's height",
        ),
        (
            ["verify", "--angle", "3", "--velocity", "9", "--azimuth", "0", *MOVING],
            1,
            "cannon fires",
        ),
    ],
)
def test_mistakes_in_3d_get_a_message_and_an_exit_code(
    server_url: str, argv: list[str], code: int, message: str
) -> None:
    result = cannon(*argv, "--url", server_url)
    assert result.returncode == code, (result.returncode, result.stderr)
    assert result.stderr.startswith(("cannon: ", "usage: ")) and "Traceback" not in result.stderr
    assert message in result.stderr, result.stderr


def test_help_names_the_3d_options_with_their_units() -> None:
    aim, verify = (" ".join(cannon(c, "--help").stdout.split()) for c in ("aim", "verify"))
    for flag, unit in (
        ("--target X Y Z", "metres"),
        ("--target-velocity VX VY VZ", "m/s"),
        ("--target-acceleration AX AY AZ", "m/s^2"),
        ("--wind-x M/S", "m/s"),
        ("--wind-y M/S", "m/s"),
        ("--intercept {descending,any}", "3D distance"),
    ):
        assert flag in aim and flag in verify and unit in aim
    assert "--targets FILE" in aim and "--azimuth ANGLE" in verify


# docs/cli.md's 3D examples: each `cannon` call runs as written, then again with --json (and
# without --out), recorded; every shot recorded is flown again by the reference.
RECORDING = """\
cannon() {
  local given=0 input kept=() skip=0 record
  input=$(mktemp "$RECORD/in.XXXXXX"); cat > "$input"
  "$PYTHON" -m app.cli.main "$@" < "$input" || given=$?
  for word in "$@"; do
    if ((skip)); then skip=0; continue; fi
    if [[ $word == --out ]]; then skip=1; continue; fi
    kept+=("$word")
  done
  record=$(mktemp "$RECORD/call.XXXXXX")
  printf '%s\\n' "$@" > "$record.args"
  "$PYTHON" -m app.cli.main "${kept[@]}" --json < "$input" > "$record.json" || true
  return $given
}
"""


def space_blocks() -> list[str]:
    blocks = re.findall(r"```bash\n(.*?)```", DOCS.read_text(), re.S)
    return [block for block in blocks if "--target" in block]


def test_the_docs_show_3d_examples() -> None:
    blocks = "".join(space_blocks())
    for flag in ("--target ", "--targets", "--target-velocity", "--target-acceleration"):
        assert flag in blocks
    for flag in ("--wind-x", "--wind-y", "--intercept any", "--azimuth", "verify", "--url"):
        assert flag in blocks


@pytest.mark.parametrize("block", space_blocks())
def test_every_3d_example_in_the_docs_runs_and_lands(
    server_url: str, tmp_path: Path, block: str
) -> None:
    record = tmp_path / "record"
    record.mkdir()
    script = block.replace("http://127.0.0.1:8000", server_url)
    result = subprocess.run(
        ["bash", "-c", f"set -euo pipefail\n{RECORDING}{script}"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
        env=environment({"PYTHON": sys.executable, "RECORD": str(record)}),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout and "Traceback" not in result.stderr
    calls = sorted(record.glob("call.*.args"))
    assert calls, "no cannon call in the block"
    shots = 0
    for call in calls:
        argv = call.read_text().splitlines()
        args = parsed(argv)
        answer = json.loads(call.with_suffix(".json").read_text())
        for shot in answer.get("solutions", [answer]):
            if shot.get("reachable") is False:
                assert shot["max_range"] > 0 and "out of reach" in shot["detail"]
                continue
            landed(shot, args, aimed=argv[0] == "aim")
            shots += 1
    assert shots
