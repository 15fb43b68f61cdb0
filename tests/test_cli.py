"""The `cannon` command: aim and verify in process and against a real server (--url), batch
files in and out with progress, degrees, the default tolerance, serve, train, bench; clear
messages and the documented exit codes, never a traceback; --help, --version and --url load
nothing heavy; every example in docs/cli.md runs."""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli import options
from app.cli.main import main
from app.config import Settings
from app.physics import reference
from tests.conftest import CANNON, GRAVITY, closed_form_landing, environment, serving

DOCS = Path(__file__).resolve().parents[1] / "docs" / "cli.md"
HEAVY = ("torch", "numpy", "scipy", "numba", "fastapi", "uvicorn")


def cannon(
    *args: str, stdin: str | None = None, env: dict[str, str] | None = None, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """`cannon ARGS` in its own process, as a user runs it."""
    return subprocess.run(
        [*CANNON, *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
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


def fields(text: str) -> dict[str, str]:
    """A human answer's lines as {label: rest}."""
    return dict(line.split(maxsplit=1) for line in text.splitlines())


def test_aim_prints_a_verified_answer_with_units() -> None:
    result = cannon("aim", "6.5", "--tolerance", "1e-6")
    assert result.returncode == 0, result.stderr
    for unit in (" m\n", " rad (", " degrees)", " m/s\n", " s\n", "hit"):
        assert unit in result.stdout
    lines = fields(result.stdout)
    angle, velocity = float(lines["angle"].split()[0]), float(lines["velocity"].split()[0])
    degrees = float(lines["angle"].split("(")[1].split()[0])
    assert abs(closed_form_landing(velocity, angle) - 6.5) <= 2e-6  # printed to 6 decimals
    assert degrees == pytest.approx(math.degrees(angle), abs=1e-4)
    assert lines["tolerance"] == "1e-06 m (given)"


def test_aim_json_is_the_services_answer(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "aim", "6.5", "--tolerance", "1e-6", "--json")
    answer = json.loads(out)
    assert code == 0 and answer["hit"] is True and answer["tolerance"] == 1e-6
    assert abs(closed_form_landing(answer["velocity"], answer["angle"]) - 6.5) <= 1e-6
    code, out, _ = run(capsys, "aim", "0.2", "--no-refine", "--tolerance", "0.05", "--json")
    assert code == 0 and json.loads(out)["refined"] is False


@pytest.mark.parametrize(
    "distance, tolerance, why",
    [
        ("0.01", 1e-4, "1% of the distance"),  # 5 cm would call 1.95 cm a hit on 1 cm
        ("3", 0.03, "1% of the distance"),
        ("8", 0.05, "the default"),  # 1% is 8 cm: the service's 5 cm is smaller
        ("5e-5", 1e-6, "but at least 1e-6 m"),
    ],
)
def test_the_default_tolerance_fits_the_distance(
    capsys: pytest.CaptureFixture[str], distance: str, tolerance: float, why: str
) -> None:
    code, out, _ = run(capsys, "aim", distance, "--json")
    shot = json.loads(out)
    assert code == 0 and shot["tolerance"] == pytest.approx(tolerance, rel=1e-12)
    landing = closed_form_landing(shot["velocity"], shot["angle"])
    assert abs(landing - float(distance)) <= tolerance
    code, out, _ = run(capsys, "aim", distance)
    assert code == 0 and why in fields(out)["tolerance"] and " m (" in fields(out)["tolerance"]


def test_aim_reads_the_default_tolerance_from_settings() -> None:
    result = cannon("aim", "3.3", "--json", env={"CANNON_DEFAULT_TOLERANCE": "1e-6"})
    assert json.loads(result.stdout)["tolerance"] == 1e-6
    assert options.TOLERANCE_HELP.count("0.05 m") == 1
    assert Settings.model_fields["default_tolerance"].default == 0.05  # what --help says


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
        (["aim", "5", "--arc", "high"], 2, "give --velocity (m/s) too"),
        (["aim", "5", "--out", "x.csv"], 2, "are for a batch"),
        (["aim", "5", "--angle", "45 degs"], 2, "not a number"),
        (["aim", "5", "--velocity", "9", "--angle", "0.7"], 1, "not both"),
        (["verify", "--angle", "3", "--velocity", "9", "--distance", "7.5"], 1, "cannon fires"),
        (["verify", "--angle", "0.6"], 2, "required"),
        (["verify", "--angle", "0.6", "--velocity", "9", "--tolerance", "1"], 2, "--distance"),
        (["aim", "5", "--timeout", "3"], 2, "give --url too"),
        (["aim", "--file", "no-such-file.csv"], 1, "cannot read the targets"),
        (["aim", "4", "--drag", "0.5"], 1, "less than or equal to 0.2"),
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
        ["aim", "--file", "-", "--out", "/no/such/dir/answers.csv"],
    ],
)
def test_a_users_mistake_never_prints_a_traceback(args: list[str]) -> None:
    result = cannon(*args, stdin="1\n")
    assert result.returncode in (1, 2) and result.stderr.startswith(("cannon: ", "usage: "))
    assert "Traceback" not in result.stderr


def check_rows(rows: list[dict[str, str]], targets: list[float], tolerance: float) -> None:
    assert [float(row["distance_m"]) for row in rows] == targets
    for row in rows:
        if row["reachable"] == "false":
            assert float(row["max_range_m"]) > 10 and "out of reach" in row["detail"]
            continue
        landing = closed_form_landing(float(row["velocity_m_per_s"]), float(row["angle_rad"]))
        assert row["hit"] == "true" and abs(landing - float(row["distance_m"])) <= tolerance
        assert float(row["tolerance_m"]) == pytest.approx(tolerance)


def test_aim_a_csv_file_gives_csv_with_units(tmp_path: Path) -> None:
    targets = tmp_path / "targets.csv"
    targets.write_text("name,distance\nnear,0.5\nfar,20\nmid,7.25\n")
    result = cannon("aim", "--file", str(targets))
    assert result.returncode == 1, result.stderr  # a target out of reach: no clean sweep
    check_rows(list(csv.DictReader(io.StringIO(result.stdout))), [0.5, 20.0, 7.25], 0.005)
    assert "3 targets: 2 hit, 0 missed, 1 unreachable" in result.stderr
    assert "tolerance 0.005 m (the default: 1% of the nearest target's distance)" in result.stderr


def test_aim_a_json_file_or_stdin_gives_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "t.json").write_text(json.dumps({"distances": [1.5, 3.0]}))
    out_file = tmp_path / "answers.json"
    code, out, err = run(capsys, "aim", "--file", str(tmp_path / "t.json"), "--out", str(out_file))
    solutions = json.loads(out_file.read_text())["solutions"]
    assert code == 0 and out == "" and "2 targets: 2 hit" in err
    assert [s["distance"] for s in solutions] == [1.5, 3.0] and all(s["hit"] for s in solutions)
    result = cannon("aim", "--file", "-", stdin="2.0\n4.0\n")  # one number a line: CSV
    assert result.returncode == 0, result.stderr
    check_rows(list(csv.DictReader(io.StringIO(result.stdout))), [2.0, 4.0], 0.02)


@pytest.mark.parametrize(
    "text, message",
    [
        ("1\nx\n", "line 2: not a distance"),
        ("distance\n\n1.5\n\n\n2,5\nfar\n", "line 7: not a distance"),  # blank lines count
        ('distance,note\n1,"two\nlines"\nx,y\n', "line 4: not a distance"),
        ("a,b\n1,2\n", "'distance' column"),
        ("distance_m\n", "only its header"),
        ('{"d": [1]}', "list of numbers"),
        ("[]", "no targets"),
    ],
)
def test_unreadable_target_files_are_refused_at_their_real_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, message: str
) -> None:
    path = tmp_path / ("t.json" if text.startswith(("{", "[")) else "t.csv")
    path.write_text(text)
    code, _, err = run(capsys, "aim", "--file", str(path))
    assert code == 1 and f"cannot read the targets in {path}: " in err and message in err


def test_an_unwritable_out_says_it_cannot_write_and_names_the_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "t.csv").write_text("1\n2\n")
    for out, why in ((tmp_path / "no" / "a.csv", "no directory"), (tmp_path, "a directory")):
        code, stdout, err = run(capsys, "aim", "--file", str(tmp_path / "t.csv"), "--out", str(out))
        assert code == 1 and stdout == "" and "read" not in err
        assert f"cannon: cannot write the answers to {out}: " in err and why in err


def test_progress_asked_for_shows_on_stderr_only(tmp_path: Path) -> None:
    targets = [0.5 + 9 * i / 5_000 for i in range(5_000)]  # 5 chunks
    (tmp_path / "t.csv").write_text("\n".join(map(repr, targets)))
    shown = cannon("aim", "--file", str(tmp_path / "t.csv"), "--progress", "--tolerance", "0.01")
    assert shown.returncode == 0, shown.stderr[-500:]
    assert "aiming" in shown.stderr and "5000/5000" in shown.stderr
    rows = list(csv.DictReader(io.StringIO(shown.stdout)))  # stdout: the answers, no bar
    assert len(rows) == 5_000 and all(row["hit"] == "true" for row in rows)
    quiet = cannon("aim", "--file", str(tmp_path / "t.csv"), "--tolerance", "0.01")
    assert quiet.stdout == shown.stdout and "aiming" not in quiet.stderr  # not a terminal


def on_a_terminal(*args: str) -> tuple[int, str]:
    """`cannon ARGS` with its standard error on a pseudo-terminal: exit code, what it showed."""
    import fcntl
    import pty
    import struct
    import termios
    import threading

    controller, terminal = pty.openpty()
    size = struct.pack("HHHH", 24, 100, 0, 0)  # rows, columns: a new pty has 0 columns
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, size)
    shown: list[bytes] = []

    def read() -> None:  # drained as it comes, so the bar never blocks on a full terminal
        while True:
            try:
                chunk = os.read(controller, 4096)
            except OSError:  # the terminal's side closed
                return
            if not chunk:
                return
            shown.append(chunk)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    result = subprocess.run(
        [*CANNON, *args], stdout=subprocess.DEVNULL, stderr=terminal, env=environment()
    )
    os.close(terminal)
    reader.join(timeout=10)
    os.close(controller)
    return result.returncode, b"".join(shown).decode(errors="replace")


def test_progress_shows_on_a_terminal_once_a_batch_takes_a_second(
    server_url: str, tmp_path: Path
) -> None:
    targets = tmp_path / "t.csv"
    targets.write_text("\n".join(str(0.5 + i / 10_000) for i in range(60_000)))  # air: 2-9 s
    code, shown = on_a_terminal(
        "aim", "--file", str(targets), "--drag", "0.05", "--url", server_url
    )
    assert code == 0 and "aiming" in shown and "60000/60000" in shown
    (tmp_path / "two.csv").write_text("1\n2\n")  # well under a second: no bar at all
    code, shown = on_a_terminal("aim", "--file", str(tmp_path / "two.csv"), "--url", server_url)
    assert code == 0 and "aiming" not in shown and "2 targets: 2 hit" in shown


def test_a_reader_that_left_gets_no_traceback(server_url: str, tmp_path: Path) -> None:
    """`cannon aim --file t.csv | head -2`: the pipe closes before the answers are written."""
    (tmp_path / "t.csv").write_text("1\n2\n")
    reader, writer = os.pipe()
    os.close(reader)  # a pipe nobody reads: the first write fails (EPIPE), deterministically
    try:
        result = subprocess.run(
            [*CANNON, "aim", "--file", str(tmp_path / "t.csv"), "--url", server_url],
            stdout=writer,
            stderr=subprocess.PIPE,
            text=True,
            env=environment(),
        )
    finally:
        os.close(writer)
    assert result.returncode == 1 and result.stderr == "", result.stderr


def test_verify_exits_0_on_a_hit_and_1_on_a_miss(capsys: pytest.CaptureFixture[str]) -> None:
    shot = ["verify", "--angle", "0.6", "--velocity", "9"]
    code, out, _ = run(capsys, *shot, "--distance", "7.5")
    assert code == 1 and "MISS" in out and "m/s" in out and " s\n" in out
    code, out, _ = run(capsys, *shot, "--distance", "7.5", "--json")
    check = json.loads(out)
    assert code == 1 and check["hit"] is False
    assert check["landing_distance"] == pytest.approx(closed_form_landing(9, 0.6), rel=1e-12)
    assert check["miss"] == pytest.approx(abs(check["landing_distance"] - 7.5))
    code, out, _ = run(capsys, *shot, "--distance", f"{closed_form_landing(9, 0.6):.6f}")
    assert code == 0 and ": hit" in out


def test_verify_without_a_distance_says_where_the_shot_lands(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "verify", "--angle", "45deg", "--velocity", "9", "--json")
    landing = json.loads(out)
    assert code == 0 and set(landing) == {
        "angle", "velocity", "landing_distance", "flight_time", "apex_height"
    }  # fmt: skip
    assert landing["angle"] == math.pi / 4  # 45 degrees, exactly as radians
    assert landing["landing_distance"] == pytest.approx(81 / GRAVITY, rel=1e-12)
    code, out, _ = run(capsys, "verify", "--angle", "45°", "--velocity", "9")
    assert code == 0 and "(45.0000 degrees)" in out and "target" not in out and "miss" not in out


@pytest.mark.parametrize("written", ["50deg", "50°", "50 DEG", "0.8726646259971648rad"])
def test_angles_in_degrees_or_radians(capsys: pytest.CaptureFixture[str], written: str) -> None:
    code, out, _ = run(capsys, "aim", "4", "--angle", written, "--json", "--tolerance", "1e-6")
    shot = json.loads(out)
    assert code == 0 and shot["angle"] == pytest.approx(math.radians(50), abs=1e-15)
    assert abs(closed_form_landing(shot["velocity"], shot["angle"]) - 4) <= 1e-6


def test_url_asks_a_real_server_and_gets_the_same_answers(
    server_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for args in (
        ["aim", "7.5", "--json"],
        ["aim", "0.01", "--json"],
        ["verify", "--angle", "0.6", "--velocity", "9", "--distance", "7.5", "--json"],
        ["verify", "--angle", "34deg", "--velocity", "9", "--wind", "2", "--drag", "0.1"],
    ):
        local, remote = run(capsys, *args), run(capsys, *args, "--url", server_url)
        assert remote == local and remote[1]
    (tmp_path / "t.csv").write_text("distance\n1\n30\n")
    code, out, _ = run(capsys, "aim", "--file", str(tmp_path / "t.csv"), "--url", server_url)
    assert code == 1  # 30 m is out of reach
    check_rows(list(csv.DictReader(io.StringIO(out))), [1.0, 30.0], 0.01)
    code, _, err = run(capsys, "aim", "30", "--url", server_url)
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


def heavy_modules(tmp_path: Path, *args: str) -> tuple[int, list[str], str]:
    """Run `cannon ARGS` in a fresh process; its exit code, the heavy modules it imported,
    and its stdout."""
    report = tmp_path / "modules.json"
    code = (
        "import json, runpy, sys\n"
        f"sys.argv = ['cannon', *{list(args)!r}]\n"
        "try:\n"
        "    runpy.run_module('app.cli.main', run_name='__main__')\n"
        "except SystemExit as stop:\n"
        "    code = stop.code or 0\n"
        f"heavy = [m for m in {HEAVY!r} if m in sys.modules]\n"
        f"open({str(report)!r}, 'w').write(json.dumps([code, heavy]))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=environment()
    )
    exit_code, heavy = json.loads(report.read_text())
    return exit_code, heavy, result.stdout


def test_help_version_and_url_calls_import_nothing_heavy(server_url: str, tmp_path: Path) -> None:
    (tmp_path / "t.csv").write_text("1\n2\n")
    (tmp_path / "t3.csv").write_text("x,y,z\n1,1,0\n-2,3,1\n")
    moving = ["--target", "4", "2", "0.5", "--target-velocity", "0", "1.5", "0", "--wind-y", "-2"]
    shot_at = ["--target", "8.26", "0", "0", "--url", server_url]
    for args in (
        ["--help"],
        ["--version"],
        ["aim", "--help"],
        ["verify", "--help"],
        ["serve", "--help"],
        ["train", "--help"],
        ["aim", "7.5", "--url", server_url],
        ["aim", "--file", str(tmp_path / "t.csv"), "--url", server_url, "--drag", "0.1"],
        [
            "verify",
            "--angle",
            "45deg",
            "--velocity",
            "9",
            "--distance",
            "8.26",
            "--url",
            server_url,
        ],
        ["aim", *moving, "--drag", "0.05", "--url", server_url],  # 3D (issue 13)
        ["aim", "--targets", str(tmp_path / "t3.csv"), "--wind-x", "1", "--url", server_url],
        ["verify", "--angle", "45deg", "--velocity", "9", "--azimuth", "0", *shot_at],
    ):
        code, heavy, out = heavy_modules(tmp_path, *args)
        assert code == 0 and out and heavy == [], (args, heavy)
    code, heavy, _ = heavy_modules(tmp_path, "aim", "7.5")  # the check can fail: in process
    assert code == 0 and {"torch", "numpy"} <= set(heavy)


def test_version_is_the_packages() -> None:
    from importlib import metadata

    result = cannon("--version")
    assert (
        result.returncode == 0 and result.stdout == f"cannon-aim {metadata.version('cannon-aim')}\n"
    )


def test_exit_codes_are_documented_everywhere() -> None:
    from app.cli import main as module

    assert module.__doc__ is not None and options.EXIT_CODES in module.__doc__
    help_text = cannon("aim", "--help").stdout
    docs = DOCS.read_text()
    for code in ("0", "1", "2", "3", "130"):
        assert re.search(rf"^  {code} ", options.EXIT_CODES, re.M) and f"| {code} |" in docs
    assert "cannon serve cannot listen" in help_text


def test_docs_name_every_option_of_every_command() -> None:
    docs = DOCS.read_text()
    top = options.parser()
    commands = next(a for a in top._actions if isinstance(a, argparse._SubParsersAction))
    for name, sub in commands.choices.items():
        assert f"## `cannon {name}`" in docs
        for action in sub._actions:
            for flag in action.option_strings:
                assert flag in ("-h", "--help") or f"`{flag}" in docs, (name, flag)


def doc_blocks() -> list[str]:
    return re.findall(r"```bash\n(.*?)```", DOCS.read_text(), re.S)


@pytest.mark.parametrize("block", doc_blocks())
def test_every_example_in_the_docs_runs(server_url: str, tmp_path: Path, block: str) -> None:
    script = block.replace("http://127.0.0.1:8000", server_url)
    shell = f'set -euo pipefail\ncannon() {{ "{sys.executable}" -m app.cli.main "$@"; }}\n{script}'
    result = subprocess.run(
        ["bash", "-c", shell], capture_output=True, text=True, cwd=tmp_path, env=environment()
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout and "Traceback" not in result.stderr
    if result.stdout.lstrip().startswith("{"):  # the service's JSON: every shot a hit
        answer = json.loads(result.stdout)
        for shot in answer.get("solutions", [answer]):
            assert shot["hit"] and shot["miss"] <= shot["tolerance"]
    else:
        assert " m" in result.stdout or "_m" in result.stdout  # answers with their units
    for line in result.stdout.splitlines():
        if line.startswith("miss ") and "MISS" not in line:
            assert line.endswith(": hit")


def test_serve_answers_and_a_busy_port_exits_3(
    served: tuple[subprocess.Popen[str], str], capsys: pytest.CaptureFixture[str]
) -> None:
    _, url = served  # a real `cannon serve` process
    code, out, _ = run(capsys, "aim", "6", "--url", url, "--json")
    shot = json.loads(out)
    assert code == 0 and abs(closed_form_landing(shot["velocity"], shot["angle"]) - 6) <= 0.05
    port = url.rsplit(":", 1)[1]
    busy = cannon("serve", "--port", port)
    assert busy.returncode == 3 and f"cannot serve on 127.0.0.1 port {port}" in busy.stderr
    assert "Traceback" not in busy.stderr and "Started server" not in busy.stderr
    with socket.create_connection(("127.0.0.1", int(port))):
        pass  # the first server still listens


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
    import torch

    from app.model.store import load_model
    from app.physics.vacuum import Cannon

    weights = tmp_path / "air.safetensors"
    # the validation runs the reference (scipy) on 2,000 shots: 3 min of CPU on a busy core
    result = cannon("train", "--air", "--steps", "20", "--out", str(weights), timeout=900)
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


def test_train_space_prints_figures_in_units_and_saves_a_model_the_service_can_load(
    tmp_path: Path,
) -> None:
    from app.model.store import load_model
    from app.physics.vacuum import Cannon

    weights = tmp_path / "space.safetensors"
    # the validation flies 2,000 proposals by the reference (scipy): about a minute of CPU
    result = cannon("train", "--space", "--steps", "20", "--out", str(weights), timeout=900)
    assert result.returncode == 0, result.stderr
    assert "training 3D" in result.stderr and "20/20" in result.stderr  # the progress bar
    assert "Traceback" not in result.stderr
    network, card = load_model(weights, Cannon(), "space")  # sha256, cannon and envelope checked
    assert network.config.inputs == "space" and card["training"]["steps"] == 20
    figures = card["validation"]
    assert f"validation on {figures['targets']} moving targets in 3D" in result.stdout
    # "  label (34 wide) value": the lines after "trained in ..." and "validation on ..."
    rows = {line[:37].strip(): line[37:].strip() for line in result.stdout.splitlines()[2:]}
    assert len(rows) == 8, result.stdout
    for label, value in rows.items():  # a miss in metres, a share in percent, or none ("-")
        assert value == "-" or value.endswith((" m", "%")), (label, value)
    median = figures["median_miss_m"]
    assert rows["median miss"] == ("-" if median is None else f"{median:.3g} m")
    assert rows["coming down at the target height"] == f"{figures['reached']:.2%}"
    both = cannon("train", "--air", "--space", "--steps", "1", "--out", str(tmp_path / "x"))
    assert both.returncode == 2 and "not allowed with argument" in both.stderr


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
    assert abs(truth.distance - 4.0) <= shot["tolerance"] == 0.04
    low = json.loads(run(capsys, "aim", "4", "--velocity", "9", "--json", *air)[1])
    assert low["angle"] < shot["angle"]  # the low arc is the default, the high one steeper
    angle, velocity = repr(shot["angle"]), repr(shot["velocity"])
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


def test_plain_http_skips_the_ca_bundle_only_where_no_tls_or_proxy_is_involved(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import httpx

    from app.cli import asking

    for name in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    assert isinstance(asking.plain_http("http://127.0.0.1:8000"), httpx.HTTPTransport)
    assert asking.plain_http("https://cannon.example") is None  # httpx's verified default
    monkeypatch.setenv("http_proxy", "http://proxy.example:3128")
    assert asking.plain_http("http://127.0.0.1:8000") is None  # httpx honours the proxy
