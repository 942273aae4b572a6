/**
 * The TypeScript blocks of docs/typescript.md and of this package's README: each type-checks, and
 * each that needs no model (```ts, not ```ts typecheck) runs against the real server.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { before, test } from "node:test";
import { promisify } from "node:util";

import { mnemoBeforeTests } from "./server.js";

const ROOT = resolve(import.meta.dirname, "..");
const BLOCKS = join(ROOT, "doc-blocks");
const PAGES = { docs: join(ROOT, "..", "docs", "typescript.md"), readme: join(ROOT, "README.md") };
const run = promisify(execFile);

interface Block {
  name: string;
  code: string;
  runs: boolean;
}

function blocks(): Block[] {
  return Object.entries(PAGES).flatMap(([page, path]) =>
    [...readFileSync(path, "utf8").matchAll(/```ts( typecheck)?\n([\s\S]*?)```/g)].map((m, i) => ({
      name: `${page}-${i + 1}.ts`,
      code: m[2] ?? "",
      runs: !m[1],
    })),
  );
}

const served = mnemoBeforeTests();
before(async () => {
  rmSync(BLOCKS, { recursive: true, force: true });
  mkdirSync(BLOCKS);
  for (const block of blocks()) writeFileSync(join(BLOCKS, block.name), block.code);
  writeFileSync(
    join(BLOCKS, "tsconfig.json"),
    JSON.stringify({ extends: "../tsconfig.json", compilerOptions: { noUncheckedIndexedAccess: false }, include: ["*.ts"] }),
  );
});

test("both pages have blocks, and every block type-checks", async () => {
  const found = blocks();
  assert.ok(found.filter((b) => b.name.startsWith("docs")).length >= 4);
  assert.ok(found.some((b) => b.name.startsWith("readme")));
  await run(join(ROOT, "node_modules", ".bin", "tsc"), ["--noEmit", "-p", BLOCKS]).catch((error: { stdout?: string }) => {
    assert.fail(`a block does not type-check:\n${error.stdout}`);
  });
});

for (const block of blocks().filter((b) => b.runs)) {
  test(`${block.name} runs`, async () => {
    writeFileSync(join(BLOCKS, block.name), block.code.replaceAll("http://127.0.0.1:8080", served.baseUrl));
    const env = { ...process.env, MNEMO_API_KEY: served.apiKey };
    const { stdout } = await run(process.execPath, ["--import", "tsx", join(BLOCKS, block.name)], { env, timeout: 120_000 });
    assert.ok(stdout.trim(), "it prints what it shows");
  });
}
