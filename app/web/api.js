// The API as the page calls it: JSON in and out, the API key when one is typed, and the
// server's own words when it refuses. Shared by the 2D form (page.js) and the 3D one (space.js).
import { num } from "./draw.js";

const $ = (id) => document.getElementById(id);

export class ApiFailure extends Error {
  constructor(status, body) {
    super(describe(status, body));
    this.status = status;
  }
}

// The server's own words: a sentence, or the list of {loc, msg} items of a 422.
function describe(status, body) {
  const detail = body && body.detail;
  let text = typeof detail === "string" ? detail : `HTTP ${status}`;
  if (Array.isArray(detail)) {
    text = detail.map((item) => `${(item.loc || []).join(".")}: ${item.msg}`).join("; ");
  }
  if (body && typeof body.max_range === "number") text += ` (max range ${num(body.max_range)} m)`;
  if (body && typeof body.min_range === "number") text += ` (min range ${num(body.min_range)} m)`;
  return `Error ${status}: ${text}`;
}

export async function call(method, path, body) {
  const headers = {};
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const key = $("api-key").value;
  if (key) headers["X-API-Key"] = key; // sent to every endpoint: harmless where not needed
  const response = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  let data = null;
  try {
    data = await response.json();
  } catch (_) {
    data = null; // not JSON: the status says enough
  }
  if (!response.ok) throw new ApiFailure(response.status, data);
  return data;
}

export const query = (params) => new URLSearchParams(params).toString();

// A number typed into a field, or undefined when empty; throws with the field's name if not a number.
export function readNumber(id, name, optional, unit = "metres") {
  const text = $(id).value.trim().replace("\u2212", "-"); // a typographic minus counts
  if (text === "" && optional) return undefined;
  const value = Number(text);
  if (text === "" || !Number.isFinite(value)) throw new Error(`${name}: enter a number in ${unit}`);
  return value;
}

// ---- The panels both forms share: the odds (what is not exact) and the calibration. ----

const RAD = Math.PI / 180;

// The odds fields of an aim request from the odds panel: {} when it is left empty (no odds,
// the answer as before); {uncertainty, objective?} when a hit radius is given.
export function readOdds() {
  const sigma = (id, name, unit, scale = 1) => {
    const value = readNumber(id, name, true, unit);
    return value === undefined ? undefined : value * scale;
  };
  const fields = {
    velocity_sigma: sigma("u-velocity", "Velocity sigma", "m/s"),
    angle_sigma: sigma("u-angle", "Elevation sigma", "degrees", RAD),
    azimuth_sigma: sigma("u-azimuth", "Azimuth sigma", "degrees", RAD),
    wind_sigma: sigma("u-wind", "Wind sigma", "m/s"),
    drag_sigma: sigma("u-drag", "Drag sigma", "1/m"),
    samples: sigma("u-samples", "Monte Carlo samples", "shots"),
  };
  const radius = readNumber("u-hit-radius", "Hit radius", true, "metres");
  const given = Object.values(fields).some((v) => v !== undefined) || $("u-best").checked;
  if (radius === undefined) {
    if (given) throw new Error("Hit radius: enter a number in metres (the odds need it)");
    return {};
  }
  const uncertainty = { hit_radius: radius };
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) uncertainty[key] = value;
  return $("u-best").checked ? { uncertainty, objective: "max_hit_probability" } : { uncertainty };
}

const share = (p) => `${num(p)} (${num(p * 100)}%)`;
const interval = ([low, high]) => `${num(low)} to ${num(high)}`;

// The odds of an answer, in a table of (field, label, value) rows; the table hides without them.
// Rows of a results table, each `[field, label, text]`: a header cell, then the value in a
// cell whose data-field names it (the tests read the table by that name).
export function fieldRows(body, rows) {
  for (const [field, label, text] of rows) {
    const row = body.insertRow();
    const head = document.createElement("th");
    head.scope = "row";
    head.textContent = label;
    row.appendChild(head);
    const cell = row.insertCell();
    cell.dataset.field = field;
    cell.textContent = text;
  }
}

export function showOdds(tableId, answer) {
  const table = $(tableId);
  const body = table.tBodies[0];
  body.replaceChildren();
  table.hidden = !answer.hit_probability;
  if (table.hidden) return;
  const d = answer.dispersion, p = answer.hit_probability, b = answer.best_odds;
  const rows = [
    ["hit_radius", "hit radius (m)", num(p.hit_radius)],
    ["monte_carlo", "hit probability, Monte Carlo", share(p.monte_carlo)],
    ["interval", "its 95% interval", interval(p.interval)],
    ["linearised", "hit probability, linearised", share(p.linearised)],
    ["samples", "Monte Carlo samples (seed)", `${p.samples} (${p.seed})`],
    ["semi_major", "dispersion: semi-major axis, 1 standard deviation (m)", num(d.semi_major)],
    ["semi_minor", "dispersion: semi-minor axis, 1 standard deviation (m)", num(d.semi_minor)],
    ["orientation", "dispersion: long axis from +x (°)", num(d.orientation / RAD)],
    ["mean_miss_x", "mean miss x (m)", num(d.mean_miss.x)],
    ["mean_miss_y", "mean miss y (m)", num(d.mean_miss.y)],
  ];
  if (b) {
    rows.push(
      ["best_probability", "best aim: hit probability", share(b.hit_probability)],
      ["best_interval", "best aim: its 95% interval", interval(b.interval)],
      ["exact_probability", "exact aim: hit probability (same samples)", share(b.exact_hit_probability)],
      ["gain", "gain (probability)", num(b.gain)],
      ["best_velocity", "best aim: velocity (m/s)", num(b.velocity)],
      ["best_angle_degrees", "best aim: elevation (°)", num(b.angle_degrees)],
      ["best_angle", "best aim: elevation (rad)", num(b.angle)],
      ["best_azimuth_degrees", "best aim: azimuth (°)", num(b.azimuth / RAD)],
    );
  }
  fieldRows(body, rows);
}

// The odds in one sentence, for the status line.
export function oddsWords(answer) {
  const p = answer.hit_probability;
  if (!p) return "";
  let text = ` Hit probability within ${num(p.hit_radius)} m: ${num(p.monte_carlo)} (95% ${interval(p.interval)}), linearised ${num(p.linearised)}.`;
  const b = answer.best_odds;
  if (b) text += ` Best odds ${num(b.hit_probability)} at ${num(b.velocity)} m/s, ${num(b.angle_degrees)}°.`;
  return text;
}

// Ranging shots from CSV text: a header row naming the columns, then one shot a line.
const COLUMNS = {
  velocity: "velocity", elevation: "angle", azimuth: "azimuth", landed: "landed", landed_x: "x",
  landed_y: "y", launch_height: "launch_height", target_height: "target_height", flight_time: "flight_time",
};
export function readShots(text) {
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith("#"));
  if (lines.length < 2) throw new Error("Ranging shots: give a header row and at least one shot");
  const names = lines[0].split(/[,;\t]/).map((n) => n.trim().toLowerCase());
  const unknown = names.filter((n) => !(n in COLUMNS));
  if (unknown.length) throw new Error(`Ranging shots: unknown column ${unknown.join(", ")} (known: ${Object.keys(COLUMNS).join(", ")})`);
  return lines.slice(1).map((line, i) => {
    const cells = line.split(/[,;\t]/).map((c) => c.trim().replace("\u2212", "-"));
    if (cells.length !== names.length) throw new Error(`Ranging shots: line ${i + 2} has ${cells.length} values, the header ${names.length}`);
    const shot = {};
    names.forEach((name, j) => {
      const value = Number(cells[j]);
      if (cells[j] === "" || !Number.isFinite(value)) throw new Error(`Ranging shots: line ${i + 2}, ${name}: enter a number`);
      const key = COLUMNS[name];
      if (key === "x" || key === "y") shot.landed = { ...(shot.landed ?? {}), [key]: value };
      else shot[key] = name === "elevation" || name === "azimuth" ? value * RAD : value;
    });
    return shot;
  });
}

const calibration = { last: null };

async function calibrate(event) {
  event.preventDefault();
  $("cal-error").hidden = true;
  $("cal-status").textContent = "Calibrating…";
  try {
    const body = { shots: readShots($("cal-shots").value), sigma: readNumber("cal-sigma", "Landing sigma", false) };
    const timeSigma = readNumber("cal-time-sigma", "Flight time sigma", true, "seconds");
    if (timeSigma !== undefined) body.flight_time_sigma = timeSigma;
    body.fit = [["fit-drag", "drag"], ["fit-wind", "wind"], ["fit-velocity-bias", "velocity_bias"]]
      .filter(([id]) => $(id).checked).map(([, name]) => name);
    const drag = readNumber("cal-drag", "Known drag", true, "1/m");
    const bias = readNumber("cal-bias", "Known velocity bias", true, "(a factor)");
    if (drag !== undefined) body.drag = drag;
    if (bias !== undefined) body.velocity_bias = bias;
    const answer = await call("POST", "/calibrate", body);
    calibration.last = { answer, plane: typeof body.shots[0].landed === "number" };
    showCalibration(answer);
    $("cal-status").textContent = `Fitted ${answer.estimates.map((e) => e.name).join(", ")} from ${body.shots.length} shot(s) in ${answer.iterations} iteration(s): RMS residual ${num(answer.rms)} m.` +
      (answer.velocity_bias === 1 ? "" : ` The cannon fires ${num(answer.velocity_bias)} times the commanded velocity: command the velocity aimed divided by it.`);
  } catch (error) {
    calibration.last = null;
    for (const id of ["cal-results", "cal-residuals", "cal-use"]) $(id).hidden = true;
    $("cal-status").textContent = "";
    $("cal-error").textContent = error.message;
    $("cal-error").hidden = false;
  }
}

function fillTable(id, rows) {
  const body = $(id).tBodies[0];
  body.replaceChildren();
  for (const [key, cells] of rows) {
    const row = body.insertRow();
    row.dataset.key = key;
    const head = document.createElement("th");
    head.scope = "row";
    head.textContent = cells[0];
    row.appendChild(head);
    cells.slice(1).forEach((text, j) => Object.assign(row.insertCell(), { textContent: text }).setAttribute("data-col", j));
  }
  $(id).hidden = false;
}

function showCalibration(answer) {
  fillTable("cal-results", answer.estimates.map((e) => [e.name, [e.name.replace("_", " "), num(e.value), num(e.standard_error), e.unit]]));
  fillTable("cal-residuals", answer.residuals.map((r, i) => {
    const landed = typeof r.landed === "number" ? num(r.landed) : `x ${num(r.landed.x)}, y ${num(r.landed.y)}`;
    return [String(i), [String(i), landed, r.flight_time === null ? "not timed" : num(r.flight_time)]];
  }));
  $("cal-use").hidden = false;
}

// The calibrated air into the aim form of the shots' form (2D or 3D), its standard errors
// into the odds panel.
function useCalibration() {
  const { answer, plane } = calibration.last;
  const c = answer.conditions, u = answer.uncertainty;
  if (plane) {
    $("drag").value = String(c.drag);
    $("wind").value = String(c.wind);
  } else {
    $("t3-more").open = true;
    $("t3-drag").value = String(c.drag);
    $("t3-wind-x").value = String(c.wind.x);
    $("t3-wind-y").value = String(c.wind.y);
  }
  $("u-drag").value = String(u.drag_sigma);
  $("u-wind").value = String(u.wind_sigma);
  $("odds-panel").open = true;
  $("cal-status").textContent = `Put into the ${plane ? "2D" : "3D"} aim form: drag ${num(c.drag)} 1/m, wind ${plane ? `${num(c.wind)} m/s` : `(${num(c.wind.x)}, ${num(c.wind.y)}) m/s`}; into the odds: drag sigma ${num(u.drag_sigma)} 1/m, wind sigma ${num(u.wind_sigma)} m/s.` +
    (answer.velocity_bias === 1 ? "" : ` The cannon fires ${num(answer.velocity_bias)} times the commanded velocity: command the velocity aimed divided by it.`) +
    ($("u-hit-radius").value.trim() ? "" : " Give a hit radius for the odds.");
}

document.addEventListener("DOMContentLoaded", () => {
  $("calibrate-form").addEventListener("submit", calibrate);
  $("cal-use").addEventListener("click", useCalibration);
});
