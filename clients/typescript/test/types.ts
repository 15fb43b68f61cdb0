/**
 * Compile-time checks, run by `npm test`'s tsc (pretest): a line marked @ts-expect-error that
 * stops being an error fails the build, so the option types keep refusing what the server does.
 */
import { CannonClient, type AimResponse, type BatchSolution, type BatchUnreachable } from "cannon-aim-client";

const cannon = new CannonClient({ baseUrl: "http://127.0.0.1:1" });
// @ts-expect-error: baseUrl is required
void new CannonClient({});

export async function typed(): Promise<void> {
  // the air on every route the schema takes it on, camelCase, in m, m/s and 1/m
  await cannon.trajectory({ angle: 0.7, velocity: 9, drag: 0.1, wind: 3, launchHeight: 1 });
  await cannon.lossSurface({ distance: 4, drag: 0.1, targetHeight: 0.5 });
  // @ts-expect-error: a misspelt option is not silently dropped
  await cannon.aim(1, { dragg: 0.1 });
  // @ts-expect-error: the arc is "low" or "high"
  await cannon.aim(1, { arc: "middle" });
  // @ts-expect-error: snake_case is the wire's, not the client's
  await cannon.aim(1, { launch_height: 1 });
  // @ts-expect-error: a shot to verify needs its velocity
  await cannon.verify({ angle: 0.7, distance: 4 });
  const shot: AimResponse = await cannon.aim(1);
  // @ts-expect-error: answers are the server's JSON, snake_case
  void shot.landingDistance;
  // in 3D: a target is {x, y, z?} in m; the wind a number or {x, y} in m/s
  await cannon.aimAt({ x: 3, y: 4 }, { wind: { x: 1, y: -2 }, targetVelocity: { y: 1 } });
  // @ts-expect-error: a target needs its y
  await cannon.aimAt({ x: 3 });
  // @ts-expect-error: a shot to verify in 3D needs its azimuth
  await cannon.verifyAt({ angle: 0.7, velocity: 9, target: { x: 3, y: 4 } });
  for (const answer of await cannon.aimManyAt([{ x: 1, y: 1 }])) {
    if (answer.reachable) void answer.intercept_point;
    else void answer.max_range;
  }
  // the odds: a hit radius is required, the objective one of two
  await cannon.aim(1, { uncertainty: { hitRadius: 0.1, velocitySigma: 0.05 }, objective: "max_hit_probability" });
  // @ts-expect-error: an uncertainty needs its hitRadius (m)
  await cannon.aim(1, { uncertainty: { velocitySigma: 0.05 } });
  // @ts-expect-error: the objective is "exact" or "max_hit_probability"
  await cannon.aim(1, { uncertainty: { hitRadius: 0.1 }, objective: "best" });
  const fitted = await cannon.calibrate([{ velocity: 9, angle: 0.5, landed: 7 }], { sigma: 0.02, fit: ["drag"] });
  void fitted.conditions.drag;
  // @ts-expect-error: calibrate fits drag, wind or velocity_bias only
  await cannon.calibrate([{ velocity: 9, angle: 0.5, landed: 7 }], { sigma: 0.02, fit: ["gravity"] });
  for (const answer of await cannon.aimMany([1, 12])) {
    // the batch's items are told apart by `reachable`
    if (answer.reachable) void (answer satisfies BatchSolution).velocity;
    else void (answer satisfies BatchUnreachable).max_range;
  }
}
