/** Aiming on the real server: in a vacuum, through air, under a constraint, and in batches. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import type { BatchSolution, BatchUnreachable } from "cannon-aim-client";

import { client, countingFetch, GRAVITY, vacuumLanding } from "./server.js";

const MAX_RANGE = 10 ** 2 / GRAVITY; // m: the default cannon's 10 m/s at 45°

describe("aim", () => {
  it("hits a stationary target, in the units the docs say", async () => {
    const shot = await client().aim(7.5, { tolerance: 1e-6 });
    assert.equal(shot.distance, 7.5);
    assert.equal(shot.hit, true);
    assert.equal(shot.tolerance, 1e-6);
    assert.ok(shot.miss <= 1e-6, `miss ${shot.miss} m`);
    assert.ok(Math.abs(shot.landing_distance - 7.5) <= 1e-6);
    // our own closed form lands the shot where the server says it does (m)
    assert.ok(Math.abs(vacuumLanding(shot.velocity, shot.angle) - 7.5) <= 1e-6);
    // the angle in rad and in degrees agree; the velocity is within the 10 m/s cannon
    assert.ok(Math.abs((shot.angle * 180) / Math.PI - shot.angle_degrees) < 1e-9);
    assert.ok(shot.angle > 0 && shot.angle < Math.PI / 2);
    assert.ok(shot.velocity > 0 && shot.velocity <= 10);
    // flight time (s) and apex (m) of the vacuum's arc
    const up = shot.velocity * Math.sin(shot.angle);
    assert.ok(Math.abs(shot.flight_time - (2 * up) / GRAVITY) < 1e-6);
    assert.ok(Math.abs(shot.apex_height - up ** 2 / (2 * GRAVITY)) < 1e-6);
    assert.match(shot.model_version, /^[0-9a-f]{12}$/);
  });

  it("aims through drag, wind and heights, and the physics agrees", async () => {
    const air = { drag: 0.1, wind: -3, launchHeight: 1.5, targetHeight: 0.5 };
    const shot = await client().aim(4, { ...air, tolerance: 1e-6 });
    assert.equal(shot.hit, true);
    assert.ok(shot.miss <= 1e-6);
    // drag and a headwind take reach away: the vacuum's closed form would carry the shot farther
    assert.ok(vacuumLanding(shot.velocity, shot.angle) > 4.1);
    const checked = await client().verify({ ...air, angle: shot.angle, velocity: shot.velocity, distance: 4, tolerance: 1e-6 });
    assert.equal(checked.hit, true);
    assert.ok(Math.abs(checked.landing_distance - shot.landing_distance) < 1e-6);
    // the same shot without the air is another shot entirely
    const vacuum = await client().verify({ angle: shot.angle, velocity: shot.velocity, distance: 4, tolerance: 1e-6 });
    assert.equal(vacuum.hit, false);
  });

  it("holds a fixed velocity (m/s) on the chosen arc", async () => {
    const low = await client().aim(5, { velocity: 9, tolerance: 1e-4 });
    const high = await client().aim(5, { velocity: 9, arc: "high", tolerance: 1e-4 });
    assert.equal(low.velocity, 9);
    assert.equal(high.velocity, 9);
    assert.ok(low.hit && high.hit);
    assert.ok(low.angle < Math.PI / 4 && high.angle > Math.PI / 4, `${low.angle} rad, ${high.angle} rad`);
  });
});

describe("aimMany", () => {
  it("answers each target in order, an unreachable one in its place", async () => {
    const solutions = await client().aimMany([2.5, 12, 7.5], { tolerance: 1e-3 });
    assert.deepEqual(solutions.map((s) => s.distance), [2.5, 12, 7.5]);
    const [near, far, mid] = solutions as [BatchSolution, BatchUnreachable, BatchSolution];
    assert.equal(far.reachable, false);
    assert.ok(Math.abs((far.max_range ?? 0) - MAX_RANGE) < 1e-9, `max_range ${far.max_range} m`);
    assert.match(far.detail, /out of reach/);
    for (const shot of [near, mid]) {
      assert.equal(shot.reachable, true);
      assert.ok(shot.hit && shot.miss <= 1e-3);
      assert.ok(Math.abs(vacuumLanding(shot.velocity, shot.angle) - shot.distance) <= 1e-3);
    }
  });

  it("through air, the unreachable one gets the air's reach (m) and the others hit", async () => {
    const air = { drag: 0.1, wind: 1, launchHeight: 0.5 };
    const solutions = await client().aimMany([2.5, 9, 4], { ...air, tolerance: 1e-3 });
    const [near, far, mid] = solutions as [BatchSolution, BatchUnreachable, BatchSolution];
    assert.equal(far.reachable, false);
    assert.ok(far.max_range !== null && far.max_range > 4 && far.max_range < 9, `max_range ${far.max_range} m`);
    for (const shot of [near, mid]) {
      assert.ok(shot.reachable && shot.hit && shot.miss <= 1e-3);
      const checked = await client().verify({ ...air, angle: shot.angle, velocity: shot.velocity, distance: shot.distance, tolerance: 1e-3 });
      assert.equal(checked.hit, true);
    }
  });

  it("sends at most maxBatch distances per request, in order", async () => {
    const counting = countingFetch();
    const distances = [1, 2, 3, 4, 5, 6, 7];
    const solutions = await client({ maxBatch: 3, fetch: counting.fetch }).aimMany(distances);
    assert.deepEqual(
      counting.bodies.map((body) => (body as { distances: number[] }).distances),
      [[1, 2, 3], [4, 5, 6], [7]],
    );
    assert.deepEqual(solutions.map((s) => s.distance), distances);
    assert.ok(solutions.every((s) => s.reachable && s.hit));
  });

  it("lowers its chunks to the server's limit when the server names it", async () => {
    const counting = countingFetch();
    const distances = Array.from({ length: 10_001 }, (_, i) => 0.5 + (9 * i) / 10_000);
    const solutions = await client({ maxBatch: 20_000, fetch: counting.fetch }).aimMany(distances, { refine: false });
    const sizes = counting.bodies.map((body) => (body as { distances: number[] }).distances.length);
    assert.deepEqual(sizes, [10_001, 10_000, 1]); // refused once with max_batch, then the limit
    assert.equal(solutions.length, 10_001);
    assert.equal(solutions[10_000]?.distance, distances[10_000]);
  });

  it("sends nothing for no distances", async () => {
    const counting = countingFetch();
    assert.deepEqual(await client({ fetch: counting.fetch }).aimMany([]), []);
    assert.equal(counting.bodies.length, 0);
  });
});

describe("verify, trajectory, lossSurface", () => {
  it("verify lands a 45° shot where the closed form does (m)", async () => {
    const shot = { angle: Math.PI / 4, velocity: 8.5, distance: 7.4, tolerance: 0.01 };
    const answer = await client().verify(shot);
    const landing = vacuumLanding(8.5, Math.PI / 4);
    assert.ok(Math.abs(answer.landing_distance - landing) < 1e-9);
    assert.ok(Math.abs(answer.miss - Math.abs(landing - 7.4)) < 1e-9);
    assert.equal(answer.hit, answer.miss <= 0.01);
  });

  it("trajectory's arc starts at the muzzle and lands where verify says (m)", async () => {
    const arc = await client().trajectory({ angle: Math.PI / 4, velocity: 8.5, points: 11 });
    assert.equal(arc.points, 11);
    assert.equal(arc.x.length, 11);
    assert.equal(arc.x[0], 0);
    assert.ok(Math.abs((arc.x.at(-1) ?? NaN) - vacuumLanding(8.5, Math.PI / 4)) < 1e-6);
    assert.ok(Math.abs(Math.max(...arc.y) - arc.apex_height) < 1e-6);
  });

  it("trajectory through air lands where verify through the same air says (m)", async () => {
    const air = { drag: 0.1, wind: 3, launchHeight: 1, targetHeight: 0.5 };
    const arc = await client().trajectory({ angle: 0.7, velocity: 9, points: 50, ...air });
    const checked = await client().verify({ angle: 0.7, velocity: 9, distance: 7, ...air });
    assert.ok(Math.abs(arc.landing_distance - checked.landing_distance) < 1e-6);
    assert.ok(Math.abs(arc.flight_time - checked.flight_time) < 1e-6);
    assert.ok(Math.abs((arc.y[0] ?? NaN) - 1) < 1e-12, `starts at ${arc.y[0]} m`); // the muzzle, 1 m up
    assert.ok(Math.abs((arc.y.at(-1) ?? NaN) - 0.5) < 1e-6, `ends at ${arc.y.at(-1)} m`); // the target's height
    assert.ok(arc.landing_distance < vacuumLanding(9, 0.7)); // drag takes reach away even with a tailwind
  });

  it("lossSurface through air is verify's miss squared (m^2) at each grid point", async () => {
    const air = { drag: 0.1, wind: -2 };
    const surface = await client().lossSurface({ distance: 4, velocities: 3, angles: 2, ...air });
    const [angle, velocity] = [surface.angle[1] ?? NaN, surface.velocity[2] ?? NaN];
    const checked = await client().verify({ angle, velocity, distance: 4, ...air });
    assert.ok(Math.abs((surface.loss[1]?.[2] ?? NaN) - checked.miss ** 2) < 1e-9);
  });

  it("lossSurface's grid has the sizes asked for and its loss in m^2", async () => {
    const surface = await client().lossSurface({ distance: 7.5, velocities: 5, angles: 4 });
    assert.equal(surface.unit, "m^2");
    assert.equal(surface.velocity.length, 5);
    assert.equal(surface.loss.length, 4);
    assert.equal(surface.loss[0]?.length, 5);
    const first = (vacuumLanding(surface.velocity[0] ?? NaN, surface.angle[0] ?? NaN) - 7.5) ** 2;
    assert.ok(Math.abs((surface.loss[0]?.[0] ?? NaN) - first) < 1e-9);
  });
});
