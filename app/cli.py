"""The `cannon` command: train the network, serve the API, aim from the shell."""

from __future__ import annotations

import argparse
import json
import platform
import signal
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

import torch


def train_command(args: argparse.Namespace) -> None:
    from app.config import get_settings
    from app.model_store import save_model
    from app.training import TrainConfig, train, validate

    config = TrainConfig(seed=args.seed, steps=args.steps)
    result = train(get_settings().cannon(), config)
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
    card = save_model(result.network, args.out, card)
    print(json.dumps({"weights": str(args.out), **card["validation"]}, indent=2))


def serve_command(args: argparse.Namespace) -> None:
    import uvicorn

    from app.config import get_settings
    from app.model_store import load_model

    settings = get_settings()
    # Refuse a missing, tampered or corrupt model with a one-line message (and exit 1) before
    # uvicorn starts; the app checks it again when it loads it.
    load_model(settings.model_path, settings.cannon())
    # uvicorn finishes the requests in flight on SIGTERM, then re-raises the signal under the
    # handler it found at start: make that one a clean exit, so a stop is not a failure.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    uvicorn.run(
        "app.main:app",
        host=args.host or settings.host,
        port=args.port or settings.port,
        log_level=settings.log_level,
        access_log=False,  # the app writes one JSON line a request (app/api/observe.py)
    )


def aim_command(args: argparse.Namespace) -> None:
    from app.aiming import Aimer
    from app.config import get_settings
    from app.model_store import load_model

    settings = get_settings()
    network, card = load_model(settings.model_path, settings.cannon())
    aimer = Aimer(network, settings.max_refine_iterations, card["version"])
    tolerance = settings.tolerance(args.tolerance)
    try:
        answer = aimer.aim(args.distance, tolerance, not args.no_refine)
    except ValueError as error:  # unreachable target or tolerance too small
        sys.exit(str(error))
    print(json.dumps(asdict(answer), indent=2))


def main(argv: list[str] | None = None) -> None:
    from pydantic import ValidationError
    from pydantic_settings import SettingsError

    from app.model_store import DEFAULT_WEIGHTS, ModelError
    from app.training import TrainConfig

    parser = argparse.ArgumentParser(prog="cannon", description=__doc__)
    commands = parser.add_subparsers(required=True)

    train_parser = commands.add_parser("train", help="train the inverse network into models/")
    train_parser.add_argument("--out", type=Path, default=DEFAULT_WEIGHTS, help="weights path")
    train_parser.add_argument("--seed", type=int, default=TrainConfig.seed)
    train_parser.add_argument("--steps", type=int, default=TrainConfig.steps)
    train_parser.set_defaults(run=train_command)

    serve_parser = commands.add_parser("serve", help="serve the HTTP API with uvicorn")
    serve_parser.add_argument("--host", help="default: CANNON_HOST or 127.0.0.1")
    serve_parser.add_argument("--port", type=int, help="default: CANNON_PORT or 8000")
    serve_parser.set_defaults(run=serve_command)

    aim_parser = commands.add_parser("aim", help="aim at one target and print the answer")
    aim_parser.add_argument("distance", type=float, help="target distance in metres")
    aim_parser.add_argument(
        "--tolerance", type=float, help="metres; default CANNON_DEFAULT_TOLERANCE"
    )
    aim_parser.add_argument("--no-refine", action="store_true", help="network proposal only")
    aim_parser.set_defaults(run=aim_command)

    args = parser.parse_args(argv)
    try:
        args.run(args)
    except (ValidationError, SettingsError) as error:
        sys.exit(f"invalid CANNON_* settings: {error}")
    except ModelError as error:
        sys.exit(f"cannot load the model: {error}")


if __name__ == "__main__":
    main()
