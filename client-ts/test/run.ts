/**
 * `npm test`: one `mnemo serve` for the whole run, then node's own test runner over the test files
 * (given as arguments), each in its own process, one at a time (the machine's cores serve the server).
 */
import { spawn } from "node:child_process";

import { API_KEY, startMnemo } from "./server.js";

const files = process.argv.slice(2);
const served = await startMnemo();
let code = 1;
try {
  const runner = spawn(process.execPath, ["--import", "tsx", "--test", "--test-concurrency=1", ...files], {
    stdio: "inherit",
    env: { ...process.env, MNEMO_TEST_URL: served.url, MNEMO_TEST_API_KEY: API_KEY },
  });
  code = await new Promise<number>((done) => runner.once("exit", (status) => done(status ?? 1)));
} finally {
  await served.stop();
}
process.exit(code);
