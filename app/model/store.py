"""Save and load the inverse networks (vacuum and air): safetensors weights beside a JSON
model card.

Nothing is ever unpickled. The card records what a reader needs to trust the weights:
architecture, physics constants, training settings and seed, validation figures, and the
sha256 of the weights file, which loading checks before it builds the network.
"""

from __future__ import annotations

import hashlib
import json
import platform
from collections.abc import Callable
from dataclasses import fields
from pathlib import Path
from typing import Any

from safetensors import SafetensorError
from safetensors.torch import load_file, save_file

from app.model.network import Inputs, InverseNetwork, NetworkConfig
from app.physics.envelope import ENVELOPE, Envelope
from app.physics.vacuum import Cannon


def shipped_models() -> Path:
    """Where the shipped models lie: inside the installed package (app/weights, from models/
    by pyproject.toml's package-dir) or, in a checkout and an editable install, models/."""
    app_dir = Path(__file__).resolve().parents[1]
    installed = app_dir / "weights"
    return installed if installed.is_dir() else app_dir.parent / "models"


DEFAULT_WEIGHTS = shipped_models() / "inverse.safetensors"
DEFAULT_AIR_WEIGHTS = DEFAULT_WEIGHTS.with_name("air.safetensors")  # the model for flight in air
DEFAULT_SPACE_WEIGHTS = DEFAULT_WEIGHTS.with_name("space.safetensors")  # 3D, moving targets
RETRAIN = {"distance": "cannon train", "air": "cannon train --air", "space": "cannon train --space"}

UNITS = (
    "the networks' inputs: lengths over max_velocity^2/gravity, speeds over max_velocity, "
    "drag as k max_velocity^2/gravity (the envelope is in these units)"
)
VERSION_LENGTH = 12  # hex digits of the weights' sha256 that name the model version


class ModelError(RuntimeError):
    """The model files are missing, corrupt, or do not match their card."""


def card_path(weights: Path) -> Path:
    """models/inverse.safetensors -> models/inverse.json"""
    return weights.with_suffix(".json")


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def cpu_model(cpuinfo: Path = Path("/proc/cpuinfo")) -> str:
    """The CPU's model name. float32 kernels round differently on different CPUs, so weights
    are reproducible bit for bit only on the CPU model they were trained on: the card says
    which, and CI prints its own."""
    try:
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


def save_model(network: InverseNetwork, weights: Path, card: dict[str, Any]) -> dict[str, Any]:
    """Write the weights and the card (with the weights' sha256 added; for the air and 3D
    networks also the envelope they cover); return the card."""
    extra = {"envelope": network.envelope.as_dict()} if network.config.inputs != "distance" else {}
    return write(network, weights, card, extra)


def write(
    network: InverseNetwork,
    weights: Path,
    card: dict[str, Any],
    extra: dict[str, Any],
) -> dict[str, Any]:
    """Weights as float32 safetensors, then the card with their sha256, architecture, cannon."""
    weights.parent.mkdir(parents=True, exist_ok=True)
    tensors = {name: t.detach().float().contiguous() for name, t in network.state_dict().items()}
    save_file(tensors, str(weights))
    digest = sha256_of(weights)
    card = {
        **card,
        "training": {"cpu": cpu_model(), **card.get("training", {})},
        "weights_file": weights.name,
        "weights_sha256": digest,
        "version": digest[:VERSION_LENGTH],
        "architecture": {"type": "mlp", **network.config.as_dict()},
        "cannon": network.cannon.as_dict(),  # the one it was trained on
        "units": UNITS,
        **extra,
    }
    card_path(weights).write_text(json.dumps(card, indent=2) + "\n")
    return card


def load_card(weights: Path) -> dict[str, Any]:
    path = card_path(weights)
    try:
        card: dict[str, Any] = json.loads(path.read_text())
    except FileNotFoundError as error:
        raise ModelError(f"model card {path} not found") from error
    except (OSError, ValueError) as error:
        raise ModelError(f"model card {path} is unreadable: {error}") from error
    if not isinstance(card, dict):
        raise ModelError(f"model card {path} is not a JSON object")
    return card


def load_model(
    weights: Path, cannon: Cannon, inputs: Inputs = "distance", envelope: Envelope = ENVELOPE
) -> tuple[InverseNetwork, dict[str, Any]]:
    """Load either model, check it against the card's sha256 and cannon, and return (network,
    card). The air and 3D networks' cards must also state the service's envelope (in the cannon's
    units, app/physics/envelope.py), since it knows nothing outside the conditions it was
    trained on."""
    retrain = RETRAIN[inputs]
    card, version = checked_card(weights, cannon, retrain)
    if inputs != "distance" and card.get("envelope") != envelope.as_dict():
        raise ModelError(
            f"model {weights} was trained for the envelope {card.get('envelope')}, but the "
            f"service covers {envelope.as_dict()}; retrain with `{retrain}`"
        )
    network = build(weights, lambda: InverseNetwork(cannon, config_of(card, inputs), envelope))
    return network, {**card, "version": version}


def checked_card(
    weights: Path, cannon: Cannon, retrain: str = "cannon train"
) -> tuple[dict[str, Any], str]:
    """The card, after checking the weights' sha256 and the cannon it records; and the
    version, derived from the weights themselves, never taken on the card's word.

    The networks work in the cannon's units (app/model/network.py), so a model trained on one
    cannon serves another of any muzzle speed and gravity; only its angle limits, which the
    outputs are squeezed into, must be the ones it was trained for."""
    card = load_card(weights)
    if not weights.is_file():
        raise ModelError(f"weights file {weights} not found")
    digest = sha256_of(weights)
    if digest != card.get("weights_sha256"):
        raise ModelError(
            f"weights file {weights} has sha256 {digest}, but its card "
            f"{card_path(weights)} says {card.get('weights_sha256')}"
        )
    try:
        trained_for = Cannon(**{f.name: card["cannon"][f.name] for f in fields(Cannon)})
    except (KeyError, TypeError, AttributeError, ValueError) as error:
        raise ModelError(f"model card {card_path(weights)} has no valid cannon: {error}") from error
    if (trained_for.min_angle, trained_for.max_angle) != (cannon.min_angle, cannon.max_angle):
        raise ModelError(
            f"model {weights} was trained for angles in ({trained_for.min_angle}, "
            f"{trained_for.max_angle}) rad, but the service is configured for "
            f"({cannon.min_angle}, {cannon.max_angle}) rad; retrain with `{retrain}` or "
            "change the settings"
        )
    return card, digest[:VERSION_LENGTH]


def architecture(card: dict[str, Any]) -> dict[str, Any]:
    """The card's architecture without its type: the network config's fields."""
    return {k: v for k, v in card["architecture"].items() if k != "type"}


def config_of(card: dict[str, Any], inputs: Inputs) -> NetworkConfig:
    """The network's config from its card. Cards written before the one network design name
    no inputs: the loader knows which model it loads."""
    fields = {"inputs": inputs, **architecture(card)}
    if fields["inputs"] != inputs:
        raise ModelError(f"the card describes a network of {fields['inputs']} inputs, not {inputs}")
    return NetworkConfig(**fields)


def build(weights: Path, make: Callable[[], InverseNetwork]) -> InverseNetwork:
    """make() a network and load the weights into it; any misfit is a ModelError."""
    try:
        network = make()
        network.load_state_dict(load_file(str(weights)))
    except (
        KeyError,
        TypeError,
        AttributeError,
        ValueError,
        RuntimeError,
        SafetensorError,
    ) as error:
        raise ModelError(f"weights file {weights} does not fit its card: {error}") from error
    network.eval()
    return network
