/**
 * Aiming in three dimensions at moving targets (issue 13): the options of aimAt, aimManyAt
 * and verifyAt, and how they go on the wire. Axes: x and y horizontal, z up, in metres (m)
 * from the ground under the muzzle, which is at `launchHeight`; the azimuth in radians (rad)
 * counter-clockwise from +x toward +y; `angle` is the elevation (rad).
 */
import type { components } from "./schema.js";
import type { Constraint } from "./index.js";
import { oddsFields, type OddsOptions } from "./odds.js";

type Schemas = components["schemas"];
/** POST /aim with a target: elevation and azimuth (rad), velocity (m/s), and where the shot meets the target (m, s). */
export type InterceptResponse = Schemas["InterceptResponse"];
/** GET /verify with an azimuth: where a given shot comes down through the target's height (m, s), and its miss (m). */
export type InterceptVerdict = Schemas["InterceptVerdict"];
/** A solved target in a batch of targets: InterceptResponse's fields and `reachable: true`. */
export type BatchIntercept = Schemas["BatchIntercept"];
/** A target in a batch no shot meets: `reachable: false`, why, and `max_range` (m) toward its bearing. */
export type BatchUnreachableTarget = Schemas["BatchUnreachableTarget"];
/** A point in metres (m): x, y horizontal, z the height above the ground. */
export type Point = Schemas["Point"];

/** A target at firing in metres (m); z, its height above the ground, defaults to 0. */
export interface Target {
  x: number;
  y: number;
  z?: number;
}

/** A vector by components; each omitted one is 0. */
export interface Vector {
  x?: number;
  y?: number;
  z?: number;
}

/** What a 3D request's targets share; omitted: flat, still, no drag, targets that stay put. */
export interface Scene {
  /** Height of the muzzle above the ground in metres (m), 0 to 3; default 0. */
  launchHeight?: number;
  /** Wind in metres per second (m/s): a number along the line of fire (toward the target's bearing, positive = tailwind), or {x, y}. */
  wind?: number | { x?: number; y?: number };
  /** Quadratic drag coefficient k in inverse metres (1/m), 0 to 0.2; default 0. */
  drag?: number;
  /** The target's velocity at firing in metres per second (m/s); at most 3 m/s for the default cannon. */
  targetVelocity?: Vector;
  /** The target's constant acceleration in metres per second squared (m/s^2); at most 2 m/s^2 for the default cannon. */
  targetAcceleration?: Vector;
}

/** Options of aimAt and aimManyAt; with `uncertainty`, the answers add their odds (OddsOptions). */
export interface AimAtOptions extends Scene, Constraint, OddsOptions {
  /** "descending" (default): where the shot comes down through the target's height, the miss horizontal (m); "any": anywhere in its flight, the miss the 3D closest approach (m). */
  intercept?: "descending" | "any";
  /** Largest acceptable miss in metres (m), at least 1e-6; omitted: the server's default (0.05 m). */
  tolerance?: number;
  /** Refine the network's proposal on the physics (default true); false returns it raw, still verified. */
  refine?: boolean;
}

/** A shot to check with verifyAt. */
export interface ShotAt extends Scene {
  /** Elevation in radians (rad), in (0, π/2). */
  angle: number;
  /** Launch velocity in metres per second (m/s). */
  velocity: number;
  /** Azimuth in radians (rad), counter-clockwise from +x toward +y. */
  azimuth: number;
  /** The target at firing (m). */
  target: Target;
  /** Largest acceptable miss in metres (m); omitted: 0.05 m. */
  tolerance?: number;
  /** "descending" (default) or "any", as for aimAt. */
  intercept?: "descending" | "any";
}

/** The body's fields of a 3D request, snake_case, undefined ones left out. */
export function sceneFields(options: AimAtOptions): Record<string, unknown> {
  const fields: Record<string, unknown> = {
    launch_height: options.launchHeight,
    wind: options.wind,
    drag: options.drag,
    target_velocity: options.targetVelocity,
    target_acceleration: options.targetAcceleration,
    velocity: options.velocity,
    angle: options.angle,
    arc: options.arc,
    tolerance: options.tolerance,
    refine: options.refine,
    intercept: options.intercept,
    ...oddsFields(options),
  };
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
}

/** GET /verify's 3D query: the vectors flat; a number wind turned toward the target's bearing. */
export function verifyQuery(shot: ShotAt): Record<string, number | string | undefined> {
  const { x, y, z } = shot.target;
  let wind: { x?: number; y?: number } | undefined;
  if (typeof shot.wind === "number") {
    const across = Math.hypot(x, y);
    wind = across > 0 ? { x: (shot.wind * x) / across, y: (shot.wind * y) / across } : {};
  } else wind = shot.wind;
  const v = shot.targetVelocity ?? {};
  const a = shot.targetAcceleration ?? {};
  return {
    angle: shot.angle,
    velocity: shot.velocity,
    azimuth: shot.azimuth,
    target_x: x,
    target_y: y,
    target_z: z,
    target_velocity_x: v.x,
    target_velocity_y: v.y,
    target_velocity_z: v.z,
    target_acceleration_x: a.x,
    target_acceleration_y: a.y,
    target_acceleration_z: a.z,
    wind_x: wind?.x,
    wind_y: wind?.y,
    launch_height: shot.launchHeight,
    drag: shot.drag,
    tolerance: shot.tolerance,
    intercept: shot.intercept,
  };
}
