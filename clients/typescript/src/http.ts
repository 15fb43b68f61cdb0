/**
 * One request to the service, with the platform's fetch (Node >= 20 or a browser) and
 * nothing else: a timeout per attempt, the API key, and bounded retries on 429 and 503 when
 * the server says when to come back (Retry-After), since both are the service saying "busy"
 * or "not yet", not "no".
 */
import { CannonConnectionError, errorFor } from "./errors.js";

/** How requests are sent; the client's options, with their defaults filled in. */
export interface Transport {
  /** The service's root, e.g. "http://localhost:8000" (a path prefix is kept). */
  baseUrl: string;
  /** Sent as X-API-Key when set. */
  apiKey: string | undefined;
  /** Longest wait for one attempt's answer, in milliseconds (ms). */
  timeoutMs: number;
  /** Most retries of one request after a 429 or 503 with Retry-After (a count). */
  retries: number;
  /** Longest Retry-After honoured, in milliseconds (ms): a longer one is thrown at once. */
  maxRetryDelayMs: number;
  /** The fetch to use (the platform's by default). */
  fetch: typeof fetch;
}

/** A query's values: numbers and strings as given; undefined ones are left out. */
export type Query = Record<string, string | number | undefined>;

/** Sends one request and returns its parsed JSON, or throws a CannonError for a refusal. */
export async function send(
  transport: Transport,
  method: "GET" | "POST",
  path: string,
  request: { query?: Query; body?: unknown } = {},
): Promise<unknown> {
  const url = address(transport.baseUrl, path, request.query);
  const headers: Record<string, string> = { accept: "application/json" };
  if (transport.apiKey !== undefined) headers["x-api-key"] = transport.apiKey;
  if (request.body !== undefined) headers["content-type"] = "application/json";
  const init: RequestInit = { method, headers };
  if (request.body !== undefined) init.body = JSON.stringify(request.body);
  for (let attempt = 0; ; attempt += 1) {
    const answer = await attemptOnce(transport, url, init);
    const body = await parse(answer);
    if (answer.ok) return body;
    const wait = retryAfterSeconds(answer.headers.get("retry-after"));
    const busy = answer.status === 429 || answer.status === 503;
    if (busy && wait !== undefined && attempt < transport.retries && wait * 1000 <= transport.maxRetryDelayMs) {
      await sleep(wait * 1000);
      continue;
    }
    throw errorFor(answer.status, body, wait);
  }
}

async function attemptOnce(transport: Transport, url: string, init: RequestInit): Promise<Response> {
  try {
    return await transport.fetch(url, { ...init, signal: AbortSignal.timeout(transport.timeoutMs) });
  } catch (error) {
    const timedOut = error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
    const why = timedOut ? `no answer within ${transport.timeoutMs} ms` : "could not reach the service";
    throw new CannonConnectionError(`${init.method} ${url}: ${why}`, { cause: error });
  }
}

function address(baseUrl: string, path: string, query: Query | undefined): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined) params.append(key, String(value));
  }
  const search = params.toString();
  return baseUrl.replace(/\/+$/, "") + path + (search ? `?${search}` : "");
}

async function parse(answer: Response): Promise<unknown> {
  const text = await answer.text();
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Retry-After in seconds (s): delay-seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterSeconds(header: string | null): number | undefined {
  if (header === null || header.trim() === "") return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const when = Date.parse(header);
  return Number.isNaN(when) ? undefined : Math.max(0, (when - Date.now()) / 1000);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
