"""`cannon aim --target`, `cannon aim --targets` and `cannon verify --target`: aiming in 3D at
targets that may move (issue 13), asked of the service at --url or of the models in this
process, as app/cli/asking.py asks along one line.

The default tolerance is the smaller of the service's default and 1% of the target's
horizontal distance at firing (of the nearest target's, in a batch), as along one line.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Sequence
from pathlib import Path

import cannon_client

from app.cli import asking, io, odds_asking, odds_io, space_io, space_options
from app.cli.asking import Service, said
from app.cli.errors import Failure


def horizontal(target: Sequence[float]) -> float:
    """The horizontal distance (m) of a target (x, y, z) at firing."""
    return math.hypot(target[0], target[1])


def closest(args: argparse.Namespace) -> bool:
    """Whether the miss is the 3D closest approach (intercept any), not the horizontal one."""
    return bool(args.intercept == "any")


def aim_one(args: argparse.Namespace, asked: Service) -> int:
    target = tuple(args.target)
    tolerance, why = asking.tolerance_for(args, asked.default_tolerance, [horizontal(target)])
    shot = asked.cannon.aim_at(
        target,
        tolerance=tolerance,
        refine=False if args.no_refine else None,
        hold=asking.constraints(args),
        **space_options.scene(args),
        **odds_asking.asked(args),
    )
    told = said(shot.tolerance, why)
    human = [space_io.human_aim(shot, told, closest(args)), *odds_io.human_odds(shot)]
    print(io.as_json(shot) if args.json else "\n".join(human))
    return 0 if shot.hit else 1


def aim_batch(args: argparse.Namespace, asked: Service) -> int:
    try:
        text = io.read_text(args.targets)
    except (OSError, UnicodeDecodeError) as error:
        raise Failure(f"cannot read the targets: {error}") from None
    json_in = args.targets.endswith(".json") or text.lstrip().startswith(("[", "{"))
    try:
        targets = space_io.read_targets(text, json_in)
    except io.TargetFileError as error:
        name = "standard input" if args.targets == "-" else args.targets
        raise Failure(f"cannot read the targets in {name}: {error}") from None
    if args.out is not None:
        asking.writable(Path(args.out))  # before the work, not after it
    distances = [horizontal(target) for target in targets]
    tolerance, why = asking.tolerance_for(args, asked.default_tolerance, distances)
    refine, hold, scene = (
        False if args.no_refine else None,
        asking.constraints(args),
        space_options.scene(args),
    )

    def ask(chunk: Sequence[space_io.Point]) -> list[cannon_client.TargetSolution]:
        return list(
            asked.cannon.aim_many_at(chunk, tolerance=tolerance, refine=refine, hold=hold, **scene)
        )

    solutions = asking.in_chunks(args, ask, targets)
    json_out = args.json or json_in
    asking.written(
        args, io.as_json(solutions) + "\n" if json_out else space_io.batch_csv(solutions)
    )
    told = why if tolerance is None else said(tolerance, why)
    print(space_io.batch_summary(solutions, told), file=sys.stderr)
    return 0 if space_io.hits_all(solutions) else 1


def verify_shot(args: argparse.Namespace, asked: Service) -> int:
    """Where the shot meets the target's height (by DOP853), and whether it hits: exit 0 on a
    hit, 1 on a miss."""
    target = tuple(args.target)
    tolerance, why = asking.tolerance_for(args, asked.default_tolerance, [horizontal(target)])
    check = asked.cannon.verify_at(
        args.angle,
        args.velocity,
        args.azimuth,
        target,
        tolerance=tolerance,
        **space_options.scene(args),
    )
    told = said(check.tolerance, why)
    print(io.as_json(check) if args.json else space_io.human_verify(check, told, closest(args)))
    return 0 if check.hit else 1
