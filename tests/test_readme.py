"""The README and docs/ say true things: their links lead somewhere, the paths they name
exist, the settings table is app/config.py's, the sample answer is the service's, the Python
client example aims (each shot landed by the reference), and the CPU-only torch command is
the one the project pins. tests/test_doc_examples.py runs every command besides."""

from __future__ import annotations

import json
import math
import re
import tomllib
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.config import Settings
from app.physics import reference
from tests.conftest import GRAVITY
from tests.test_doc_examples import ROOT, blocks, served

README = (ROOT / "README.md").read_text()
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")
BACKTICKED_PATH = re.compile(r"`((?:app|tests|benchmarks|scripts|deploy|models|clients)/[^`\s]*)`")


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[`*_]", "", heading.strip().lower())
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    text = re.sub(r"^```.*?^```", "", path.read_text(), flags=re.S | re.M)
    return {slug(h) for h in re.findall(r"^#{1,6} (.+)$", text, flags=re.M)}


def test_the_readme_is_short() -> None:
    assert len(README.splitlines()) <= 200


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_and_anchor_exists(doc: Path) -> None:
    broken = []
    for target in LINK.findall(doc.read_text()):
        if re.match(r"[a-z]+:", target):
            continue  # http(s), mailto: not this repository's
        file, _, anchor = target.partition("#")
        path = (doc.parent / file).resolve() if file else doc
        if not path.is_relative_to(ROOT) or not path.exists():
            broken.append(target)  # outside the repository (../shared) rots for every reader
        elif anchor and path.suffix == ".md" and anchor not in anchors(path):
            broken.append(target)
    assert not broken, broken


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_path_named_exists(doc: Path) -> None:
    """A `tests/x.py::test_y` must name a test that is there."""
    missing = []
    for named in {p.rstrip(".,:;") for p in BACKTICKED_PATH.findall(doc.read_text())}:
        path, _, function = named.partition("::")
        there = (ROOT / path).exists()
        if not there or (function and f"def {function}(" not in (ROOT / path).read_text()):
            missing.append(named)
    assert not missing, missing


def test_the_settings_table_is_app_configs() -> None:
    """Every setting has its row in docs/api.md, and every row is a setting."""
    text = (ROOT / "docs/api.md").read_text()
    table = text[text.index("## Settings") :]
    rows = re.findall(r"^\| (`CANNON_[^|]+)\|", table, flags=re.M)
    named = {name for row in rows for name in re.findall(r"`(CANNON_[A-Z_]+)`", row)}
    assert named == {f"CANNON_{field.upper()}" for field in Settings.model_fields}


def test_the_model_page_names_the_cpus_on_the_cards() -> None:
    """Bit for bit holds on the CPU that trained the weights: the page says which, as the
    cards record it."""
    text = (ROOT / "docs/model.md").read_text()
    for card in ("inverse.json", "air.json"):
        cpu = json.loads((ROOT / "models" / card).read_text())["training"]["cpu"]
        assert cpu.split(" (")[0].removesuffix(" with AVX-512") in text, (card, cpu)


def numbers_agree(documented: Any, live: Any) -> bool:
    if isinstance(documented, float) or isinstance(live, float):
        return math.isclose(documented, live, rel_tol=1e-6, abs_tol=1e-9)
    return bool(documented == live)


def test_the_sample_answer_is_the_services(client: httpx.Client) -> None:
    (sample,) = [b.text for b in blocks() if b.language == "text" and '"distance":7.5' in b.text]
    documented = json.loads(sample)
    live = client.post("/aim", json={"distance": 7.5, "tolerance": 1e-6}).json()
    assert documented.keys() == live.keys()
    assert all(numbers_agree(documented[k], live[k]) for k in live), (documented, live)


def test_the_verify_example_lands_where_the_readme_says(client: httpx.Client) -> None:
    live = client.get(
        "/verify", params={"angle": 0.7854, "velocity": 8.5, "distance": 7.4, "tolerance": 0.01}
    ).json()
    true = reference.vacuum(8.5, 0.7854, 0, 0, GRAVITY).distance
    assert live["hit"] is False and f"(No: it lands at {true:.3f} m.)" in README


def test_the_python_client_example_aims(server_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(ROOT / "clients/python"))  # cannon_client, uninstalled
    (block,) = [b for b in blocks() if b.document == "README.md" and b.language == "python"]
    names: dict[str, Any] = {}
    exec(served(block.text, server_url), names)
    shot, windy, answers = names["shot"], names["windy"], names["answers"]
    assert shot.hit and shot.miss <= 0.001
    landed = reference.landing(windy.velocity, windy.angle, 1.5, 0.0, -3.0, 0.1, GRAVITY)
    assert windy.hit and abs(landed.distance - 4.0) <= windy.tolerance
    assert [type(a).__name__ for a in answers] == ["BatchSolution"] * 2 + ["BatchUnreachable"]


def test_the_cpu_torch_command_is_the_pinned_cpu_build() -> None:
    """The command cannot run here (no route to download.pytorch.org): it must name the torch
    that pyproject.toml pins and the index the image's build takes it from."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    (pin,) = [d for d in project["dependencies"] if d.startswith("torch")]
    index = re.search(r"^ARG TORCH_INDEX_URL=(\S+)$", (ROOT / "Dockerfile").read_text(), re.M)
    assert index is not None
    for doc in ("README.md", "docs/development.md"):
        text = (ROOT / doc).read_text()
        assert f"pip install {pin} --index-url {index[1]}" in text, doc
