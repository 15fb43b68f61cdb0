"""Every command and code example in README.md and docs/*.md runs, so none can rot.

Each fenced bash, sh or console command, and each python block, runs against the real test
server (`localhost:8000` and `127.0.0.1:8000` become its address) and must exit 0; every shot
it answers is landed again by the reference physics (app.physics.reference), so a doc that
claims a hit is held to one. A command that cannot run here (installing, the whole suite,
containers, training, minutes-long benchmarks) is listed in ELSEWHERE with the test or CI
step that runs it; the lists are checked both ways. docs/cli.md is tests/test_cli.py's.
"""

from __future__ import annotations

import json
import math
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

from app.physics import reference
from tests.conftest import GRAVITY, environment

ROOT = Path(__file__).resolve().parents[1]
EXCLUDED = {"docs/cli.md"}  # its examples are tests/test_cli.py's
SHELLS = {"bash", "sh", "console"}
FENCE = re.compile(r"^```([^\n`]*)\n(.*?)^```[ \t]*$", re.S | re.M)

# Commands the harness does not run, each with the test (file::function) or CI step
# (".ci/run: <its line>") that does. Keyed "document: command" as commands() gives it.
SMOKE = "tests/test_deploy.py::test_container_smoke"
TORCH = "tests/test_readme.py::test_the_cpu_torch_command_is_the_pinned_cpu_build"  # no route here
ELSEWHERE = {
    "README.md: ./scripts/serve   # the service on http://127.0.0.1:8000 with the shipped models": "tests/test_server.py::test_served_process_aims",
    "README.md: ./scripts/test    # the whole test suite (15+ minutes on 2 cores)": ".ci/run: scripts/test",
    "README.md: python3 -m venv .venv": ".ci/run: scripts/test",
    "README.md: .venv/bin/pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu": TORCH,
    "docs/development.md: ./scripts/serve   # the service on http://127.0.0.1:8000 with the shipped models": "tests/test_server.py::test_served_process_aims",
    "docs/development.md: ./scripts/test    # the whole test suite (15+ minutes on 2 cores)": ".ci/run: scripts/test",
    "docs/development.md: ./scripts/check   # ruff (lint and format check) and mypy app": ".ci/run: scripts/check",
    "docs/development.md: python3 -m venv .venv": ".ci/run: scripts/test",
    "docs/development.md: .venv/bin/pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu": TORCH,
    "docs/development.md: ./scripts/test": ".ci/run: scripts/test",
    "docs/model.md: cannon train --seed 0 --steps 15000 --out /tmp/retrained/inverse.safetensors": "tests/test_training.py::test_documented_command_reproduces_the_shipped_model",
    "docs/model.md: cannon train --air --seed 0 --steps 15000 --out /tmp/retrained/air.safetensors": "tests/test_training.py::test_documented_command_reproduces_the_shipped_air_model",
    "docs/model.md: cannon train --space --seed 0 --steps 20000 --out /tmp/retrained/space.safetensors": "tests/test_training.py::test_documented_command_reproduces_the_shipped_space_model",
    "docs/benchmarks.md: python -m benchmarks.approaches --quick --json /tmp/approaches.json": "tests/test_approaches.py::test_json_matches_the_returned_numbers_and_markdown",
    "docs/benchmarks.md: python -m benchmarks.figures --out /tmp/figures": "tests/test_figures.py::test_figures_command_writes_valid_small_pngs",
    "docs/benchmarks.md: python -m benchmarks.air --quick --json /tmp/air.json": "tests/test_air_benchmarks.py::test_every_reachable_target_is_hit_at_every_tolerance",
    "docs/benchmarks.md: python -m benchmarks.air_figures --out /tmp/air-figures": "tests/test_air_benchmarks.py::test_figures_are_written",
    "docs/benchmarks.md: python -m benchmarks.peer --quick --json /tmp/peer.json": "tests/test_peer.py::test_the_peer_benchmark_compares_on_the_same_targets",
    "docs/benchmarks.md: python -m benchmarks.moving --quick --json /tmp/moving.json": "tests/test_moving_bench.py::test_it_prints_both_solvers_side_by_side_on_both_arcs",
    "docs/benchmarks.md: python -m benchmarks.buckets --quick --json /tmp/buckets.json": "tests/test_buckets_bench.py::test_every_figure_is_printed_side_by_side_for_the_six_buckets",
    "docs/benchmarks.md: python -m benchmarks.speed --quick --json /tmp/speed.json": "tests/test_benchmarks.py::test_speed_reports_every_figure",
    "docs/benchmarks.md: python -m benchmarks.overload": "tests/test_lane.py::test_overload_gets_verified_answers_or_fast_429s_and_memory_stays_flat",
    "docs/benchmarks.md: python -m benchmarks.calibration --json /tmp/calibration.json": "tests/test_calibration.py::test_the_calibration_benchmark_prints_every_figure",
    "docs/benchmarks.md: python -m benchmarks.odds --json /tmp/odds.json": "tests/test_odds.py::test_the_odds_benchmark_prints_every_figure",
    "docs/deployment.md: docker build -t cannon-aim .": SMOKE,
    "docs/deployment.md: docker run --rm -p 127.0.0.1:8000:8000 cannon-aim": SMOKE,
    "docs/deployment.md: docker compose up -d                        # builds the image; 3 replicas behind nginx on 127.0.0.1:8000": SMOKE,
    "docs/deployment.md: docker compose up -d --scale api=5          # more replicas on the running stack, same address": SMOKE,
    "docs/deployment.md: docker compose --profile monitoring up -d   # plus Prometheus on :9090 scraping every replica's /metrics": "tests/test_deploy.py::test_monitoring_profile_scrapes_every_replica",
    "docs/deployment.md: kubectl apply -k deploy/": "tests/test_deploy.py::test_manifests_match_the_kubernetes_api",
    "docs/soak.md: scripts/soak --minutes 10                      # or: .venv/bin/python -m benchmarks.soak --minutes 10": "tests/test_soak.py::test_short_soak_passes_prints_rows_and_writes_json",
    "docs/soak.md: scripts/soak --minutes 10 --markdown           # the table as markdown, for this page": "tests/test_soak.py::test_short_soak_passes_prints_rows_and_writes_json",
    "docs/soak.md: scripts/soak --minutes 2 --interval 20 --json soak.json": "tests/test_soak.py::test_short_soak_passes_prints_rows_and_writes_json",
}  # fmt: skip


@dataclass(frozen=True)
class Block:
    document: str  # path from the repository's root
    language: str
    text: str


def documents() -> list[Path]:
    """README.md and docs/*.md but the excluded."""
    found = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    return [path for path in found if str(path.relative_to(ROOT)) not in EXCLUDED]


def blocks() -> list[Block]:
    return [
        Block(str(path.relative_to(ROOT)), match[1].strip(), match[2])
        for path in documents()
        for match in FENCE.finditer(path.read_text())
    ]


def commands(block: Block) -> list[str]:
    """A shell block's commands, continuation lines joined; a console block's `$ ` lines; a
    python block is one command, named by its first line."""
    if block.language == "python":
        return [f"python: {block.text.splitlines()[0]}"]
    lines = [line.strip() for line in block.text.replace("\\\n", " ").splitlines()]
    if block.language == "console":
        lines = [line[2:] for line in lines if line.startswith("$ ")]
    return [line for line in lines if line and not line.startswith("#")]


def examples() -> dict[str, tuple[Block, str]]:
    """Every command of every runnable block, by its key "document: command"."""
    return {
        f"{block.document}: {command}": (block, command)
        for block in blocks()
        if block.language in SHELLS | {"python"}
        for command in commands(block)
    }


ALL = examples()
SHELL_RUN = sorted(k for k, (b, _) in ALL.items() if k not in ELSEWHERE and b.language != "python")
PYTHON_RUN = sorted(k for k, (b, _) in ALL.items() if k not in ELSEWHERE and b.language == "python")


def test_every_block_names_its_language() -> None:
    """An untagged block would hide a command from the harness: output is `text`."""
    untagged = [b.document for b in blocks() if not b.language]
    assert not untagged, f"fenced blocks without a language in {untagged}"


def test_every_command_is_run_here_or_listed_with_what_runs_it() -> None:
    stale = sorted(set(ELSEWHERE) - set(ALL))
    assert not stale, f"listed in ELSEWHERE but no longer in the docs: {stale}"
    assert len(SHELL_RUN) + len(PYTHON_RUN) + len(ELSEWHERE) == len(ALL)
    assert SHELL_RUN and PYTHON_RUN  # the harness runs something of each kind


@pytest.mark.parametrize("runner", sorted(set(ELSEWHERE.values())))
def test_what_runs_a_listed_command_exists(runner: str) -> None:
    if runner.startswith(".ci/run: "):
        steps = (ROOT / ".ci/run").read_text().splitlines()
        assert runner.removeprefix(".ci/run: ") in steps, runner
        return
    path, name = runner.split("::")
    assert re.search(rf"^def {name}\(", (ROOT / path).read_text(), re.M), runner


def served(text: str, server_url: str) -> str:
    address = server_url.removeprefix("http://")
    return text.replace("localhost:8000", address).replace("127.0.0.1:8000", address)


def run(command: str) -> subprocess.CompletedProcess[str]:
    bin_dir = str(Path(sys.executable).parent)  # `cannon` and `python`, as the install gives
    path = f"{bin_dir}:{environment()['PATH']}"
    # cannon_client as the install gives it (pyproject maps clients/python's package in);
    # the checkout on the path for `python -m benchmarks...`
    env = environment({"PATH": path, "PYTHONPATH": str(ROOT)})
    return subprocess.run(
        ["bash", "-o", "pipefail", "-c", command],
        capture_output=True,
        text=True,
        timeout=600,  # benchmarks.startup took 5 min 18 s here at a load of 8
        env=env,
        cwd=ROOT,
    )


def conditions(command: str) -> dict[str, Any]:
    """The request's fields: a curl body, a query string, or `cannon` flags."""
    words = shlex.split(command, comments=True)
    fields: dict[str, Any] = {}
    for i, word in enumerate(words[:-1]):
        if word == "-d":
            fields.update(json.loads(words[i + 1]))
        elif word.startswith("--") and words[0] == "cannon":
            fields[word[2:].replace("-", "_")] = words[i + 1]
    for word in words:
        if "?" in word and "/" in word:  # a URL, with or without its scheme
            fields.update(parse_qsl(urlsplit(word if "://" in word else f"http://{word}").query))
    return fields


def landed(shot: dict[str, Any], fields: dict[str, Any]) -> float:
    """Where the shot comes down through the target height, by the reference."""
    air = [float(fields.get(k, 0)) for k in ("launch_height", "target_height", "wind", "drag")]
    return reference.landing(shot["velocity"], shot["angle"], *air, GRAVITY).distance


def check_aimed(shot: dict[str, Any], fields: dict[str, Any], where: str) -> None:
    assert shot["hit"] is True, (where, shot)
    assert abs(landed(shot, fields) - shot["distance"]) <= shot["tolerance"], (where, shot)


def scene(fields: dict[str, Any], target: dict[str, float]) -> dict[str, Any]:
    """A 3D request's scene, from its body or its GET /verify query, as reference.intercept
    takes it: a number wind turned toward the target's bearing at firing."""

    def vector(name: str, axes: str = "xyz") -> tuple[float, ...]:
        given = fields.get(name)
        if isinstance(given, dict):
            return tuple(float(given.get(a, 0)) for a in axes)
        return tuple(float(fields.get(f"{name}_{a}", 0)) for a in axes)

    wind = fields.get("wind", 0)
    if isinstance(wind, dict) or "wind_x" in fields or "wind_y" in fields:
        blowing = vector("wind", "xy")
    else:
        across = math.hypot(target["x"], target["y"])
        blowing = (float(wind) * target["x"] / across, float(wind) * target["y"] / across)
    return {
        "target_velocity": vector("target_velocity"),
        "target_acceleration": vector("target_acceleration"),
        "wind": blowing,
        "drag": float(fields.get("drag", 0)),
        "launch_height": float(fields.get("launch_height", 0)),
    }


def check_intercept(shot: dict[str, Any], fields: dict[str, Any], where: str) -> None:
    """A 3D answer: the reference flies its shot at its target (to where it comes down
    through the target's height, or to its closest pass for intercept "any"), and agrees
    with its miss (and, for an aimed shot, hits within its tolerance)."""
    target = shot["target"]
    fly = reference.closest if fields.get("intercept") == "any" else reference.intercept
    true = fly(
        shot["velocity"],
        shot["angle"],
        shot["azimuth"],
        (target["x"], target["y"], target["z"]),
        **scene(fields, target),
        gravity=GRAVITY,
    )
    assert abs(true.miss - shot["miss"]) <= 1e-6, (where, shot, true)
    assert shot["hit"] == (true.miss <= shot["tolerance"]), (where, shot, true)
    assert "verify" in where or shot["hit"], (where, shot)


def check(answer: Any, command: str, where: str) -> None:
    """What an answer claims, held to the reference; an error only where the doc says 422."""
    if not isinstance(answer, dict):
        return
    fields = conditions(command)
    if "422" in command.partition("#")[2]:
        assert "detail" in answer, (where, answer)
        return
    assert "detail" not in answer, (where, answer)
    if "azimuth" in answer:
        check_intercept(answer, fields, f"{where} verify" if "verify" in command else where)
    elif "solutions" in answer:
        for item in answer["solutions"]:
            if item["reachable"] and "azimuth" in item:
                check_intercept(item, fields, where)
            elif item["reachable"]:
                check_aimed(item, fields, where)
            else:
                assert item["max_range"] is None or item["max_range"] > 0, (where, item)
    elif "verify" in command and "hit" in answer:
        true = landed(answer, fields)
        assert abs(true - answer["landing_distance"]) <= 1e-6, (where, answer, true)
        assert answer["hit"] == (abs(true - answer["distance"]) <= answer["tolerance"])
    elif "hit" in answer:
        check_aimed(answer, fields, where)
    elif "/trajectory" in command:
        end = reference.landing(
            float(fields["velocity"]), float(fields["angle"]), 0, 0, 0, 0, GRAVITY
        )
        assert abs(answer["landing_distance"] - end.distance) <= 1e-9, (where, answer)


@pytest.mark.parametrize("key", SHELL_RUN, ids=SHELL_RUN)
def test_shell_example_runs_and_its_shots_land(key: str, server_url: str) -> None:
    _, command = ALL[key]
    local = served(command, server_url)
    result = run(local)
    assert result.returncode == 0, (key, result.stdout[-2000:], result.stderr[-2000:])
    if command.startswith(("cannon aim", "cannon verify")) and "--json" not in command:
        result = run(f"{local.partition('#')[0]} --json")  # the same shot, as JSON to check
        assert result.returncode == 0, (key, result.stderr[-2000:])
    if result.stdout.lstrip().startswith("{"):
        check(json.loads(result.stdout), local, key)


@pytest.mark.parametrize("key", PYTHON_RUN, ids=PYTHON_RUN)
def test_python_example_runs(key: str, server_url: str, tmp_path: Path) -> None:
    block, _ = ALL[key]
    script = tmp_path / "example.py"
    script.write_text(served(block.text, server_url))
    result = run(f"python {script}")
    assert result.returncode == 0, (key, result.stdout[-2000:], result.stderr[-2000:])


def test_the_check_fails_a_shot_the_reference_does_not_land() -> None:
    """The harness's check can fail: a 45° shot at √(g d) hits d; claimed for d + 1 cm
    through 0.1 1/m of drag, or with its hit wrong, it is refused."""
    shot = {"distance": 5.0, "velocity": (GRAVITY * 5.0) ** 0.5, "angle": 0.7853981633974483}
    shot |= {"tolerance": 1e-3, "hit": True}
    command = "curl -s localhost:8000/aim -d '{\"distance\": 5}'"
    check(shot, command, "a true shot")
    for wrong, where in [
        ({**shot, "distance": 5.01}, command),
        (shot, command.replace("5}", '5, "drag": 0.1}')),
        ({**shot, "hit": False}, command),
    ]:
        with pytest.raises(AssertionError):
            check(wrong, where, "a wrong shot")


def test_the_3d_check_fails_a_shot_the_reference_does_not_meet() -> None:
    """A 45° shot at √(g d) along +x meets a still target d away; turned 0.1 rad, or with
    its miss misstated, the check refuses it."""
    shot = {"target": {"x": 5.0, "y": 0.0, "z": 0.0}, "velocity": (GRAVITY * 5.0) ** 0.5}
    shot |= {"angle": 0.7853981633974483, "azimuth": 0.0, "miss": 0.0, "tolerance": 1e-3}
    shot |= {"hit": True}
    command = 'curl -s localhost:8000/aim -d \'{"target": {"x": 5, "y": 0}}\''
    check(shot, command, "a true shot")
    for wrong in ({**shot, "azimuth": 0.1}, {**shot, "miss": 1e-3}):
        with pytest.raises(AssertionError):
            check(wrong, command, "a wrong shot")
