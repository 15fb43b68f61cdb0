// The page's 3D form: aim at a point in space, perhaps moving, through a wind from any side
// (POST /aim with a `target`), then draw the flight GET /trajectory3d gives from above and from
// the side. Every number shown comes from the API, with its unit; the bearing and the aim-off
// are the answer's azimuth against the target's direction at firing.
import { ApiFailure, call, fieldRows, oddsWords, query, readNumber, readOdds, showOdds } from "./api.js";
import { num } from "./draw.js";
import { drawLanding, drawOddsOnTop, drawSide, drawTop, forgetLanding, forgetViews, turn } from "./draw_space.js";

const $ = (id) => document.getElementById(id);
const DEG = 180 / Math.PI;
const state = { run: 0, last: null };

// A vector of three (or two) fields; undefined when all are empty (the API's 0).
function readVector(prefix, axes, name, unit) {
  const values = axes.map((axis) => readNumber(`${prefix}${axis}`, `${name} ${axis}`, true, unit));
  if (values.every((v) => v === undefined)) return undefined;
  return Object.fromEntries(axes.map((axis, i) => [axis, values[i] ?? 0]));
}

// The body of POST /aim in its 3D form, from the fields; empty optional fields are not sent.
function readBody() {
  const target = {
    x: readNumber("t3-x", "Target x", false),
    y: readNumber("t3-y", "Target y", false),
  };
  const z = readNumber("t3-z", "Target z", true);
  if (z !== undefined) target.z = z;
  const body = { target, intercept: $("t3-intercept").value };
  const moving = readVector("t3-v", ["x", "y", "z"], "Target velocity", "m/s");
  const acceleration = readVector("t3-a", ["x", "y", "z"], "Target acceleration", "m/s²");
  const wind = readVector("t3-wind-", ["x", "y"], "Wind", "m/s");
  if (moving) body.target_velocity = moving;
  if (acceleration) body.target_acceleration = acceleration;
  if (wind) body.wind = wind;
  for (const [id, field, name, unit] of [
    ["t3-drag", "drag", "Drag", "1/m"],
    ["t3-launch-height", "launch_height", "Launch height", "metres"],
    ["t3-tolerance", "tolerance", "Tolerance", "metres"],
  ]) {
    const value = readNumber(id, name, true, unit);
    if (value !== undefined) body[field] = value;
  }
  const velocity = readNumber("t3-fixed-velocity", "Fixed velocity", true, "m/s");
  const degrees = readNumber("t3-fixed-angle", "Fixed elevation", true, "degrees");
  if (velocity !== undefined) Object.assign(body, { velocity, arc: $("t3-arc").value });
  if (degrees !== undefined) body.angle = (degrees * Math.PI) / 180;
  return body;
}

// GET /trajectory3d's query for the shot the service answered, in the same scene.
function flightQuery(body, shot) {
  const v = body.target_velocity ?? {}, a = body.target_acceleration ?? {}, w = body.wind ?? {};
  return query({
    angle: shot.angle, velocity: shot.velocity, azimuth: shot.azimuth,
    target_x: body.target.x, target_y: body.target.y, target_z: body.target.z ?? 0,
    target_velocity_x: v.x ?? 0, target_velocity_y: v.y ?? 0, target_velocity_z: v.z ?? 0,
    target_acceleration_x: a.x ?? 0, target_acceleration_y: a.y ?? 0, target_acceleration_z: a.z ?? 0,
    wind_x: w.x ?? 0, wind_y: w.y ?? 0, drag: body.drag ?? 0, launch_height: body.launch_height ?? 0,
    tolerance: shot.tolerance, intercept: body.intercept, points: 120,
  });
}

const triple = (v) => `(${num(v.x)}, ${num(v.y)}, ${num(v.z ?? 0)})`;

// The scene in words, every number with its unit.
function describeScene(body) {
  const parts = [`target at firing (x, y, z) ${triple(body.target)} m`];
  if (body.target_velocity) parts.push(`moving at ${triple(body.target_velocity)} m/s`);
  if (body.target_acceleration) parts.push(`accelerating at ${triple(body.target_acceleration)} m/s²`);
  const w = body.wind;
  parts.push(w ? `wind (x, y) (${num(w.x)}, ${num(w.y)}) m/s` : "still air");
  parts.push(body.drag ? `drag ${num(body.drag)} 1/m` : "no drag");
  parts.push(`launch height ${num(body.launch_height ?? 0)} m`);
  parts.push(`intercept ${body.intercept}`);
  if (body.velocity !== undefined && body.angle !== undefined) parts.push("velocity and elevation both fixed");
  else if (body.velocity !== undefined) parts.push(`fixed velocity ${num(body.velocity)} m/s, ${body.arc} arc`);
  else if (body.angle !== undefined) parts.push(`fixed elevation ${num(body.angle * DEG)}° (${num(body.angle)} rad)`);
  else parts.push("a free shot");
  const text = `${parts.join(", ")}.`;
  return text[0].toUpperCase() + text.slice(1);
}

const ROWS = [
  ["angle", "elevation (rad)", (s) => num(s.angle)],
  ["angle_degrees", "elevation (°)", (s) => num(s.angle_degrees)],
  ["azimuth", "azimuth (rad)", (s) => num(s.azimuth)],
  ["azimuth_degrees", "azimuth (°)", (s) => num(s.azimuth_degrees)],
  ["bearing_degrees", "bearing to the target at firing (°)", (s) => num(Math.atan2(s.target.y, s.target.x) * DEG)],
  ["aim_off_degrees", "aim-off: azimuth − bearing (°)", (s) => num(turn(s.azimuth, Math.atan2(s.target.y, s.target.x)))],
  ["velocity", "velocity (m/s)", (s) => num(s.velocity)],
  ["intercept_time", "intercept time (s after firing)", (s) => num(s.intercept_time)],
  ["intercept_x", "intercept x (m)", (s) => num(s.intercept_point.x)],
  ["intercept_y", "intercept y (m)", (s) => num(s.intercept_point.y)],
  ["intercept_z", "intercept z (m)", (s) => num(s.intercept_point.z)],
  ["miss", "miss (m)", (s) => num(s.miss)],
  ["tolerance", "tolerance (m)", (s) => num(s.tolerance)],
  ["hit", "hit", (s) => (s.hit ? "yes" : "no")],
  ["refined", "refined", (s) => (s.refined ? "yes" : "no")],
  ["iterations", "refinement steps", (s) => String(s.iterations)],
  ["apex_height", "apex height (m)", (s) => num(s.apex_height)],
];

function showResults(shot) {
  const table = $("results3d");
  const body = table.tBodies[0];
  body.replaceChildren();
  fieldRows(body, ROWS.map(([field, label, show]) => [field, label, show(shot)]));
  table.hidden = false;
}

function draw() {
  if (!state.last) return;
  const { shot, flight, body } = state.last;
  const wind = body.wind ?? { x: 0, y: 0 };
  drawTop({ answer: shot, flight, wind });
  drawSide({ answer: shot, flight, launchHeight: body.launch_height ?? 0 });
  showOdds("odds3d", shot);
  if (!shot.dispersion) return forgetLanding("landing3d");
  // The target where the shot comes down: the landing less the mean miss.
  const d = shot.dispersion, met = shot.intercept_point;
  const odds = { target: [met.x - d.mean_miss.x, met.y - d.mean_miss.y], dispersion: d, radius: shot.hit_probability.hit_radius };
  drawOddsOnTop(odds);
  $("landing3d-figure").hidden = false;
  drawLanding("landing3d", odds);
}

// After a failed request no earlier shot stays on screen beside the error.
function forget() {
  state.last = null;
  $("results3d").hidden = true;
  $("odds3d").hidden = true;
  forgetViews();
  forgetLanding("landing3d");
}

async function aim(event) {
  event.preventDefault();
  const run = ++state.run; // a newer submission wins over one still waiting
  $("error3d").hidden = true;
  $("status3d").textContent = "Aiming…";
  try {
    const body = readBody();
    $("conditions3d").textContent = describeScene(body);
    const shot = await call("POST", "/aim", { ...body, ...readOdds() });
    const flight = await call("GET", `/trajectory3d?${flightQuery(body, shot)}`);
    if (run !== state.run) return;
    state.last = { shot, flight, body };
    draw();
    showResults(shot);
    $("status3d").textContent =
      `Aimed at ${triple(shot.target)} m: ${shot.hit ? "hit" : "missed"}, miss ${num(shot.miss)} m, ` +
      `azimuth ${num(shot.azimuth_degrees)}°, elevation ${num(shot.angle_degrees)}°, ` +
      `met after ${num(shot.intercept_time)} s` +
      (shot.refined ? `, refined in ${shot.iterations} step(s).` : ", no refinement needed.") + oddsWords(shot);
  } catch (error) {
    if (run !== state.run) return;
    $("status3d").textContent = "";
    if (!(error instanceof ApiFailure)) $("t3-more").open = true; // a field may be folded away
    forget();
    $("error3d").textContent = error.message;
    $("error3d").hidden = false;
  }
}

document.addEventListener("DOMContentLoaded", () => {
  $("aim3d-form").addEventListener("submit", aim);
  let pending = 0;
  window.addEventListener("resize", () => {
    clearTimeout(pending); // redraw at the new width (text sizes follow it), once it settles
    pending = setTimeout(draw, 150);
  });
});
