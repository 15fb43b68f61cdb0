"""`cannon calibrate` and the odds of `cannon aim --hit-radius`: asked of the service at --url
or of this process (app/cli/local_odds.py), as app/cli/asking.py asks for an aim.

A refused shot is named by its line in the CSV, not by its index in the request: the line is
what the user can find and fix."""

from __future__ import annotations

import argparse
import re
from typing import Any

import cannon_client

from app.cli import asking, io, odds_io
from app.cli.asking import Service
from app.cli.errors import Failure
from app.cli.odds_options import SPREAD


def uncertainty(args: argparse.Namespace) -> cannon_client.Uncertainty | None:
    """The errors given on the command line (m/s, rad, 1/m) and the hit radius (m), or None."""
    if args.hit_radius is None:
        return None
    given = {name: getattr(args, name) for name in (*SPREAD, "samples", "seed")}
    given = {name: value for name, value in given.items() if value is not None}
    return cannon_client.Uncertainty(hit_radius=args.hit_radius, **given)


def asked(args: argparse.Namespace) -> dict[str, Any]:
    """The odds' keyword arguments of an aiming call: none without --hit-radius, so a cannon
    without them is asked as before."""
    spread = uncertainty(args)
    if spread is None:
        return {}
    best = "max_hit_probability" if args.best_odds else None
    return {"uncertainty": spread, "objective": best}


def calibrate(args: argparse.Namespace) -> int:
    """Fit the asked parameters to the shots in the file; exit 0 with the fit printed."""
    try:
        text = io.read_text(args.shots)
    except (OSError, UnicodeDecodeError) as error:
        raise Failure(f"cannot read the shots: {error}") from None
    name = "standard input" if args.shots == "-" else args.shots
    try:
        shots = odds_io.read_shots(text)
    except io.TargetFileError as error:
        raise Failure(f"cannot read the shots in {name}: {error}") from None

    def work(args: argparse.Namespace, asked: Service) -> int:
        try:
            fit = asked.cannon.calibrate(
                shots.shots, args.sigma, args.fit, flight_time_sigma=args.flight_time_sigma
            )
        except cannon_client.CannonError as error:
            raise Failure(refusal(error, shots, name, args.url is not None)) from None
        print(io.as_json(fit) if args.json else odds_io.human_calibration(fit, shots, args.sigma))
        return 0

    return asking.answered(args, work)


def refusal(error: cannon_client.CannonError, shots: odds_io.Shots, name: str, url: bool) -> str:
    """The service's refusal in one line, a shot named by its line in the file."""
    status = f" (HTTP {error.status})" if url and error.status else ""
    words = "; ".join(str(item.get("msg")) for item in error.items) or str(error)
    if isinstance(error, cannon_client.NotIdentifiable):
        return f"not identifiable: {words}{status}"
    index = error.shot if isinstance(error, cannon_client.BadShot) else None
    for item in error.items:
        loc = item.get("loc", [])
        if index is None and len(loc) > 2 and loc[1] == "shots" and isinstance(loc[2], int):
            index = loc[2]
    if index is None or not 0 <= index < len(shots.lines):
        return f"{error}{status}"
    said = re.sub(rf"^shot {index}: ", "", words)
    return f"{name} line {shots.lines[index]} (shot {index}): {said}{status}"
