/**
 * docs/typescript.md's install steps, followed as a user would: each ```sh block of its "Install"
 * section runs with bash in an empty folder, the clone's `~/mnemo/client-ts` being a fresh copy of
 * this package (no node_modules, no dist, as a clone has it), then the page's first example runs
 * there with `npx tsx` against the real server. npm reaches the registry for tsx.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { after, before, test } from "node:test";
import { promisify } from "node:util";

import { mnemo } from "./server.js";

const ROOT = resolve(import.meta.dirname, "..");
const PAGE = readFileSync(join(ROOT, "..", "docs", "typescript.md"), "utf8");
const NOT_IN_A_CLONE = new Set(["node_modules", "dist", "doc-blocks", "test", "bench"]);
const run = promisify(execFile);
// A user's shell: none of the variables `npm test` hands its scripts (npm_config_*, npm_package_*).
const shell = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.toLowerCase().startsWith("npm_")));

const install = PAGE.slice(PAGE.indexOf("## Install"), PAGE.indexOf("\n## ", PAGE.indexOf("## Install") + 1));
const steps = [...install.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] ?? "");
const example = /```ts\n([\s\S]*?)```/.exec(PAGE)?.[1] ?? "";

let served: { url: string; apiKey: string };
let scratch: string;
let clone: string;
before(async () => {
  served = await mnemo();
  scratch = mkdtempSync(join(tmpdir(), "mnemo-ts-install-"));
  clone = join(scratch, "mnemo", "client-ts");
  cpSync(ROOT, clone, { recursive: true, filter: (path) => !NOT_IN_A_CLONE.has(basename(path)) && !path.endsWith(".tgz") });
});
after(() => rmSync(scratch, { recursive: true, force: true }));

test("the page installs two ways: from the clone and from a packed tarball", () => {
  assert.equal(steps.length, 2);
  assert.match(steps[0] ?? "", /npm install ~\/mnemo\/client-ts /);
  assert.match(steps[1] ?? "", /npm pack/);
  for (const step of steps) assert.match(step, /npm pkg set type=module/);
});

for (const [index, name] of ["from the clone", "from a packed tarball"].entries()) {
  test(`installed ${name}, the page's first example runs`, async () => {
    const project = join(scratch, `project-${index}`);
    mkdirSync(project);
    const script = (steps[index] ?? "").replaceAll("~/mnemo/client-ts", clone);
    await run("bash", ["-euo", "pipefail", "-c", script], { cwd: project, env: shell, timeout: 300_000 }).catch((error: { stderr?: string }) => {
      assert.fail(`the install steps failed:\n${error.stderr}`);
    });
    writeFileSync(join(project, "example.ts"), example.replaceAll("http://127.0.0.1:8080", served.url));
    const env = { ...shell, MNEMO_API_KEY: served.apiKey };
    const { stdout } = await run("npx", ["tsx", "example.ts"], { cwd: project, env, timeout: 120_000 });
    assert.match(stdout, /Alice drinks green tea/);
    assert.match(stdout, /422 invalid_input \[ 'budget_tokens' \]/);
  });
}
