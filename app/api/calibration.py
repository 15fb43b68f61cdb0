"""POST /calibrate: translate observed shots to app/uncertainty/fit.py and its answer back.

A fit is milliseconds for a few shots and grows with their number: it runs in the lane, off
the event loop, like a batch.
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
from fastapi import APIRouter, Request, Response

from app.api.calibration_schemas import CalibrateRequest, CalibrateResponse, Landed
from app.api.deps import settings_of
from app.api.errors import ApiError
from app.api.openapi import WITH_BODY, json_body, unprocessable
from app.api.strict import DirectRoute, decoded, read_body, validated
from app.api.work import within_budget
from app.uncertainty import fit

router = APIRouter(route_class=DirectRoute)
# A shot in a fit costs about as much as ten batch targets through air, the lane's unit (about
# 50 µs: some 25 iterations of a 15 µs flight with its sensitivities).
SHOT_WEIGHT = 10
UNITS = {"drag": "1/m", "wind": "m/s", "wind_x": "m/s", "wind_y": "m/s", "velocity_bias": "1"}
ERRORS = WITH_BODY | unprocessable(
    "Invalid body (`detail` says where: a shot's index for a bad shot); a shot no air could "
    "have brought down where it is said to have landed (`bad_shot`, with `shot`, its index); "
    "or shots that cannot determine the parameters asked (`not_identifiable`, with "
    "`parameters`, and `detail` saying what shot would separate them).",
    {
        "detail": [
            {
                "type": "not_identifiable",
                "loc": ["body", "fit"],
                "msg": "the shots cannot determine drag and wind: 1 observed numbers for 2 "
                "parameters; fire more shots",
            }
        ],
        "parameters": ["drag", "wind"],
    },
)


@router.post(
    "/calibrate",
    response_model=CalibrateResponse,
    responses=ERRORS,
    openapi_extra=json_body(CalibrateRequest, {}),
)
async def calibrate(request: Request) -> Response:
    """Drag, wind and the muzzle speed's bias from where observed shots landed: estimates
    with standard errors and correlations, every shot's residual, and the conditions and
    uncertainty to pass to /aim."""
    raw, media_type = await read_body(request)
    body = validated(decoded(raw, media_type), CalibrateRequest)
    refuse_mixed(body)
    gravity = settings_of(request).gravity
    weight = SHOT_WEIGHT * len(body.shots)  # as the lane counts work
    answer = await within_budget(request, solved, body, gravity, targets=weight)
    return Response(answer, media_type="application/json")


def refuse_mixed(body: CalibrateRequest) -> None:
    """Every shot in the first shot's form, each timed one with a time sigma: else a 422 at
    the shot's index."""
    plane = body.plane()
    for i, shot in enumerate(body.shots):
        if isinstance(shot.landed, Landed) == plane:
            own, first = ("{x, y}", "a number") if plane else ("a number", "{x, y}")
            why = f"`landed` is {own} but shot 0's is {first}: give every shot in one form"
        elif plane and shot.azimuth is not None:
            why = "`azimuth` is the 3D form's: give `landed` as {x, y} (m) with it"
        elif shot.flight_time is not None and body.flight_time_sigma is None:
            why = "a flight_time needs flight_time_sigma (s) in the body"
        else:
            continue
        raise ApiError(422, ["body", "shots", i], f"shot {i}: {why}", "mixed_forms")


def problem_of(body: CalibrateRequest, gravity: float) -> fit.Problem:
    plane, shots = body.plane(), body.shots
    landed = np.array(
        [
            (s.landed.x, s.landed.y) if isinstance(s.landed, Landed) else (s.landed, 0.0)
            for s in shots
        ]
    )
    wind = (body.wind.x, body.wind.y) if isinstance(body.wind, Landed) else (body.wind, 0.0)
    priors = body.priors
    return fit.Problem(
        fit.Shots(
            np.array([s.velocity for s in shots]),
            np.array([s.angle for s in shots]),
            np.array([s.azimuth or 0.0 for s in shots]),
            landed,
            np.array([s.launch_height for s in shots]),
            np.array([s.target_height for s in shots]),
            np.array([math.nan if s.flight_time is None else s.flight_time for s in shots]),
        ),
        body.sigma,
        tuple(body.fit),
        gravity,
        plane,
        math.nan if body.flight_time_sigma is None else body.flight_time_sigma,
        {
            "drag": body.drag,
            "wind_x": wind[0],
            "wind_y": wind[1],
            "velocity_bias": body.velocity_bias,
        },
        {}
        if priors is None
        else {n: (p.mean, p.sd) for n in fit.PARAMETERS if (p := getattr(priors, n)) is not None},
    )


def solved(body: CalibrateRequest, gravity: float) -> bytes:
    problem = problem_of(body, gravity)
    try:
        c = fit.calibrate(problem)
    except fit.BadShot as bad:
        raise ApiError(
            422, ["body", "shots", bad.index], str(bad), "bad_shot", shot=bad.index
        ) from bad
    except (ArithmeticError, np.linalg.LinAlgError) as failed:  # numbers past any flight
        why = f"the fit cannot fly these shots ({failed}): check their numbers"
        raise ApiError(422, ["body", "shots"], why, "not_fittable") from failed
    except fit.NotIdentifiable as confounded:
        said, names = str(confounded), confounded.names
        if problem.plane:  # the 2D form's wind is one number, `wind`
            said, names = said.replace("wind_x", "wind"), [n.replace("_x", "") for n in names]
        raise ApiError(
            422, ["body", "fit"], said, "not_identifiable", parameters=names
        ) from confounded
    return json.dumps(answer(c, problem), separators=(",", ":"), allow_nan=False).encode()


def answer(c: fit.Calibration, problem: fit.Problem) -> dict[str, Any]:
    names = ["wind" if problem.plane and n == "wind_x" else n for n in c.names]
    se = dict(zip(c.names, c.standard_errors.tolist(), strict=True))
    air = c.air
    residuals = [
        {
            "landed": float(r[0]) if problem.plane else {"x": float(r[0]), "y": float(r[1])},
            "flight_time": None if math.isnan(t) else float(t),
        }
        for r, t in zip(c.residuals, c.time_residuals, strict=True)
    ]
    return {
        "estimates": [
            {"name": n, "value": float(v), "standard_error": float(e), "unit": UNITS[n]}
            for n, v, e in zip(names, c.values, c.standard_errors, strict=True)
        ],
        "correlation": np.clip(c.correlation, -1.0, 1.0).tolist(),
        "residuals": residuals,
        "rms": c.rms,
        "chi_square": c.chi_square,
        "degrees_of_freedom": c.degrees_of_freedom,
        "conditions": {
            "drag": air["drag"],
            "wind": air["wind_x"] if problem.plane else {"x": air["wind_x"], "y": air["wind_y"]},
        },
        "velocity_bias": air["velocity_bias"],
        "uncertainty": {
            "drag_sigma": se.get("drag", 0.0),
            "wind_sigma": max(se.get("wind_x", 0.0), se.get("wind_y", 0.0)),
        },
        "iterations": c.iterations,
    }
