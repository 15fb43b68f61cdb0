/** The real server the tests run against: its URL comes from CANNON_URL, never a default. */
import { CannonClient, type ClientOptions } from "cannon-aim-client";

export const baseUrl: string = (() => {
  const url = process.env["CANNON_URL"];
  if (!url) throw new Error("set CANNON_URL to a running cannon-aim server, e.g. http://127.0.0.1:8000");
  return url;
})();

/** g in m/s^2, written out here so the oracle does not share the service's constant. */
export const GRAVITY = 9.81;

/** The vacuum's landing distance in metres (m) of a shot at `velocity` m/s and `angle` rad: v² sin 2θ / g. */
export function vacuumLanding(velocity: number, angle: number): number {
  return (velocity ** 2 * Math.sin(2 * angle)) / GRAVITY;
}

/** A client on the real server, with these options over the defaults. */
export function client(options: Partial<ClientOptions> = {}): CannonClient {
  return new CannonClient({ baseUrl, ...options });
}

/** The server's raw JSON answer to a request, read without the client, to compare with. */
export async function raw(path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const init: RequestInit =
    body === undefined
      ? {}
      : { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) };
  const answer = await fetch(new URL(path, baseUrl), init);
  return { status: answer.status, json: await answer.json() };
}

/** A fetch that counts the requests it sends, through the platform's real fetch. */
export function countingFetch(): { fetch: typeof fetch; bodies: unknown[] } {
  const bodies: unknown[] = [];
  const counted: typeof fetch = async (input, init) => {
    bodies.push(typeof init?.body === "string" ? JSON.parse(init.body) : undefined);
    return fetch(input, init);
  };
  return { fetch: counted, bodies };
}
