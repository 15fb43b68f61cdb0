/** Calibration and the odds on the real server: ranging shots landed by our own closed form
 * (the vacuum's, with a muzzle-speed bias), fitted; aims with an uncertainty, their chance
 * checked by our own Monte Carlo through the closed form. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { BadShot, NotIdentifiable, type ObservedShot } from "cannon-aim-client";

import { client, vacuumLanding } from "./server.js";

const COMMANDS: [number, number][] = [[9, 0.3], [9, 0.6], [8, 0.9], [9.5, 1.1], [7, 0.45]]; // m/s, rad

/** A reproducible standard normal draw (Box-Muller on a small linear congruential generator). */
function normals(seed: number): () => number {
  let state = seed >>> 0;
  const uniform = (): number => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return (state + 0.5) / 2 ** 32;
  };
  return () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
}

describe("calibrate", () => {
  it("finds the muzzle speed's bias within its standard errors, in its unit", async () => {
    const bias = 1.03;
    const noise = normals(15);
    const shots: ObservedShot[] = COMMANDS.map(([velocity, angle]) => ({
      velocity,
      angle,
      landed: vacuumLanding(velocity * bias, angle) + 0.01 * noise(),
    }));
    const fitted = await client().calibrate(shots, { sigma: 0.01, fit: ["velocity_bias"] });
    const [estimate] = fitted.estimates;
    assert.ok(estimate);
    assert.equal(estimate.name, "velocity_bias");
    assert.equal(estimate.unit, "1");
    assert.ok(estimate.standard_error > 0);
    assert.ok(Math.abs(estimate.value - bias) <= 4 * estimate.standard_error, `${estimate.value} vs ${bias}`);
    assert.equal(fitted.residuals.length, shots.length);
    assert.ok(fitted.rms < 0.03, `rms ${fitted.rms} m`);
    assert.equal(fitted.velocity_bias, estimate.value);
    assert.deepEqual(fitted.correlation, [[1]]);
    assert.equal(fitted.conditions.drag, 0);
  });

  it("says which parameters one shot cannot separate", async () => {
    const [velocity, angle] = [9, 0.6];
    const shot = { velocity, angle, landed: vacuumLanding(velocity, angle) };
    await assert.rejects(client().calibrate([shot], { sigma: 0.01, fit: ["drag", "wind"] }), (error: unknown) => {
      assert.ok(error instanceof NotIdentifiable, String(error));
      assert.equal(error.status, 422);
      // the parameters it names are among those asked (here, landed in a vacuum, the wind)
      assert.ok(error.parameters.length > 0 && error.parameters.every((p) => p === "drag" || p === "wind"), String(error.parameters));
      assert.ok(error.parameters.every((p) => error.detail.includes(p)), error.detail);
      return true;
    });
  });

  it("refuses a shot no air explains, with its index", async () => {
    const shots = COMMANDS.slice(0, 2).map(([velocity, angle]) => ({ velocity, angle, landed: vacuumLanding(velocity, angle) }));
    shots.push({ velocity: 5, angle: 0.5, landed: 30 }); // 5 m/s reaches 2.1 m in a vacuum
    await assert.rejects(client().calibrate(shots, { sigma: 0.01, fit: ["drag"] }), (error: unknown) => {
      assert.ok(error instanceof BadShot, String(error));
      assert.equal(error.shot, 2);
      return true;
    });
  });
});

describe("the odds", () => {
  it("adds the dispersion and the hit probability, and our Monte Carlo agrees", async () => {
    const spread = { hitRadius: 0.15, velocitySigma: 0.05, angleSigma: 0.004, samples: 4000, seed: 3 };
    const shot = await client().aim(6, { tolerance: 1e-3, uncertainty: spread });
    assert.ok(Math.abs(vacuumLanding(shot.velocity, shot.angle) - 6) <= 1e-3);
    const odds = shot.hit_probability;
    assert.ok(odds && shot.dispersion);
    assert.equal(shot.best_odds ?? null, null);
    const [low, high] = odds.interval;
    assert.ok(low <= odds.monte_carlo && odds.monte_carlo <= high);
    assert.equal(odds.samples, 4000);
    assert.equal(odds.hit_radius, 0.15);
    assert.ok(Math.abs(odds.linearised - odds.monte_carlo) < 0.05);
    assert.ok((shot.dispersion.semi_major ?? 0) > 0);
    const draw = normals(5);
    const n = 4000;
    let hits = 0;
    for (let i = 0; i < n; i++) {
      const landed = vacuumLanding(shot.velocity + 0.05 * draw(), shot.angle + 0.004 * draw());
      if (Math.abs(landed - 6) <= 0.15) hits++;
    }
    const p = odds.monte_carlo;
    assert.ok(Math.abs(hits / n - p) <= 4 * Math.sqrt((p * (1 - p)) / n) + 0.01, `ours ${hits / n}, served ${p}`);
    const plain = await client().aim(6);
    assert.equal(plain.hit_probability, undefined);
  });

  it("finds the best odds in a batch and in 3D, never below the exact aim's", async () => {
    const uncertainty = { hitRadius: 0.2, velocitySigma: 0.08, dragSigma: 0.01, samples: 1000 };
    const solutions = await client().aimMany([5, 7], { drag: 0.05, uncertainty, objective: "max_hit_probability" });
    for (const answer of solutions) {
      assert.ok(answer.reachable && answer.best_odds);
      assert.ok(answer.best_odds.hit_probability >= answer.best_odds.exact_hit_probability);
    }
    const met = await client().aimAt({ x: 5, y: 2 }, { uncertainty: { hitRadius: 0.2, azimuthSigma: 0.01 } });
    assert.ok(met.hit_probability && met.dispersion && (met.dispersion.semi_minor ?? -1) >= 0);
    // the vacuum's closed form along the azimuth lands the shot on the target (m)
    const reach = vacuumLanding(met.velocity, met.angle);
    const miss = Math.hypot(reach * Math.cos(met.azimuth) - 5, reach * Math.sin(met.azimuth) - 2);
    assert.ok(miss <= met.tolerance, `miss ${miss} m`);
  });
});
