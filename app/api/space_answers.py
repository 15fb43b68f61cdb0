"""3D answers (issue 13) written as JSON from the engine's `Intercepts` rows, as
app/api/answers.py writes the 2D ones: the fields of InterceptVerdict, InterceptResponse,
BatchIntercept and BatchUnreachableTarget (app/api/space_responses.py), every number in its
unit (m, s, rad, degrees), NaN written as null."""

from __future__ import annotations

import math
from typing import Any

import msgspec

from app.aiming.results import Reach
from app.api.answers import reach_fields
from app.api.replies import Reply

encoder = msgspec.json.Encoder()
Vector = tuple[float, float, float]


def xyz(values: Any) -> dict[str, float] | None:
    x, y, z = (float(v) for v in values)
    return None if not math.isfinite(x) else {"x": x, "y": y, "z": z}


def finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def intercept_fields(answer: dict[str, Any]) -> dict[str, Any]:
    """InterceptVerdict's fields of one answer (`Intercepts.row`), in its order."""
    return {
        "target": xyz(answer["target"]),
        "angle": answer["angle"],
        "azimuth": answer["azimuth"],
        "velocity": answer["velocity"],
        "intercept_time": finite(answer["intercept_time"]),
        "intercept_point": xyz(answer["intercept_point"]),
        "apex_height": answer["apex_height"],
        "miss": finite(answer["miss"]),
        "tolerance": answer["tolerance"],
        "hit": answer["hit"],
    }


def response_fields(answer: dict[str, Any], version: str) -> dict[str, Any]:
    """InterceptResponse's fields of one answer."""
    return {
        **intercept_fields(answer),
        "angle_degrees": math.degrees(answer["angle"]),
        "azimuth_degrees": math.degrees(answer["azimuth"]),
        "refined": answer["refined"],
        "iterations": answer["iterations"],
        "model_version": version,
    }


def one_reply(answer: dict[str, Any], version: str) -> Reply:
    content = encoder.encode(response_fields(answer, version))
    return Reply(content, [answer["miss"]], [answer["refined"]], [answer["iterations"]])


def refused(target: Vector, detail: str, reach: Reach | None) -> dict[str, Any]:
    """A BatchUnreachableTarget item."""
    ranges = {"max_range": None, "min_range": None} if reach is None else reach_fields(reach)
    return {"target": xyz(target), "reachable": False, "detail": detail, **ranges}
