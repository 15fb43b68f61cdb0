"""The command line's 3D options (issue 13): aim in azimuth and elevation at a target that may
move, through a wind from any side. Axes: x and y horizontal, z up, metres from the ground
under the muzzle; azimuth counter-clockwise from +x toward +y.

Light to import, as app/cli/options.py: argparse only. Options that make no sense together
are told apart here (a usage error, exit 2), before anything is loaded or sent.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

XYZ = ("X", "Y", "Z")
TARGETS_HELP = (
    "targets in 3D: CSV with columns x, y and optionally z (m; x_m, y_m, z_m also read), or "
    'JSON ([[4, 2, 0.5], ...], or {"targets": [{"x": 4, "y": 2, "z": 0.5}, ...]}); '
    "'-' reads standard input"
)
# Only the 3D form takes these (their option strings, for the messages).
MOTION = {
    "target_velocity": "--target-velocity",
    "target_acceleration": "--target-acceleration",
    "wind_x": "--wind-x",
    "wind_y": "--wind-y",
    "intercept": "--intercept",
}


def add_target(command: argparse.ArgumentParser) -> None:
    """--target X Y Z: one target in 3D, where it is at the moment of firing."""
    command.add_argument(
        "--target",
        type=float,
        nargs=3,
        metavar=XYZ,
        help="a target in 3D at the moment of firing, metres: x and y horizontal, z its "
        "height above the ground (e.g. --target 4 2 0.5)",
    )


def add_scene(command: argparse.ArgumentParser) -> None:
    """The scene of a 3D shot: the target's motion, a wind from any side, where they meet."""
    scene = command.add_argument_group(
        "3D, with --target (defaults: a target that stays put, no crosswind)"
    )
    scene.add_argument(
        "--target-velocity",
        type=float,
        nargs=3,
        metavar=("VX", "VY", "VZ"),
        help="the target's velocity at firing, m/s (x, y, z); at most 3 m/s in all",
    )
    scene.add_argument(
        "--target-acceleration",
        type=float,
        nargs=3,
        metavar=("AX", "AY", "AZ"),
        help="the target's constant acceleration, m/s^2 (x, y, z); at most 2 m/s^2 in all",
    )
    scene.add_argument(
        "--wind-x", type=float, metavar="M/S", help="wind along x, m/s (default 0; not with --wind)"
    )
    scene.add_argument(
        "--wind-y", type=float, metavar="M/S", help="wind along y, m/s (default 0; not with --wind)"
    )
    scene.add_argument(
        "--intercept",
        choices=("descending", "any"),
        help="descending (the default): meet the target where the shot comes down through its "
        "height, the miss horizontal; any: anywhere in the flight, the miss the 3D distance "
        "of closest approach",
    )


def add_azimuth(command: argparse.ArgumentParser, angle: Callable[[str], float]) -> None:
    command.add_argument(
        "--azimuth",
        type=angle,
        metavar="ANGLE",
        help="with --target: the shot's azimuth, counter-clockwise from +x toward +y, radians "
        "or degrees with a unit (30deg)",
    )


def in_space(args: argparse.Namespace) -> bool:
    """Whether a command line aims or verifies in 3D."""
    return getattr(args, "target", None) is not None or getattr(args, "targets", None) is not None


def problem(args: argparse.Namespace) -> str | None:
    """What makes no sense together in a 3D command line (exit 2), or None."""
    aiming = args.run == "asking:aim"
    if aiming:
        given = [
            name
            for name, value in (
                ("a distance", args.distance),
                ("--file", args.file),
                ("--target", args.target),
                ("--targets", args.targets),
            )
            if value is not None
        ]
        if len(given) != 1:
            return (
                "aim takes either a distance or --file (along one line), or --target or "
                "--targets (in 3D)" + (f": not {' and '.join(given)} together" if given else "")
            )
    else:
        if args.target is not None and args.distance is not None:
            return "verify takes either --distance (m, along one line) or --target (x y z m)"
        if (args.target is None) != (args.azimuth is None):
            return "--target and --azimuth go together: a shot in 3D is aimed in azimuth too"
    if not in_space(args):
        given = [flag for name, flag in MOTION.items() if getattr(args, name) is not None]
        if given:
            kind = "a 3D option" if len(given) == 1 else "3D options"
            need = "--target (x y z m)" + (" and --azimuth" if not aiming else "")
            return f"{', '.join(given)}: {kind}; give {need} too"
        return None
    if args.target_height is not None:
        return "--target-height is for a distance; with --target the target's z is its height (m)"
    if args.wind is not None and (args.wind_x is not None or args.wind_y is not None):
        return (
            "give --wind (m/s along the line of fire) or --wind-x/--wind-y (m/s, a wind from "
            "any side), not both"
        )
    return None


def scene(args: argparse.Namespace) -> dict[str, Any]:
    """The scene's options given, as the client's aim_at/verify_at take them (m, m/s, m/s^2,
    1/m); the defaults left to the service."""
    wind: Any = args.wind
    if args.wind_x is not None or args.wind_y is not None:
        wind = (args.wind_x or 0.0, args.wind_y or 0.0)
    given = {
        "wind": wind,
        "launch_height": args.launch_height,
        "drag": args.drag,
        "target_velocity": None if args.target_velocity is None else tuple(args.target_velocity),
        "target_acceleration": (
            None if args.target_acceleration is None else tuple(args.target_acceleration)
        ),
        "intercept": args.intercept,
    }
    return {name: value for name, value in given.items() if value is not None}
