/**
 * Calibration and the odds (issue 15): the options of calibrate, the `uncertainty` and
 * `objective` every aiming call may add, and how they go on the wire. Units: metres (m),
 * metres per second (m/s), radians (rad), seconds (s), inverse metres (1/m); the velocity
 * bias is a factor (1 = the cannon fires exactly what it is told).
 */
import type { components } from "./schema.js";

type Schemas = components["schemas"];
/** POST /calibrate's answer: each estimate with its standard error and unit, correlations, residuals (m), the conditions and uncertainty for aim. */
export type CalibrateResponse = Schemas["CalibrateResponse"];
/** One fitted parameter: `value` and `standard_error` in `unit` (1/m, m/s or 1). */
export type Estimate = Schemas["Estimate"];
/** Where the shot may land, linearised: semi-axes (m, one standard deviation), orientation (rad), the mean miss (m). */
export type Dispersion = Schemas["Dispersion"];
/** The chance of landing within `hit_radius` (m): Monte Carlo with its 95% interval, and linearised. */
export type HitProbability = Schemas["HitProbability"];
/** The aim with the best odds (objective "max_hit_probability"), beside the exact aim's chance. */
export type BestOdds = Schemas["BestOdds"];
/** What calibrate may fit. */
export type Parameter = "drag" | "wind" | "velocity_bias";

/** The shot's and the air's errors (standard deviations), and what counts as a hit. */
export interface Uncertainty {
  /** A hit lands within this horizontal distance of the target, in metres (m). */
  hitRadius: number;
  /** Standard deviation of the launch velocity in m/s; default 0. */
  velocitySigma?: number;
  /** Standard deviation of the elevation in radians (rad); default 0. */
  angleSigma?: number;
  /** Standard deviation of the azimuth in radians (rad); default 0. */
  azimuthSigma?: number;
  /** Standard deviation of each horizontal wind component in m/s; default 0. */
  windSigma?: number;
  /** Standard deviation of the drag coefficient in 1/m; default 0. */
  dragSigma?: number;
  /** Monte Carlo samples (shots flown), 100 to 100,000; default 10,000. */
  samples?: number;
  /** The Monte Carlo's seed: the same seed, the same samples; default 0. */
  seed?: number;
}

/** What aim, aimMany, aimAt and aimManyAt may add: the odds of a hit. */
export interface OddsOptions {
  /** The errors: the answer adds `dispersion` and `hit_probability`. Omitted: neither, at no cost. */
  uncertainty?: Uncertainty;
  /** "exact" (default), or "max_hit_probability" (needs `uncertainty`): the answer adds `best_odds`. */
  objective?: "exact" | "max_hit_probability";
}

/** One ranging shot: what was commanded and where it came down. */
export interface ObservedShot {
  /** Commanded launch velocity in m/s. */
  velocity: number;
  /** Commanded elevation in radians (rad), in (0, π/2). */
  angle: number;
  /** Where it came down: metres (m) along the line of fire (2D), or {x, y} in m (3D, with `azimuth`). */
  landed: number | { x: number; y: number };
  /** Commanded azimuth in radians (rad), counter-clockwise from +x; the 3D form only. */
  azimuth?: number;
  /** Height of the muzzle above the ground in metres (m); default 0. */
  launchHeight?: number;
  /** Height at which the landing was observed, in metres (m); default 0. */
  targetHeight?: number;
  /** Observed time of flight in seconds (s), if timed (needs `flightTimeSigma`). */
  flightTime?: number;
}

/** A normal prior on a fitted parameter, in its unit (drag 1/m, wind m/s, velocity_bias 1). */
export interface Prior {
  mean: number;
  sd: number;
}

/** Options of calibrate. */
export interface CalibrateOptions {
  /** Standard deviation of each observed landing coordinate, in metres (m). */
  sigma: number;
  /** What to estimate: "drag" (1/m), "wind" (m/s), "velocity_bias" (a factor). */
  fit: readonly Parameter[];
  /** Standard deviation of the observed flight times in seconds (s); needed when a shot is timed. */
  flightTimeSigma?: number;
  /** Normal priors on fitted parameters. */
  priors?: Partial<Record<Parameter, Prior>>;
  /** The known drag in 1/m when not fitted; default 0. */
  drag?: number;
  /** The known wind in m/s (a number in 2D, {x, y} in 3D) when not fitted; default 0. */
  wind?: number | { x: number; y: number };
  /** The known velocity bias (1 = exact) when not fitted; default 1. */
  velocityBias?: number;
}

/** The odds' fields of an aiming body, snake_case, undefined ones left out. */
export function oddsFields(options: OddsOptions): Record<string, unknown> {
  const u = options.uncertainty;
  const uncertainty =
    u === undefined
      ? undefined
      : defined({
          hit_radius: u.hitRadius,
          velocity_sigma: u.velocitySigma,
          angle_sigma: u.angleSigma,
          azimuth_sigma: u.azimuthSigma,
          wind_sigma: u.windSigma,
          drag_sigma: u.dragSigma,
          samples: u.samples,
          seed: u.seed,
        });
  return defined({ uncertainty, objective: options.objective });
}

/** POST /calibrate's body. */
export function calibrateBody(shots: readonly ObservedShot[], options: CalibrateOptions): Record<string, unknown> {
  return defined({
    shots: shots.map((shot) =>
      defined({
        velocity: shot.velocity,
        angle: shot.angle,
        landed: shot.landed,
        azimuth: shot.azimuth,
        launch_height: shot.launchHeight,
        target_height: shot.targetHeight,
        flight_time: shot.flightTime,
      }),
    ),
    sigma: options.sigma,
    fit: options.fit,
    flight_time_sigma: options.flightTimeSigma,
    priors: options.priors,
    drag: options.drag,
    wind: options.wind,
    velocity_bias: options.velocityBias,
  });
}

function defined(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
}
