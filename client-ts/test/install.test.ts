/**
 * docs/typescript.md's install steps, followed as a user would: each ```sh block of its "Install"
 * section runs with bash in an empty folder, the clone's `~/mnemo/client-ts` being a fresh copy of
 * this package (no node_modules, no dist, as a clone has it), then the page's first example runs
 * there with `npx tsx` against the real server. Each framework adapter's section is followed the
 * same way, in a clean folder of its own: the install from the clone, then the section's own
 * `npm install …` line (so a package the page forgets to name fails the test), then its example,
 * verbatim, with `npx tsx`. An example that needs a language model gets the framework's own
 * stand-in, set up beside it in `model.ts` (the AI SDK's mock model from `ai/test`; the Agents SDK's
 * default model provider set to a scripted `Model`), which calls mnemo's `remember` tool once and
 * answers. npm reaches the registry for tsx and the frameworks.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { after, before, test } from "node:test";
import { promisify } from "node:util";

import { Mnemo } from "../src/index.js";
import { mnemoBeforeTests } from "./server.js";

const ROOT = resolve(import.meta.dirname, "..");
const PAGE = readFileSync(join(ROOT, "..", "docs", "typescript.md"), "utf8");
const NOT_IN_A_CLONE = new Set(["node_modules", "dist", "doc-blocks", "test", "bench"]);
const run = promisify(execFile);
// A user's shell: none of the variables `npm test` hands its scripts (npm_config_*, npm_package_*).
const shell = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.toLowerCase().startsWith("npm_")));

const install = PAGE.slice(PAGE.indexOf("## Install"), PAGE.indexOf("\n## ", PAGE.indexOf("## Install") + 1));
const steps = [...install.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] ?? "");
const example = /```ts\n([\s\S]*?)```/.exec(PAGE)?.[1] ?? "";

const served = mnemoBeforeTests();
let scratch: string;
let clone: string;
before(async () => {
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
    writeFileSync(join(project, "example.ts"), example.replaceAll("http://127.0.0.1:8080", served.baseUrl));
    const env = { ...shell, MNEMO_API_KEY: served.apiKey };
    const { stdout } = await run("npx", ["tsx", "example.ts"], { cwd: project, env, timeout: 120_000 });
    assert.match(stdout, /Alice drinks green tea/);
    assert.match(stdout, /422 invalid_input \[ 'budget_tokens' \]/);
  });
}

/** The text of the page's section under `## title`. */
function section(title: string): string {
  const start = PAGE.indexOf(`## ${title}\n`);
  assert.ok(start >= 0, `the page has no section ${title}`);
  const end = PAGE.indexOf("\n## ", start + 1);
  return PAGE.slice(start, end === -1 ? undefined : end);
}

/** What the stand-in model has mnemo remember, one text per framework. */
const note = (framework: string) => `a window seat, never the aisle (said through ${framework})`;
const STAND_INS: Record<string, string> = {
  // The AI SDK's mock model: a tool call to remember, then an answer.
  ai: `import { MockLanguageModelV4 } from "ai/test";
const usage = { inputTokens: { total: 1, noCache: 1, cacheRead: 0, cacheWrite: 0 }, outputTokens: { total: 1, text: 1, reasoning: 0 } };
let turn = 0;
export const model = new MockLanguageModelV4({
  doGenerate: async () =>
    turn++ === 0
      ? { content: [{ type: "tool-call", toolCallId: "c1", toolName: "remember", input: JSON.stringify({ content: ${JSON.stringify(note("ai"))} }) }], finishReason: { unified: "tool-calls", raw: "tool_calls" }, usage, warnings: [] }
      : { content: [{ type: "text", text: "Noted." }], finishReason: { unified: "stop", raw: "stop" }, usage, warnings: [] },
});
`,
  // The Agents SDK's default model provider, set to a model that plays two outputs in turn.
  "@openai/agents": `import { setDefaultModelProvider, setTracingDisabled, Usage } from "@openai/agents";
setTracingDisabled(true);
const outputs = [
  [{ type: "function_call", callId: "c1", name: "remember", arguments: JSON.stringify({ content: ${JSON.stringify(note("@openai/agents"))}, memory_type: null }), status: "completed" }],
  [{ type: "message", role: "assistant", status: "completed", content: [{ type: "output_text", text: "Noted." }] }],
];
setDefaultModelProvider({
  getModel: async () => ({
    getResponse: async () => ({ usage: new Usage(), output: outputs.shift() ?? [] }),
    getStreamedResponse: () => { throw new Error("not streamed here"); },
  }),
});
`,
};

const ADAPTERS = [
  { title: "Vercel AI SDK", framework: "ai", said: /^Noted\.$/m },
  { title: "LangGraph.js", framework: "@langchain/langgraph", said: /green tea/ },
  { title: "OpenAI Agents SDK", framework: "@openai/agents", said: /^Noted\. \S+$/m },
];

for (const [index, adapter] of ADAPTERS.entries()) {
  test(`the ${adapter.title} section, followed in a clean folder, runs its example`, async () => {
    const text = section(adapter.title);
    const install = /`(npm install [^`]+)` beside `mnemo-client`/.exec(text)?.[1];
    assert.ok(install?.includes(adapter.framework), `the section names no install line for ${adapter.framework}`);
    const block = /```ts( typecheck)?\n([\s\S]*?)```/.exec(text);
    const needsModel = Boolean(block?.[1]);
    let code = (block?.[2] ?? "").replaceAll("http://127.0.0.1:8080", served.baseUrl);
    assert.ok(code, `the section ${adapter.title} has no example`);

    const project = join(scratch, `adapter-${index}`);
    mkdirSync(project);
    const script = `${(steps[0] ?? "").replaceAll("~/mnemo/client-ts", clone)}\n${install}\n`;
    await run("bash", ["-euo", "pipefail", "-c", script], { cwd: project, env: shell, timeout: 300_000 }).catch((error: { stderr?: string }) => {
      assert.fail(`the section's install steps failed:\n${error.stderr}`);
    });
    if (needsModel) {
      const standIn = STAND_INS[adapter.framework];
      assert.ok(standIn, `no stand-in model for ${adapter.framework}`);
      writeFileSync(join(project, "model.ts"), standIn);
      // The AI SDK example declares its model; the Agents SDK's run() asks the default provider.
      code = code.replace(/^declare const model: LanguageModel;.*$/m, 'const { model } = await import("./model.ts");');
      if (adapter.framework !== "ai") code = `import "./model.ts";\n${code}`;
    }
    writeFileSync(join(project, "example.ts"), code);
    const env = { ...shell, MNEMO_API_KEY: served.apiKey };
    const { stdout } = await run("npx", ["tsx", "example.ts"], { cwd: project, env, timeout: 120_000 }).catch(
      (error: { stdout?: string; stderr?: string }) => assert.fail(`the example failed:\n${error.stdout}\n${error.stderr}`),
    );
    assert.match(stdout, adapter.said);
    if (needsModel) {
      const memories = (await new Mnemo(served).listPage({ user_id: "alice" })).memories;
      assert.ok(memories.some((m) => m.content === note(adapter.framework)), "the tool call did not reach mnemo");
    }
  });
}
