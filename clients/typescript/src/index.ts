/**
 * cannon-aim-client: the cannon-aim service over HTTP, typed from its OpenAPI schema
 * (src/schema.ts, generated). Options are camelCase here and snake_case on the wire; every
 * length is in metres (m), speed in metres per second (m/s), angle in radians (rad), time in
 * seconds (s), and drag in inverse metres (1/m), as on the server.
 */
import { CannonError } from "./errors.js";
import { send, type Transport } from "./http.js";
import { calibrateBody, oddsFields, type CalibrateOptions, type CalibrateResponse, type ObservedShot, type OddsOptions } from "./odds.js";
import type { components, paths } from "./schema.js";
import {
  sceneFields,
  verifyQuery,
  type AimAtOptions,
  type BatchIntercept,
  type BatchUnreachableTarget,
  type InterceptResponse,
  type InterceptVerdict,
  type ShotAt,
  type Target,
} from "./space.js";

export {
  BadShot,
  CannonConnectionError,
  CannonError,
  DidNotConverge,
  NotIdentifiable,
  UnreachableTarget,
  type ErrorItem,
} from "./errors.js";
export type {
  BestOdds,
  CalibrateOptions,
  CalibrateResponse,
  Dispersion,
  Estimate,
  HitProbability,
  ObservedShot,
  OddsOptions,
  Parameter,
  Prior,
  Uncertainty,
} from "./odds.js";
export type { components, paths } from "./schema.js";
export type {
  AimAtOptions,
  BatchIntercept,
  BatchUnreachableTarget,
  InterceptResponse,
  InterceptVerdict,
  Point,
  Scene,
  ShotAt,
  Target,
  Vector,
} from "./space.js";

type Schemas = components["schemas"];
/** POST /aim's answer: the shot (angle rad, velocity m/s) and its verified landing (m). */
export type AimResponse = Schemas["AimResponse"];
/** A solved target in a batch: AimResponse's fields and `reachable: true`. */
export type BatchSolution = Schemas["BatchSolution"];
/** A target in a batch no shot reaches: `reachable: false`, why, and `max_range` (m). */
export type BatchUnreachable = Schemas["BatchUnreachable"];
/** GET /verify's answer: where a given shot lands (m) and whether it hits. */
export type VerifyResponse = Schemas["VerifyResponse"];
/** GET /trajectory's answer: the arc's points x, y (m) and its landing (m), flight time (s). */
export type TrajectoryResponse = Schemas["TrajectoryResponse"];
/** GET /loss-surface's answer: the loss (m^2 or m, as `unit` says) over velocity (m/s) and angle (rad). */
export type LossSurfaceResponse = Schemas["LossSurfaceResponse"];
/** A model card: architecture, the cannon (m/s^2, m/s, rad, m), training, validation misses (m). */
export type ModelCard = Schemas["ModelCard"];
/** GET /healthz's answer. */
export type Health = Schemas["Health"];
/** GET /readyz's answer, with the served model's version. */
export type Ready = Schemas["Ready"];

type Solutions = Schemas["AimBatchResponse"]["solutions"];
type TrajectoryWire = NonNullable<paths["/trajectory"]["get"]["parameters"]["query"]>;
type LossSurfaceWire = NonNullable<paths["/loss-surface"]["get"]["parameters"]["query"]>;

/** The air a shot flies through and the heights it flies between; omitted: flat, still, no drag. */
export interface Air {
  /** Height of the cannon above the ground in metres (m), 0 to 3; default 0. */
  launchHeight?: number;
  /** Height of the target above the ground in metres (m), within ±3 m of the launch height; default 0. */
  targetHeight?: number;
  /** Wind along the line of fire in metres per second (m/s), positive = tailwind, -5 to 5; default 0. */
  wind?: number;
  /** Quadratic drag coefficient k in inverse metres (1/m), 0 to 0.2 (a tennis ball ≈ 0.02); default 0. */
  drag?: number;
}

/** A constraint on the shot; omitted: the network's lowest-velocity shot. */
export interface Constraint {
  /** Fix the launch velocity in metres per second (m/s), in (0, 10] by default, and solve the angle. */
  velocity?: number;
  /** Fix the launch angle in radians (rad), in (0, π/2), and solve the velocity. */
  angle?: number;
  /** With a fixed velocity: the "low" (flatter) or "high" (steeper) arc; default "low". */
  arc?: "low" | "high";
}

/** Options of aim and aimMany; with `uncertainty`, the answers add their odds (OddsOptions). */
export interface AimOptions extends Air, Constraint, OddsOptions {
  /** Largest acceptable miss in metres (m), at least 1e-6; omitted: the server's default (0.05 m). */
  tolerance?: number;
  /** Refine the network's proposal on the physics (default true); false returns it raw, still verified. */
  refine?: boolean;
}

/** A shot to check with verify. */
export interface Shot extends Air {
  /** Launch angle in radians (rad) above the horizontal, in (0, π/2). */
  angle: number;
  /** Launch velocity in metres per second (m/s), in (0, 10] by default. */
  velocity: number;
  /** Target distance in metres (m). */
  distance: number;
  /** Largest acceptable miss in metres (m); omitted: 0.05 m. */
  tolerance?: number;
}

/** The air fields, where the server's schema takes them on this route (`launch_height` present). */
type AirWhereServed<Wire> = "launch_height" extends keyof Wire ? Air : Record<never, never>;

/** An arc to draw with trajectory. */
export type TrajectoryOptions = {
  /** Launch angle in radians (rad). */
  angle: number;
  /** Launch velocity in metres per second (m/s). */
  velocity: number;
  /** Points along the arc, evenly spaced in time (s): 2 to 1000 (a count); default 100. */
  points?: number;
} & AirWhereServed<TrajectoryWire>;

/** A grid of the miss over velocity (m/s) and angle (rad) for lossSurface. */
export type LossSurfaceOptions = {
  /** Target distance in metres (m). */
  distance: number;
  /** Grid points along the velocity (m/s) axis: 2 to 200 (a count); default 60. */
  velocities?: number;
  /** Grid points along the angle (rad) axis: 2 to 200 (a count); default 60. */
  angles?: number;
  /** "squared": miss² in square metres (m^2), "absolute": miss in metres (m); default "squared". */
  loss?: "squared" | "absolute";
} & AirWhereServed<LossSurfaceWire>;

/** How to reach the service. */
export interface ClientOptions {
  /** The service's root URL, e.g. "http://localhost:8000". */
  baseUrl: string;
  /** The service's API key (CANNON_API_KEY), sent as X-API-Key; needed only when the server sets one. */
  apiKey?: string;
  /** Longest wait for one answer in milliseconds (ms); default 30,000 ms. */
  timeoutMs?: number;
  /** Most retries of a request answered 429 or 503 with Retry-After (a count); default 3. */
  retries?: number;
  /** Longest Retry-After waited for, in milliseconds (ms); a longer one is thrown at once; default 10,000 ms. */
  maxRetryDelayMs?: number;
  /** Most distances per POST /aim/batch (a count); default 10,000, lowered to the server's limit when it says so. */
  maxBatch?: number;
  /** The fetch to use; default the platform's (globalThis.fetch). */
  fetch?: typeof fetch;
}

/** The cannon-aim service. Every method throws CannonError (or a subclass) when the server refuses. */
export class CannonClient {
  private readonly transport: Transport;
  private batchLimit: number;

  constructor(options: ClientOptions) {
    this.transport = {
      baseUrl: options.baseUrl,
      apiKey: options.apiKey,
      timeoutMs: options.timeoutMs ?? 30_000,
      retries: options.retries ?? 3,
      maxRetryDelayMs: options.maxRetryDelayMs ?? 10_000,
      fetch: options.fetch ?? globalThis.fetch.bind(globalThis),
    };
    this.batchLimit = options.maxBatch ?? 10_000;
  }

  /** The shot that lands on a target `distance` metres (m) away; UnreachableTarget when none does. */
  async aim(distance: number, options: AimOptions = {}): Promise<AimResponse> {
    return (await send(this.transport, "POST", "/aim", { body: { distance, ...aimFields(options) } })) as AimResponse;
  }

  /**
   * One answer per distance (m), in order: a solution, or `reachable: false` with `max_range`
   * (m) for a target out of reach, which does not fail the others. Sent in chunks of the
   * server's batch limit, one after another; no distances, no request.
   */
  async aimMany(distances: readonly number[], options: AimOptions = {}): Promise<(BatchSolution | BatchUnreachable)[]> {
    // a batch of distances is answered with the distance form's items only
    return (await this.batches("distances", distances, aimFields(options))) as (BatchSolution | BatchUnreachable)[];
  }

  /**
   * The shot (elevation and azimuth rad, velocity m/s) that meets a target at (x, y, z) m,
   * moving as `targetVelocity` (m/s) and `targetAcceleration` (m/s^2) say; UnreachableTarget
   * when no shot does.
   */
  async aimAt(target: Target, options: AimAtOptions = {}): Promise<InterceptResponse> {
    const body = { target, ...sceneFields(options) };
    return (await send(this.transport, "POST", "/aim", { body })) as InterceptResponse;
  }

  /** One answer per target (m), in order, the scene shared; one no shot meets is `reachable: false` in its place. */
  async aimManyAt(targets: readonly Target[], options: AimAtOptions = {}): Promise<(BatchIntercept | BatchUnreachableTarget)[]> {
    return (await this.batches("targets", targets, sceneFields(options))) as (BatchIntercept | BatchUnreachableTarget)[];
  }

  /** Where a given shot (rad, m/s, rad) comes down through the target's height (m, s), and whether it hits. */
  async verifyAt(shot: ShotAt): Promise<InterceptVerdict> {
    return (await send(this.transport, "GET", "/verify", { query: verifyQuery(shot) })) as InterceptVerdict;
  }

  /**
   * The `fit` parameters (drag 1/m, wind m/s, velocity_bias) from where ranging `shots`
   * landed, each landing known to `sigma` (m): estimates with standard errors, correlations,
   * residuals (m), and the conditions and uncertainty to aim with. NotIdentifiable when the
   * shots cannot tell them apart, BadShot (with its index) for a shot no air explains.
   */
  async calibrate(shots: readonly ObservedShot[], options: CalibrateOptions): Promise<CalibrateResponse> {
    const body = calibrateBody(shots, options);
    return (await send(this.transport, "POST", "/calibrate", { body })) as CalibrateResponse;
  }

  /** Items for `targets`, sent in chunks of the server's batch limit, one after another. */
  private async batches(key: string, targets: readonly unknown[], fields: Record<string, unknown>): Promise<Solutions> {
    const solutions: Solutions = [];
    let start = 0;
    while (start < targets.length) {
      const chunk = targets.slice(start, start + this.batchLimit);
      let answer: Schemas["AimBatchResponse"];
      try {
        const body = { [key]: chunk, ...fields };
        answer = (await send(this.transport, "POST", "/aim/batch", { body })) as Schemas["AimBatchResponse"];
      } catch (error) {
        const limit = serverBatchLimit(error);
        if (limit === undefined || limit >= chunk.length) throw error;
        this.batchLimit = limit; // the server said its limit: send that many from now on
        continue;
      }
      solutions.push(...answer.solutions);
      start += chunk.length;
    }
    return solutions;
  }

  /** Where a given shot lands (m) through the given air, and whether it hits the target. */
  async verify(shot: Shot): Promise<VerifyResponse> {
    const { angle, velocity, distance, tolerance } = shot;
    const query = { angle, velocity, distance, tolerance, ...airFields(shot) };
    return (await send(this.transport, "GET", "/verify", { query })) as VerifyResponse;
  }

  /** The arc of a shot, as points x, y in metres (m). */
  async trajectory(options: TrajectoryOptions): Promise<TrajectoryResponse> {
    const { angle, velocity, points } = options;
    const query = { angle, velocity, points, ...airFields(options as Air) };
    return (await send(this.transport, "GET", "/trajectory", { query })) as TrajectoryResponse;
  }

  /** The miss (m^2 or m) over a grid of velocities (m/s) and angles (rad), for plotting. */
  async lossSurface(options: LossSurfaceOptions): Promise<LossSurfaceResponse> {
    const { distance, velocities, angles, loss } = options;
    const query = { distance, velocities, angles, loss, ...airFields(options as Air) };
    return (await send(this.transport, "GET", "/loss-surface", { query })) as LossSurfaceResponse;
  }

  /** The vacuum model's card. */
  async model(): Promise<ModelCard> {
    return (await send(this.transport, "GET", "/model")) as ModelCard;
  }

  /** The air model's card, with the envelope it covers in the cannon's units. */
  async airModel(): Promise<ModelCard> {
    return (await send(this.transport, "GET", "/model/air")) as ModelCard;
  }

  /**
   * The 3D model's card (targets {x, y, z} in m, moving or not), with the envelope it covers
   * in the cannon's units; its validation misses in m and relative to the target's distance.
   */
  async spaceModel(): Promise<ModelCard> {
    return (await send(this.transport, "GET", "/model/space")) as ModelCard;
  }

  /** Liveness: `{status: "ok"}`; CannonError 503 when the model failed its self-check. */
  async health(): Promise<Health> {
    return (await send(this.transport, "GET", "/healthz")) as Health;
  }

  /** Readiness: `{status: "ready", model_version}`; CannonError 503 while draining or unfit. */
  async ready(): Promise<Ready> {
    return (await send(this.transport, "GET", "/readyz")) as Ready;
  }
}

function airFields(air: Air): Record<string, number | undefined> {
  return {
    launch_height: air.launchHeight,
    target_height: air.targetHeight,
    wind: air.wind,
    drag: air.drag,
  };
}

function aimFields(options: AimOptions): Record<string, unknown> {
  const fields: Record<string, unknown> = {
    ...airFields(options),
    velocity: options.velocity,
    angle: options.angle,
    arc: options.arc,
    tolerance: options.tolerance,
    refine: options.refine,
    ...oddsFields(options),
  };
  // JSON.stringify leaves undefined out, but a clean body is easier to read in a log.
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
}

function serverBatchLimit(error: unknown): number | undefined {
  if (!(error instanceof CannonError) || error.status !== 422) return undefined;
  const body = error.body;
  if (typeof body !== "object" || body === null) return undefined;
  const limit = (body as Record<string, unknown>)["max_batch"];
  return typeof limit === "number" && limit > 0 ? limit : undefined;
}
