"""`cannon serve`, `cannon train` and `cannon bench`: the commands that need the heavy parts
(torch, the compiled physics, uvicorn), imported here and only when one of them runs."""

from __future__ import annotations

import argparse
import importlib
import json
import platform
import signal
import socket
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.cli.errors import CANNOT_LISTEN, Failure

if TYPE_CHECKING:
    from app.config import Settings
    from app.physics.vacuum import Cannon


def settings() -> Settings:
    """The CANNON_* settings, or a Failure saying which one is wrong."""
    from pydantic import ValidationError
    from pydantic_settings import SettingsError

    from app.cli.local import settings_problems
    from app.config import get_settings

    try:
        return get_settings()
    except (ValidationError, SettingsError) as error:
        raise Failure(f"invalid CANNON_* settings: {settings_problems(error)}") from None


def listening(host: str, port: int) -> socket.socket:
    """A socket bound to host:port before the models load (seconds), so a busy port fails at
    once with exit 3 instead of after the startup; uvicorn listens on this very socket."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does
        sock.bind((host, port))
    except OSError as error:
        sock.close()
        why = error.strerror or str(error)
        raise Failure(f"cannot serve on {host} port {port}: {why}", CANNOT_LISTEN) from None
    sock.set_inheritable(True)
    return sock


def serve(args: argparse.Namespace) -> int:
    from app.model.store import ModelError, load_model

    config = settings()
    host, port = args.host or config.host, args.port or config.port
    sock = listening(host, port)
    try:  # a missing, tampered or corrupt model: one line, exit 1, before the server starts
        load_model(config.model_path, config.cannon())
        load_model(config.air_model_path, config.cannon(), "air")
        load_model(config.space_model_path, config.cannon(), "space")
    except ModelError as error:
        raise Failure(f"cannot load the model: {error}") from None
    from app.api.server import server
    from app.main import create_app

    # uvicorn finishes the requests in flight on SIGTERM, then re-raises the signal under the
    # handler it found at start: make that one a clean exit, so a stop is not a failure.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    running = server(create_app(config), config, host=host, port=port)
    try:
        running.run(sockets=[sock])
    except SystemExit as stop:
        if stop.code not in (0, None):
            raise Failure(f"the server stopped (uvicorn exit {stop.code})") from None
    if not running.started:  # the model failed its self-check: uvicorn's log said why
        raise Failure("the server did not start: the log above says why")
    return 0


def train(args: argparse.Namespace) -> int:
    given: dict[str, Any] = {
        k: v for k, v in (("seed", args.seed), ("steps", args.steps)) if v is not None
    }
    cannon = settings().cannon()
    if args.air:
        return train_air(args, given, cannon)
    if args.space:
        return train_space(args, given, cannon)

    import torch

    from app.model.store import DEFAULT_WEIGHTS, save_model
    from app.training.vacuum import TrainConfig, validate
    from app.training.vacuum import train as trained

    config = TrainConfig(**given)
    out = Path(args.out) if args.out else DEFAULT_WEIGHTS
    result = trained(cannon, config)  # shows a progress bar on stderr
    figures = validate(result.network, config.validation_points)
    card: dict[str, Any] = {
        "name": "cannon-aim inverse network",
        "solution_choice": (
            "the lowest launch velocity that reaches the target (learned through a decaying "
            "velocity penalty; in a vacuum that is the 45-degree shot)"
        ),
        "training": {
            **config.as_dict(),
            "final_miss_loss": result.losses[-1],
            "seconds": round(result.seconds, 1),
            "torch": torch.__version__,
            "python": platform.python_version(),
        },
        "validation": figures,
    }
    card = save_model(result.network, out, card)
    if args.json:
        print(json.dumps({"weights": str(out), **card["validation"]}, indent=2))
        return 0
    print(f"trained in {result.seconds:.1f} s; weights {out}, version {card['version']}")
    print(vacuum_validation(card["validation"]))
    return 0


def train_air(args: argparse.Namespace, given: dict[str, Any], cannon: Cannon) -> int:
    """`cannon train --air`: the air model, as models/air.safetensors was made."""
    from app.model.store import DEFAULT_AIR_WEIGHTS
    from app.training.air import AirTrainConfig, train_and_save_air

    out = Path(args.out) if args.out else DEFAULT_AIR_WEIGHTS
    card = train_and_save_air(out, AirTrainConfig(**given), cannon)  # progress on stderr
    return report(args, out, card, air_validation)


def train_space(args: argparse.Namespace, given: dict[str, Any], cannon: Cannon) -> int:
    """`cannon train --space`: the 3D model, as models/space.safetensors was made."""
    from app.model.store import DEFAULT_SPACE_WEIGHTS
    from app.training.space import SpaceTrainConfig, train_and_save_space

    out = Path(args.out) if args.out else DEFAULT_SPACE_WEIGHTS
    card = train_and_save_space(out, SpaceTrainConfig(**given), cannon)  # progress on stderr
    return report(args, out, card, space_validation)


def report(
    args: argparse.Namespace,
    out: Path,
    card: dict[str, Any],
    table: Callable[[dict[str, Any]], str],
) -> int:
    """A trained model's card as JSON (--json) or as lines for people."""
    if args.json:
        print(json.dumps({"weights": str(out), **card["validation"]}, indent=2))
        return 0
    seconds = card["training"]["seconds"]
    print(f"trained in {seconds:.1f} s; weights {out}, version {card['version']}")
    print(table(card["validation"]))
    return 0


def vacuum_validation(figures: dict[str, float]) -> str:
    """The network's validation figures (misses in metres) as a small table."""
    names = {
        "median_miss_m": "median miss",
        "p99_miss_m": "99th percentile miss",
        "max_miss_m": "largest miss",
        "max_miss_below_1mm_m": "largest miss, targets under 1 mm",
    }
    lines = [f"validation on {int(figures['points'])} targets, network alone:"]
    lines += [f"  {label:<34} {figures[key]:.3g} m" for key, label in names.items()]
    lines.append(f"  {'within 5 cm':<34} {figures['within_5cm']:.2%}")
    lines.append(f"  {'within 1 mm':<34} {figures['within_1mm']:.2%}")
    return "\n".join(lines)


def air_validation(figures: dict[str, float | None]) -> str:
    """The air network's validation figures (misses in metres, from the reference)."""
    lines = [f"validation on {figures['targets']} targets through air, network alone:"]
    for key, label in (
        ("median_miss_m", "median miss"),
        ("p99_miss_m", "99th percentile miss"),
        ("max_miss_m", "largest miss"),
    ):
        value = figures.get(key)
        lines.append(f"  {label:<34} " + ("-" if value is None else f"{value:.3g} m"))
    for key, label in (
        ("within_1%", "within 1% of the distance"),
        ("within_0.1%", "within 0.1% of the distance"),
        ("reached", "coming down at the target height"),
    ):
        lines.append(f"  {label:<34} {figures[key] or 0.0:.2%}")
    return "\n".join(lines)


def space_validation(figures: dict[str, Any]) -> str:
    """The 3D network's validation figures: horizontal misses in metres and relative to the
    target's distance at firing, each proposal flown by the reference; None (no shot came
    down through the target's height at that quantile) shows as "-"."""
    lines = [f"validation on {figures['targets']} moving targets in 3D, network alone:"]
    for key, label, unit in (
        ("median_miss_m", "median miss", " m"),
        ("p99_miss_m", "99th percentile miss", " m"),
        ("median_relative_miss", "median miss / target distance", ""),
        ("p99_relative_miss", "99th percentile / target distance", ""),
    ):
        value = figures.get(key)
        shown = "-" if value is None else f"{value:.3g}{unit}" if unit else f"{value:.3%}"
        lines.append(f"  {label:<34} {shown}")
    for key, label in (
        ("within_1%", "within 1% of the distance"),
        ("within_0.1%", "within 0.1% of the distance"),
        ("reached", "coming down at the target height"),
        ("slower", "no faster than the built shot"),
    ):
        lines.append(f"  {label:<34} {figures[key] or 0.0:.2%}")
    return "\n".join(lines)


def bench(args: argparse.Namespace) -> int:
    try:
        module = importlib.import_module(f"benchmarks.{args.which}")
    except ModuleNotFoundError as error:
        if error.name and error.name.split(".")[0] != "benchmarks":
            raise Failure(
                f"cannon bench needs {error.name}: pip install 'cannon-aim[bench]'"
            ) from None
        raise Failure(
            "cannon bench runs from a source checkout: benchmarks/ is not installed"
        ) from None
    module.main(args.rest)
    return 0
