"""What `cannon calibrate` reads and prints, and the odds `cannon aim --hit-radius` adds: the
ranging shots' CSV (each bad value reported at its line), the fit for people (each estimate
with its standard error and unit, the correlations, each shot's residual in m, the options
to aim with), and the landing's spread and the chance of a hit."""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass

import cannon_client

from app.cli.io import TargetFileError
from app.cli.options import angle

COLUMNS = {  # a header's name (and its spellings with units) -> the shot's field
    "velocity": "velocity",
    "velocity_m_per_s": "velocity",
    "angle": "angle",
    "angle_rad": "angle",
    "angle_deg": "angle_deg",
    "azimuth": "azimuth",
    "azimuth_rad": "azimuth",
    "azimuth_deg": "azimuth_deg",
    "landed": "landed",
    "landed_m": "landed",
    "landed_x": "landed_x",
    "landed_x_m": "landed_x",
    "landed_y": "landed_y",
    "landed_y_m": "landed_y",
    "launch_height": "launch_height",
    "launch_height_m": "launch_height",
    "target_height": "target_height",
    "target_height_m": "target_height",
    "flight_time": "flight_time",
    "flight_time_s": "flight_time",
}
UNITS = {"1/m": "1/m", "m/s": "m/s", "1": "(a factor)"}


@dataclass(frozen=True)
class Shots:
    """The shots read, and the line of the file each came from (for the errors)."""

    shots: list[cannon_client.ObservedShot]
    lines: list[int]


def read_shots(text: str) -> Shots:
    """The shots of a CSV with a header (COLUMNS); blank lines skipped."""
    reader = csv.reader(io.StringIO(text))
    rows = [(reader.line_num, row) for row in reader if any(cell.strip() for cell in row)]
    if not rows:
        raise TargetFileError("no shots in the file")
    header = [COLUMNS.get(cell.strip().lower()) for cell in rows[0][1]]
    named = {name for name in header if name}
    for need, what in (("velocity", "velocity (m/s)"), ("angle", "angle (rad)")):
        if need not in named and not (need == "angle" and "angle_deg" in named):
            raise TargetFileError(f"the header names no {what} column: {rows[0][1]!r}")
    plane = "landed" in named
    if plane == ("landed_x" in named or "landed_y" in named):
        which = "both" if plane else "neither"
        raise TargetFileError(
            f"the header names {which} a landed column (m, 2D) and landed_x, landed_y columns "
            "(m, 3D): give one form"
        )
    shots, lines = [], []
    for line, row in rows[1:]:
        cells = {name: row[i].strip() for i, name in enumerate(header) if name and i < len(row)}
        try:
            shots.append(shot_of({k: v for k, v in cells.items() if v}, plane))
        except (ValueError, TypeError) as error:
            raise TargetFileError(f"line {line}: {error}") from None
        lines.append(line)
    if not shots:
        raise TargetFileError("no shots in the file, only its header")
    return Shots(shots, lines)


def shot_of(cells: dict[str, str], plane: bool) -> cannon_client.ObservedShot:
    """One row as a shot, validated by the client (InvalidRequest is a ValueError)."""
    fields: dict[str, object] = {}
    for name, text in cells.items():
        if name in ("angle", "azimuth"):
            fields[name] = angle(text)
        elif name in ("angle_deg", "azimuth_deg"):
            fields[name.removesuffix("_deg")] = math.radians(number(text, name))
        elif name not in ("landed_x", "landed_y"):
            fields[name] = number(text, name)
    if not plane:
        x, y = cells.get("landed_x"), cells.get("landed_y")
        if x is None or y is None:
            raise ValueError("a 3D shot needs landed_x and landed_y (m)")
        fields["landed"] = (number(x, "landed_x"), number(y, "landed_y"))
    for need in ("velocity", "angle", "landed"):
        if need not in fields:
            raise ValueError(f"no {need}")
    return cannon_client.ObservedShot.model_validate(fields)


def number(text: str, name: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"{name} is not a number: {text!r}") from None


def human_calibration(fit: cannon_client.CalibrateResponse, shots: Shots, sigma: float) -> str:
    """The fit for people, every number with its unit."""
    names = [e.name for e in fit.estimates]
    width = max(14, *(len(n) + 2 for n in names))
    lines = [f"{len(shots.shots)} shots; each landing known to {sigma:.3g} m", "estimates"]
    for e in fit.estimates:
        unit = UNITS.get(e.unit, e.unit)
        lines.append(f"  {e.name:<{width}}{e.value:.6g} ± {e.standard_error:.2g} {unit}")
    lines.append("correlation (dimensionless, -1 to 1)")
    lines.append(" " * (width + 2) + "".join(f"{n:>15}" for n in names))
    for name, row in zip(names, fit.correlation, strict=True):
        lines.append(f"  {name:<{width}}" + "".join(f"{c:>15.3f}" for c in row))
    lines.append("residuals (observed minus fitted)")
    for line, r in zip(shots.lines, fit.residuals, strict=True):
        if isinstance(r.landed, float):
            landed = f"{r.landed:+.3g} m"
        else:
            landed = f"x {r.landed.x:+.3g} m, y {r.landed.y:+.3g} m"
        timed = "" if r.flight_time is None else f", flight time {r.flight_time:+.3g} s"
        lines.append(f"  line {line:<{width - 5}}{landed}{timed}")
    lines.append(f"rms            {fit.rms:.3g} m over {fit.iterations} iterations")
    lines.append(f"conditions     drag {fit.conditions.drag:.6g} 1/m, {wind_said(fit)}")
    u = fit.uncertainty
    lines.append(
        f"uncertainty    drag_sigma {u.drag_sigma:.3g} 1/m, wind_sigma {u.wind_sigma:.3g} m/s"
    )
    bias = fit.velocity_bias
    lines.append(
        f"velocity bias  {bias:.6g} (a factor): the cannon fires {bias:.6g} times the "
        f"commanded velocity (m/s); command aim's velocity divided by {bias:.6g}"
    )
    lines.append(f"aim with       {aim_options(fit)} --hit-radius M")
    return "\n".join(lines)


def wind_said(fit: cannon_client.CalibrateResponse) -> str:
    wind = fit.conditions.wind
    if isinstance(wind, float):
        return f"wind {wind:.6g} m/s along the line of fire"
    return f"wind x {wind.x:.6g} m/s, y {wind.y:.6g} m/s"


def aim_options(fit: cannon_client.CalibrateResponse) -> str:
    """The fitted air and its uncertainty as `cannon aim` options (1/m, m/s)."""
    wind = fit.conditions.wind
    air = f"--drag {fit.conditions.drag:.6g} "
    air += (
        f"--wind {wind:.6g}"
        if isinstance(wind, float)
        else f"--wind-x {wind.x:.6g} --wind-y {wind.y:.6g}"
    )
    u = fit.uncertainty
    return f"{air} --drag-sigma {u.drag_sigma:.3g} --wind-sigma {u.wind_sigma:.3g}"


def percent(p: float) -> str:
    return f"{100 * p:.2f}%"


def human_odds(answer: cannon_client.Odds) -> list[str]:
    """The odds an answer adds, for people (nothing when it has none)."""
    d, chance, best = answer.dispersion, answer.hit_probability, answer.best_odds
    if d is None or chance is None:
        return []
    low, high = chance.interval
    lines = [
        *spread_lines(d),
        f"chance     {percent(chance.monte_carlo)} within {chance.hit_radius:.3g} m (Monte "
        f"Carlo, {chance.samples} samples, seed {chance.seed}; 95% interval {percent(low)} "
        f"to {percent(high)})",
        f"linearised {percent(chance.linearised)} (the normal law of the spread)",
    ]
    if best is not None:
        lo, hi = best.interval
        lines += [
            f"best       angle {best.angle:.6f} rad ({best.angle_degrees:.4f} degrees), "
            f"velocity {best.velocity:.6f} m/s, azimuth {best.azimuth:.6f} rad "
            f"({math.degrees(best.azimuth):.4f} degrees)",
            f"its chance {percent(best.hit_probability)} (95% interval {percent(lo)} to "
            f"{percent(hi)}); the exact aim's {percent(best.exact_hit_probability)} "
            f"({100 * best.gain:+.2f} percentage points)",
        ]
    return lines


def spread_lines(d: cannon_client.Dispersion) -> list[str]:
    """The linearised spread, or why there is none (a grazing shot: its figures are None)."""
    a, b, angle, x, y = d.semi_major, d.semi_minor, d.orientation, d.mean_miss.x, d.mean_miss.y
    if a is None or b is None or angle is None or x is None or y is None:
        return ["spread     none: the linearised flight does not come down (a grazing shot)"]
    return [
        f"spread     {a:.3g} m by {b:.3g} m (semi-axes, one standard deviation), long axis "
        f"{angle:.4g} rad ({math.degrees(angle):.2f} degrees) from +x",
        f"offset     x {x:+.3g} m, y {y:+.3g} m (the aimed landing minus the target)",
    ]
