"""Soak: a real `cannon serve` under a steady, modest mix of traffic for minutes, watching
for what only shows with time: memory that grows, file descriptors that leak, latency that
creeps up, answers that go wrong.

    python -m benchmarks.soak [--minutes 10] [--rate 20] [--seed 0] [--interval 60]
                              [--rss-budget 50] [--p99-growth 2] [--max-429 1]
                              [--json PATH] [--markdown]

The soak starts its own server (`python -m app.cli.main serve` on a free loopback port, default
settings: every CANNON_* variable of the caller's environment is dropped, log level warning),
waits for GET /readyz to answer 200 and asks POST /aim where the air below lets a shot land.
Then, for --minutes, it offers a fixed rate (--rate requests/s, not as fast as it can), each
kind at its own steady pace (share of --rate in MIX):

- aim: POST /aim at a random target in (0, 10] m in a vacuum;
- air aim: POST /aim through air (AIR), at a target in the inner AIR_INNER fraction of the
  range that air allows (asked at startup: the 422 unreachable_target answer gives it);
- batch: POST /aim/batch of 1,000 random vacuum targets; air batch: of 100 air targets;
- verify: GET /verify of a random shot, at the distance the closed form says it lands;
- probes: GET /healthz, /readyz and /metrics once a second each (off the mix, on a connection
  of their own), and with them the server's RSS and open file descriptors from /proc.

Every 200 answer is checked: each target hit, miss <= tolerance, and in a vacuum the landing
recomputed here as v^2 sin(2θ)/g (g = 9.81 m/s^2) within the tolerance of the target. Every
--interval seconds (default a minute) it prints a row: requests, p50/p99 latency per kind,
status counts, bad answers, the server's CPU, RSS and open fds; at the end a summary row and a verdict (exit 1
when it fails; see `verdict`). The server is stopped with SIGTERM at the end and on any error,
and dies with the soak if the soak is killed outright (PR_SET_PDEATHSIG). Linux only (/proc).

The package, one idea a module: `traffic` (the mix: its requests, the checks of their answers,
its schedule, where the air lets a shot land), `server` (the server the soak starts, samples
and stops), `load` (the load and the watch that run together, and the rows they close),
`report` (the record, the rows and the table, the verdict) and `command` (the options and
`main`, which `__main__` runs).
"""

from benchmarks.soak.command import main  # `cannon bench soak` calls benchmarks.soak.main

__all__ = ["main"]
