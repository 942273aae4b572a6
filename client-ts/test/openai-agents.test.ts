/**
 * MnemoSession (the SDK's Session contract, and the SDK's Runner keeping a conversation in it) and
 * mnemoFunctionTools, against a real mnemo. The model is scripted: it plays given outputs in turn
 * and records what the Runner sent it.
 */
import assert from "node:assert/strict";
import { before, test } from "node:test";

import {
  Agent,
  type AgentInputItem,
  type Model,
  type ModelRequest,
  type ModelResponse,
  Usage,
  run,
  setTracingDisabled,
} from "@openai/agents";

import { Mnemo } from "../src/index.js";
import { MnemoSession, mnemoFunctionTools, threadIdOf } from "../src/openai-agents.js";
import { mnemoBeforeTests, newUser } from "./server.js";

const served = mnemoBeforeTests();
before(() => setTracingDisabled(true));

const user = (text: string): AgentInputItem => ({ role: "user", content: [{ type: "input_text", text }] });
const said = (text: string) => ({
  type: "message" as const,
  role: "assistant" as const,
  status: "completed" as const,
  content: [{ type: "output_text" as const, text }],
});
const calls = (name: string, args: unknown, callId: string) => ({
  type: "function_call" as const,
  callId,
  name,
  arguments: JSON.stringify(args),
  status: "completed" as const,
});

class ScriptedModel implements Model {
  readonly requests: ModelRequest[] = [];
  constructor(private readonly outputs: ModelResponse["output"][]) {}
  async getResponse(request: ModelRequest): Promise<ModelResponse> {
    this.requests.push(request);
    const output = this.outputs.shift();
    assert.ok(output, "the model was called more often than scripted");
    return { usage: new Usage(), output };
  }
  // eslint-disable-next-line require-yield
  async *getStreamedResponse(): AsyncIterable<never> {
    throw new Error("not streamed in these tests");
  }
}

function session(options: { sessionId?: string; user?: string } = {}): MnemoSession {
  return new MnemoSession({
    ...served,
    sessionId: options.sessionId,
    scope: { user_id: options.user ?? newUser() },
  });
}

test("the Session contract: add, get with a limit, pop, clear", async () => {
  const s = session();
  const id = await s.getSessionId();
  assert.match(id, /^[0-9a-f-]{36}$/);
  assert.equal(await s.getSessionId(), id, "one thread per session");
  assert.deepEqual(await s.getItems(), []);
  assert.equal(await s.popItem(), undefined);

  const items = [user("hello"), said("hi there"), user("how are you?")] as AgentInputItem[];
  await s.addItems(items);
  assert.deepEqual(await s.getItems(), items);
  assert.deepEqual(await s.getItems(2), items.slice(1), "the latest items, oldest first");
  assert.deepEqual(await s.getItems(0), []);

  assert.deepEqual(await s.popItem(), items[2]);
  assert.deepEqual(await s.getItems(), items.slice(0, 2));

  await s.clearSession();
  assert.deepEqual(await s.getItems(), []);
  assert.deepEqual(await s.getItems(3), []);
  assert.equal(await s.popItem(), undefined);
  await s.addItems([user("after the clear")]);
  assert.deepEqual(await s.getItems(), [user("after the clear")]);
});

test("a session resumes by its id, and forgetting its user removes it", async () => {
  const who = newUser();
  const first = session({ user: who });
  await first.addItems([user("remember me")]);
  const resumed = session({ sessionId: await first.getSessionId() });
  assert.deepEqual(await resumed.getItems(), [user("remember me")]);

  await new Mnemo(served).forget({ scope: { user_id: who } });
  assert.deepEqual(await resumed.getItems(), [], "a forgotten conversation reads as an empty one");
});

test("a session named by the caller is made on first write and found again by its name", async () => {
  const who = newUser();
  const named = session({ sessionId: "user_123", user: who });
  assert.equal(await named.getSessionId(), "user_123");
  assert.deepEqual(await named.getItems(), [], "nothing written yet: an empty conversation");
  await named.addItems([user("my seat is 14C")]);
  const again = session({ sessionId: "user_123", user: who });
  assert.deepEqual(await again.getItems(), [user("my seat is 14C")]);
  assert.equal(await again.getThreadId(), await named.getThreadId());
  const someoneElse = session({ sessionId: "user_123" });
  assert.deepEqual(await someoneElse.getItems(), [], "another user's session of the same name is another");
});

test("a named session's thread is the one the Python MnemoSession derives", async () => {
  assert.equal(await threadIdOf("user_123", { user_id: "mei" }), "28d337a8-b272-5a79-84c5-3b75c207020c");
  assert.equal(
    await threadIdOf("café ☕", { user_id: "mei", agent_id: "a" }),
    "4162cbf2-e92e-53b5-abca-ddaaaec103dc",
  );
  const uuid = "6F9619FF-8B86-D011-B42D-00CF4FC964FF";
  assert.equal(await threadIdOf(uuid, { user_id: "mei" }), uuid.toLowerCase());
});

test("the Runner keeps the conversation in the session across runs", async () => {
  const s = session();
  const model = new ScriptedModel([[said("Nice to meet you, Ivo.")], [said("Your name is Ivo.")]]);
  const agent = new Agent({ name: "assistant", instructions: "Be brief.", model });
  const one = await run(agent, "My name is Ivo.", { session: s });
  assert.equal(one.finalOutput, "Nice to meet you, Ivo.");
  const two = await run(agent, "What is my name?", { session: s });
  assert.equal(two.finalOutput, "Your name is Ivo.");

  const sent = JSON.stringify(model.requests[1]?.input);
  assert.match(sent, /My name is Ivo/, "the second run sends the first run's turns");
  assert.match(sent, /Nice to meet you, Ivo/);
  assert.equal((await s.getItems()).length, 4);
});

test("function tools remember and recall; a refusal is the tool's answer, not a rejection", async () => {
  const who = newUser();
  const tools = mnemoFunctionTools({ ...served, scope: { user_id: who } });
  const model = new ScriptedModel([
    [calls("remember", { content: "", memory_type: null }, "c1")],
    [calls("remember", { content: "Jun plays the cello", memory_type: "semantic" }, "c2")],
    [calls("recall", { query: "What instrument does Jun play?" }, "c3")],
    [said("Jun plays the cello.")],
  ]);
  const agent = new Agent({ name: "assistant", model, tools });
  const result = await run(agent, "Remember that Jun plays the cello, then check.");
  assert.equal(result.finalOutput, "Jun plays the cello.");

  const outputs = model.requests.map((r) => JSON.stringify(r.input));
  assert.match(outputs[1] ?? "", /mnemo refused: 422 invalid_input.*memories\.0\.content/);
  assert.match(outputs[2] ?? "", /Remembered \(id [0-9a-f-]{36}, created\)/);
  assert.match(outputs[3] ?? "", /Jun plays the cello \(id /);
  const stored = await new Mnemo(served).listPage({ user_id: who });
  assert.deepEqual(
    stored.memories.map((m) => m.content),
    ["Jun plays the cello"],
  );
});
