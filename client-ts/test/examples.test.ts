/**
 * Every examples/typescript/<framework>/*.ts runs as written (importing the built `mnemo-client`,
 * linked by scripts/link-examples.mjs) against the real server, and prints what it should.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { test } from "node:test";
import { promisify } from "node:util";

import { mnemoBeforeTests, newUser } from "./server.js";

const EXAMPLES = resolve(import.meta.dirname, "..", "..", "examples", "typescript");
const EXPECTED: Record<string, RegExp> = {
  "ai-sdk": /recall: - Kai is vegetarian[\s\S]*Noted: Kai is vegetarian\./,
  langgraph: /Recalled: Lena drinks green tea/,
  "openai-agents": /Noted: aisle seats\.\nsession travel holds 4 items/,
};

const served = mnemoBeforeTests();

const frameworks = readdirSync(EXAMPLES, { withFileTypes: true }).filter((d) => d.isDirectory() && d.name !== "node_modules");

test("every framework has its example and an expectation", () => {
  assert.deepEqual(frameworks.map((d) => d.name).sort(), Object.keys(EXPECTED).sort());
});

for (const dir of frameworks) {
  for (const file of readdirSync(join(EXAMPLES, dir.name)).filter((f) => f.endsWith(".ts"))) {
    test(`examples/typescript/${dir.name}/${file}`, async () => {
      const env = { ...process.env, MNEMO_URL: served.baseUrl, MNEMO_API_KEY: served.apiKey, MNEMO_USER: newUser() };
      const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", join(EXAMPLES, dir.name, file)], {
        env,
        timeout: 120_000,
      });
      assert.match(stdout, EXPECTED[dir.name] ?? /^$/);
    });
  }
}
