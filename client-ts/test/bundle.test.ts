/**
 * The client runs where only `fetch` exists: bundled for a neutral platform (no Node built-ins, as
 * for browsers, Deno, Bun and edge workers) it resolves, and stays small; each adapter bundles with
 * its framework left to the user.
 */
import assert from "node:assert/strict";
import { join, resolve } from "node:path";
import { test } from "node:test";
import { gzipSync } from "node:zlib";

import { build } from "esbuild";

const DIST = resolve(import.meta.dirname, "..", "dist");
const FRAMEWORKS = ["ai", "zod", "@langchain/*", "@openai/*"];

async function bundle(entry: string): Promise<Uint8Array> {
  const out = await build({
    entryPoints: [join(DIST, `${entry}.js`)],
    bundle: true,
    minify: true,
    format: "esm",
    platform: "neutral",
    external: FRAMEWORKS,
    write: false,
    logLevel: "silent",
  });
  const [file] = out.outputFiles;
  assert.ok(file);
  return file.contents;
}

test("the client bundles for a neutral platform, under 8 kB gzipped with openapi-fetch", async () => {
  const code = await bundle("index");
  assert.ok(gzipSync(code).length < 8_000, `${gzipSync(code).length} B gzipped`);
  assert.doesNotMatch(new TextDecoder().decode(code), /from\s*"node:/);
});

for (const adapter of ["ai-sdk", "langgraph", "openai-agents"]) {
  test(`the ${adapter} adapter bundles with its framework external`, async () => {
    const code = new TextDecoder().decode(await bundle(adapter));
    assert.doesNotMatch(code, /from\s*"node:/);
  });
}
