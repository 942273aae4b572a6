/**
 * `npm test`: one `mnemo serve` for the whole run; the vendored framework suites under vitest, then
 * node's own test runner over the test files (given as arguments), each in its own process, one at a
 * time (the machine's cores serve the server).
 */
import { spawn } from "node:child_process";
import { join } from "node:path";

import { API_KEY, startMnemo } from "./server.js";

const files = process.argv.slice(2);
const served = await startMnemo();
const env = { ...process.env, MNEMO_TEST_URL: served.url, MNEMO_TEST_API_KEY: API_KEY };

function exitOf(args: string[]): Promise<number> {
  const runner = spawn(process.execPath, args, { stdio: "inherit", env });
  return new Promise<number>((done) => runner.once("exit", (status) => done(status ?? 1)));
}

let code = 1;
try {
  // The frameworks' own test files, vendored with vitest as their runner (test/vendor/), then ours.
  const vitest = join(import.meta.dirname, "..", "node_modules", "vitest", "vitest.mjs");
  const vendored = await exitOf([vitest, "run", "--config", join(import.meta.dirname, "vendor", "vitest.config.ts")]);
  code = await exitOf(["--import", "tsx", "--test", "--test-concurrency=1", ...files]);
  code ||= vendored;
} finally {
  await served.stop();
}
process.exit(code);
