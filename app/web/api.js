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
