// One real `mnemo serve` for a test file, started from the server's venv (MNEMO_SERVE, default
// ../../../.venv/bin/mnemo) on a free loopback port with a temporary data dir and two API keys:
// two tenants, to show each protocol keeps them apart.
import { spawn } from "node:child_process";
import { mkdtempSync, openSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const KEY = "key-of-tenant-a";
export const OTHER_KEY = "key-of-tenant-b";

function freePort() {
  return new Promise((done) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => done(port));
    });
  });
}

export async function startMnemo() {
  const serve = resolve(process.env.MNEMO_SERVE ?? "../../../.venv/bin/mnemo");
  const root = mkdtempSync(join(tmpdir(), "mnemo-compat-js-"));
  const port = await freePort();
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("MNEMO_")));
  Object.assign(env, {
    HF_HUB_OFFLINE: "1",
    MNEMO_DATA_DIR: join(root, "data"),
    MNEMO_HOST: "127.0.0.1",
    MNEMO_PORT: String(port),
    MNEMO_API_KEYS: `${KEY}:tenant-a,${OTHER_KEY}:tenant-b`,
  });
  const log = join(root, "serve.log");
  const out = openSync(log, "w");
  const child = spawn(serve, ["serve"], { env, cwd: root, stdio: ["ignore", out, out] });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 240_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`mnemo serve exited:\n${readFileSync(log, "utf8")}`);
    try {
      if ((await fetch(`${url}/ready`)).status === 200) return { url, stop: () => child.kill("SIGTERM") };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  child.kill("SIGKILL");
  throw new Error(`mnemo serve did not become ready:\n${readFileSync(log, "utf8")}`);
}
