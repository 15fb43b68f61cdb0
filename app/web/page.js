// The page: aim through POST /aim, draw the arc from GET /trajectory to scale, and the loss
// surface from GET /loss-surface. Vanilla JS, no framework; every number comes from the API.
import { drawArcs, drawSurface, num } from "./draw.js";

const $ = (id) => document.getElementById(id);
const state = { run: 0, last: null, surface: null };


class ApiFailure extends Error {
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
  return `Error ${status}: ${text}`;
}

async function call(method, path, body) {
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

const query = (params) => new URLSearchParams(params).toString();

// A number typed into a field, or undefined when empty; throws with the field's name if not a number.
function readNumber(id, name, optional) {
  const text = $(id).value.trim();
  if (text === "" && optional) return undefined;
  const value = Number(text);
  if (text === "" || !Number.isFinite(value)) throw new Error(`${name}: enter a number in metres`);
  return value;
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
    const body = tolerance === undefined ? { distance } : { distance, tolerance };
    const shot = await call("POST", "/aim", { ...body, refine: true });
    const raw = $("raw").checked ? await call("POST", "/aim", { ...body, refine: false }) : null;
    const shots = raw ? [shot, raw] : [shot];
    const arcs = await Promise.all(
      shots.map((s) => call("GET", `/trajectory?${query({ angle: s.angle, velocity: s.velocity, points: 120 })}`)),
    );
    if (run !== state.run) return;
    state.last = { distance, shot, raw, arcs };
    state.surface = null;
    drawArcs(state.last);
    showResults(state.last);
    $("status").textContent =
      `Aimed at ${num(distance)} m: ${shot.hit ? "hit" : "missed"}, miss ${num(shot.miss)} m` +
      (shot.refined ? `, refined in ${shot.iterations} step(s).` : ", no refinement needed.");
    if (!$("panel-loss").hidden) await loadSurface();
  } catch (error) {
    if (run !== state.run) return;
    $("status").textContent = "";
    forget();
    showError(error.message);
  }
}

// After a failed request no earlier shot stays on screen beside the error.
function forget() {
  state.last = state.surface = null;
  $("results").hidden = true;
  for (const node of [...$("arc").childNodes]) if (!["title", "desc"].includes(node.nodeName)) node.remove();
  $("arc-desc").textContent = "Aim at a target to draw its trajectory.";
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
    const distance = state.last.distance;
    state.surface = await call("GET", `/loss-surface?${query({ distance, velocities: 100, angles: 100 })}`);
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
      if (state.surface && state.last) drawSurface(state.surface, state.last);
    }, 150);
  });
});
