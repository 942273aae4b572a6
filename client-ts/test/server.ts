/**
 * The real mnemo the tests speak to: `mnemo serve` from the project's venv (MNEMO_SERVE, default
 * ../.venv/bin/mnemo) on a free loopback port with a temporary data dir, the embedded Redis and one
 * API key. `npm test` starts one for the whole run (test/run.ts) and hands its URL down in
 * MNEMO_TEST_URL; a test file run alone starts its own.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, openSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before } from "node:test";

export const API_KEY = "key-of-the-typescript-tests";
const REPO = resolve(import.meta.dirname, "..", "..");

export interface Served {
  url: string;
  apiKey: string;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const probe = createServer();
    probe.once("error", fail);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => (typeof address === "object" && address ? done(address.port) : fail(new Error("no port"))));
    });
  });
}

/** Start `mnemo serve` and wait until it is ready (up to four minutes: the embedding model loads). */
export async function startMnemo(): Promise<Served> {
  const serve = resolve(process.env.MNEMO_SERVE ?? join(REPO, ".venv", "bin", "mnemo"));
  const root = mkdtempSync(join(tmpdir(), "mnemo-ts-"));
  const port = await freePort();
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("MNEMO_")));
  const log = join(root, "serve.log");
  const out = openSync(log, "w");
  const child: ChildProcess = spawn(serve, ["serve"], {
    cwd: root,
    stdio: ["ignore", out, out],
    env: {
      ...env,
      HF_HUB_OFFLINE: "1",
      MNEMO_DATA_DIR: join(root, "data"),
      MNEMO_HOST: "127.0.0.1",
      MNEMO_PORT: String(port),
      MNEMO_API_KEYS: `${API_KEY}:typescript`,
    },
  });
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise<number | null>((done) => child.once("exit", (code) => done(code)));
  const stop = async () => {
    if (child.exitCode === null) {
      child.kill("SIGTERM");
      await exited;
    }
    rmSync(root, { recursive: true, force: true });
  };
  const deadline = Date.now() + 240_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`mnemo serve exited:\n${readFileSync(log, "utf8")}`);
    try {
      if ((await fetch(`${url}/ready`, { signal: AbortSignal.timeout(1000) })).ok) {
        return { url, apiKey: API_KEY, stop };
      }
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  const text = readFileSync(log, "utf8");
  await stop();
  throw new Error(`mnemo serve did not become ready:\n${text}`);
}

/** The run's server (MNEMO_TEST_URL), else one of this file's own, stopped after its tests. */
export async function mnemo(): Promise<{ url: string; apiKey: string }> {
  const given = process.env.MNEMO_TEST_URL;
  if (given) return { url: given, apiKey: process.env.MNEMO_TEST_API_KEY ?? API_KEY };
  const served = await startMnemo();
  after(() => served.stop());
  return served;
}

/**
 * A test file's mnemo (see `mnemo`), filled in by a `before` hook: the client options that reach it. Read
 * them in tests, not in the file's own `before` hooks (node 20 runs a file's root hooks at once).
 */
export function mnemoBeforeTests(): Readonly<{ baseUrl: string; apiKey: string }> {
  const options = { baseUrl: "", apiKey: "" };
  before(async () => {
    const served = await mnemo();
    Object.assign(options, { baseUrl: served.url, apiKey: served.apiKey });
  });
  return options;
}

/** A user of its own per test: every adapter scopes what it writes, so tests never meet. */
export function newUser(): string {
  return `u-${crypto.randomUUID().slice(0, 10)}`;
}
