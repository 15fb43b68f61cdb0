// The page: aim through POST /aim, draw the flight from GET /trajectory to scale, and the loss
// surface from GET /loss-surface, all three through the same heights and air the user gave.
// Vanilla JS, no framework; every number comes from the API.
import { call, oddsWords, query, readNumber, readOdds, showOdds } from "./api.js";
import { drawArcs, drawSurface, num } from "./draw.js";
import { drawLanding, forgetLanding } from "./draw_space.js";

const $ = (id) => document.getElementById(id);
const state = { run: 0, last: null, surface: null };

// The air fields: input id, API field, name, unit. Empty fields are not sent (the API's 0).
const AIR = [
  ["launch-height", "launch_height", "Launch height", "m"],
  ["target-height", "target_height", "Target height", "m"],
  ["wind", "wind", "Wind", "m/s"],
  ["drag", "drag", "Drag", "1/m"],
];

function readAir() {
  const air = {};
  for (const [id, field, name, unit] of AIR) {
    const value = readNumber(id, name, true, unit);
    if (value !== undefined) air[field] = value;
  }
  return air;
}

// The constraint as /aim takes it: velocity in m/s, angle in radians (typed in degrees).
function readConstraint() {
  const constraint = {};
  const velocity = readNumber("fixed-velocity", "Fixed velocity", true, "m/s");
  const degrees = readNumber("fixed-angle", "Fixed angle", true, "degrees");
  if (velocity !== undefined) Object.assign(constraint, { velocity, arc: $("arc-choice").value });
  if (degrees !== undefined) constraint.angle = (degrees * Math.PI) / 180;
  return constraint;
}

// The conditions in words, every number with its unit.
function describeConditions(air, constraint) {
  const parts = [];
  const h0 = air.launch_height ?? 0, ht = air.target_height ?? 0, wind = air.wind ?? 0, drag = air.drag ?? 0;
  parts.push(h0 === 0 && ht === 0 ? "flat ground" : `launch height ${num(h0)} m, target height ${num(ht)} m`);
  parts.push(wind === 0 ? "still air" : `wind ${num(wind)} m/s (${wind > 0 ? "tailwind" : "headwind"})`);
  parts.push(drag === 0 ? "no drag" : `drag ${num(drag)} 1/m`);
  let held = "a free shot";
  if (constraint.velocity !== undefined) held = `fixed velocity ${num(constraint.velocity)} m/s, ${constraint.arc} arc`;
  if (constraint.angle !== undefined) held = `fixed angle ${num((constraint.angle * 180) / Math.PI)}° (${num(constraint.angle)} rad)`;
  if (constraint.velocity !== undefined && constraint.angle !== undefined) held = "velocity and angle both fixed";
  const text = `${parts.join(", ")}; ${held}.`;
  return text[0].toUpperCase() + text.slice(1);
}

function showError(message) {
  $("error").textContent = message;
  $("error").hidden = false;
}

async function aim(event) {
  event.preventDefault();
  const run = ++state.run; // a newer submission wins over one still waiting
  $("error").hidden = true;
  $("status").textContent = "Aiming…";
  try {
    const distance = readNumber("distance", "Target distance", false);
    const tolerance = readNumber("tolerance", "Tolerance", true);
    const air = readAir();
    const constraint = readConstraint();
    const body = { distance, ...(tolerance === undefined ? {} : { tolerance }), ...air, ...constraint };
    $("conditions").textContent = describeConditions(air, constraint);
    const odds = readOdds(); // the odds only for the shot itself, not the raw proposal
    const shot = await call("POST", "/aim", { ...body, ...odds, refine: true });
    let rawError = "";
    // A raw proposal through air may never come down at the target's height: say so, keep the shot.
    const raw = $("raw").checked
      ? await call("POST", "/aim", { ...body, refine: false }).catch((error) => {
          rawError = ` Raw proposal not shown: ${error.message}`;
          return null;
        })
      : null;
    const shots = raw ? [shot, raw] : [shot];
    const arcs = await Promise.all(
      shots.map((s) => call("GET", `/trajectory?${query({ angle: s.angle, velocity: s.velocity, points: 120, ...air })}`)),
    );
    if (run !== state.run) return;
    state.last = { distance, shot, raw, arcs, air };
    state.surface = null;
    drawArcs(state.last);
    showResults(state.last);
    showLanding(shot, distance);
    $("status").textContent =
      `Aimed at ${num(distance)} m: ${shot.hit ? "hit" : "missed"}, miss ${num(shot.miss)} m` +
      (shot.refined ? `, refined in ${shot.iterations} step(s).` : ", no refinement needed.") + rawError + oddsWords(shot);
    if (!$("panel-loss").hidden) await loadSurface();
  } catch (error) {
    if (run !== state.run) return;
    $("status").textContent = "";
    forget();
    showError(error.message);
  }
}

// The odds of the shot, when it carries them: the table and the landing area from above
// (along the line of fire to the right, across it up).
function showLanding(shot, distance) {
  showOdds("odds2d", shot);
  if (!shot.dispersion) return forgetLanding("landing2d");
  $("landing2d-figure").hidden = false;
  drawLanding("landing2d", { target: [distance, 0], dispersion: shot.dispersion, radius: shot.hit_probability.hit_radius });
}

// After a failed request no earlier shot stays on screen beside the error.
function forget() {
  state.last = state.surface = null;
  $("results").hidden = true;
  $("odds2d").hidden = true;
  forgetLanding("landing2d");
  for (const node of [...$("arc").childNodes]) if (!["title", "desc"].includes(node.nodeName)) node.remove();
  $("arc-desc").textContent = "Aim at a target to draw its trajectory.";
  delete $("arc").dataset.scale;
  const canvas = $("loss");
  canvas.getContext("2d").clearRect(0, 0, canvas.width, canvas.height);
  $("loss-caption").textContent = "Aim at a target first: the loss surface is drawn for it.";
  $("scale-min").textContent = $("scale-max").textContent = "";
}

const ROWS = [
  ["angle", "angle (rad)", (s) => num(s.angle)],
  ["angle_degrees", "angle (°)", (s) => num(s.angle_degrees)],
  ["velocity", "velocity (m/s)", (s) => num(s.velocity)],
  ["landing_distance", "landing distance (m)", (s) => num(s.landing_distance)],
  ["miss", "miss (m)", (s) => num(s.miss)],
  ["tolerance", "tolerance (m)", (s) => num(s.tolerance)],
  ["hit", "hit", (s) => (s.hit ? "yes" : "no")],
  ["refined", "refined", (s) => (s.refined ? "yes" : "no")],
  ["iterations", "refinement steps", (s) => String(s.iterations)],
  ["flight_time", "flight time (s)", (s, a) => num(a.flight_time)],
  ["apex_height", "apex height (m)", (s, a) => num(a.apex_height)],
];

function showResults({ shot, raw, arcs }) {
  const table = $("results");
  const body = table.tBodies[0];
  body.replaceChildren();
  for (const [field, label, show] of ROWS) {
    const row = body.insertRow();
    const head = document.createElement("th");
    head.scope = "row";
    head.textContent = label;
    row.appendChild(head);
    [shot, raw].forEach((s, i) => {
      const cell = row.insertCell();
      cell.dataset.shot = i === 0 ? "final" : "raw";
      cell.dataset.field = field;
      if (i === 1) cell.className = "raw-col";
      cell.textContent = s ? show(s, arcs[i]) : "";
    });
  }
  table.classList.toggle("no-raw", !raw);
  table.hidden = false;
}

async function loadSurface() {
  if (!state.last) return;
  if (!state.surface) {
    $("loss-caption").textContent = "Computing the loss surface…";
    const { distance, air } = state.last;
    state.surface = await call("GET", `/loss-surface?${query({ distance, velocities: 100, angles: 100, ...air })}`);
  }
  drawSurface(state.surface, state.last);
}

// Tabs as WAI-ARIA describes them: Tab reaches the selected tab, arrows move between tabs.
function select(tab) {
  for (const other of document.querySelectorAll('[role="tab"]')) {
    const chosen = other === tab;
    other.setAttribute("aria-selected", String(chosen));
    other.tabIndex = chosen ? 0 : -1;
    $(other.getAttribute("aria-controls")).hidden = !chosen;
  }
  tab.focus();
  if (tab.id === "tab-loss") loadSurface().catch((error) => showError(error.message));
  else if (state.last) drawArcs(state.last); // its text size follows the width, now visible
}

function onTabKey(event) {
  const tabs = [...document.querySelectorAll('[role="tab"]')];
  const at = tabs.indexOf(event.currentTarget);
  const next = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: tabs.length - 1 }[event.key];
  if (next === undefined) return;
  event.preventDefault();
  select(tabs[(next + tabs.length) % tabs.length]);
}

document.addEventListener("DOMContentLoaded", () => {
  $("aim-form").addEventListener("submit", aim);
  for (const tab of document.querySelectorAll('[role="tab"]')) {
    tab.addEventListener("click", () => select(tab));
    tab.addEventListener("keydown", onTabKey);
  }
  let pending = 0;
  window.addEventListener("resize", () => {
    clearTimeout(pending); // redraw the canvas at its new width, once the resizing settles
    pending = setTimeout(() => {
      if (state.last) drawArcs(state.last);
      if (state.last) showLanding(state.last.shot, state.last.distance);
      if (state.surface && state.last) drawSurface(state.surface, state.last);
    }, 150);
  });
});
