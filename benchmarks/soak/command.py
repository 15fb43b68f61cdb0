"""The soak's command: its options, SIGTERM handling and `main`, which starts the server,
runs the soak, prints the summary and the verdict and writes the JSON."""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
from pathlib import Path

import httpx

from benchmarks.soak.load import soak
from benchmarks.soak.report import cells, header, line_of, row_of, verdict
from benchmarks.soak.server import ServerDied, serving
from benchmarks.soak.traffic import AIR, LABELS, MIX, PROBES, VACUUM_MAX, air_targets

MAX_RATE = 100.0  # requests/s: the mix's air work alone is about 0.8 of a core there


def options(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.soak",
        description="Soak a server of its own on 127.0.0.1 under a steady mix; see docs/soak.md.",
    )
    parser.add_argument("--minutes", type=float, default=10.0, help="of load (default 10)")
    parser.add_argument(
        "--rate", type=float, default=20.0, help=f"requests/s of the mix, at most {MAX_RATE:g}"
    )
    parser.add_argument("--seed", type=int, default=0, help="of the targets (default 0)")
    parser.add_argument(
        "--interval", type=float, default=60.0, help="seconds a table row covers (default 60)"
    )
    parser.add_argument(
        "--rss-budget",
        type=float,
        default=50.0,
        help="MB of RSS growth after the first row (default 50)",
    )
    parser.add_argument(
        "--p99-growth",
        type=float,
        default=2.0,
        help="p99 factor, later vs earlier rows (default 2)",
    )
    parser.add_argument(
        "--max-429", type=float, default=1.0, help="percent of aiming requests (default 1)"
    )
    parser.add_argument("--json", type=Path, help="write the rows and the verdict here")
    parser.add_argument("--markdown", action="store_true", help="print the table as markdown")
    args = parser.parse_args(argv)
    if not 0 < args.minutes <= 24 * 60:
        parser.error("--minutes must lie in (0, 1440]")
    if not 0 < args.rate <= MAX_RATE:
        parser.error(f"--rate must lie in (0, {MAX_RATE:g}] requests/s")
    if args.interval < 1:
        parser.error("--interval must be at least 1 s (the probes' period)")
    if args.p99_growth <= 1 or args.rss_budget < 0 or args.max_429 < 0:
        parser.error("--p99-growth must exceed 1, --rss-budget and --max-429 be >= 0")
    return args


def stopped(signum: int, frame: object) -> None:
    """On SIGTERM: unwind like Ctrl-C, so the server is stopped on the way out; exit 143."""
    print("soak: stopped by SIGTERM", file=sys.stderr, flush=True)
    sys.exit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    args = options(argv)
    if not sys.platform.startswith("linux"):
        sys.exit("the soak reads the server's memory and descriptors from /proc: Linux only")
    signal.signal(signal.SIGTERM, stopped)
    pace = ", ".join(f"{LABELS[k]} {args.rate * share:g}/s" for k, share in MIX.items())
    try:
        with serving() as server:
            (low, high), air = air_targets(server.url)
            print(
                f"soak: server pid {server.pid} at {server.url}; {args.minutes:g} min at "
                f"{args.rate:g} requests/s ({pace}) plus {len(PROBES)} probes/s; seed "
                f"{args.seed}; rows every {args.interval:g} s\n"
                f"air (drag {AIR['drag']:g} 1/m, wind {AIR['wind']:g} m/s, launch height "
                f"{AIR['launch_height']:g} m) reaches [{low:.3f}, {high:.3f}] m: air targets in "
                f"[{air[0]:.3f}, {air[1]:.3f}] m; vacuum targets in (0, {VACUUM_MAX:g}] m\n"
                f"latency: p50/p99 in ms per kind, client side, to the whole answer read",
                flush=True,
            )
            print(header(args.markdown), flush=True)
            try:
                rows, rec = asyncio.run(soak(server, args, air))
            except ServerDied as error:
                print(f"soak: {error}; it said:\n{server.said()}", file=sys.stderr)
                return 1
    except (RuntimeError, OSError, httpx.HTTPError) as error:
        print(f"soak: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:  # the server is stopped by now
        print("soak: interrupted", file=sys.stderr)
        return 130
    seconds = rows[-1]["seconds"]
    (wall0, cpu0), (wall1, cpu1) = rec.start, rec.mark  # the load's start and end
    busy = 100 * (cpu1 - cpu0) / max(wall1 - wall0, 1e-9)  # % of one core
    summary = row_of(
        rec.total, seconds, busy, [row["rss_mb"] for row in rows], [row["fds"] for row in rows]
    )
    if not args.markdown:
        print("-" * len(line_of(cells(summary, "all"))))
    print(line_of(cells(summary, "all"), args.markdown))
    checks, passed = verdict(rows, rec, args, server.exit_code)
    print(f"\nverdict over {seconds / 60:.2f} min ({seconds:.0f} s):")
    for line, ok in checks:
        print(f"  {'PASS' if ok else 'FAIL'}  {line}")
    for example in rec.examples:
        print(f"  bad answer: {example}")
    print("PASS" if passed else "FAIL", flush=True)
    if args.json:
        report = {
            "settings": {
                "minutes": args.minutes,
                "rate_per_s": args.rate,
                "seed": args.seed,
                "interval_s": args.interval,
                "rss_budget_mb": args.rss_budget,
                "mix_share": MIX,
                "air": AIR,
                "air_targets_m": air,
                "server_pid": server.pid,
            },
            "rows": rows,
            "summary": summary,
            "verdict": {"pass": passed, "checks": [{"check": c, "pass": ok} for c, ok in checks]},
        }
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    return 0 if passed else 1
