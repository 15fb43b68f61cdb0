"""The soak's traffic: the mix of requests, each built ahead of its slot with the check of
its answer, the schedule that paces each kind, and the air targets the mix aims at."""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import numpy as np

GRAVITY = 9.81  # m/s^2: the server's default, written out again here as an independent oracle
VACUUM_MAX = 10.0  # m: vacuum targets lie in (0, 10]; the default cannon reaches 10.19 m
AIR: dict[str, float] = {"drag": 0.1, "wind": -2.0, "launch_height": 1.0}  # 1/m, m/s, m
AIR_INNER = (0.1, 0.8)  # air targets lie in this fraction of the span that air allows
BATCH, AIR_BATCH = 1000, 100  # targets per batch request
# Share of --rate per kind. Air work costs about 0.5 s of server CPU a request (a single
# target or 100 alike, measured on the 2-core machine this was written on) against about
# 0.5 ms for a vacuum /aim and 3 ms for a vacuum batch of 1,000: at the default 20 requests/s
# the mix is about 0.17 of one core's work (0.15 of it air), so the server is soaked, not
# overloaded, and 16 /aim/s still make a p99 per minute from about 1,000 answers.
MIX = {"aim": 0.80, "verify": 0.12, "batch": 0.065, "air aim": 0.01, "air batch": 0.005}
LABELS = {
    "aim": "aim",
    "air aim": "air aim",
    "batch": f"batch {BATCH}",
    "air batch": f"air batch {AIR_BATCH}",
    "verify": "verify",
    "probe": "probes",
}
KINDS = (*MIX, "probe")
PROBES = ("/healthz", "/readyz", "/metrics")  # each once a second
IN_FLIGHT = 32  # requests in flight from the mix at most: half the server's max_concurrent
STAGGER = 5.0  # s: every kind's first request is sent within this much of the start
LATE = 1.0  # s: a request sent this long after its slot is late: the client fell behind
TIMEOUT = 30.0  # s per request; the server gives up on its own work after 10 s (504)


@dataclass(frozen=True)
class Call:
    """One request of the mix, built ahead of its slot so the seed fixes the whole run."""

    kind: str
    method: str
    path: str
    body: dict[str, Any] | None = None
    params: dict[str, float] | None = None
    check: Callable[[Any], str | None] = lambda _: None  # why the answer is wrong, or None


# --- checking answers --------------------------------------------------------------------


def check_hits(distances: np.ndarray, shots: list[dict[str, Any]]) -> str | None:
    """Why these answers (one per requested distance, m) are not all hits, or None."""
    if len(shots) != len(distances):
        return f"{len(shots)} answers for {len(distances)} targets"
    for distance, shot in zip(distances.tolist(), shots, strict=True):
        if abs(shot.get("distance", math.nan) - distance) > 1e-9:
            return f"answer for {shot.get('distance')} m in the place of {distance} m"
        if shot.get("reachable", True) is not True:
            return f"target {distance} m reported unreachable: {shot.get('detail')}"
        if shot.get("hit") is not True or not shot["miss"] <= shot["tolerance"]:
            return f"target {distance} m: hit {shot.get('hit')}, miss {shot.get('miss')} m"
    return None


def check_vacuum(distances: np.ndarray, shots: list[dict[str, Any]]) -> str | None:
    """As `check_hits`, and each shot's landing, recomputed here as v^2 sin(2θ)/g, is within
    the tolerance of its target: the service's own verdict is not taken on trust."""
    problem = check_hits(distances, shots)
    if problem is not None:
        return problem
    velocity = np.array([shot["velocity"] for shot in shots], dtype=float)  # m/s
    angle = np.array([shot["angle"] for shot in shots], dtype=float)  # rad
    tolerance = np.array([shot["tolerance"] for shot in shots], dtype=float)  # m
    landing = velocity**2 * np.sin(2 * angle) / GRAVITY  # m
    excess = np.abs(landing - distances) - tolerance
    worst = int(np.argmax(excess))
    if excess[worst] > 1e-9:
        return (
            f"target {distances[worst]} m: v^2 sin(2θ)/g lands at {landing[worst]} m, "
            f"beyond the tolerance of {tolerance[worst]} m"
        )
    return None


def check_verify(expected: float, answer: dict[str, Any]) -> str | None:
    """A shot sent to /verify at the distance the closed form gives (m) must hit there."""
    landing = answer.get("landing_distance", math.nan)
    if answer.get("hit") is not True or not abs(landing - expected) <= 1e-6:
        return f"verify: closed form {expected} m, service {landing} m, hit {answer.get('hit')}"
    return None


Checker = Callable[[np.ndarray, list[dict[str, Any]]], str | None]


def one(check: Checker, distance: float) -> Callable[[Any], str | None]:
    """A checker of a single /aim answer (a JSON object) at `distance` (m)."""
    return lambda answer: check(np.array([distance]), [answer])


def many(check: Checker, distances: np.ndarray) -> Callable[[Any], str | None]:
    """A checker of a /aim/batch answer ({"solutions": [...]}) for `distances` (m)."""
    return lambda answer: check(distances, answer.get("solutions", []))


# --- the mix ------------------------------------------------------------------------------


def make_call(kind: str, rng: np.random.Generator, air: tuple[float, float]) -> Call:
    """The next request of `kind`, targets drawn from `rng`; air targets in `air` (m)."""
    if kind == "aim":
        distance = float(VACUUM_MAX * (1 - rng.random()))  # (0, 10] m
        return Call(kind, "POST", "/aim", {"distance": distance}, check=one(check_vacuum, distance))
    if kind == "air aim":
        distance = float(rng.uniform(*air))
        body = {"distance": distance, **AIR}
        return Call(kind, "POST", "/aim", body, check=one(check_hits, distance))
    if kind == "batch":
        targets = VACUUM_MAX * (1 - rng.random(BATCH))
        body = {"distances": targets.tolist()}
        return Call(kind, "POST", "/aim/batch", body, check=many(check_vacuum, targets))
    if kind == "air batch":
        targets = rng.uniform(*air, AIR_BATCH)
        body = {"distances": targets.tolist(), **AIR}
        return Call(kind, "POST", "/aim/batch", body, check=many(check_hits, targets))
    if kind == "verify":
        angle, velocity = float(rng.uniform(0.05, 1.5)), float(rng.uniform(0.5, 10.0))
        landing = velocity**2 * math.sin(2 * angle) / GRAVITY
        params = {"angle": angle, "velocity": velocity, "distance": landing}
        return Call(kind, "GET", "/verify", params=params, check=lambda a: check_verify(landing, a))
    raise ValueError(f"no such kind: {kind}")


def schedule(rate: float, seconds: float) -> Iterator[tuple[float, str]]:
    """(time s, kind) of every request of the mix, in time order: each kind at its own
    steady pace, rate * share a second; staggered so the kinds do not start together, and
    each starts within STAGGER s, so that even a short run sends every kind."""

    def paced(index: int, kind: str) -> Iterator[tuple[float, str]]:
        period = 1 / (rate * MIX[kind])
        at = min(period, STAGGER) * (index + 0.5) / len(MIX)
        while at < seconds:
            yield at, kind
            at += period

    return heapq.merge(*(paced(index, kind) for index, kind in enumerate(MIX)))


def air_targets(url: str) -> tuple[tuple[float, float], tuple[float, float]]:
    """Where AIR lets a shot land (m), from the 422 unreachable_target answer to a target far
    out of reach, and the inner AIR_INNER part of it the soak aims at (m)."""
    answer = httpx.post(f"{url}/aim", json={"distance": 1000.0, **AIR}, timeout=TIMEOUT)
    body = answer.json()
    kind = body.get("detail", [{}])[0].get("type") if answer.status_code == 422 else None
    if kind != "unreachable_target" or body.get("max_range") is None:
        raise RuntimeError(f"cannot read the air's range: {answer.status_code} {answer.text}")
    low, high = float(body.get("min_range") or 0.0), float(body["max_range"])
    inner = (low + AIR_INNER[0] * (high - low), low + AIR_INNER[1] * (high - low))
    return (low, high), inner
