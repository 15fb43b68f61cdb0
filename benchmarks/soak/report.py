"""The soak's report: what happened (the record of a row and of the whole run), the rows
and their table, and the verdict."""

from __future__ import annotations

import argparse
import statistics
import sys
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from benchmarks.soak.server import STOP_TIMEOUT
from benchmarks.soak.traffic import IN_FLIGHT, KINDS, LABELS, LATE, MIX

P99_FLOOR = 20.0  # ms: a p99 must also grow by this much to fail the trend
P99_MIN_SAMPLES = 50  # a kind's p99 enters the trend only from rows with this many samples
# Open descriptors may differ this much between rows after the first: up to IN_FLIGHT + 1
# connections of the soak's own come and go; a leak of one a request passes it in seconds.
FD_BUDGET = 2 * IN_FLIGHT  # count
SHOW_BAD = 5  # bad answers printed in full (stderr), the rest counted


# --- the record ---------------------------------------------------------------------------


@dataclass
class Bucket:
    """What happened in one row's interval (or the whole run)."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: {k: [] for k in KINDS})
    statuses: Counter[str] = field(default_factory=Counter)
    bad: int = 0
    late: int = 0
    sent: int = 0  # requests of the mix sent (the late ones among them)

    def add(self, kind: str, status: str, seconds: float | None, problem: str | None) -> None:
        self.statuses[status] += 1
        if seconds is not None:
            self.latencies[kind].append(seconds)
        self.bad += problem is not None


@dataclass
class Record:
    """The current row's bucket and the whole run's, plus the first bad answers seen."""

    row: Bucket = field(default_factory=Bucket)
    total: Bucket = field(default_factory=Bucket)
    examples: list[str] = field(default_factory=list)
    start: tuple[float, float] = (0.0, 0.0)  # (monotonic s, server CPU s) at the load's start
    mark: tuple[float, float] = (0.0, 0.0)  # the same at the current row's start
    client_cpu: float = 0.0  # s of CPU this process spent while the load ran

    def add(self, kind: str, status: str, seconds: float | None, problem: str | None) -> None:
        self.row.add(kind, status, seconds, problem)
        self.total.add(kind, status, seconds, problem)
        if problem is not None and len(self.examples) < SHOW_BAD:
            self.examples.append(f"{kind}: {problem}")
            print(f"bad answer: {kind}: {problem}", file=sys.stderr, flush=True)

    def sent(self, late: bool) -> None:
        for bucket in (self.row, self.total):
            bucket.sent += 1
            bucket.late += late


def row_of(
    bucket: Bucket, seconds: float, cpu: float, rss: float | list[float], fds: int | list[int]
) -> dict[str, Any]:
    """A printable, JSON-ready row: times in s and min, latencies in ms, the server's CPU in
    % of one core over the row, its RSS in MB (or the rows' RSS values, for the summary)."""
    latency = {}
    for kind, values in bucket.latencies.items():
        if values:
            p50, p99 = np.percentile(np.array(values) * 1e3, [50, 99]).tolist()
            latency[kind] = {"count": len(values), "p50_ms": p50, "p99_ms": p99}
    return {
        "seconds": round(seconds, 3),
        "minute": round(seconds / 60, 3),
        "requests": sum(bucket.statuses.values()),
        "latency_ms": latency,
        "statuses": dict(sorted(bucket.statuses.items())),
        "bad_answers": bucket.bad,
        "sent": bucket.sent,
        "late_sends": bucket.late,
        "cpu_percent": round(cpu, 1),
        "rss_mb": rss,
        "fds": fds,
    }


# --- the table ----------------------------------------------------------------------------

COLUMNS = [
    ("t", "min", 7),
    ("requests", "count", 8),
    *[(LABELS[kind], "p50/p99 ms", max(11, len(LABELS[kind]))) for kind in KINDS],
    ("statuses", "code:count", 18),
    ("bad", "count", 5),
    ("server CPU", "% of a core", 11),
    ("RSS", "MB", 11),
    ("fds", "count", 7),
]


def ms(value: float) -> str:
    return f"{value:.1f}" if value < 100 else f"{value:.0f}"


def cells(row: dict[str, Any], label: str | None = None) -> list[str]:
    """A row's cells in COLUMNS order; `label` replaces the time (the summary row)."""

    def span(value: float | list[float], fmt: str) -> str:
        if isinstance(value, list):  # the summary: the rows' range
            low, high = f"{min(value):{fmt}}", f"{max(value):{fmt}}"
            return low if low == high else f"{low}-{high}"
        return f"{value:{fmt}}"

    latency = row["latency_ms"]
    return [
        label or f"{row['minute']:.2f}",
        str(row["requests"]),
        *[
            f"{ms(latency[k]['p50_ms'])}/{ms(latency[k]['p99_ms'])}" if k in latency else "-"
            for k in KINDS
        ],
        " ".join(f"{code}:{count}" for code, count in row["statuses"].items()),
        str(row["bad_answers"]),
        f"{row['cpu_percent']:.0f}",
        span(row["rss_mb"], ".1f"),
        span(row["fds"], "d"),
    ]


def header(markdown: bool) -> str:
    if markdown:
        names = [f"{name} ({unit})" for name, unit, _ in COLUMNS]
        return "| " + " | ".join(names) + " |\n|" + "---:|" * len(COLUMNS)
    lines = [[name for name, _, _ in COLUMNS], [f"({unit})" for _, unit, _ in COLUMNS]]
    return "\n".join(line_of(line) for line in lines)


def line_of(values: list[str], markdown: bool = False) -> str:
    if markdown:
        return "| " + " | ".join(values) + " |"
    return "  ".join(
        f"{value:<{width}}" if name == "statuses" else f"{value:>{width}}"
        for value, (name, _, width) in zip(values, COLUMNS, strict=True)
    ).rstrip()


# --- the verdict --------------------------------------------------------------------------


def p99_trend(rows: list[dict[str, Any]], factor: float) -> tuple[list[str], bool]:
    """For each kind with P99_MIN_SAMPLES answers a row: the median of its per-row p99 in
    the later half of the rows against the earlier half (the first row, warm-up, left out).
    It fails when the later is both `factor` times and P99_FLOOR ms above the earlier: a p99
    that creeps up is a queue or a heap that grows."""
    lines, ok = [], True
    for kind in KINDS:
        p99 = [
            row["latency_ms"][kind]["p99_ms"]
            for row in rows[1:]
            if row["latency_ms"].get(kind, {}).get("count", 0) >= P99_MIN_SAMPLES
        ]
        if len(p99) < 2:
            continue
        half = len(p99) // 2
        early, late = statistics.median(p99[:half]), statistics.median(p99[-half:])
        grew = late > factor * early and late - early > P99_FLOOR
        ok &= not grew
        lines.append(
            f"{LABELS[kind]} {ms(early)} ms -> {ms(late)} ms (x{late / early:.2f})"
            + (" TOO MUCH" if grew else "")
        )
    return lines, ok


def verdict(
    rows: list[dict[str, Any]], rec: Record, args: argparse.Namespace, exit_code: int | None
) -> tuple[list[tuple[str, bool]], bool]:
    """The checks, each (line, passed); the soak passes when all pass. Reported only: the
    CPU the server and the soak's client used, so that a reader sees neither was saturated."""
    total = rec.total
    statuses = total.statuses
    counts = ", ".join(f"{n} x {code}" for code, n in sorted(statuses.items()))
    unexpected = set(statuses) - {"200", "429"}
    aiming = sum(len(total.latencies[kind]) for kind in MIX)
    busy = 100 * statuses["429"] / max(aiming, 1)  # %
    late = 100 * total.late / max(total.sent, 1)  # %
    later = [row["rss_mb"] for row in rows[1:]]
    growth = max(later) - min(later) if later else 0.0  # MB
    rss = f"{min(later):.1f} to {max(later):.1f} MB" if later else "no rows after the first"
    fds = [row["fds"] for row in rows]
    fd_growth = max(fds[1:]) - min(fds[1:]) if len(fds) > 1 else 0  # count
    trend, steady = p99_trend(rows, args.p99_growth)
    trend_line = "; ".join(trend) or f"no kind has {P99_MIN_SAMPLES} answers a row in 2 rows"
    (wall0, cpu0), (wall1, cpu1) = rec.start, rec.mark  # the load's start and end
    server_cpu = 100 * (cpu1 - cpu0) / max(wall1 - wall0, 1e-9)  # % of one core
    client_cpu = 100 * rec.client_cpu / max(wall1 - wall0, 1e-9)  # % of one core
    stopped = f"killed after {STOP_TIMEOUT:g} s" if exit_code is None else str(exit_code)
    checks = [
        (f"statuses: {counts} (none but 200 and 429 allowed)", not unexpected),
        (
            f"429 busy: {busy:.2f} % of aiming requests (limit {args.max_429:g} %)",
            busy <= args.max_429,
        ),
        (f"bad answers: {total.bad} of {statuses['200']} answers 200", total.bad == 0),
        (
            f"pace: {total.late} of {total.sent} requests sent over {LATE:g} s late "
            f"({late:.2f} %, limit 1 %)",
            late <= 1.0,
        ),
        (
            f"RSS growth after the first {args.interval:g} s: {growth:.1f} MB ({rss}; "
            f"budget {args.rss_budget:g} MB)",
            growth <= args.rss_budget,
        ),
        (
            f"open fds after the first {args.interval:g} s: {fd_growth} apart ({min(fds)} to "
            f"{max(fds)} in all rows; budget {FD_BUDGET}: the connections come and go)",
            fd_growth <= FD_BUDGET,
        ),
        (
            f"p99 trend, later vs earlier rows (fails above x{args.p99_growth:g} and "
            f"+{P99_FLOOR:g} ms): {trend_line}",
            steady,
        ),
        (f"server exit code after SIGTERM: {stopped}", exit_code == 0),
        (
            f"CPU while loaded: server {server_cpu:.0f} % of one core, the soak's client "
            f"{client_cpu:.0f} % (reported only)",
            True,
        ),
    ]
    return checks, all(passed for _, passed in checks)
