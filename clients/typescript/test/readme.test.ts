/** The README's example, compiled from the README itself, run against the real server. */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { dirname, join } from "node:path";
import { it } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

import { baseUrl } from "./server.js";

const example = join(dirname(fileURLToPath(import.meta.url)), "generated", "readme-example.js");

it("the README's example runs and prints what it says, with units", async () => {
  const { stdout } = await promisify(execFile)(process.execPath, [example], {
    env: { ...process.env, CANNON_URL: baseUrl },
    timeout: 60_000,
  });
  const lines = stdout.trim().split("\n");
  assert.match(lines[0] ?? "", /^7\.5 m: angle 0\.\d+ rad, velocity \d\.\d+ m\/s, miss \S+ m, hit true$/);
  assert.match(lines[1] ?? "", /^through air, 4 m: angle 0\.\d+ rad, velocity \d\.\d+ m\/s, hit true$/);
  assert.equal(lines[2], "2.5 m: hit");
  assert.match(lines[3] ?? "", /^12 m: out of reach, max range 10\.19\d* m$/);
  assert.match(lines[4] ?? "", /^out of reach: the farthest target is 10\.19\d* m$/);
  assert.equal(lines.length, 5);
});
