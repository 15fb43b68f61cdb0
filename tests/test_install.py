"""`pip install .` into a fresh virtual environment gives a `cannon` that aims from any
directory: the models travel inside the package (app/weights, from models/), and the package
list in pyproject.toml misses no part of app/.

The install is real: a new venv, torch from /opt/wheels where that exists (as the README's
note says), everything else from the package index or pip's cache. It takes a few minutes,
so it runs once per session."""

from __future__ import annotations

import hashlib
import json
import math
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.conftest import GRAVITY, environment

ROOT = Path(__file__).resolve().parents[1]
SETUPTOOLS = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]


def test_every_package_of_app_is_listed() -> None:
    """A subpackage added to app/ and forgotten in the list would be missing from a real
    install, while editable installs and the tests would not notice."""
    found = {
        ".".join(d.relative_to(ROOT).parts)
        for d in [ROOT / "app", *(ROOT / "app").rglob("*")]
        if d.is_dir() and "__pycache__" not in d.parts and any(d.glob("*.py"))
    }
    listed = set(SETUPTOOLS["packages"])
    assert found <= listed, found - listed
    # The rest are data directories mapped in: the page, the models, the light client.
    assert listed - found == {"app.web", "app.weights", "cannon_client"}
    assert SETUPTOOLS["package-dir"]["app.weights"] == "models"


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    where = tmp_path_factory.mktemp("fresh") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(where)], check=True, timeout=120)
    links = ["--find-links", "/opt/wheels"] if Path("/opt/wheels").is_dir() else []
    install = [str(where / "bin" / "python"), "-m", "pip", "install", "-q", *links, str(ROOT)]
    result = subprocess.run(install, capture_output=True, text=True, timeout=1500)
    assert result.returncode == 0, result.stderr[-3000:]
    return where


def fresh_environment(venv: Path) -> dict[str, str]:
    """The venv's bin first on PATH; nothing of this checkout on the import path."""
    env = environment({"PATH": f"{venv / 'bin'}:{os.environ['PATH']}"})
    env.pop("PYTHONPATH", None)
    return env


def test_an_installed_cannon_aims_from_any_directory(venv: Path, tmp_path: Path) -> None:
    command = ["cannon", "aim", "7.5", "--json"]
    result = subprocess.run(
        command, cwd=tmp_path, env=fresh_environment(venv), capture_output=True, text=True,
        timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    shot = json.loads(result.stdout)
    landed = shot["velocity"] ** 2 * math.sin(2 * shot["angle"]) / GRAVITY  # m, closed form
    assert shot["hit"] is True and abs(landed - 7.5) <= shot["tolerance"]


def test_the_installed_package_carries_the_shipped_models(venv: Path, tmp_path: Path) -> None:
    where = subprocess.run(
        ["python", "-c", "import app, cannon_client; print(app.__file__)"],
        cwd=tmp_path, env=fresh_environment(venv), capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    package = Path(where).parent
    assert package.is_relative_to(venv), package  # the install's, not this checkout's
    for name in ("inverse", "air", "space"):
        for suffix in (".safetensors", ".json"):
            shipped = (ROOT / "models" / name).with_suffix(suffix).read_bytes()
            installed = (package / "weights" / name).with_suffix(suffix).read_bytes()
            assert hashlib.sha256(installed).digest() == hashlib.sha256(shipped).digest()
    assert (package.parent / "cannon_client" / "py.typed").is_file()
