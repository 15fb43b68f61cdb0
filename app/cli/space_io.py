"""What `cannon` reads and prints in 3D: target files (x, y, z in metres) and answers.

As app/cli/io.py for distances: human output names every unit (angles in radians and
degrees), `--json` prints the service's own JSON, a batch comes back as CSV (columns named
with their units) or JSON, like the file it came from. A bad value is reported at its line.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Sequence
from typing import Any

import cannon_client

from app.cli.io import TargetFileError, cell, is_number

Point = tuple[float, float, float]
AXES = ("x", "y", "z")
CSV_COLUMNS = (  # column (with its unit) -> where it is in an answer
    ("x_m", ("target", "x")),
    ("y_m", ("target", "y")),
    ("z_m", ("target", "z")),
    ("reachable", ("reachable",)),
    ("angle_rad", ("angle",)),
    ("angle_deg", ("angle_degrees",)),
    ("azimuth_rad", ("azimuth",)),
    ("azimuth_deg", ("azimuth_degrees",)),
    ("velocity_m_per_s", ("velocity",)),
    ("intercept_time_s", ("intercept_time",)),
    ("intercept_x_m", ("intercept_point", "x")),
    ("intercept_y_m", ("intercept_point", "y")),
    ("intercept_z_m", ("intercept_point", "z")),
    ("apex_height_m", ("apex_height",)),
    ("miss_m", ("miss",)),
    ("tolerance_m", ("tolerance",)),
    ("hit", ("hit",)),
    ("refined", ("refined",)),
    ("iterations", ("iterations",)),
    ("max_range_m", ("max_range",)),
    ("min_range_m", ("min_range",)),
    ("detail", ("detail",)),
)


def read_targets(text: str, as_json: bool) -> list[Point]:
    """Targets (x, y, z) in metres from JSON ([[x, y, z], ...] or {"targets": [{"x", "y",
    "z"}, ...]}, z optional) or from CSV with a header naming x and y (and optionally z;
    x_m, y_m, z_m also read); other columns are ignored, blank lines skipped."""
    if as_json:
        return json_targets(text)
    reader = csv.reader(io.StringIO(text))
    rows = [(reader.line_num, row) for row in reader if any(cell.strip() for cell in row)]
    if not rows:
        raise TargetFileError("no targets in the file")
    header = [name.strip().lower().removesuffix("_m") for name in rows[0][1]]
    if "x" not in header or "y" not in header:
        raise TargetFileError("a CSV of targets needs a header naming columns x and y (and z)")
    columns = [header.index(axis) if axis in header else None for axis in AXES]
    targets = []
    for line, row in rows[1:]:
        try:
            x, y, z = (0.0 if i is None else float(row[i]) for i in columns)
        except (ValueError, IndexError) as error:
            raise TargetFileError(
                f"line {line}: not a target x, y, z in metres: {row!r}"
            ) from error
        if not all(math.isfinite(v) for v in (x, y, z)):
            raise TargetFileError(f"line {line}: not a finite target x, y, z in metres: {row!r}")
        targets.append((x, y, z))
    if not targets:
        raise TargetFileError("no targets in the file, only its header")
    return targets


def json_targets(text: str) -> list[Point]:
    try:
        data = json.loads(text)
    except ValueError as error:
        raise TargetFileError(f"not JSON: {error}") from error
    if isinstance(data, dict):
        data = data.get("targets")
    if not isinstance(data, list):
        raise TargetFileError('JSON must be a list of targets or {"targets": [...]}')
    if not data:
        raise TargetFileError("no targets in the file")
    targets = []
    for i, item in enumerate(data, start=1):
        values = coordinates(item)
        if values is None:
            raise TargetFileError(
                f'target {i}: not [x, y, z] or {{"x": m, "y": m, "z": m}} (z optional): {item!r}'
            )
        targets.append(values)
    return targets


def coordinates(item: Any) -> Point | None:
    """A JSON target as (x, y, z) m, z 0 if left out; None if it is not one."""
    if isinstance(item, dict):
        if not {"x", "y"} <= item.keys() or not item.keys() <= set(AXES):
            return None
        item = [item[axis] for axis in AXES if axis in item]
    if not isinstance(item, list) or len(item) not in (2, 3):
        return None
    if not all(is_number(v) and math.isfinite(v) for v in item):
        return None
    x, y, *z = (float(v) for v in item)
    return x, y, z[0] if z else 0.0


def point(at: cannon_client.Point | None) -> str:
    """A point for people: (x, y, z) m."""
    if at is None:
        return "none"
    return f"({at.x:.6g}, {at.y:.6g}, {at.z:.6g}) m"


def angles(name: str, radians: float) -> str:
    return f"{name:<10} {radians:.6f} rad ({math.degrees(radians):.4f} degrees)"


def meeting(verdict: cannon_client.InterceptVerdict, closest: bool, apex: str) -> list[str]:
    """When and where the shot meets the target, its apex, and the miss (m) with the
    verdict."""
    word = "hit" if verdict.hit else "MISS"
    if verdict.intercept_time is None or verdict.miss is None:
        return [
            "intercept  none: the shot never comes down through the target's height",
            apex,
            f"miss       none: {word}",
        ]
    kind = "3D, at the closest approach" if closest else "horizontal"
    return [
        f"intercept  after {verdict.intercept_time:.4g} s at {point(verdict.intercept_point)}",
        apex,
        f"miss       {verdict.miss:.3g} m ({kind}): {word}",
    ]


def human_shot(verdict: cannon_client.InterceptVerdict, tolerance: str, closest: bool) -> list[str]:
    """A 3D shot and its meeting with the target, for people; `tolerance` says which and why."""
    return [
        f"target     {point(verdict.target)} at firing",
        angles("angle", verdict.angle) + " elevation",
        angles("azimuth", verdict.azimuth),
        f"velocity   {verdict.velocity:.6f} m/s",
        *meeting(verdict, closest, f"apex       {verdict.apex_height:.4g} m"),
        f"tolerance  {tolerance}",
    ]


def human_aim(shot: cannon_client.InterceptResponse, tolerance: str, closest: bool) -> str:
    steps = f"yes, {shot.iterations} steps" if shot.refined else "no"
    lines = human_shot(shot, tolerance, closest)
    return "\n".join([*lines, f"refined    {steps}", f"model      {shot.model_version}"])


def human_verify(check: cannon_client.InterceptVerdict, tolerance: str, closest: bool) -> str:
    return "\n".join(human_shot(check, tolerance, closest))


def batch_csv(solutions: Sequence[cannon_client.TargetSolution]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(name for name, _ in CSV_COLUMNS)
    for solution in solutions:
        fields = solution.model_dump()
        writer.writerow(cell(found(fields, path)) for _, path in CSV_COLUMNS)
    return out.getvalue()


def found(fields: dict[str, Any], path: tuple[str, ...]) -> Any:
    """The value at `path` in an answer's fields, None where it has none."""
    value: Any = fields
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def hits_all(solutions: Sequence[cannon_client.TargetSolution]) -> bool:
    return all(isinstance(s, cannon_client.BatchIntercept) and s.hit for s in solutions)


def batch_summary(solutions: Sequence[cannon_client.TargetSolution], tolerance: str) -> str:
    """One line for standard error: how many hit, missed, were out of reach; the worst miss."""
    solved = [s for s in solutions if isinstance(s, cannon_client.BatchIntercept)]
    hits = sum(s.hit for s in solved)
    refined = sum(s.refined for s in solved)
    worst = max((s.miss for s in solved if s.miss is not None), default=math.nan)
    return (
        f"{len(solutions)} targets: {hits} hit, {len(solved) - hits} missed, "
        f"{len(solutions) - len(solved)} unreachable; {refined} refined; "
        f"largest miss {worst:.3g} m; tolerance {tolerance}"
    )
