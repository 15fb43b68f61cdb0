"""The `cannon` command line: its subcommands, options (each with its unit) and exit codes.

Building the parser imports nothing heavy (no torch, numpy, scipy, numba, not even pydantic),
so `cannon --help`, `cannon aim --help` and `cannon --version` answer at once; each command
imports what it needs only once it runs.
"""

from __future__ import annotations

import argparse
import math
from typing import Any

from app.cli import odds_options, space_options

BENCHMARKS = (
    "approaches", "speed", "figures", "air", "air_figures", "peer", "startup", "soak", "overload",
    "light", "space", "moving", "buckets", "space_figure",
)  # fmt: skip
DEGREE_SUFFIXES = ("degrees", "degree", "deg", "°")
RADIAN_SUFFIXES = ("radians", "radian", "rad")

DESCRIPTION = """\
Aim a cannon: serve the HTTP API, aim at targets and verify shots (in this process, or
against a service with --url), train the network, run the benchmarks. Units: metres (m),
metres per second (m/s), radians (rad) or degrees, seconds (s).
"""
EXIT_CODES = """\
exit codes:
  0    done: the answer is printed and, for aim and for verify with --distance or
       --target, the shot hits the target (verify without either: where the shot lands is
       printed)
  1    no hit, or the command failed: the shot misses the target (aim, verify), a batch has
       a target missed or out of reach (its answers are still written), or a message on
       standard error says what failed (the service refused the request, could not be
       reached, a file cannot be read or written, the model cannot be loaded)
  2    the command line is wrong (usage on standard error)
  3    cannon serve cannot listen: the port is busy or the address not allowed
  130  interrupted (Ctrl-C)
"""
TOLERANCE_HELP = (
    "largest acceptable miss, metres; default: the smaller of the service's default "
    "(CANNON_DEFAULT_TOLERANCE, 0.05 m unless set) and 1%% of the distance (horizontal, in 3D; "
    "of the nearest target in a batch), at least 1e-6 m; the answer says which"
)
ANGLE_HELP = "radians above horizontal, or degrees with a unit: 45deg, 45°; 0.7rad also reads"


def angle(text: str) -> float:
    """An angle in radians from '0.785', '0.785rad', '45deg' or '45°' (argparse type)."""
    value = text.strip().lower()
    for suffixes, scale in ((DEGREE_SUFFIXES, math.pi / 180), (RADIAN_SUFFIXES, 1.0)):
        for suffix in suffixes:
            if value.endswith(suffix):
                return number(value.removesuffix(suffix)) * scale
    return number(value)


def number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not a number: {text!r} (an angle is radians, or degrees as 45deg)"
        ) from None


class Version(argparse.Action):
    """--version: `cannon-aim <version>` from the installed package's metadata, read only
    when asked (importlib.metadata is not free)."""

    def __init__(self, option_strings: list[str], dest: str, **kwargs: Any) -> None:
        kwargs.setdefault("help", "print the version and exit")
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, *args: Any) -> None:
        from importlib import metadata

        try:
            version = metadata.version("cannon-aim")
        except metadata.PackageNotFoundError:
            version = "(unknown: the package is not installed)"
        print(f"cannon-aim {version}")
        parser.exit(0)


def parser() -> argparse.ArgumentParser:
    """The whole command line; each subcommand's `run` names the module:function running it."""
    top = argparse.ArgumentParser(
        prog="cannon",
        description=DESCRIPTION,
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    top.add_argument("--version", action=Version)
    commands = top.add_subparsers(required=True, metavar="COMMAND")

    def command(name: str, help: str, parents: tuple[argparse.ArgumentParser, ...] = ()) -> Any:
        sub = commands.add_parser(
            name,
            help=help,
            description=help[0].upper() + help[1:] + ".",
            parents=list(parents),
            epilog=EXIT_CODES,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        sub.set_defaults(parser=sub)  # for problem(): its usage, not the top one's
        return sub

    serve = command("serve", "serve the HTTP API with uvicorn")
    serve.add_argument("--host", help="address to listen on; default: CANNON_HOST or 127.0.0.1")
    serve.add_argument(
        "--port", type=int, metavar="PORT", help="TCP port; default: CANNON_PORT or 8000"
    )
    serve.set_defaults(run="tools:serve")

    asking = asking_options()
    aim = command(
        "aim", "aim at a target (m, or x y z m in 3D), or at every target in a file", (asking,)
    )
    aim.add_argument(
        "distance", type=float, nargs="?", metavar="DISTANCE", help="target distance, metres"
    )
    aim.add_argument(
        "--file",
        help="targets: CSV (a distance or distance_m column, or one number a line, metres) "
        "or JSON ([7.5, 2] or {\"distances\": [...]}); '-' reads standard input",
    )
    space_options.add_target(aim)
    aim.add_argument("--targets", metavar="FILE", help=space_options.TARGETS_HELP)
    aim.add_argument("--out", help="write a batch's answers to this file (default: stdout)")
    aim.add_argument(
        "--progress",
        action="store_true",
        help="show a batch's progress bar on stderr from the start, even when stderr is not "
        "a terminal (on a terminal it shows anyway once a batch has taken 1 s)",
    )
    aim.add_argument("--no-refine", action="store_true", help="the network's proposal only")
    aim.add_argument(
        "--velocity",
        type=float,
        metavar="M/S",
        help="fix the launch velocity, m/s; solve the angle",
    )
    aim.add_argument(
        "--angle",
        type=angle,
        metavar="ANGLE",
        help=f"fix the launch angle, the elevation in 3D ({ANGLE_HELP})",
    )
    aim.add_argument(
        "--arc",
        choices=("low", "high"),
        help="with --velocity: the low arc (flatter, the default) or the high one",
    )
    space_options.add_scene(aim)
    odds_options.add_uncertainty(aim, angle)
    aim.set_defaults(run="asking:aim")

    verify = command("verify", "where a shot lands, and whether it hits a target", (asking,))
    verify.add_argument("--angle", type=angle, required=True, metavar="ANGLE", help=ANGLE_HELP)
    verify.add_argument(
        "--velocity", type=float, required=True, metavar="M/S", help="launch velocity, m/s"
    )
    verify.add_argument(
        "--distance",
        type=float,
        metavar="M",
        help="target distance, metres; without it (and --target), only where the shot lands "
        "(exit 0)",
    )
    space_options.add_target(verify)
    space_options.add_azimuth(verify, angle)
    space_options.add_scene(verify)
    verify.set_defaults(run="asking:verify")

    odds_options.add_calibrate(command, service_options())

    train = command("train", "train the inverse network into models/")
    which = train.add_mutually_exclusive_group()
    which.add_argument("--air", action="store_true", help="the air model (drag, wind, heights)")
    which.add_argument(
        "--space", action="store_true", help="the 3D model (targets {x, y, z}, moving or not)"
    )
    train.add_argument("--out", help="weights path (default: the shipped model's)")
    train.add_argument("--seed", type=int, help="random seed (default: the shipped model's, 0)")
    train.add_argument("--steps", type=int, help="Adam steps (default: the shipped model's)")
    train.add_argument("--json", action="store_true", help="print the validation as JSON")
    train.set_defaults(run="tools:train")

    bench = command("bench", "run a benchmark (from a source checkout)")
    bench.add_argument("which", choices=BENCHMARKS)
    bench.add_argument("rest", nargs=argparse.REMAINDER, help="its options; see its --help")
    bench.set_defaults(run="tools:bench")
    return top


def problem(args: argparse.Namespace) -> str | None:
    """What is wrong with a command line argparse accepted, options that make no sense
    together (a usage error, exit 2), or None."""
    asking = args.run in ("asking:aim", "asking:verify")
    if asking and (found := space_options.problem(args)):
        return found
    if args.run == "asking:aim" and (found := odds_options.problem(args)):
        return found
    calibrate = args.run == "odds_asking:calibrate"
    verify = args.run == "asking:verify"
    if verify and args.tolerance is not None and args.distance is None and args.target is None:
        return "--tolerance (m) is for a target: give --distance (or --target) too"
    if (
        (asking or calibrate)
        and args.url is None
        and (args.api_key is not None or args.timeout is not None)
    ):
        return "--api-key and --timeout are for a service: give --url too"
    if args.run != "asking:aim":
        return None
    if args.arc is not None and args.velocity is None:
        return (
            "--arc picks one of the two angles that reach the target at a fixed launch "
            "velocity: give --velocity (m/s) too"
        )
    if args.file is None and args.targets is None and (args.out is not None or args.progress):
        return "--out and --progress are for a batch: give --file or --targets"
    return None


def service_options() -> argparse.ArgumentParser:
    """Who answers and how the answer prints: the options of every command that asks (aim,
    verify, calibrate)."""
    asking = argparse.ArgumentParser(add_help=False)
    asking.add_argument(
        "--url", help="ask the service at this URL (e.g. http://127.0.0.1:8000), not this process"
    )
    asking.add_argument(
        "--api-key",
        metavar="KEY",
        help="the service's API key, with --url; default: CANNON_API_KEY",
    )
    asking.add_argument(
        "--timeout",
        type=float,
        metavar="S",
        help="seconds per request, with --url (default 10 s)",
    )
    asking.add_argument("--json", action="store_true", help="print the answer as JSON")
    return asking


def asking_options() -> argparse.ArgumentParser:
    """The options of the commands that aim or check a shot (aim, verify)."""
    asking = argparse.ArgumentParser(add_help=False, parents=[service_options()])
    asking.add_argument("--tolerance", type=float, metavar="M", help=TOLERANCE_HELP)
    air = asking.add_argument_group("air (defaults: flat ground, still air, no drag)")
    air.add_argument(
        "--launch-height", type=float, metavar="M", help="metres above the ground, 0 to 3"
    )
    air.add_argument(
        "--target-height",
        type=float,
        metavar="M",
        help="metres above the ground, within 3 m of the launch (with --target: its z)",
    )
    air.add_argument(
        "--wind", type=float, metavar="M/S", help="m/s along the line of fire, + tailwind, -5 to 5"
    )
    air.add_argument(
        "--drag", type=float, metavar="1/M", help="quadratic drag coefficient, 1/m, 0 to 0.2"
    )
    return asking
