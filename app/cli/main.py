"""The `cannon` command: serve the API, aim and verify (in this process or against a service
with --url), train the network, run the benchmarks.

Exit codes: 0 done, 1 the command failed (a message says why, never a traceback), 2 the
command line is wrong.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.api.conditions import Conditions, Constraints
from app.cli.io import (
    TargetFileError,
    as_json,
    batch_csv,
    batch_summary,
    human_aim,
    human_air_validation,
    human_validation,
    human_verify,
    read_targets,
    read_text,
)
from app.client import CannonClient, CannonError
from app.client.local import checked

if TYPE_CHECKING:
    from app.physics.vacuum import Cannon

BENCHMARKS = (
    "approaches", "speed", "figures", "air", "air_figures", "peer", "startup", "soak", "overload",
)  # fmt: skip


def service(args: argparse.Namespace) -> Any:
    """The service to ask: the one at --url, or the model in this process."""
    if args.url:
        return CannonClient(args.url, api_key=args.api_key, timeout=args.timeout)
    from app.client.local import LocalCannon

    return LocalCannon()


def air_of(args: argparse.Namespace) -> Conditions | None:
    """The air options given (heights m, wind m/s, drag 1/m), checked against the envelope."""
    names = ("launch_height", "target_height", "wind", "drag")
    given = {name: getattr(args, name) for name in names if getattr(args, name) is not None}
    return checked(Conditions, **given) if given else None


def hold_of(args: argparse.Namespace) -> Constraints | None:
    """A fixed velocity (m/s) or angle (rad), and the arc, if given."""
    given = {name: getattr(args, name) for name in ("velocity", "angle", "arc")}
    given = {name: value for name, value in given.items() if value is not None}
    return checked(Constraints, **given) if given else None


def aim_command(args: argparse.Namespace) -> None:
    refine = False if args.no_refine else None
    cannon = service(args)
    physics = {"air": air_of(args), "hold": hold_of(args)}
    if args.file is None:
        shot = cannon.aim(args.distance, tolerance=args.tolerance, refine=refine, **physics)
        print(as_json(shot) if args.json else human_aim(shot))
        return
    text = read_text(args.file)
    json_in = args.file.endswith(".json") or text.lstrip().startswith(("[", "{"))
    distances = read_targets(text, json_in)
    solutions = cannon.aim_many(distances, tolerance=args.tolerance, refine=refine, **physics)
    output = as_json(solutions) + "\n" if args.json or json_in else batch_csv(solutions)
    if args.out:
        args.out.write_text(output)
    else:
        sys.stdout.write(output)
    print(batch_summary(solutions), file=sys.stderr)


def verify_command(args: argparse.Namespace) -> None:
    check = service(args).verify(
        args.angle, args.velocity, args.distance, tolerance=args.tolerance, air=air_of(args)
    )
    print(as_json(check) if args.json else human_verify(check))


def serve_command(args: argparse.Namespace) -> None:
    from app.api.server import server
    from app.config import get_settings
    from app.main import create_app
    from app.model.store import load_model

    settings = get_settings()
    # Refuse a missing, tampered or corrupt model with a one-line message (and exit 1) before
    # the server starts; the app checks it again when it loads it, then runs its self-check.
    load_model(settings.model_path, settings.cannon())
    load_model(settings.air_model_path, settings.cannon(), "air")
    # uvicorn finishes the requests in flight on SIGTERM, then re-raises the signal under the
    # handler it found at start: make that one a clean exit, so a stop is not a failure.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    running = server(
        create_app(settings),
        settings,
        host=args.host or settings.host,
        port=args.port or settings.port,
    )
    try:
        running.run()
    except SystemExit as stop:  # uvicorn's 3 for a busy port: one exit code for "cannot serve"
        sys.exit(0 if stop.code in (0, None) else 1)
    if not running.started:  # the model failed its self-check: uvicorn's log said why
        sys.exit(1)


def train_command(args: argparse.Namespace) -> None:
    from app.config import get_settings

    given: dict[str, Any] = {
        k: v for k, v in (("seed", args.seed), ("steps", args.steps)) if v is not None
    }
    if args.air:
        train_air(args, given, get_settings().cannon())
        return

    import torch

    from app.model.store import DEFAULT_WEIGHTS, save_model
    from app.training.vacuum import TrainConfig, train, validate

    config = TrainConfig(**given)
    out = args.out or DEFAULT_WEIGHTS
    result = train(get_settings().cannon(), config)  # shows a progress bar on stderr
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
        return
    print(f"trained in {result.seconds:.1f} s; weights {out}, version {card['version']}")
    print(human_validation(card["validation"]))


def train_air(args: argparse.Namespace, given: dict[str, Any], cannon: Cannon) -> None:
    """`cannon train --air`: the air model, as models/air.safetensors was made."""
    from app.model.store import DEFAULT_AIR_WEIGHTS
    from app.training.air import AirTrainConfig, train_and_save_air

    out = args.out or DEFAULT_AIR_WEIGHTS
    config = AirTrainConfig(**given)
    card = train_and_save_air(out, config, cannon)  # progress on stderr
    if args.json:
        print(json.dumps({"weights": str(out), **card["validation"]}, indent=2))
        return
    seconds = card["training"]["seconds"]
    print(f"trained in {seconds:.1f} s; weights {out}, version {card['version']}")
    print(human_air_validation(card["validation"]))


def bench_command(args: argparse.Namespace) -> None:
    try:
        module = importlib.import_module(f"benchmarks.{args.which}")
    except ModuleNotFoundError as error:
        if error.name and error.name.split(".")[0] != "benchmarks":
            sys.exit(f"cannon bench needs {error.name}: pip install 'cannon-aim[bench]'")
        sys.exit("cannon bench runs from a source checkout: benchmarks/ is not installed")
    module.main(args.rest)


def parser() -> argparse.ArgumentParser:
    from app.training.vacuum import TrainConfig

    top = argparse.ArgumentParser(prog="cannon", description=__doc__)
    commands = top.add_subparsers(required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="serve the HTTP API with uvicorn")
    serve.add_argument("--host", help="default: CANNON_HOST or 127.0.0.1")
    serve.add_argument("--port", type=int, help="default: CANNON_PORT or 8000")
    serve.set_defaults(run=serve_command)

    remote = argparse.ArgumentParser(add_help=False)  # options of the commands that ask
    remote.add_argument("--url", help="ask this service (e.g. http://127.0.0.1:8000) instead")
    remote.add_argument(
        "--api-key",
        default=os.environ.get("CANNON_API_KEY") or None,
        help="default: CANNON_API_KEY",
    )
    remote.add_argument("--timeout", type=float, default=10.0, help="seconds per request")
    remote.add_argument("--json", action="store_true", help="print the service's JSON")
    remote.add_argument("--tolerance", type=float, help="metres; default CANNON_DEFAULT_TOLERANCE")
    air = remote.add_argument_group("air (defaults: flat ground, still air, no drag)")
    air.add_argument("--launch-height", type=float, help="m above the ground, 0 to 3")
    air.add_argument("--target-height", type=float, help="m above the ground, within 3 m of it")
    air.add_argument("--wind", type=float, help="m/s along the line of fire, + tailwind, -5 to 5")
    air.add_argument("--drag", type=float, help="quadratic drag coefficient, 1/m, 0 to 0.2")

    aim = commands.add_parser(
        "aim", parents=[remote], help="aim at a target (m), or at every target in a file"
    )
    aim.add_argument("distance", type=float, nargs="?", help="target distance in metres")
    aim.add_argument(
        "--file", help="targets, CSV (a distance column, or one per line) or JSON; '-' stdin"
    )
    aim.add_argument("--out", type=Path, help="write a batch's answers here (default stdout)")
    aim.add_argument("--no-refine", action="store_true", help="the network's proposal only")
    aim.add_argument(
        "--velocity", type=float, help="fix the launch velocity (m/s), solve the angle"
    )
    aim.add_argument("--angle", type=float, help="fix the launch angle (rad), solve the velocity")
    aim.add_argument("--arc", choices=("low", "high"), help="with --velocity: which arc (low)")
    aim.set_defaults(run=aim_command)

    verify = commands.add_parser("verify", parents=[remote], help="where a shot lands")
    verify.add_argument("--angle", type=float, required=True, help="radians above horizontal")
    verify.add_argument("--velocity", type=float, required=True, help="m/s")
    verify.add_argument("--distance", type=float, required=True, help="target, metres")
    verify.set_defaults(run=verify_command)

    train = commands.add_parser("train", help="train the inverse network into models/")
    train.add_argument("--air", action="store_true", help="the air model (drag, wind, heights)")
    train.add_argument("--out", type=Path, help="weights path (default: the shipped model's)")
    train.add_argument("--seed", type=int, help=f"default {TrainConfig.seed}")
    train.add_argument("--steps", type=int, help="Adam steps (default: the shipped model's)")
    train.add_argument("--json", action="store_true", help="print the validation as JSON")
    train.set_defaults(run=train_command)

    bench = commands.add_parser("bench", help="run a benchmark (from a source checkout)")
    bench.add_argument("which", choices=BENCHMARKS)
    bench.add_argument("rest", nargs=argparse.REMAINDER, help="its options; see --help")
    bench.set_defaults(run=bench_command)
    return top


def main(argv: list[str] | None = None) -> None:
    from pydantic import ValidationError
    from pydantic_settings import SettingsError

    from app.model.store import ModelError

    top = parser()
    args = top.parse_args(argv)
    if args.run is aim_command and (args.distance is None) == (args.file is None):
        top.error("aim takes either a distance or --file")
    try:
        args.run(args)
    except CannonError as error:
        sys.exit(f"cannon: {error}")
    except (TargetFileError, OSError) as error:
        sys.exit(f"cannon: cannot read the targets: {error}")
    except ValidationError as error:  # one line: each setting and what is wrong with it
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
        sys.exit(f"cannon: invalid CANNON_* settings: {problems}")
    except SettingsError as error:
        sys.exit(f"cannon: invalid CANNON_* settings: {error}")
    except ModelError as error:
        sys.exit(f"cannon: cannot load the model: {error}")
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
