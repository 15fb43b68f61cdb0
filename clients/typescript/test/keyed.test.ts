/**
 * A server that needs an API key (CANNON_API_KEY): the key goes as X-API-Key. Its URL and key
 * come from CANNON_KEYED_URL and CANNON_KEYED_KEY (tests/test_typescript_client.py sets both).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { CannonClient, CannonError } from "cannon-aim-client";

const url = process.env["CANNON_KEYED_URL"];
const key = process.env["CANNON_KEYED_KEY"];
const skip = url && key ? false : "set CANNON_KEYED_URL and CANNON_KEYED_KEY to a server started with that CANNON_API_KEY";

describe("a server with an API key", () => {
  it("refuses aiming without the key: 401 with the server's detail", { skip }, async () => {
    const error = await new CannonClient({ baseUrl: url ?? "" }).aim(5).catch((thrown: unknown) => thrown);
    assert.ok(error instanceof CannonError, String(error));
    assert.equal(error.status, 401);
    const server = await fetch(new URL("/aim", url), { method: "POST", body: "{}" });
    assert.equal(error.detail, ((await server.json()) as { detail: string }).detail);
  });

  it("aims with the key, and the probes need none", { skip }, async () => {
    const shot = await new CannonClient({ baseUrl: url ?? "", apiKey: key ?? "" }).aim(5, { tolerance: 1e-4 });
    assert.ok(shot.hit && shot.miss <= 1e-4, `miss ${shot.miss} m`);
    const wrong = await new CannonClient({ baseUrl: url ?? "", apiKey: "not the key" }).aim(5).catch((e: unknown) => e);
    assert.ok(wrong instanceof CannonError && wrong.status === 401);
    assert.deepEqual(await new CannonClient({ baseUrl: url ?? "" }).health(), { status: "ok" });
  });
});
