"""`cannon aim` and `cannon verify`: ask the service at --url, or the models in this process.

With --url only the light client (cannon_client: httpx and pydantic) is imported; without it
app/cli/local.py loads the models and answers with the same client models, so both print
alike. The default tolerance is the smaller of the service's default and 1% of the distance:
the service's 5 cm alone would call a shot at a 1 cm target a hit at 1.95 cm.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cannon_client

from app.cli import io, progress
from app.cli.errors import Failure

# httpx imports its command line (rich, click: about 0.07 s) when they are installed, and
# falls back to a stub when they are not; the CLI never runs httpx's, so it takes the stub.
sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]

SERVICE_DEFAULT = 0.05  # m: the service's default tolerance unless configured (app/config.py)
MIN_TOLERANCE = 1e-6  # m: the smallest the service takes (app/aiming/vacuum.py)
FRACTION = 0.01  # of the distance: the default tolerance's bound at short range
TIMEOUT = 10.0  # s per request with --url, unless --timeout says otherwise


@dataclass
class Service:
    """Who answers (the HTTP client or LocalCannon) and its default tolerance (m)."""

    cannon: Any
    default_tolerance: float
    url: str | None


def service(args: argparse.Namespace) -> Service:
    """The service at --url, or the models loaded in this process."""
    if args.url:
        key = args.api_key or os.environ.get("CANNON_API_KEY") or None
        timeout = TIMEOUT if args.timeout is None else args.timeout
        client = cannon_client.CannonClient(
            args.url, api_key=key, timeout=timeout, transport=plain_http(args.url)
        )
        return Service(client, environment_tolerance(), args.url)
    from app.cli import local

    cannon = local.opened()
    return Service(cannon, cannon.default_tolerance, None)


def plain_http(url: str) -> Any:
    """For an http:// URL, httpx's transport without the CA bundle that its default one
    loads at every start (about 0.05-0.1 s of a 0.3 s budget): no TLS is used on such a URL
    (the client follows no redirects), and a TLS handshake would fail verification against
    this empty trust store, never pass it. None (httpx's default) for any other URL, and
    when a proxy is set in the environment (httpx honours it only with its own transport)."""
    proxied = any(name.lower() in ("http_proxy", "all_proxy") for name in os.environ)
    if proxied or not url.lower().startswith("http://"):
        return None
    import ssl

    import httpx

    return httpx.HTTPTransport(verify=ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT))


def environment_tolerance() -> float:
    """CANNON_DEFAULT_TOLERANCE (m) from this environment, else the service's 0.05 m: with
    --url the service's own setting is not known here."""
    text = os.environ.get("CANNON_DEFAULT_TOLERANCE")
    if text is None:
        return SERVICE_DEFAULT
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < MIN_TOLERANCE:
        raise Failure(f"CANNON_DEFAULT_TOLERANCE={text!r} is not a tolerance: metres, >= 1e-6")
    return value


def tolerance_for(
    args: argparse.Namespace, default: float, distances: Sequence[float]
) -> tuple[float | None, str]:
    """The tolerance to ask for (m; None: the service's) and why, for the answer to say."""
    if args.tolerance is not None:
        return args.tolerance, "given"
    targets = [d for d in distances if math.isfinite(d) and d > 0]
    if not targets:
        return None, "the service's default"
    which = "the distance" if len(distances) == 1 else "the nearest target's distance"
    nearest = min(targets)
    if FRACTION * nearest >= default:
        return default, "the default"
    if FRACTION * nearest < MIN_TOLERANCE:
        return MIN_TOLERANCE, f"the default: 1% of {which}, but at least 1e-6 m"
    return FRACTION * nearest, f"the default: 1% of {which}"


def said(tolerance: float, why: str) -> str:
    return f"{tolerance:.3g} m ({why})"


def conditions(args: argparse.Namespace) -> cannon_client.Conditions | None:
    """The air options given (heights m, wind m/s, drag 1/m), or None: still, flat, vacuum."""
    names = ("launch_height", "target_height", "wind", "drag")
    given = {name: getattr(args, name) for name in names if getattr(args, name) is not None}
    return cannon_client.Conditions(**given) if given else None


def constraints(args: argparse.Namespace) -> cannon_client.Constraints | None:
    """A fixed velocity (m/s) or angle (rad), and the arc, if given."""
    given = {name: getattr(args, name) for name in ("velocity", "angle", "arc")}
    given = {name: value for name, value in given.items() if value is not None}
    return cannon_client.Constraints(**given) if given else None


def aim(args: argparse.Namespace) -> int:
    """Aim at one target, or at every target in --file (in 3D: --target, --targets). Exit 0
    when every target is hit."""
    from app.cli import space_asking  # it builds on this module

    if args.targets is not None:
        return answered(args, space_asking.aim_batch)
    if args.target is not None:
        return answered(args, space_asking.aim_one)
    if args.file is not None:
        return answered(args, aim_batch)
    return answered(args, aim_one)


def verify(args: argparse.Namespace) -> int:
    """Where a shot lands; with --distance (in 3D: --target), whether it hits (exit 0) or
    misses (exit 1)."""
    from app.cli import space_asking

    if args.target is not None:
        return answered(args, space_asking.verify_shot)
    return answered(args, verify_shot)


def answered(args: argparse.Namespace, work: Any) -> int:
    """`work(args, service)`, the client's errors as one-line failures (HTTP status named)."""
    asked: Service | None = None
    try:
        asked = service(args)
        code: int = work(args, asked)
        return code
    except cannon_client.CannonError as error:
        status = f" (HTTP {error.status})" if args.url and error.status else ""
        raise Failure(f"{error}{status}") from None
    finally:
        if asked is not None:
            asked.cannon.close()


def aim_one(args: argparse.Namespace, asked: Service) -> int:
    from app.cli import odds_asking, odds_io

    tolerance, why = tolerance_for(args, asked.default_tolerance, [args.distance])
    shot = asked.cannon.aim(
        args.distance,
        tolerance=tolerance,
        refine=False if args.no_refine else None,
        air=conditions(args),
        hold=constraints(args),
        **odds_asking.asked(args),
    )
    told = said(shot.tolerance, why)
    human = "\n".join([io.human_aim(shot, told), *odds_io.human_odds(shot)])
    print(io.as_json(shot) if args.json else human)
    return 0 if shot.hit else 1


def aim_batch(args: argparse.Namespace, asked: Service) -> int:
    try:
        text = io.read_text(args.file)
    except (OSError, UnicodeDecodeError) as error:
        raise Failure(f"cannot read the targets: {error}") from None
    json_in = args.file.endswith(".json") or text.lstrip().startswith(("[", "{"))
    try:
        distances = io.read_targets(text, json_in)
    except io.TargetFileError as error:
        name = "standard input" if args.file == "-" else args.file
        raise Failure(f"cannot read the targets in {name}: {error}") from None
    if args.out is not None:
        writable(Path(args.out))  # before the work, not after it
    tolerance, why = tolerance_for(args, asked.default_tolerance, distances)
    air, hold, refine = conditions(args), constraints(args), False if args.no_refine else None

    def ask(chunk: Sequence[float]) -> list[cannon_client.Solution]:
        return list(
            asked.cannon.aim_many(chunk, tolerance=tolerance, refine=refine, air=air, hold=hold)
        )

    solutions = in_chunks(args, ask, distances)
    output = io.as_json(solutions) + "\n" if args.json or json_in else io.batch_csv(solutions)
    written(args, output)
    print(
        io.batch_summary(solutions, why if tolerance is None else said(tolerance, why)),
        file=sys.stderr,
    )
    return 0 if io.hits_all(solutions) else 1


def in_chunks(args: argparse.Namespace, ask: Any, targets: Sequence[Any]) -> list[Any]:
    """A batch's answers, asked a chunk at a time, with its bar as --progress and the
    terminal say."""
    show = args.progress or sys.stderr.isatty()
    delay = 0.0 if args.progress else progress.DELAY
    return progress.aim_in_chunks(ask, targets, show=show, delay=delay)


def written(args: argparse.Namespace, output: str) -> None:
    """A batch's answers to --out, or to standard output."""
    if args.out is None:
        sys.stdout.write(output)
        return
    try:
        Path(args.out).write_text(output)
    except OSError as error:
        raise Failure(f"cannot write the answers to {args.out}: {error.strerror}") from None


def writable(path: Path) -> None:
    """Fail now, naming the path, if the answers could not be written there."""
    folder = path.parent
    if path.is_dir():
        problem = "it is a directory"
    elif not folder.is_dir():
        problem = f"no directory {folder}"
    elif not os.access(path if path.exists() else folder, os.W_OK):
        problem = "permission denied"
    else:
        return
    raise Failure(f"cannot write the answers to {path}: {problem}")


def verify_shot(args: argparse.Namespace, asked: Service) -> int:
    air = conditions(args)
    if args.distance is None:  # where it lands does not depend on the target: ask with 0 m
        check = asked.cannon.verify(args.angle, args.velocity, 0.0, air=air)
        print(io.landing_json(check) if args.json else "\n".join(io.human_landing(check)))
        return 0
    tolerance, why = tolerance_for(args, asked.default_tolerance, [args.distance])
    check = asked.cannon.verify(
        args.angle, args.velocity, args.distance, tolerance=tolerance, air=air
    )
    print(io.as_json(check) if args.json else io.human_verify(check, said(check.tolerance, why)))
    return 0 if check.hit else 1
