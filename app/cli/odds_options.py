"""The command line of calibration and the odds: `cannon calibrate` and the uncertainty options
of `cannon aim`, each with its unit. Light to import, as app/cli/options.py: argparse only."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

PARAMETERS = ("drag", "wind", "velocity_bias")
SPREAD = ("velocity_sigma", "angle_sigma", "azimuth_sigma", "wind_sigma", "drag_sigma")
SHOTS_HELP = (
    "the ranging shots: CSV with a header naming velocity (m/s), angle (rad, or a value with "
    "a unit: 20deg; or an angle_deg column) and landed (m along the line of fire); the 3D "
    "form azimuth (rad, or 30deg; or azimuth_deg), landed_x and landed_y (m) instead of "
    "landed; optionally launch_height, target_height (m) and flight_time (s); other columns "
    "ignored. '-' reads standard input"
)


def fitted(text: str) -> list[str]:
    """`drag,wind` as ["drag", "wind"] (argparse type): each of drag, wind, velocity_bias."""
    names = [name.strip().replace("-", "_") for name in text.split(",") if name.strip()]
    wrong = [name for name in names if name not in PARAMETERS]
    if wrong or not names:
        raise argparse.ArgumentTypeError(
            f"--fit is a comma-separated list of {', '.join(PARAMETERS)}; got {text!r}"
        )
    return names


def add_calibrate(command: Callable[..., Any], service: argparse.ArgumentParser) -> None:
    """`cannon calibrate SHOTS --sigma M --fit LIST`: the air from ranging shots."""
    calibrate = command(
        "calibrate",
        "fit the drag, the wind and the muzzle speed's bias to where ranging shots landed",
        (service,),
    )
    calibrate.add_argument("shots", metavar="SHOTS", help=SHOTS_HELP)
    calibrate.add_argument(
        "--sigma",
        type=float,
        required=True,
        metavar="M",
        help="standard deviation of each observed landing (each coordinate in 3D), metres",
    )
    calibrate.add_argument(
        "--fit",
        type=fitted,
        required=True,
        metavar="LIST",
        help="what to estimate, comma-separated: drag (1/m), wind (m/s), velocity_bias "
        "(a factor: the cannon fires this times the commanded velocity)",
    )
    calibrate.add_argument(
        "--flight-time-sigma",
        type=float,
        metavar="S",
        help="standard deviation of the observed flight times, seconds (needed with a "
        "flight_time column)",
    )
    calibrate.set_defaults(run="odds_asking:calibrate")


def add_uncertainty(aim: argparse.ArgumentParser, angle: Callable[[str], float]) -> None:
    """`cannon aim`'s odds: the errors of the shot and the air, and what counts as a hit."""
    odds = aim.add_argument_group(
        "the odds (with --hit-radius: the landing's spread and the chance of a hit)"
    )
    odds.add_argument(
        "--hit-radius",
        type=float,
        metavar="M",
        help="a hit lands within this horizontal distance of the target, metres",
    )
    odds.add_argument(
        "--velocity-sigma",
        type=float,
        metavar="M/S",
        help="launch velocity's standard deviation, m/s",
    )
    odds.add_argument(
        "--angle-sigma",
        type=angle,
        metavar="ANGLE",
        help="elevation's standard deviation: radians, or degrees as 0.5deg",
    )
    odds.add_argument(
        "--azimuth-sigma",
        type=angle,
        metavar="ANGLE",
        help="azimuth's standard deviation: radians, or degrees as 0.5deg",
    )
    odds.add_argument(
        "--wind-sigma",
        type=float,
        metavar="M/S",
        help="standard deviation of each horizontal wind component, m/s",
    )
    odds.add_argument(
        "--drag-sigma", type=float, metavar="1/M", help="drag coefficient's standard deviation, 1/m"
    )
    odds.add_argument(
        "--samples",
        type=int,
        metavar="N",
        help="Monte Carlo samples (shots flown), 100 to 100,000; default 10,000",
    )
    odds.add_argument(
        "--seed",
        type=int,
        metavar="N",
        help="the Monte Carlo's seed; default 0 (same seed, same samples)",
    )
    odds.add_argument(
        "--best-odds",
        action="store_true",
        help="also the aim with the best chance of a hit under these errors, beside the "
        "exact aim's chance",
    )


def problem(args: argparse.Namespace) -> str | None:
    """The odds options that make no sense together (a usage error), or None."""
    given = [name for name in (*SPREAD, "samples", "seed") if getattr(args, name) is not None]
    if args.hit_radius is None and (given or args.best_odds):
        flag = "--best-odds" if args.best_odds else "--" + given[0].replace("_", "-")
        return f"{flag} is for the odds of a hit: give --hit-radius (m) too"
    if args.hit_radius is not None and (args.file is not None or args.targets is not None):
        return "the odds (--hit-radius) are for one target: give DISTANCE or --target"
    return None
