/**
 * The client's errors. Every answer the server refuses becomes a `CannonError` whose `detail`
 * is the server's own words, so a caller can show it as is; the refusals a caller acts on
 * (a target out of reach, refinement that did not converge) get subclasses carrying the
 * figures the server sent with them, in metres (m).
 */
import type { components } from "./schema.js";

/** One item of a validation error: where (`loc`), what (`msg`) and its kind (`type`). */
export type ErrorItem = components["schemas"]["ErrorItem"];

/** The server refused the request: `status` is the HTTP status, `detail` its message. */
export class CannonError extends Error {
  /** HTTP status of the answer (e.g. 422, 429, 503). */
  readonly status: number;
  /** The server's message: its `detail` sentence, or its items' `msg` joined by "; ". */
  readonly detail: string;
  /** The items of a validation error (422), empty when the server sent a sentence. */
  readonly problems: readonly ErrorItem[];
  /** The parsed JSON body of the answer (or its text when it was not JSON). */
  readonly body: unknown;
  /** The answer's Retry-After in seconds (s), when it gave one (429, 503). */
  readonly retryAfterSeconds: number | undefined;

  constructor(status: number, body: unknown, retryAfterSeconds?: number) {
    const { detail, problems } = describe(body);
    super(`${status}: ${detail}`);
    this.name = "CannonError";
    this.status = status;
    this.detail = detail;
    this.problems = problems;
    this.body = body;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  /** The kinds (`type`) of the validation error's items, e.g. "unreachable_target". */
  get kinds(): string[] {
    return this.problems.map((item) => item.type);
  }
}

/** A 422 `unreachable_target`: no shot the cannon can fire lands on the target. */
export class UnreachableTarget extends CannonError {
  /** The farthest reachable target in metres (m); null in air when no shot comes down at the target's height. */
  readonly maxRange: number | null;
  /** The nearest reachable target in metres (m), when the air or a constraint sets one; else null. */
  readonly minRange: number | null;

  constructor(status: number, body: unknown, retryAfterSeconds?: number) {
    super(status, body, retryAfterSeconds);
    this.name = "UnreachableTarget";
    this.maxRange = numberOrNull(body, "max_range");
    this.minRange = numberOrNull(body, "min_range");
  }
}

/** A 422 `did_not_converge`: the target is within reach but refinement through air missed it. */
export class DidNotConverge extends CannonError {
  /** The best shot's miss in metres (m). */
  readonly miss: number | null;

  constructor(status: number, body: unknown, retryAfterSeconds?: number) {
    super(status, body, retryAfterSeconds);
    this.name = "DidNotConverge";
    this.miss = numberOrNull(body, "miss");
  }
}

/** A 422 `not_identifiable` (calibrate): the shots cannot tell the asked parameters apart; `detail` says what shot would. */
export class NotIdentifiable extends CannonError {
  /** The parameters the shots cannot determine (drag, wind, wind_x, wind_y, velocity_bias). */
  readonly parameters: string[];

  constructor(status: number, body: unknown, retryAfterSeconds?: number) {
    super(status, body, retryAfterSeconds);
    this.name = "NotIdentifiable";
    const names = isObject(body) ? body["parameters"] : undefined;
    this.parameters = Array.isArray(names) ? names.map(String) : [];
  }
}

/** A 422 `bad_shot` (calibrate): a shot no air could have brought down where it is said to have landed. */
export class BadShot extends CannonError {
  /** The shot's index in the request (from 0). */
  readonly shot: number | null;

  constructor(status: number, body: unknown, retryAfterSeconds?: number) {
    super(status, body, retryAfterSeconds);
    this.name = "BadShot";
    this.shot = numberOrNull(body, "shot");
  }
}

/** No answer at all: the server could not be reached, or took longer than `timeoutMs` (ms). */
export class CannonConnectionError extends Error {
  constructor(message: string, options?: { cause: unknown }) {
    super(message, options);
    this.name = "CannonConnectionError";
  }
}

/** The error for a refused answer: the subclass one of its items' kinds names, else CannonError. */
export function errorFor(status: number, body: unknown, retryAfterSeconds?: number): CannonError {
  const kinds = describe(body).problems.map((item) => item.type);
  if (kinds.includes("unreachable_target")) return new UnreachableTarget(status, body, retryAfterSeconds);
  if (kinds.includes("did_not_converge")) return new DidNotConverge(status, body, retryAfterSeconds);
  if (kinds.includes("not_identifiable")) return new NotIdentifiable(status, body, retryAfterSeconds);
  if (kinds.includes("bad_shot")) return new BadShot(status, body, retryAfterSeconds);
  return new CannonError(status, body, retryAfterSeconds);
}

function describe(body: unknown): { detail: string; problems: ErrorItem[] } {
  const detail = isObject(body) ? body["detail"] : body;
  if (typeof detail === "string") return { detail, problems: [] };
  if (Array.isArray(detail)) {
    const problems = detail.filter(isObject).filter((item) => typeof item["msg"] === "string") as ErrorItem[];
    return { detail: problems.map((item) => item.msg).join("; "), problems };
  }
  return { detail: JSON.stringify(body) ?? "no detail", problems: [] };
}

function numberOrNull(body: unknown, key: string): number | null {
  const value = isObject(body) ? body[key] : undefined;
  return typeof value === "number" ? value : null;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
