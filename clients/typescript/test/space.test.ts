/**
 * Aiming in 3D at moving targets on the real server (issue 13). In a vacuum the shot and the
 * target have closed forms, so the test's own oracle flies each answer; through air the
 * server's independent DOP853 (verifyAt) checks what aimAt found.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import type { BatchIntercept, BatchUnreachableTarget, InterceptResponse, Target, Vector } from "cannon-aim-client";
import { UnreachableTarget } from "cannon-aim-client";

import { client, GRAVITY } from "./server.js";

/** Where a vacuum shot comes down through the height of a target moving as p + u t + a t²/2: the time (s) and the horizontal miss (m). */
function vacuumIntercept(shot: InterceptResponse, target: Target, u: Vector, a: Vector, launchHeight = 0): { time: number; miss: number } {
  const at = (p: number, v = 0, acc = 0, t: number) => p + v * t + (acc * t * t) / 2;
  const rise = shot.velocity * Math.sin(shot.angle) - (u.z ?? 0);
  const fall = GRAVITY + (a.z ?? 0);
  const above = launchHeight - (target.z ?? 0);
  const time = (rise + Math.sqrt(rise * rise + 2 * fall * above)) / fall;
  const across = shot.velocity * Math.cos(shot.angle) * time;
  const dx = across * Math.cos(shot.azimuth) - at(target.x, u.x, a.x, time);
  const dy = across * Math.sin(shot.azimuth) - at(target.y, u.y, a.y, time);
  return { time, miss: Math.hypot(dx, dy) };
}

/** The closest a vacuum shot passes to a target moving as p + u t + a t²/2 while the shot is above the ground (m). */
function vacuumClosest(shot: InterceptResponse, target: Target, u: Vector, a: Vector): number {
  const gap = (t: number): number => {
    const across = shot.velocity * Math.cos(shot.angle) * t;
    const at = (p: number, v = 0, acc = 0) => p + v * t + (acc * t * t) / 2;
    const dx = across * Math.cos(shot.azimuth) - at(target.x, u.x, a.x);
    const dy = across * Math.sin(shot.azimuth) - at(target.y, u.y, a.y);
    const dz = shot.velocity * Math.sin(shot.angle) * t - (GRAVITY * t * t) / 2 - at(target.z ?? 0, u.z, a.z);
    return Math.hypot(dx, dy, dz);
  };
  const landing = (2 * shot.velocity * Math.sin(shot.angle)) / GRAVITY;
  const steps = 20_000;
  let best = 0;
  for (let i = 1; i <= steps; i++) if (gap((landing * i) / steps) < gap((landing * best) / steps)) best = i;
  let [low, high] = [(landing * Math.max(best - 1, 0)) / steps, (landing * Math.min(best + 1, steps)) / steps];
  for (let i = 0; i < 200; i++) {
    const [m1, m2] = [low + (high - low) / 3, high - (high - low) / 3];
    if (gap(m1) < gap(m2)) high = m2;
    else low = m1;
  }
  return gap((low + high) / 2);
}

const MOVING = { targetVelocity: { x: -1, y: 1.5, z: 0.5 }, targetAcceleration: { y: -1, z: 0.5 } };

describe("aimAt", () => {
  it("meets a moving target in a vacuum, where the closed forms say (m, s)", async () => {
    const target = { x: 5, y: -3, z: 0.5 };
    const shot = await client().aimAt(target, { ...MOVING, launchHeight: 1, tolerance: 1e-6 });
    assert.deepEqual(shot.target, target);
    assert.ok(shot.hit && shot.miss !== null && shot.miss <= 1e-6, `miss ${shot.miss} m`);
    const oracle = vacuumIntercept(shot, target, MOVING.targetVelocity, MOVING.targetAcceleration, 1);
    assert.ok(oracle.miss <= 1e-6, `the closed form misses by ${oracle.miss} m`);
    assert.ok(Math.abs((shot.intercept_time ?? NaN) - oracle.time) < 1e-7);
    assert.ok(shot.azimuth > -Math.PI && shot.azimuth <= Math.PI);
    assert.ok(Math.abs((shot.azimuth * 180) / Math.PI - shot.azimuth_degrees) < 1e-9);
  });

  it("aims off for a crosswind through drag, and the server's DOP853 agrees", async () => {
    const scene = { drag: 0.1, wind: { x: 0, y: -3 }, ...MOVING };
    const target = { x: 4, y: 1 };
    const shot = await client().aimAt(target, { ...scene, tolerance: 1e-6 });
    assert.ok(shot.hit);
    const still = await client().aimAt(target, { ...MOVING, drag: 0.1, tolerance: 1e-6 });
    assert.ok(shot.azimuth > still.azimuth, "into a wind toward -y it aims farther toward +y");
    const checked = await client().verifyAt({ ...scene, angle: shot.angle, velocity: shot.velocity, azimuth: shot.azimuth, target, tolerance: 1e-6 });
    assert.ok(checked.hit && Math.abs((checked.intercept_time ?? NaN) - (shot.intercept_time ?? NaN)) < 1e-9);
  });

  it("throws UnreachableTarget with the reach (m) toward the target", async () => {
    await assert.rejects(client().aimAt({ x: 30, y: 40 }, { drag: 0.1 }), (error: unknown) => {
      assert.ok(error instanceof UnreachableTarget);
      assert.ok(error.maxRange !== null && error.maxRange > 0 && error.maxRange < 50, `${error.maxRange} m`);
      return true;
    });
  });
});

describe("aimManyAt", () => {
  it("answers each target in order, one no shot meets in its place", async () => {
    const targets = [{ x: 3, y: 4 }, { x: 0, y: 0 }, { x: -2, y: 5, z: 1 }];
    const answers = await client({ maxBatch: 2 }).aimManyAt(targets, { ...MOVING, tolerance: 1e-6 });
    assert.equal(answers.length, 3);
    const [first, under, last] = answers as [BatchIntercept, BatchUnreachableTarget, BatchIntercept];
    assert.equal(under.reachable, false);
    assert.match(under.detail, /no bearing/);
    for (const [shot, target] of [[first, targets[0]], [last, targets[2]]] as const) {
      assert.ok(shot.reachable && shot.hit);
      assert.ok(target !== undefined);
      const oracle = vacuumIntercept(shot, target, MOVING.targetVelocity, MOVING.targetAcceleration);
      assert.ok(oracle.miss <= 1e-6, `the closed form misses by ${oracle.miss} m`);
    }
  });
});

describe("intercept: any", () => {
  it("meets the target anywhere in its flight, the miss the 3D closest approach (m)", async () => {
    const target = { x: 4, y: 1, z: 1.5 };
    const shot = await client().aimAt(target, { ...MOVING, intercept: "any", tolerance: 1e-6 });
    assert.ok(shot.hit && shot.miss !== null && shot.miss <= 1e-6);
    const oracle = vacuumClosest(shot, target, MOVING.targetVelocity, MOVING.targetAcceleration);
    assert.ok(oracle <= 1e-6, `the closed form passes ${oracle} m from the target`);
    const checked = await client().verifyAt({ ...MOVING, angle: shot.angle, velocity: shot.velocity, azimuth: shot.azimuth, target, intercept: "any", tolerance: 1e-6 });
    assert.ok(checked.hit && checked.miss !== null && Math.abs(checked.miss - shot.miss) < 1e-7);
  });
});

describe("verifyAt", () => {
  it("reports the miss (m) of a shot off the mark, as the closed form does", async () => {
    const target = { x: 5, y: 2 };
    const shot = await client().aimAt(target, { ...MOVING, tolerance: 1e-6 });
    const off = await client().verifyAt({ ...MOVING, angle: shot.angle, velocity: shot.velocity, azimuth: shot.azimuth + 0.05, target });
    assert.equal(off.hit, false);
    const oracle = vacuumIntercept({ ...shot, azimuth: shot.azimuth + 0.05 }, target, MOVING.targetVelocity, MOVING.targetAcceleration);
    assert.ok(off.miss !== null && Math.abs(off.miss - oracle.miss) < 1e-9, `${off.miss} m against ${oracle.miss} m`);
  });
});
