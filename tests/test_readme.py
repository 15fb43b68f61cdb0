"""The README's examples through air and of the Python client run as written, against a real
server, and aim: each target hit, by the reference (they once answered "out of reach")."""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from app.physics import reference
from tests.conftest import GRAVITY, environment

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.S)


def commands(block: str) -> list[str]:
    """The block's commands, continuation lines joined."""
    return [c.strip() for c in block.replace("\\\n", " ").splitlines() if c.strip()]


def test_the_air_examples_aim_as_written(server_url: str) -> None:
    (block,) = [b for b in blocks("bash") if '"drag": 0.1' in b and "curl" in b]
    bin_dir = str(Path(sys.executable).parent)  # `cannon`, as the README's install gives it
    env = environment({"PATH": f"{bin_dir}:{environment()['PATH']}"})
    ran = 0
    for command in commands(block):
        local = command.replace("localhost:8000", server_url.removeprefix("http://"))
        if command.startswith("cannon "):
            local += " --json"  # the same command, its answer as JSON to check
        result = subprocess.run(
            ["bash", "-c", local], capture_output=True, text=True, timeout=120, env=env
        )
        assert result.returncode == 0, (command, result.stderr)
        answer: dict[str, Any] = json.loads(result.stdout)
        if "/verify" in command:
            assert answer["landing_distance"] > 0, (command, answer)
        else:
            assert answer["hit"] is True, (command, answer)
            fields = json.loads(local.split("-d '")[1].rstrip("'")) if "curl" in local else {}
            if command.startswith("cannon "):
                fields = {"drag": 0.1, "wind": -3.0, "launch_height": 1.5}
            landed = reference.landing(
                answer["velocity"],
                answer["angle"],
                fields.get("launch_height", 0.0),
                0.0,
                fields.get("wind", 0.0),
                fields["drag"],
                GRAVITY,
            ).distance
            assert abs(landed - answer["distance"]) <= answer["tolerance"], (command, landed)
        ran += 1
    assert ran == 4


def test_the_python_client_example_runs_as_written(server_url: str) -> None:
    (block,) = [b for b in blocks("python") if "CannonClient(" in b]
    names: dict[str, Any] = {}
    exec(block.replace("http://127.0.0.1:8000", server_url), names)
    asyncio.run(names["aim_async"]())
    shot, held = names["shot"], names["held"]
    assert shot.hit and shot.miss <= 0.001
    assert held.hit and held.velocity == 9.0
    landed = reference.landing(held.velocity, held.angle, 1.5, 0.0, -3.0, 0.1, GRAVITY)
    assert abs(landed.distance - 4.0) <= held.tolerance
    assert [type(a).__name__ for a in names["answers"]][-1] == "BatchUnreachable"
