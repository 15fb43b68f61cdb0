// Copies the README's example (its first ```ts block) to test/generated/readme-example.ts,
// so the tests compile it against the package and run it against the real server: the
// example a reader copies is the one that was run.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(dirname(fileURLToPath(import.meta.url)));
const readme = readFileSync(join(here, "README.md"), "utf8");
const found = readme.match(/```ts\n([\s\S]*?)```/);
if (!found) throw new Error("README.md has no ```ts example block");
mkdirSync(join(here, "test", "generated"), { recursive: true });
const header = "// Extracted from README.md by scripts/readme-example.mjs: edit the README, not this file.\n";
writeFileSync(join(here, "test", "generated", "readme-example.ts"), header + found[1]);
