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

  it("the 3D card is a third network, covering the air card's envelope", async () => {
    const space = await client().spaceModel();
    const air = await client().airModel();
    const vacuum = await client().model();
    assert.equal(space.version, space.weights_sha256.slice(0, 12));
    assert.ok(space.version !== air.version && space.version !== vacuum.version);
    assert.equal(space.architecture.inputs, "space");
    assert.deepEqual(space.envelope, air.envelope); // in the cannon's units
    assert.equal(space.cannon.max_velocity, 10); // m/s
    assert.ok(typeof space.validation.median_miss_m === "number"); // m
  });
});
