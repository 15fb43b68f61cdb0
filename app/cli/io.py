"""What `cannon` reads and prints: target files (CSV or JSON) and answers for people or scripts.

Human output names every unit and gives angles in radians and degrees; `--json` prints the
service's own JSON; a batch comes back as CSV (columns named with their units) or JSON, like
the file it came from. Answers are the light client's models, whoever answered them.
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

import cannon_client
from pydantic import BaseModel

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
    "min_range_m": "min_range",
    "detail": "detail",
}
DISTANCE_COLUMNS = ("distance", "distance_m")
LANDING_FIELDS = ("angle", "velocity", "landing_distance", "flight_time", "apex_height")


class TargetFileError(ValueError):
    """A targets file that cannot be read as distances."""


def read_targets(text: str, as_json: bool) -> list[float]:
    """Distances (m) from a JSON list or {"distances": [...]}, or from CSV: one number a
    line, or a column named `distance` or `distance_m`. Blank lines are skipped; a bad value
    is reported at its line in the file."""
    if as_json:
        try:
            data = json.loads(text)
        except ValueError as error:
            raise TargetFileError(f"not JSON: {error}") from error
        if isinstance(data, dict):
            data = data.get("distances")
        if not isinstance(data, list) or not all(is_number(item) for item in data):
            raise TargetFileError('JSON must be a list of numbers or {"distances": [numbers]}')
        if not data:
            raise TargetFileError("no targets in the file")
        return [float(item) for item in data]
    reader = csv.reader(io.StringIO(text))
    rows = [(reader.line_num, row) for row in reader if any(cell.strip() for cell in row)]
    if not rows:
        raise TargetFileError("no targets in the file")
    column = 0
    header = [cell.strip().lower() for cell in rows[0][1]]
    if any(name in DISTANCE_COLUMNS for name in header):
        column = next(i for i, name in enumerate(header) if name in DISTANCE_COLUMNS)
        rows = rows[1:]
    elif len(header) > 1:
        raise TargetFileError("a CSV with several columns needs a 'distance' column")
    distances = []
    for line, row in rows:
        try:
            distances.append(float(row[column]))
        except (ValueError, IndexError) as error:
            raise TargetFileError(f"line {line}: not a distance in metres: {row!r}") from error
    if not distances:
        raise TargetFileError("no targets in the file, only its header")
    return distances


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def read_text(path: str) -> str:
    """A file's text, or standard input for '-'."""
    if path == "-":
        return sys.stdin.read()
    return Path(path).read_text()


def batch_csv(solutions: Sequence[cannon_client.Solution]) -> str:
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


def hits_all(solutions: Sequence[cannon_client.Solution]) -> bool:
    """Whether every target of a batch was reached and hit."""
    return all(isinstance(s, cannon_client.BatchSolution) and s.hit for s in solutions)


def batch_summary(solutions: Sequence[cannon_client.Solution], tolerance: str) -> str:
    """One line for standard error: how many hit, missed, were out of reach; the worst miss."""
    solved = [s for s in solutions if isinstance(s, cannon_client.BatchSolution)]
    hits = sum(s.hit for s in solved)
    refined = sum(s.refined for s in solved)
    worst = max((s.miss for s in solved), default=math.nan)
    return (
        f"{len(solutions)} targets: {hits} hit, {len(solved) - hits} missed, "
        f"{len(solutions) - len(solved)} unreachable; {refined} refined; "
        f"largest miss {worst:.3g} m; tolerance {tolerance}"
    )


def as_json(answer: BaseModel | Sequence[BaseModel]) -> str:
    if isinstance(answer, BaseModel):
        return answer.model_dump_json(indent=2)
    return json.dumps({"solutions": [item.model_dump(mode="json") for item in answer]}, indent=2)


def human_aim(shot: cannon_client.AimResponse, tolerance: str) -> str:
    """An answer for people; `tolerance` says the tolerance used (with its unit) and why."""
    verdict = "hit" if shot.hit else "MISS"
    steps = f"yes, {shot.iterations} steps" if shot.refined else "no"
    return "\n".join(
        [
            f"target     {shot.distance:.6g} m",
            f"angle      {shot.angle:.6f} rad ({shot.angle_degrees:.4f} degrees)",
            f"velocity   {shot.velocity:.6f} m/s",
            f"lands at   {shot.landing_distance:.6g} m after {shot.flight_time:.4g} s",
            f"apex       {shot.apex_height:.4g} m",
            f"miss       {shot.miss:.3g} m: {verdict}",
            f"tolerance  {tolerance}",
            f"refined    {steps}",
            f"model      {shot.model_version}",
        ]
    )


def human_landing(check: cannon_client.VerifyResponse) -> list[str]:
    """Where a shot lands, for people: the shot (rad and degrees, m/s) and its flight."""
    return [
        f"shot       {check.angle:.6g} rad ({math.degrees(check.angle):.4f} degrees) "
        f"at {check.velocity:.6g} m/s",
        f"lands at   {check.landing_distance:.6g} m after {check.flight_time:.4g} s",
        f"apex       {check.apex_height:.4g} m",
    ]


def human_verify(check: cannon_client.VerifyResponse, tolerance: str) -> str:
    verdict = "hit" if check.hit else "MISS"
    return "\n".join(
        [
            *human_landing(check),
            f"target     {check.distance:.6g} m",
            f"miss       {check.miss:.3g} m: {verdict}",
            f"tolerance  {tolerance}",
        ]
    )


def landing_json(check: cannon_client.VerifyResponse) -> str:
    """Where a shot lands as JSON: the service's answer without the target's fields."""
    return json.dumps({name: getattr(check, name) for name in LANDING_FIELDS}, indent=2)
