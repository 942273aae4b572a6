/**
 * The committed schema and the types generated from it cannot drift: openapi.json is what the
 * running server serves, and src/schema.ts is what openapi-typescript makes of it (`npm run generate`
 * after an API change, then commit both).
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { test } from "node:test";

import { mnemo } from "./server.js";

const ROOT = resolve(import.meta.dirname, "..");

test("openapi.json is the schema the server serves", async () => {
  const { url } = await mnemo();
  const served: unknown = await (await fetch(`${url}/schema/openapi.json`)).json();
  const committed: unknown = JSON.parse(readFileSync(join(ROOT, "openapi.json"), "utf8"));
  assert.deepEqual(committed, served, "the API changed: save the served schema to client-ts/openapi.json and `npm run generate`");
});

test("src/schema.ts is generated from openapi.json", () => {
  const out = join(mkdtempSync(join(tmpdir(), "mnemo-schema-")), "schema.ts");
  const generator = join(ROOT, "node_modules", ".bin", "openapi-typescript");
  execFileSync(generator, ["openapi.json", "--default-non-nullable", "false", "-o", out], { cwd: ROOT, stdio: "ignore" });
  assert.equal(readFileSync(join(ROOT, "src", "schema.ts"), "utf8"), readFileSync(out, "utf8"), "run `npm run generate`");
});
