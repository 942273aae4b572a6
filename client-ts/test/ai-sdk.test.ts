/** mnemoTools in the Vercel AI SDK's own generateText, driven by the SDK's mock model (ai/test). */
import assert from "node:assert/strict";
import { test } from "node:test";

import { generateText, stepCountIs } from "ai";
import { MockLanguageModelV4 } from "ai/test";

import { Mnemo } from "../src/index.js";
import { mnemoTools } from "../src/ai-sdk.js";
import { mnemoBeforeTests, newUser } from "./server.js";

const served = mnemoBeforeTests();

const usage = {
  inputTokens: { total: 1, noCache: 1, cacheRead: 0, cacheWrite: 0 },
  outputTokens: { total: 1, text: 1, reasoning: 0 },
};

function call(id: string, toolName: string, input: unknown) {
  return {
    content: [{ type: "tool-call" as const, toolCallId: id, toolName, input: JSON.stringify(input) }],
    finishReason: { unified: "tool-calls" as const, raw: "tool_calls" },
    usage,
    warnings: [],
  };
}

function answer(text: string) {
  return { content: [{ type: "text" as const, text }], finishReason: { unified: "stop" as const, raw: "stop" }, usage, warnings: [] };
}

type Step = (prompt: string) => ReturnType<typeof call> | ReturnType<typeof answer>;

/** A model that plays `steps` in turn, each given the prompt the SDK built so far. */
function scripted(steps: Step[]) {
  let turn = 0;
  return new MockLanguageModelV4({
    doGenerate: async (options) => {
      const step = steps[turn++];
      assert.ok(step, "the model was called more often than scripted");
      return step(JSON.stringify(options.prompt));
    },
  });
}

/** generateText on `prompt` with mnemoTools in `user`'s scope, the model playing `steps` (with room
 * for two steps more, so that a model called too often fails its script's assertion). */
function playedFor(user: string, prompt: string, steps: Step[]) {
  const tools = mnemoTools({ ...served, scope: { user_id: user } });
  return generateText({ model: scripted(steps), tools, stopWhen: stepCountIs(steps.length + 2), prompt });
}

test("remember, recall and forget through generateText, in the caller's scope", async () => {
  const user = newUser();
  let forgottenId = "";
  const result = await playedFor(user, "Remember that Erin is allergic to peanuts, then check, then forget it.", [
    () => call("c1", "remember", { content: "Erin is allergic to peanuts" }),
    () => call("c2", "recall", { query: "What is Erin allergic to?" }),
    (prompt) => {
      forgottenId = /id ([0-9a-f-]{36})/.exec(prompt)?.[1] ?? "";
      return call("c3", "forget", { memory_id: forgottenId });
    },
    () => answer("done"),
  ]);
  assert.equal(result.text, "done");
  const outputs = result.steps.flatMap((s) => s.toolResults.map((r) => String(r.output)));
  assert.match(outputs[0] ?? "", /^Remembered \(id [0-9a-f-]{36}, created\)\.$/);
  assert.match(outputs[1] ?? "", /Erin is allergic to peanuts/);
  assert.equal(outputs[2], `Forgot ${forgottenId}.`);
  const client = new Mnemo(served);
  assert.equal((await client.listPage({ user_id: user })).memories.length, 0);
});

test("a refusal is a tool error the model reads and retries after, never a rejection", async () => {
  const user = newUser();
  let seenByModel = "";
  const result = await playedFor(user, "Remember Frank's seat preference.", [
    () => call("c1", "remember", { content: "" }),
    (prompt) => {
      seenByModel = prompt;
      return call("c2", "remember", { content: "Frank prefers window seats" });
    },
    () => answer("stored"),
  ]);
  assert.equal(result.text, "stored");
  const errors = result.steps.flatMap((s) => s.content.filter((p) => p.type === "tool-error"));
  assert.equal(errors.length, 1);
  assert.match(String((errors[0] as { error: unknown }).error), /422 invalid_input.*memories\.0\.content/);
  assert.match(seenByModel, /memories\.0\.content/, "the model reads which field was wrong");
  const client = new Mnemo(served);
  const stored = (await client.listPage({ user_id: user })).memories.map((m) => m.content);
  assert.deepEqual(stored, ["Frank prefers window seats"]);
});

test("forget does not reach another scope's memory", async () => {
  const client = new Mnemo(served);
  const other = await client.remember({ type: "semantic", content: "Gina's pin is 1234", scope: { user_id: newUser() } });
  const id = other.results[0]?.id ?? "";
  const tools = mnemoTools({ client, scope: { user_id: newUser() } });
  const said = await tools.forget.execute?.({ memory_id: id }, { toolCallId: "x", messages: [] } as never);
  assert.equal(said, `No memory ${id}.`);
  assert.equal((await client.get(id)).content, "Gina's pin is 1234");
});
