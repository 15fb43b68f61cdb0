"""Light entry points: how long a fresh interpreter takes to import the Python client and to
answer `cannon --help`, `cannon --version` and `cannon aim --url`, beside its floors measured
in the same run: an empty interpreter, pydantic alone (the client's own dependency), and the
server (`import app.main`) that the client once was.

    python -m benchmarks.light [--runs 7]

The goal (issue 14): the client and the light commands within 0.3 s. The tests assert only
what cannot flake (which modules load); the seconds are here, as medians of fresh processes.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

from benchmarks.serving import free_port, wait_until_up

GOAL_S = 0.3  # s, a fresh process importing the client or answering a light command

IMPORTS = {
    "empty interpreter": "pass",
    "import pydantic (BaseModel)": "import pydantic.main",
    "import cannon_client": "import cannon_client",
    "import app.main (the server)": "import app.main",
}
COMMANDS = {
    "cannon --help": ["--help"],
    "cannon --version": ["--version"],
}


def median_seconds(argv: list[str], runs: int) -> float:
    """Median wall time (s) of `runs` fresh processes running argv to completion."""
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        subprocess.run(argv, check=True, capture_output=True, timeout=120)
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def measure(runs: int, url: str | None) -> dict[str, float]:
    figures = {
        name: median_seconds([sys.executable, "-c", code], runs) for name, code in IMPORTS.items()
    }
    cli = [sys.executable, "-m", "app.cli"]
    for name, args in COMMANDS.items():
        figures[name] = median_seconds([*cli, *args], runs)
    if url is not None:
        figures["cannon aim 7.5 --url"] = median_seconds([*cli, "aim", "7.5", "--url", url], runs)
    return figures


def report(figures: dict[str, float]) -> str:
    floor = figures["empty interpreter"]
    lines = [f"{'what':34} {'median s':>9} {'over empty s':>13}  goal {GOAL_S} s"]
    for name, seconds in figures.items():
        verdict = "" if name.startswith(("empty", "import pydantic", "import app")) else (
            "met" if seconds <= GOAL_S else "not met"
        )  # fmt: skip
        lines.append(f"{name:34} {seconds:9.3f} {seconds - floor:13.3f}  {verdict}")
    server, client = figures["import app.main (the server)"], figures["import cannon_client"]
    lines.append(f"the server's import over the client's: {server / client:.1f}x")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="fresh processes per figure")
    parser.add_argument("--no-server", action="store_true", help="skip the --url figure")
    args = parser.parse_args(argv)
    if args.no_server:
        print(report(measure(args.runs, None)))
        return
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "app.cli.main", "serve", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        wait_until_up(url, server)
        print(report(measure(args.runs, url)))
    finally:
        server.terminate()
        server.wait(timeout=60)


if __name__ == "__main__":
    main()
