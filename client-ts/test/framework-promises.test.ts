/**
 * What LangGraph.js's BaseStore and the Agents SDK's Session promise, held by the adapters on a real
 * mnemo with API keys: a search ranks every matching item (`limit` after `offset`, however alike the
 * items are), any JSON value of a megabyte round-trips exactly, 10,000 concurrent operations on one
 * store complete, parallel writers get through the tenant's write limit, `batch()` takes the
 * reserved `langgraph` root label that `put()` refuses, and pops are atomic.
 */
import assert from "node:assert/strict";
import { test } from "node:test";

import { InvalidNamespaceError } from "@langchain/langgraph-checkpoint";

import { MAX_TEXT_CHARS, MnemoStore } from "../src/langgraph.js";
import { MnemoSession } from "../src/openai-agents.js";
import { mnemoBeforeTests, newUser } from "./server.js";

const served = mnemoBeforeTests();

function store(user = newUser()): MnemoStore {
  return new MnemoStore({ ...served, scope: { user_id: user } });
}

test("a search pages through every matching item, however alike", async () => {
  const s = store();
  for (let i = 0; i < 5; i++) await s.put(["test"], `doc${i}`, { text: `test document number ${i}` });
  await s.put(["other"], "far", { text: "test document number 0" });
  const pages = await Promise.all([0, 2, 4].map((offset) => s.search(["test"], { query: "test", limit: 2, offset })));
  assert.deepEqual(
    pages.map((p) => p.length),
    [2, 2, 1],
  );
  const all = pages.flat();
  assert.deepEqual(all.map((i) => i.key).sort(), ["doc0", "doc1", "doc2", "doc3", "doc4"]);
  const scores = all.map((i) => i.score ?? NaN);
  assert.deepEqual(scores, [...scores].sort((a, b) => b - a));
});

test("a megabyte value of any JSON shape round-trips exactly", async () => {
  const s = store();
  let deep: unknown = "bottom";
  for (let i = 0; i < 100; i++) deep = { d: deep };
  const rows = Array.from({ length: 20_000 }, (_, i) => ({ i, name: `row ${i}`, tags: ["a", "b"], score: i / 8 }));
  const value = { rows, deep, "": { "\u0000key": null, é: [true, false, [], {}] } };
  assert.ok(JSON.stringify(value).length > 1_000_000);
  await s.put(["big"], "one", value);
  assert.deepEqual((await s.get(["big"], "one"))?.value, value);
});

test("10,000 concurrent operations on one store complete", async () => {
  const s = store();
  const ops: Array<Promise<unknown>> = [];
  for (let m = 0; m < 10; m++) {
    const ns = ["test", "foo", "bar", String(m % 2)];
    for (let i = 0; i < 200; i++) {
      ops.push(s.put(ns, `key${i}`, { foo: `bar${i}` }));
      ops.push(s.get(ns, `key${i}`));
      ops.push(s.listNamespaces({ maxDepth: m + 1 }));
      ops.push(s.search(["test"], { limit: 5 }));
      ops.push(s.delete(ns, i % 2 ? `key${i}` : `gone${i}`));
    }
  }
  const started = Date.now();
  const results = await Promise.all(ops);
  console.log(`10,000 concurrent LangGraph.js store operations: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  assert.equal(results.length, 10_000);
  assert.ok(await s.get(["test", "foo", "bar", "0"], "key0"));
  assert.equal(await s.get(["test", "foo", "bar", "0"], "key1"), null);
});

test("51 parallel writers under API keys all get through", async () => {
  const user = newUser();
  // A store each, as 51 graph nodes on as many workers would write: 51 requests at once.
  await Promise.all(Array.from({ length: 51 }, (_, n) => store(user).put(["superstep"], `node${n}`, { text: `node ${n}` })));
  assert.equal((await store(user).search(["superstep"], { limit: 100 })).length, 51);
});

test("batch() takes the reserved langgraph root label; put() refuses it", async () => {
  const s = store();
  await s.batch([{ namespace: ["langgraph", "x"], key: "k", value: { text: "reserved root" } }]);
  const [got] = await s.batch([{ namespace: ["langgraph", "x"], key: "k" }]);
  assert.deepEqual(got?.value, { text: "reserved root" });
  await assert.rejects(s.put(["langgraph", "y"], "k", { v: 1 }), InvalidNamespaceError);
});

test("only the first characters of an item's text are searched; the value is kept whole", async () => {
  const s = store();
  const filler = "lorem ipsum ".repeat(MAX_TEXT_CHARS / 12 + 10);
  await s.put(["long"], "tail", { text: `${filler} the zebra hides at the very end` });
  await s.put(["long"], "head", { text: "a zebra stands here" });
  assert.ok(((await s.get(["long"], "tail"))?.value.text as string).endsWith("very end"));
  assert.deepEqual(
    (await s.search(["long"], { query: "zebra", limit: 1 })).map((i) => i.key),
    ["head"],
  );
});

test("concurrent pops pop different items", async () => {
  const s = new MnemoSession({ sessionId: `pops-${newUser()}`, baseUrl: served.baseUrl, apiKey: served.apiKey });
  await s.addItems(Array.from({ length: 6 }, (_, i) => ({ role: "user" as const, content: `message ${i}` })));
  const popped = await Promise.all([1, 2, 3, 4].map(() => s.popItem()));
  const contents = popped.map((p) => (p && "content" in p ? String(p.content) : "")).sort();
  assert.deepEqual(contents, ["message 2", "message 3", "message 4", "message 5"]);
  assert.deepEqual(
    (await s.getItems()).map((i) => ("content" in i ? i.content : "")),
    ["message 0", "message 1"],
  );
});
