"""The odds on /aim and /aim/batch: a request with `uncertainty` gets its answer as before,
then each solved target's `dispersion` and `hit_probability` (and with the objective
`max_hit_probability` its `best_odds`) added, from app/uncertainty/. The exact aim is never
changed: the best-odds aim is reported beside it.

This is milliseconds per target (10,000 sampled flights) to a few hundred (the best-odds
search): it runs in the lane like a batch, never on the event loop.
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np

from app import cancel
from app.aiming.engine import Engine
from app.aiming.space import Scene
from app.api import space_replies
from app.api.answers import finite
from app.api.errors import ApiError
from app.api.odds_schemas import Odds, Uncertainty
from app.api.replies import Reply
from app.api.space_schemas import SceneOptions
from app.physics.envelope import unit_length
from app.uncertainty import odds, shot

SPIN = 4.0  # rad: the azimuth's search stays within this of the exact aim's
MAX_FLIGHTS = 5_000_000  # sampled flights per request (targets x samples): seconds of work
MAX_BEST = 20  # targets per request with the best-odds search (a few hundred ms each)
# The lane weighs work in batch targets through air (about 50 µs each, app/api/lane.py's
# prior): a sampled flight is about a fortieth of one, a best-odds search about 4,000.
FLIGHTS_PER_TARGET, SEARCH_TARGETS = 40, 4_000


def spread_of(u: Uncertainty) -> odds.Spread:
    return odds.Spread(
        u.hit_radius, u.velocity_sigma, u.angle_sigma, u.azimuth_sigma, u.drag_sigma, u.wind_sigma
    )


def refuse_unanswerable(body: Odds) -> None:
    """The best odds need the odds, and the odds count a hit where the shot comes down
    through the target's height. (Checked here, not by the schema: a validator there would
    cost every request without odds.)"""
    if body.objective != "exact" and body.uncertainty is None:
        raise ApiError(
            422,
            ["body", "objective"],
            "objective max_hit_probability needs `uncertainty` (at least its hit_radius, m)",
            "odds_need_uncertainty",
        )
    if body.uncertainty is not None and getattr(body, "intercept", "descending") != "descending":
        raise ApiError(
            422,
            ["body", "uncertainty"],
            "the odds count where the shot comes down through the target's height: "
            'give `intercept: "descending"` (the default) with `uncertainty`',
            "odds_need_descending",
        )


def checked(body: Odds) -> int | None:
    """A request's odds, checked before any aiming: their work as the lane counts it, None
    without `uncertainty`. Refused with a 422 when they cannot be answered or are more than
    one request may ask (more would be a 429 forever, never a fair retry)."""
    refuse_unanswerable(body)
    u = body.uncertainty
    if u is None:
        return None
    count = len(getattr(body, "distances", None) or getattr(body, "targets", None) or [1])
    best = body.objective == "max_hit_probability"
    if count * u.samples > MAX_FLIGHTS or (best and count > MAX_BEST):
        raise ApiError(
            422,
            ["body", "uncertainty"],
            f"at most {MAX_FLIGHTS:,} sampled flights (targets x samples) per request, and "
            f"{MAX_BEST} targets with the best odds; got {count} targets x {u.samples} samples",
            "too_much_work",
        )
    return math.ceil(count * (u.samples / FLIGHTS_PER_TARGET + (SEARCH_TARGETS if best else 0)))


def scene_row(body: Any, answer: dict[str, Any], gravity: float) -> np.ndarray:
    """The compiled scene of one answered target: 2D (a `distance`) as 3D along +x."""
    if isinstance(body, SceneOptions):
        target = tuple(answer["target"][axis] for axis in "xyz")
        return np.asarray(space_replies.scene_of(body, target).rows(np.array([target]), gravity)[0])
    air = Scene(launch_height=body.launch_height, wind=(body.wind, 0.0), drag=body.drag)
    return np.asarray(
        air.rows(np.array([[answer["distance"], 0.0, body.target_height]]), gravity)[0]
    )


def search(body: Any, engine: Engine, azimuth: float) -> tuple[np.ndarray, np.ndarray]:
    """Which controls the best-odds aim may move (those the request leaves free; the 2D form
    keeps its line of fire) and within what: the cannon's limits."""
    cannon = engine.air.cannon
    free = np.array([body.velocity is None, body.angle is None, isinstance(body, SceneOptions)])
    edge = 1e-6
    limits = np.array(
        [
            [cannon.min_velocity, cannon.max_velocity],
            [cannon.min_angle + edge, cannon.max_angle - edge],
            [azimuth - SPIN, azimuth + SPIN],
        ]
    )
    return free, limits


def fields(assessment: shot.Assessment, spread: odds.Spread) -> dict[str, Any]:
    d, chance = assessment.dispersion, assessment.odds
    out: dict[str, Any] = {
        "dispersion": {
            "mean_miss": {"x": finite(float(d.miss[0])), "y": finite(float(d.miss[1]))},
            "semi_major": finite(d.semi_axes[0]),
            "semi_minor": finite(d.semi_axes[1]),
            "orientation": finite(d.orientation),
        },
        "hit_probability": {
            "monte_carlo": chance.monte_carlo,
            "interval": list(chance.interval),
            "linearised": chance.linearised,
            "hit_radius": spread.hit_radius,
            "samples": chance.samples,
            "seed": chance.seed,
        },
    }
    if assessment.best is not None:
        b = assessment.best
        v, el, az = (float(c) for c in b.controls)
        out["best_odds"] = {
            "velocity": v,
            "angle": el,
            "angle_degrees": math.degrees(el),
            "azimuth": az,
            "hit_probability": b.probability,
            "interval": list(b.interval),
            "exact_hit_probability": b.exact_probability,
            "gain": b.probability - b.exact_probability,
        }
    return out


def added(engine: Engine, body: Any, reply: Reply) -> Reply:
    """The reply with each solved target's odds added (nothing for one out of reach)."""
    u: Uncertainty = body.uncertainty
    spread, cannon = spread_of(u), engine.air.cannon
    unit = unit_length(cannon)
    content = json.loads(reply.content)
    answers = content.get("solutions", [content])
    for answer in answers:
        if "velocity" not in answer or answer.get("reachable") is False:
            continue
        cancel.checkpoint()
        controls = np.array([answer["velocity"], answer["angle"], answer.get("azimuth", 0.0)])
        found = shot.assess(
            controls,
            scene_row(body, answer, cannon.gravity),
            spread,
            unit,
            u.samples,
            u.seed,
            search(body, engine, controls[2]) if body.objective == "max_hit_probability" else None,
        )
        answer.update(fields(found, spread))
    text = json.dumps(content, separators=(",", ":"), allow_nan=False).encode()
    return Reply(text, reply.misses, reply.refined, reply.iterations)
