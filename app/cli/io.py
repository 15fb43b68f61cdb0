"""What `cannon` reads and prints: target files (CSV or JSON) and answers for people or scripts.

Human output names every unit; `--json` prints the service's own JSON; a batch comes back as
CSV (columns named with their units) or JSON, like the file it came from.
"""

from __future__ import annotations

import csv
import io
import json
import math
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from app.api.schemas import AimResponse, BatchSolution, VerifyResponse
from app.client.clients import Solution

CSV_COLUMNS = {  # column (with its unit) -> field of the answer
    "distance_m": "distance",
    "reachable": "reachable",
    "angle_rad": "angle",
    "angle_deg": "angle_degrees",
    "velocity_m_per_s": "velocity",
    "landing_distance_m": "landing_distance",
    "flight_time_s": "flight_time",
    "apex_height_m": "apex_height",
    "miss_m": "miss",
    "tolerance_m": "tolerance",
    "hit": "hit",
    "refined": "refined",
    "iterations": "iterations",
    "max_range_m": "max_range",
    "detail": "detail",
}
DISTANCE_COLUMNS = ("distance", "distance_m")


class TargetFileError(ValueError):
    """A targets file that cannot be read as distances."""


def read_targets(text: str, as_json: bool) -> list[float]:
    """Distances (m) from a JSON list or {"distances": [...]}, or from CSV: one number per
    line, or a column named `distance` or `distance_m`."""
    if as_json:
        try:
            data = json.loads(text)
        except ValueError as error:
            raise TargetFileError(f"not JSON: {error}") from error
        if isinstance(data, dict):
            data = data.get("distances")
        if not isinstance(data, list) or not all(is_number(item) for item in data):
            raise TargetFileError('JSON must be a list of numbers or {"distances": [numbers]}')
        return [float(item) for item in data]
    rows = [
        row for row in csv.reader(io.StringIO(text)) if row and any(cell.strip() for cell in row)
    ]
    if not rows:
        raise TargetFileError("no targets in the file")
    column, first_line = 0, 1
    header = [cell.strip().lower() for cell in rows[0]]
    if any(name in DISTANCE_COLUMNS for name in header):
        column = next(i for i, name in enumerate(header) if name in DISTANCE_COLUMNS)
        rows, first_line = rows[1:], 2
    elif len(header) > 1:
        raise TargetFileError("a CSV with several columns needs a 'distance' column")
    distances = []
    for line, row in enumerate(rows, start=first_line):
        try:
            distances.append(float(row[column]))
        except (ValueError, IndexError) as error:
            raise TargetFileError(f"line {line}: not a distance: {row!r}") from error
    return distances


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def batch_csv(solutions: Sequence[Solution]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for solution in solutions:
        fields = solution.model_dump()
        writer.writerow(cell(fields.get(name)) for name in CSV_COLUMNS.values())
    return out.getvalue()


def cell(value: Any) -> Any:
    """A CSV cell: booleans as JSON writes them, nothing for a field the answer lacks."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else value


def batch_summary(solutions: Sequence[Solution]) -> str:
    solved = [s for s in solutions if isinstance(s, BatchSolution)]
    hits = sum(s.hit for s in solved)
    refined = sum(s.refined for s in solved)
    worst = max((s.miss for s in solved), default=math.nan)
    return (
        f"{len(solutions)} targets: {hits} hit, {len(solved) - hits} missed, "
        f"{len(solutions) - len(solved)} unreachable; {refined} refined; "
        f"largest miss {worst:.3g} m"
    )


def as_json(answer: BaseModel | Sequence[BaseModel]) -> str:
    if isinstance(answer, BaseModel):
        return answer.model_dump_json(indent=2)
    return json.dumps({"solutions": [item.model_dump(mode="json") for item in answer]}, indent=2)


def human_aim(shot: AimResponse) -> str:
    verdict = "hit" if shot.hit else "MISS"
    steps = f"yes, {shot.iterations} steps" if shot.refined else "no"
    return "\n".join(
        [
            f"target     {shot.distance:.6g} m",
            f"angle      {shot.angle:.6f} rad ({shot.angle_degrees:.3f} degrees)",
            f"velocity   {shot.velocity:.6f} m/s",
            f"lands at   {shot.landing_distance:.6g} m after {shot.flight_time:.4g} s",
            f"apex       {shot.apex_height:.4g} m",
            f"miss       {shot.miss:.3g} m (tolerance {shot.tolerance:.3g} m): {verdict}",
            f"refined    {steps}",
            f"model      {shot.model_version}",
        ]
    )


def human_verify(check: VerifyResponse) -> str:
    verdict = "hit" if check.hit else "MISS"
    return "\n".join(
        [
            f"shot       {check.angle:.6g} rad ({math.degrees(check.angle):.3f} degrees) "
            f"at {check.velocity:.6g} m/s",
            f"lands at   {check.landing_distance:.6g} m after {check.flight_time:.4g} s",
            f"apex       {check.apex_height:.4g} m",
            f"target     {check.distance:.6g} m",
            f"miss       {check.miss:.3g} m (tolerance {check.tolerance:.3g} m): {verdict}",
        ]
    )


def human_validation(figures: dict[str, float]) -> str:
    """The network's validation figures (misses in metres) as a small table."""
    names = {
        "median_miss_m": "median miss",
        "p99_miss_m": "99th percentile miss",
        "max_miss_m": "largest miss",
        "max_miss_below_1mm_m": "largest miss, targets under 1 mm",
    }
    lines = [f"validation on {int(figures['points'])} targets, network alone:"]
    lines += [f"  {label:<34} {figures[key]:.3g} m" for key, label in names.items()]
    lines.append(f"  {'within 5 cm':<34} {figures['within_5cm']:.2%}")
    lines.append(f"  {'within 1 mm':<34} {figures['within_1mm']:.2%}")
    return "\n".join(lines)


def human_air_validation(figures: dict[str, float | None]) -> str:
    """The air network's validation figures (misses in metres, from the reference)."""
    lines = [f"validation on {figures['targets']} targets through air, network alone:"]
    for key, label in (
        ("median_miss_m", "median miss"),
        ("p99_miss_m", "99th percentile miss"),
        ("max_miss_m", "largest miss"),
    ):
        value = figures.get(key)
        lines.append(f"  {label:<34} " + ("-" if value is None else f"{value:.3g} m"))
    for key, label in (
        ("within_1%", "within 1% of the distance"),
        ("within_0.1%", "within 0.1% of the distance"),
        ("reached", "coming down at the target height"),
    ):
        lines.append(f"  {label:<34} {figures[key] or 0.0:.2%}")
    return "\n".join(lines)


def read_text(path: str) -> str:
    """A file's text, or standard input for '-'."""
    if path == "-":
        return sys.stdin.read()
    return Path(path).read_text()
