/** The model cards and the probes, as the real server serves them. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { client, GRAVITY } from "./server.js";

describe("cards and probes", () => {
  it("health is ok and ready names the model aim answers with", async () => {
    assert.deepEqual(await client().health(), { status: "ok" });
    const ready = await client().ready();
    assert.equal(ready.status, "ready");
    const shot = await client().aim(3);
    assert.equal(shot.model_version, ready.model_version);
  });

  it("the vacuum card names its weights and the cannon in m/s^2, m/s, rad, m", async () => {
    const card = await client().model();
    const ready = await client().ready();
    assert.equal(card.version, ready.model_version);
    assert.equal(card.version, card.weights_sha256.slice(0, 12));
    assert.equal(card.cannon.gravity, GRAVITY);
    assert.equal(card.cannon.max_velocity, 10);
    assert.ok(Math.abs(card.cannon.max_range - 10 ** 2 / GRAVITY) < 1e-9);
    assert.ok(Math.abs(card.cannon.max_angle - Math.PI / 2) < 1e-12);
  });

  it("the air card is another network, the one air answers come from", async () => {
    const air = await client().airModel();
    const vacuum = await client().model();
    assert.notEqual(air.version, vacuum.version);
    const shot = await client().aim(4, { drag: 0.05 });
    assert.equal(shot.model_version, air.version);
    assert.equal(air.cannon.max_velocity, 10);
  });
});
