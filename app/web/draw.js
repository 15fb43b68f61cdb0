// Drawing: the arc to scale in SVG, the loss surface as a heat map on a canvas. No data of
// its own: page.js hands it the answers of the API.
const $ = (id) => document.getElementById(id);
const SVG = "http://www.w3.org/2000/svg";

// Six significant digits: what the page shows, and what its test reads back. Very small
// or large numbers in exponent form, which stays short on a narrow screen.
export function num(x) {
  const size = Math.abs(Number(x));
  return size !== 0 && (size < 1e-3 || size >= 1e6) ? Number(x).toExponential(5) : Number(x).toPrecision(6);
}
export function el(name, attributes, parent, text) {
  const node = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, String(value));
  if (text !== undefined) node.textContent = text;
  if (parent) parent.appendChild(node);
  return node;
}

// About `count` round tick values (1, 2 or 5 times a power of ten) from 0 to `top`.
function ticks(top, count = 5) {
  const rough = top / count;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough);
  const values = [];
  for (let v = 0; v <= top + step * 1e-9; v += step) values.push(Number(v.toPrecision(12)));
  return values;
}

// Metres map to SVG units with one scale on both axes: the flight keeps its true shape. The
// ground is the line y = 0 m; the cannon stands at x = 0 m on its launch height, the target
// at its distance on its own height; the scale and origin are left on the SVG (data-*) so
// the drawing can be read back in metres.
export function drawArcs({ distance, shot, raw, arcs, air = {} }) {
  const svg = $("arc");
  for (const node of [...svg.childNodes]) if (!["title", "desc"].includes(node.nodeName)) node.remove();
  const h0 = air.launch_height ?? 0, ht = air.target_height ?? 0, wind = air.wind ?? 0;
  // SVG units per screen pixel, about: text and markers keep their size on a narrow screen.
  const k = Math.max(1, 664 / (svg.clientWidth || 664));
  svg.setAttribute("font-size", (13 * k).toFixed(1));
  const pad = { left: 36 + 12 * k, right: 16, top: 16 + 18 * k, bottom: 18 + 22 * k };
  const xs = arcs.flatMap((a) => a.x), ys = arcs.flatMap((a) => a.y);
  const xTop = Math.max(distance, ...xs) * 1.1;
  const xLow = Math.min(0, ...xs);
  const yTop = Math.max(h0, ht, ...arcs.map((a) => a.apex_height)) * 1.15;
  const yLow = Math.min(0, ht, ...ys);
  let scale = 600 / (xTop - xLow); // SVG units per metre
  if ((yTop - yLow) * scale > 560) scale = 560 / (yTop - yLow); // a steep, high shot: bound the height instead
  const width = (xTop - xLow) * scale + pad.left + pad.right;
  const height = (yTop - yLow) * scale + pad.top + pad.bottom;
  svg.setAttribute("viewBox", `0 0 ${width.toFixed(1)} ${height.toFixed(1)}`);
  const X = (m) => pad.left + (m - xLow) * scale;
  const Y = (m) => pad.top + (yTop - m) * scale;
  Object.assign(svg.dataset, { scale, originX: X(0), originY: Y(0) });
  const step = ticks(Math.max(xTop - xLow, yTop - yLow));
  const every = step[1] - step[0];
  const from = (low) => Math.ceil(low / every - 1e-9) * every; // the first tick at or above low
  for (let v = from(xLow); v <= xTop; v += every) {
    el("line", { class: "grid", x1: X(v), x2: X(v), y1: Y(yLow), y2: Y(yTop) }, svg);
    el("text", { x: X(v), y: Y(yLow) + 16 * k, "text-anchor": "middle" }, svg, Number(v.toPrecision(6)));
  }
  for (let v = from(yLow); v <= yTop; v += every) {
    el("line", { class: "grid", x1: X(xLow), x2: X(xTop), y1: Y(v), y2: Y(v) }, svg);
    el("text", { x: X(xLow) - 6, y: Y(v) + 4 * k, "text-anchor": "end" }, svg, Number(v.toPrecision(6)));
  }
  el("line", { class: "axis", x1: X(xLow), x2: X(xLow), y1: Y(yLow), y2: Y(yTop) }, svg);
  const ground = el("line", { class: "ground", id: "ground", x1: X(xLow), x2: X(xTop), y1: Y(0), y2: Y(0) }, svg);
  el("title", {}, ground, "the ground, 0 m");
  el("text", { x: X(xLow + (xTop - xLow) / 2), y: height - 6, "text-anchor": "middle" }, svg, "distance (m)");
  el("text", { x: 12 * k, y: Y((yTop + yLow) / 2), transform: `rotate(-90 ${12 * k} ${Y((yTop + yLow) / 2)})`, "text-anchor": "middle" }, svg, "height (m)");
  // The cannon on its post, the target on its own: posts from the ground to each height.
  if (h0 !== 0) el("line", { class: "post", x1: X(0), x2: X(0), y1: Y(0), y2: Y(h0) }, svg);
  if (ht !== 0) el("line", { class: "post", x1: X(distance), x2: X(distance), y1: Y(0), y2: Y(ht) }, svg);
  const cannon = el("rect", { class: "cannon", id: "launch-marker", x: X(0) - 5 * k, y: Y(h0) - 5 * k, width: 10 * k, height: 10 * k }, svg);
  el("title", {}, cannon, `cannon at 0 m, launch height ${num(h0)} m`);
  const target = el("path", { class: "target", id: "target-marker", d: `M${X(distance)},${Y(ht)} l${-7 * k},${12 * k} h${14 * k} z` }, svg);
  el("title", {}, target, `target at ${num(distance)} m, height ${num(ht)} m`);
  if (wind !== 0) { // an arrow along the top, pointing the way the wind blows
    const mid = X(xLow + (xTop - xLow) / 2), y = pad.top - 12 * k, half = 30 * k * Math.sign(wind);
    el("path", { class: "wind", id: "wind-arrow", d: `M${mid - half},${y} H${mid + half} m${-8 * k * Math.sign(wind)},${-5 * k} l${8 * k * Math.sign(wind)},${5 * k} l${-8 * k * Math.sign(wind)},${5 * k}` }, svg);
    el("text", { x: mid + half + 8 * k * Math.sign(wind), y: y + 4 * k, "text-anchor": wind > 0 ? "start" : "end" }, svg, `wind ${num(wind)} m/s`);
  }
  [shot, raw].forEach((s, i) => {
    if (!s) return;
    const kind = i === 0 ? "final" : "raw";
    const arc = arcs[i];
    const d = arc.x.map((x, j) => `${j ? "L" : "M"}${X(x).toFixed(2)},${Y(arc.y[j]).toFixed(2)}`).join("");
    el("path", { class: `arc ${kind}`, id: `arc-${kind}`, d, "data-points": arc.points, "data-angle": arc.angle, "data-velocity": arc.velocity }, svg);
    const landing = el("circle", { class: `landing ${kind}`, cx: X(s.landing_distance), cy: Y(ht), r: 5 * k }, svg);
    el("title", {}, landing, `${kind === "final" ? "shot" : "raw proposal"} lands at ${num(s.landing_distance)} m`);
  });
  if (shot.dispersion) alongFire(svg, X, Y, k, shot, distance, ht);
  $("arc-desc").textContent =
    `Arc from launch at 0 m, ${num(h0)} m above the ground, to landing at ${num(shot.landing_distance)} m, ` +
    `${num(ht)} m above the ground; apex ${num(arcs[0].apex_height)} m above the ground; ` +
    `target at ${num(distance)} m, miss ${num(shot.miss)} m.`;
}

// The odds on the side view: the hit zone (the target ± the hit radius, m) on the target's
// height, and the scatter along the line of fire at 1 and 2 standard deviations about the mean
// landing, to scale along it (their height only marks them).
function alongFire(svg, X, Y, k, shot, distance, ht) {
  const d = shot.dispersion, radius = shot.hit_probability.hit_radius;
  const c = Math.cos(d.orientation), s = Math.sin(d.orientation);
  const along = Math.sqrt((d.semi_major * c) ** 2 + (d.semi_minor * s) ** 2); // m, 1 sd along x
  const mean = distance + d.mean_miss.x, scale = Number(svg.dataset.scale);
  for (const n of [2, 1]) {
    const zone = el("ellipse", { class: `spread s${n}`, id: `spread-side-${n}`, cx: X(mean), cy: Y(ht), rx: Math.max(n * along * scale, 0.75 * k), ry: 3 * n * k, "data-along": n * along }, svg);
    el("title", {}, zone, `${n} standard deviation${n > 1 ? "s" : ""} along the line of fire: ±${num(n * along)} m about ${num(mean)} m`);
  }
  const hit = el("path", { class: "hit-zone", id: "hit-zone-side", d: `M${X(distance - radius)},${Y(ht) - 6 * k} v${12 * k} M${X(distance - radius)},${Y(ht)} H${X(distance + radius)} M${X(distance + radius)},${Y(ht) - 6 * k} v${12 * k}`, "data-radius": radius }, svg);
  el("title", {}, hit, `hit zone: ${num(distance - radius)} m to ${num(distance + radius)} m`);
}

// Viridis-like stops: dark for a small loss, bright for a large one (log scale).
const STOPS = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]];
function colour(t) {
  const x = Math.min(Math.max(t, 0), 1) * (STOPS.length - 1);
  const i = Math.min(Math.floor(x), STOPS.length - 2);
  return STOPS[i].map((c, k) => Math.round(c + (STOPS[i + 1][k] - c) * (x - i)));
}

const NEVER = [208, 215, 222]; // light grey: no landing at the target's height

export function drawSurface(surface, { distance, shot, raw, air = {} }) {
  const canvas = $("loss");
  const cssWidth = canvas.clientWidth || 600;
  const cssHeight = Math.round(Math.min(cssWidth * 0.75, 520));
  const ratio = window.devicePixelRatio || 1;
  canvas.width = Math.round(cssWidth * ratio);
  canvas.height = Math.round(cssHeight * ratio);
  canvas.style.height = `${cssHeight}px`;
  const ctx = canvas.getContext("2d");
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.clearRect(0, 0, cssWidth, cssHeight);
  const pad = { left: 56, right: 10, top: 10, bottom: 44 };
  const w = cssWidth - pad.left - pad.right;
  const h = cssHeight - pad.top - pad.bottom;
  const { velocity: vs, angle: as, loss } = surface;
  // Log colour scale over eight decades below the largest loss: the valley of solutions shows.
  const top = Math.log10(surface.max_loss);
  const floor = Math.max(Math.log10(Math.max(surface.min_loss, 1e-300)), top - 8);
  const cells = document.createElement("canvas");
  cells.width = vs.length;
  cells.height = as.length;
  const image = cells.getContext("2d").createImageData(vs.length, as.length);
  as.forEach((_, i) => vs.forEach((_, j) => {
    const cell = loss[i][j]; // null: the shot never comes down at the target's height
    const [r, g, b] = cell === null ? NEVER : colour((Math.log10(Math.max(cell, 1e-300)) - floor) / (top - floor));
    const at = ((as.length - 1 - i) * vs.length + j) * 4; // high angles at the top
    image.data.set([r, g, b, 255], at);
  }));
  cells.getContext("2d").putImageData(image, 0, 0);
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(cells, pad.left, pad.top, w, h);
  // Axes span the cells' edges: half a cell beyond the first and last grid value.
  const dv = vs[1] - vs[0], da = as[1] - as[0];
  const v0 = vs[0] - dv / 2, v1 = vs[vs.length - 1] + dv / 2;
  const a0 = as[0] - da / 2, a1 = as[as.length - 1] + da / 2;
  const X = (v) => pad.left + ((v - v0) / (v1 - v0)) * w;
  const Y = (a) => pad.top + (1 - (a - a0) / (a1 - a0)) * h;
  ctx.fillStyle = "#1b1f24";
  ctx.font = "12px system-ui, sans-serif";
  ctx.textAlign = "center";
  for (const v of ticks(v1, 8).filter((v) => v >= v0)) ctx.fillText(String(v), X(v), pad.top + h + 15);
  ctx.fillText("velocity (m/s)", pad.left + w / 2, cssHeight - 8);
  ctx.textAlign = "right";
  for (const a of ticks(a1, 8).filter((a) => a >= a0)) ctx.fillText(String(a), pad.left - 5, Y(a) + 4);
  ctx.save();
  ctx.translate(14, pad.top + h / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.textAlign = "center";
  ctx.fillText("angle (rad)", 0, 0);
  ctx.restore();
  // The raw proposal as an orange ring, the aimed shot as a white dot on top of it.
  [[raw, null, "#ff8c42", 10, "raw"], [shot, "#ffffff", "#000000", 6, "shot"]].forEach(([s, fill, line, r, name]) => {
    if (!s) return;
    ctx.beginPath();
    ctx.arc(X(s.velocity), Y(s.angle), r, 0, 2 * Math.PI);
    if (fill) {
      ctx.fillStyle = fill;
      ctx.fill();
    }
    ctx.lineWidth = 2.5;
    ctx.strokeStyle = line;
    ctx.stroke();
    canvas.dataset[name] = `${s.velocity},${s.angle}`;
  });
  const unit = surface.unit === "m^2" ? "m²" : "m";
  canvas.setAttribute("aria-label", `Loss surface for a ${num(distance)} m target; the solution is marked at ${num(shot.velocity)} m/s, ${num(shot.angle)} rad`);
  $("scale-min").textContent = `${(10 ** floor).toExponential(1)} ${unit}`;
  $("scale-max").textContent = `${surface.max_loss.toExponential(1)} ${unit}`;
  $("loss-caption").textContent =
    `Squared miss (landing − target)² in m² over launch velocity (m/s) and angle (rad) for a ` +
    `${num(distance)} m target, ${vs.length} × ${as.length} grid, through ${airWords(air)}. Dark is near zero: every shot on the dark ` +
    `valley lands on the target` + (loss.some((row) => row.includes(null)) ? "; grey: the shot never comes down at the target's height" : "") +
    `. White dot: the aimed shot (${num(shot.velocity)} m/s, ${num(shot.angle)} rad)` +
    (raw ? "; orange ring: the network's raw proposal." : ".");
}

// The air of a surface, short, with units.
function airWords(air) {
  const h0 = air.launch_height ?? 0, ht = air.target_height ?? 0, wind = air.wind ?? 0, drag = air.drag ?? 0;
  if (h0 === 0 && ht === 0 && drag === 0) return "a vacuum on flat ground";
  return `launch height ${num(h0)} m, target height ${num(ht)} m, wind ${num(wind)} m/s, drag ${num(drag)} 1/m`;
}
