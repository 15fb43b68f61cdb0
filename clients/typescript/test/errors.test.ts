/** Refusals become typed errors carrying the server's own words and figures (m). */
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";

import { CannonConnectionError, CannonError, UnreachableTarget } from "cannon-aim-client";

import { client, GRAVITY, raw } from "./server.js";

/** The `msg` of each item of a raw 422, joined as the client joins them. */
function messages(json: unknown): string {
  return (json as { detail: { msg: string }[] }).detail.map((item) => item.msg).join("; ");
}

describe("errors from the real server", () => {
  it("a target out of reach is UnreachableTarget with maxRange in m", async () => {
    const server = await raw("/aim", { distance: 12 });
    const error = await client().aim(12).then(
      () => assert.fail("12 m is beyond a 10 m/s cannon"),
      (thrown: unknown) => thrown,
    );
    assert.ok(error instanceof UnreachableTarget);
    assert.ok(error instanceof CannonError);
    assert.equal(error.status, 422);
    assert.equal(server.status, 422);
    assert.equal(error.detail, messages(server.json));
    assert.deepEqual(error.kinds, ["unreachable_target"]);
    assert.ok(Math.abs((error.maxRange ?? 0) - 10 ** 2 / GRAVITY) < 1e-9, `${error.maxRange} m`);
    assert.equal(error.minRange, null);
  });

  it("through air the reach is the air's, shorter than the vacuum's (m)", async () => {
    const error = await client().aim(9, { drag: 0.2 }).catch((thrown: unknown) => thrown);
    assert.ok(error instanceof UnreachableTarget, String(error));
    assert.ok(error.maxRange !== null && error.maxRange > 0 && error.maxRange < 9, `${error.maxRange} m`);
  });

  it("bad input is a CannonError with the server's detail", async () => {
    const server = await raw("/aim", { distance: 5, tolerance: 1e-9 });
    const error = await client().aim(5, { tolerance: 1e-9 }).catch((thrown: unknown) => thrown);
    assert.ok(error instanceof CannonError);
    assert.ok(!(error instanceof UnreachableTarget));
    assert.equal(error.status, 422);
    assert.equal(error.detail, messages(server.json));
    assert.match(error.detail, /1e-06|0\.000001/);
    assert.deepEqual(error.problems[0]?.loc, ["body", "tolerance"]);
  });

  it("a shot outside the cannon's limits is refused by verify with the server's detail", async () => {
    const error = await client().verify({ angle: 2, velocity: 5, distance: 1 }).catch((thrown: unknown) => thrown);
    assert.ok(error instanceof CannonError);
    assert.equal(error.status, 422);
    assert.ok(error.detail.length > 0);
    const server = await raw("/verify?angle=2&velocity=5&distance=1");
    assert.equal(error.detail, messages(server.json));
  });

  it("no server is a CannonConnectionError, not a CannonError", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const error = await client({ baseUrl: `http://127.0.0.1:${port}` }).health().catch((thrown: unknown) => thrown);
    assert.ok(error instanceof CannonConnectionError, String(error));
  });
});

/**
 * Retries on 429 and 503 honour Retry-After. The real service's 429 needs its concurrency
 * limit filled at the right moment, so these run against a small HTTP server of our own that
 * answers as the service does when busy (429, Retry-After, a JSON detail).
 */
describe("retries", () => {
  let busy: Server;
  let url = "";
  const script: { status: number; retryAfter?: string }[] = [];
  const arrivals: number[] = [];

  before(async () => {
    busy = createServer((_request, response) => {
      arrivals.push(performance.now());
      const next = script.shift() ?? { status: 200 };
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (next.retryAfter !== undefined) headers["retry-after"] = next.retryAfter;
      response.writeHead(next.status, headers);
      response.end(JSON.stringify(next.status === 200 ? { status: "ok" } : { detail: "too many requests in flight" }));
    });
    await new Promise<void>((resolve) => busy.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(busy.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => busy.close(() => resolve())));

  it("waits Retry-After (s) and tries again", async () => {
    script.splice(0, script.length, { status: 429, retryAfter: "1" }, { status: 503, retryAfter: "0" });
    arrivals.length = 0;
    assert.deepEqual(await client({ baseUrl: url }).health(), { status: "ok" });
    assert.equal(arrivals.length, 3);
    const waited = (arrivals[1] ?? 0) - (arrivals[0] ?? 0);
    assert.ok(waited >= 990, `waited ${waited} ms for Retry-After: 1`);
  });

  it("reads a Retry-After given as an HTTP date", async () => {
    const soon = new Date(Date.now() + 1_000).toUTCString(); // whole seconds: 0 to 1 s away
    script.splice(0, script.length, { status: 503, retryAfter: soon });
    arrivals.length = 0;
    assert.deepEqual(await client({ baseUrl: url }).health(), { status: "ok" });
    assert.equal(arrivals.length, 2);
    assert.ok((arrivals[1] ?? 0) - (arrivals[0] ?? 0) < 1_500);
  });

  it("gives up after `retries`, with the last answer's status, detail and Retry-After", async () => {
    script.splice(0, script.length, ...Array.from({ length: 4 }, () => ({ status: 429, retryAfter: "0" })));
    arrivals.length = 0;
    const error = await client({ baseUrl: url, retries: 2 }).health().catch((thrown: unknown) => thrown);
    assert.ok(error instanceof CannonError);
    assert.equal(error.status, 429);
    assert.equal(error.detail, "too many requests in flight");
    assert.equal(error.retryAfterSeconds, 0);
    assert.equal(arrivals.length, 3);
  });

  it("does not wait longer than maxRetryDelayMs, nor retry without Retry-After", async () => {
    script.splice(0, script.length, { status: 429, retryAfter: "60" }, { status: 503 });
    arrivals.length = 0;
    const long = await client({ baseUrl: url, maxRetryDelayMs: 5_000 }).health().catch((thrown: unknown) => thrown);
    assert.ok(long instanceof CannonError && long.status === 429 && long.retryAfterSeconds === 60);
    const none = await client({ baseUrl: url }).health().catch((thrown: unknown) => thrown);
    assert.ok(none instanceof CannonError && none.status === 503);
    assert.equal(arrivals.length, 2);
  });

  it("a server slower than timeoutMs (ms) is a CannonConnectionError", async () => {
    const slow = createServer((_request, response) => void setTimeout(() => response.end("{}"), 2_000));
    await new Promise<void>((resolve) => slow.listen(0, "127.0.0.1", resolve));
    const slowUrl = `http://127.0.0.1:${(slow.address() as AddressInfo).port}`;
    const started = performance.now();
    const error = await client({ baseUrl: slowUrl, timeoutMs: 200 }).health().catch((thrown: unknown) => thrown);
    assert.ok(error instanceof CannonConnectionError, String(error));
    assert.match(error.message, /200 ms/);
    assert.ok(performance.now() - started < 1_500);
    slow.closeAllConnections();
    await new Promise((resolve) => slow.close(resolve));
  });
});
