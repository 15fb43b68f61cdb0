// Drawing a shot in three dimensions: the view from above (x, y) and the side view (horizontal
// distance from the cannon, height), both in SVG with one scale on both axes, so the flight and
// the aim-off keep their true shape. No data of its own: space.js hands it the answer of POST
// /aim and the flight of GET /trajectory3d. Each SVG keeps its scale and origin (data-*) so the
// drawing can be read back in metres.
import { el, num } from "./draw.js";

const $ = (id) => document.getElementById(id);
const DEG = 180 / Math.PI;

// The angle a - b wrapped to (-180°, 180°], in degrees.
export function turn(a, b) {
  let d = (a - b) % (2 * Math.PI);
  if (d <= -Math.PI) d += 2 * Math.PI;
  if (d > Math.PI) d -= 2 * Math.PI;
  return d * DEG;
}

function clear(svg) {
  for (const node of [...svg.childNodes]) if (!["title", "desc"].includes(node.nodeName)) node.remove();
}

// A round step (1, 2 or 5 times a power of ten) giving about `count` ticks over `span`.
function step(span, count = 5) {
  const rough = span / count;
  const power = 10 ** Math.floor(Math.log10(rough));
  return [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough);
}

// The frame of a view: a box in metres (at least `least` of the other span on each axis, so a
// straight shot still shows its sideways drift), the grid, the axes' names with units.
function frame(svg, box, xName, yName) {
  clear(svg);
  const k = Math.max(1, 664 / (svg.clientWidth || 664)); // SVG units per screen pixel, about
  svg.setAttribute("font-size", (13 * k).toFixed(1));
  const pad = { left: 36 + 14 * k, right: 16 + 8 * k, top: 16 + 22 * k, bottom: 18 + 22 * k };
  let { xLow, xTop, yLow, yTop } = box;
  const least = 0.4 * Math.max(xTop - xLow, yTop - yLow, 1e-6);
  if (yTop - yLow < least) [yLow, yTop] = [(yLow + yTop - least) / 2, (yLow + yTop + least) / 2];
  if (xTop - xLow < least) [xLow, xTop] = [(xLow + xTop - least) / 2, (xLow + xTop + least) / 2];
  let scale = 600 / (xTop - xLow); // SVG units per metre
  if ((yTop - yLow) * scale > 480) scale = 480 / (yTop - yLow);
  const width = (xTop - xLow) * scale + pad.left + pad.right;
  const height = (yTop - yLow) * scale + pad.top + pad.bottom;
  svg.setAttribute("viewBox", `0 0 ${width.toFixed(1)} ${height.toFixed(1)}`);
  const X = (m) => pad.left + (m - xLow) * scale;
  const Y = (m) => pad.top + (yTop - m) * scale;
  Object.assign(svg.dataset, { scale, originX: X(0), originY: Y(0) });
  const every = step(Math.max(xTop - xLow, yTop - yLow));
  for (let v = Math.ceil(xLow / every - 1e-9) * every; v <= xTop; v += every) {
    el("line", { class: "grid", x1: X(v), x2: X(v), y1: Y(yLow), y2: Y(yTop) }, svg);
    el("text", { x: X(v), y: Y(yLow) + 16 * k, "text-anchor": "middle" }, svg, Number(v.toPrecision(6)));
  }
  for (let v = Math.ceil(yLow / every - 1e-9) * every; v <= yTop; v += every) {
    el("line", { class: "grid", x1: X(xLow), x2: X(xTop), y1: Y(v), y2: Y(v) }, svg);
    el("text", { x: X(xLow) - 6, y: Y(v) + 4 * k, "text-anchor": "end" }, svg, Number(v.toPrecision(6)));
  }
  el("line", { class: "axis", x1: X(xLow), x2: X(xLow), y1: Y(yLow), y2: Y(yTop) }, svg);
  el("line", { class: "axis", x1: X(xLow), x2: X(xTop), y1: Y(yLow), y2: Y(yLow) }, svg);
  el("text", { x: X((xLow + xTop) / 2), y: height - 6, "text-anchor": "middle" }, svg, xName);
  const mid = Y((yLow + yTop) / 2);
  el("text", { x: 12 * k, y: mid, transform: `rotate(-90 ${12 * k} ${mid})`, "text-anchor": "middle" }, svg, yName);
  return { X, Y, k, pad, xLow, xTop, yLow, yTop };
}

const line = (X, Y, xs, ys) => xs.map((x, j) => `${j ? "L" : "M"}${X(x).toFixed(2)},${Y(ys[j]).toFixed(2)}`).join("");

function titled(node, text) {
  el("title", {}, node, text);
  return node;
}

function span(...values) {
  return [Math.min(...values), Math.max(...values)];
}

// From above: the cannon at the origin, the bearing to the target at firing, the azimuth
// fired and the aim-off between them, the shot's track, the target's path, the intercept.
export function drawTop({ answer, flight, wind }) {
  const svg = $("top3d");
  const p = answer.target, hit = answer.intercept_point;
  const [xLow, xTop] = span(0, p.x, ...flight.x, ...flight.target_x);
  const [yLow, yTop] = span(0, p.y, ...flight.y, ...flight.target_y);
  const grow = 0.08 * Math.max(xTop - xLow, yTop - yLow);
  const f = frame(svg, { xLow: xLow - grow, xTop: xTop + grow, yLow: yLow - grow, yTop: yTop + grow }, "x (m)", "y (m)");
  const { X, Y, k } = f;
  const bearing = Math.atan2(p.y, p.x);
  const reach = Math.max(Math.hypot(p.x, p.y), Math.hypot(hit.x, hit.y));
  titled(el("line", { class: "bearing", id: "bearing-line", x1: X(0), y1: Y(0), x2: X(p.x), y2: Y(p.y) }, svg),
    `bearing to the target at firing ${num(bearing * DEG)}°`);
  const aimEnd = [reach * Math.cos(answer.azimuth), reach * Math.sin(answer.azimuth)];
  titled(el("line", { class: "aim", id: "aim-line", x1: X(0), y1: Y(0), x2: X(aimEnd[0]), y2: Y(aimEnd[1]), "data-azimuth": answer.azimuth }, svg),
    `azimuth fired ${num(answer.azimuth_degrees)}° (${num(answer.azimuth)} rad)`);
  const off = turn(answer.azimuth, bearing);
  const r = 0.3 * reach, n = 24;
  const arc = Array.from({ length: n + 1 }, (_, i) => bearing + ((off / DEG) * i) / n);
  titled(el("path", { class: "aim-off", id: "aim-off", d: line(X, Y, arc.map((a) => r * Math.cos(a)), arc.map((a) => r * Math.sin(a))), "data-degrees": off }, svg),
    `aim-off ${num(off)}°`);
  const middle = bearing + off / DEG / 2, label = r + 14 * k / Number(svg.dataset.scale);
  el("text", { id: "aim-off-label", x: X(label * Math.cos(middle)), y: Y(label * Math.sin(middle)), "text-anchor": "start" }, svg, `aim-off ${num(off)}°`);
  titled(el("path", { class: "moving", id: "target-path-top", d: line(X, Y, flight.target_x, flight.target_y) }, svg),
    `the target's path from firing to ${num(answer.intercept_time)} s`);
  el("path", { class: "arc final", id: "shot-top", d: line(X, Y, flight.x, flight.y), "data-points": flight.points }, svg);
  titled(el("rect", { class: "cannon", id: "cannon-top", x: X(0) - 5 * k, y: Y(0) - 5 * k, width: 10 * k, height: 10 * k }, svg), "the cannon at x 0 m, y 0 m");
  titled(el("path", { class: "target", id: "target-top", d: `M${X(p.x)},${Y(p.y)} l${-7 * k},${12 * k} h${14 * k} z` }, svg),
    `target at firing: x ${num(p.x)} m, y ${num(p.y)} m, z ${num(p.z)} m`);
  titled(el("circle", { class: "hit", id: "intercept-top", cx: X(hit.x), cy: Y(hit.y), r: 5 * k }, svg),
    `intercept at x ${num(hit.x)} m, y ${num(hit.y)} m, z ${num(hit.z)} m, ${num(answer.intercept_time)} s after firing`);
  if (wind.x !== 0 || wind.y !== 0) { // an arrow in the top left corner, the way the wind blows
    const speed = Math.hypot(wind.x, wind.y), len = 26 * k;
    const cx = f.pad.left + 34 * k, cy = f.pad.top - 4 * k + 26 * k;
    const ux = wind.x / speed, uy = -wind.y / speed; // screen y is down
    const tipX = cx + len * ux, tipY = cy + len * uy;
    const arrow = el("path", {
      class: "wind", id: "wind-top",
      d: `M${cx - len * ux},${cy - len * uy} L${tipX},${tipY} M${tipX - 8 * k * ux + 5 * k * uy},${tipY - 8 * k * uy - 5 * k * ux} L${tipX},${tipY} L${tipX - 8 * k * ux - 5 * k * uy},${tipY - 8 * k * uy + 5 * k * ux}`,
    }, svg);
    titled(arrow, `wind x ${num(wind.x)} m/s, y ${num(wind.y)} m/s`);
    el("text", { x: cx + len + 8 * k, y: cy - 14 * k, "text-anchor": "start" }, svg, `wind ${num(speed)} m/s`);
  }
  $("top3d-desc").textContent =
    `From above: the target at firing at x ${num(p.x)} m, y ${num(p.y)} m (bearing ${num(bearing * DEG)}°); ` +
    `the shot fired at azimuth ${num(answer.azimuth_degrees)}°, an aim-off of ${num(off)}°, meets it at ` +
    `x ${num(hit.x)} m, y ${num(hit.y)} m after ${num(answer.intercept_time)} s.`;
  return off;
}

// From the side: horizontal distance from the cannon against height, the shot and the target.
export function drawSide({ answer, flight, launchHeight }) {
  const svg = $("side3d");
  const p = answer.target, hit = answer.intercept_point;
  const out = flight.x.map((x, j) => Math.hypot(x, flight.y[j]));
  const away = flight.target_x.map((x, j) => Math.hypot(x, flight.target_y[j]));
  const [xLow, xTop] = span(0, ...out, ...away);
  const [yLow, yTop] = span(0, launchHeight, answer.apex_height, ...flight.target_z);
  const grow = 0.08 * Math.max(xTop - xLow, yTop - yLow);
  const f = frame(svg, { xLow, xTop: xTop + grow, yLow, yTop: yTop + grow }, "horizontal distance from the cannon (m)", "height (m)");
  const { X, Y, k } = f;
  titled(el("line", { class: "ground", id: "ground3d", x1: X(f.xLow), x2: X(f.xTop), y1: Y(0), y2: Y(0) }, svg), "the ground, 0 m");
  if (launchHeight !== 0) el("line", { class: "post", x1: X(0), x2: X(0), y1: Y(0), y2: Y(launchHeight) }, svg);
  titled(el("path", { class: "moving", id: "target-path-side", d: line(X, Y, away, flight.target_z) }, svg), "the target's path");
  el("path", { class: "arc final", id: "shot-side", d: line(X, Y, out, flight.z), "data-points": flight.points }, svg);
  titled(el("rect", { class: "cannon", id: "cannon-side", x: X(0) - 5 * k, y: Y(launchHeight) - 5 * k, width: 10 * k, height: 10 * k }, svg),
    `the cannon, launch height ${num(launchHeight)} m`);
  const from = Math.hypot(p.x, p.y), to = Math.hypot(hit.x, hit.y);
  titled(el("path", { class: "target", id: "target-side", d: `M${X(from)},${Y(p.z)} l${-7 * k},${12 * k} h${14 * k} z` }, svg),
    `target at firing: ${num(from)} m away, ${num(p.z)} m high`);
  titled(el("circle", { class: "hit", id: "intercept-side", cx: X(to), cy: Y(hit.z), r: 5 * k }, svg),
    `intercept ${num(to)} m away, ${num(hit.z)} m high`);
  $("side3d-desc").textContent =
    `From the side: launched ${num(launchHeight)} m above the ground, highest ${num(answer.apex_height)} m, ` +
    `meets the target ${num(to)} m from the cannon and ${num(hit.z)} m above the ground.`;
}

export function forgetViews() {
  for (const id of ["top3d", "side3d"]) {
    const svg = $(id);
    clear(svg);
    delete svg.dataset.scale;
    $(`${id}-desc`).textContent = "Aim at a target in 3D to draw it.";
  }
}

// The odds drawn from above: the dispersion ellipses (1 and 2 standard deviations) about the
// shot's mean landing, the hit circle about the target, in the metres of a drawn view (its
// X and Y). Each mark keeps its size in metres (data-*) so the drawing can be read back.
function oddsMarks(svg, { X, Y, k }, prefix, { target, dispersion: d, radius }) {
  const scale = Number(svg.dataset.scale);
  const centre = [target[0] + d.mean_miss.x, target[1] + d.mean_miss.y];
  const turnBy = -d.orientation * DEG; // SVG's y points down: counter-clockwise is negative
  titled(el("circle", { class: "hit-zone", id: `${prefix}-hit`, cx: X(target[0]), cy: Y(target[1]), r: Math.max(radius * scale, 0.75 * k), "data-radius": radius }, svg),
    `hit circle: within ${num(radius)} m of the target`);
  for (const n of [2, 1]) {
    const cx = X(centre[0]), cy = Y(centre[1]);
    titled(el("ellipse", {
      class: `spread s${n}`, id: `${prefix}-sigma${n}`, cx, cy,
      rx: Math.max(n * d.semi_major * scale, 0.75 * k), ry: Math.max(n * d.semi_minor * scale, 0.75 * k),
      transform: `rotate(${turnBy} ${cx} ${cy})`,
      "data-semi-major": n * d.semi_major, "data-semi-minor": n * d.semi_minor, "data-orientation": d.orientation,
    }, svg), `${n} standard deviation${n > 1 ? "s" : ""}: ${num(n * d.semi_major)} m by ${num(n * d.semi_minor)} m, long axis ${num(d.orientation * DEG)}° from +x`);
  }
  titled(el("circle", { class: "landing final", id: `${prefix}-mean`, cx: X(centre[0]), cy: Y(centre[1]), r: 3 * k }, svg),
    `mean landing: x ${num(centre[0])} m, y ${num(centre[1])} m`);
  return centre;
}

// The landing area alone, from above, zoomed to the ellipse and the hit circle.
export function drawLanding(id, odds) {
  const svg = $(id);
  const { target, dispersion: d, radius } = odds;
  const centre = [target[0] + d.mean_miss.x, target[1] + d.mean_miss.y];
  const half = Math.max(2.4 * d.semi_major + Math.hypot(d.mean_miss.x, d.mean_miss.y), 1.4 * radius, 1e-6);
  const box = { xLow: centre[0] - half, xTop: centre[0] + half, yLow: centre[1] - half, yTop: centre[1] + half };
  const across = id === "landing2d";
  const f = frame(svg, box, across ? "along the line of fire (m)" : "x (m)", across ? "across it, to the left (m)" : "y (m)");
  titled(el("path", { class: "target", id: `${id}-target`, d: `M${f.X(target[0])},${f.Y(target[1])} l${-7 * f.k},${12 * f.k} h${14 * f.k} z` }, svg),
    `target: ${num(target[0])} m, ${num(target[1])} m`);
  oddsMarks(svg, f, id, odds);
  $(`${id}-desc`).textContent =
    `From above: the shot lands on average at ${num(centre[0])} m, ${num(centre[1])} m; one standard deviation ` +
    `${num(d.semi_major)} m by ${num(d.semi_minor)} m (long axis ${num(d.orientation * DEG)}° from +x); ` +
    `a hit within ${num(radius)} m of the target at ${num(target[0])} m, ${num(target[1])} m.`;
}

// The same marks on the 3D view from above, at its scale.
export function drawOddsOnTop(odds) {
  const svg = $("top3d");
  const scale = Number(svg.dataset.scale), x0 = Number(svg.dataset.originX), y0 = Number(svg.dataset.originY);
  const k = Math.max(1, 664 / (svg.clientWidth || 664));
  oddsMarks(svg, { X: (m) => x0 + m * scale, Y: (m) => y0 - m * scale, k }, "top3d-odds", odds);
}

export function forgetLanding(id) {
  const svg = $(id);
  clear(svg);
  delete svg.dataset.scale;
  $(`${id}-figure`).hidden = true;
}
