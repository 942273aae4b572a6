/**
 * MnemoStore through LangGraph.js's own BaseStore methods (get, put, delete, search, listNamespaces,
 * batch) and inside a compiled graph, against a real mnemo.
 */
import assert from "node:assert/strict";
import { test } from "node:test";

import { Annotation, type LangGraphRunnableConfig, StateGraph } from "@langchain/langgraph";
import { InvalidNamespaceError } from "@langchain/langgraph-checkpoint";

import { Mnemo } from "../src/index.js";
import { MnemoStore, encodeNamespace } from "../src/langgraph.js";
import { mnemoBeforeTests, newUser } from "./server.js";

const served = mnemoBeforeTests();

function store(user = newUser()): MnemoStore {
  return new MnemoStore({ ...served, scope: { user_id: user } });
}

test("put, get, overwrite and delete an item", async () => {
  const s = store();
  assert.equal(await s.get(["prefs", "alice"], "theme"), null);
  await s.put(["prefs", "alice"], "theme", { color: "dark", size: 12 });
  const item = await s.get(["prefs", "alice"], "theme");
  assert.deepEqual(item?.value, { color: "dark", size: 12 });
  assert.deepEqual(item?.namespace, ["prefs", "alice"]);
  assert.equal(item?.key, "theme");
  assert.ok(item?.createdAt instanceof Date && item.updatedAt instanceof Date);
  assert.ok(item.updatedAt >= item.createdAt, "an item is never updated before it was created");

  await s.put(["prefs", "alice"], "theme", { color: "light", size: 12 });
  assert.deepEqual((await s.get(["prefs", "alice"], "theme"))?.value, { color: "light", size: 12 });
  assert.equal(await s.get(["prefs", "bob"], "theme"), null);
  await s.put(["prefs", "bob"], "theme", { color: "blue" });
  assert.deepEqual((await s.get(["prefs", "bob"], "theme"))?.value, { color: "blue" });
  const alices = await s.get(["prefs", "alice"], "theme");
  assert.deepEqual(alices?.value, { color: "light", size: 12 }, "the same key in another namespace is another item");

  await s.delete(["prefs", "alice"], "theme");
  assert.equal(await s.get(["prefs", "alice"], "theme"), null);
  await s.delete(["prefs", "alice"], "theme"); // deleting what is gone holds
});

test("search: by namespace prefix, filters with operators, pages, and by meaning", async () => {
  const s = store();
  await s.put(["docs", "a"], "d1", { text: "The cat sleeps on the warm windowsill", kind: "pet", rank: 1 });
  await s.put(["docs", "a"], "d2", { text: "Quarterly revenue grew by twelve percent", kind: "finance", rank: 2 });
  await s.put(["docs", "b"], "d3", { text: "Dogs love long walks in the park", kind: "pet", rank: 3 });
  await s.put(["other"], "d4", { text: "Unrelated note", kind: "pet", rank: 4 });

  const underDocs = await s.search(["docs"]);
  assert.deepEqual(underDocs.map((i) => i.key).sort(), ["d1", "d2", "d3"]);
  assert.deepEqual(
    (await s.search(["docs"], { filter: { kind: "pet" } })).map((i) => i.key).sort(),
    ["d1", "d3"],
  );
  assert.deepEqual((await s.search([], { filter: { rank: { $gte: 3 } } })).map((i) => i.key).sort(), ["d3", "d4"]);
  assert.deepEqual((await s.search(["docs"], { filter: { kind: { $ne: "pet" } } })).map((i) => i.key), ["d2"]);
  const page = await s.search(["docs"], { limit: 2, offset: 1 });
  assert.equal(page.length, 2);
  assert.deepEqual(page, underDocs.slice(1, 3), "newest first, paged");

  const byMeaning = await s.search(["docs"], { query: "a sleepy kitten" });
  assert.equal(byMeaning[0]?.key, "d1");
  assert.equal(typeof byMeaning[0]?.score, "number");
  assert.ok(byMeaning.every((i) => i.namespace[0] === "docs"));
});

test("an item put with index false is stored but not found by meaning", async () => {
  const s = store();
  await s.put(["notes"], "hidden", { text: "the launch code is swordfish" }, false);
  assert.ok(await s.get(["notes"], "hidden"));
  assert.deepEqual(await s.search(["notes"], { query: "launch code" }), []);
});

test("listNamespaces with prefix, suffix, wildcards and maxDepth; batch keeps the order", async () => {
  const s = store();
  await s.put(["a", "b", "c"], "k", { v: 1 });
  await s.put(["a", "b", "d"], "k", { v: 2 });
  await s.put(["a", "e"], "k", { v: 3 });
  await s.put(["x", "b", "c"], "k", { v: 4 });
  assert.deepEqual(await s.listNamespaces(), [["a", "b", "c"], ["a", "b", "d"], ["a", "e"], ["x", "b", "c"]]);
  assert.deepEqual(await s.listNamespaces({ prefix: ["a", "b"] }), [["a", "b", "c"], ["a", "b", "d"]]);
  assert.deepEqual(await s.listNamespaces({ suffix: ["c"] }), [["a", "b", "c"], ["x", "b", "c"]]);
  assert.deepEqual(await s.listNamespaces({ prefix: ["*", "b"] }), [["a", "b", "c"], ["a", "b", "d"], ["x", "b", "c"]]);
  assert.deepEqual(await s.listNamespaces({ maxDepth: 1 }), [["a"], ["x"]]);
  assert.deepEqual(await s.listNamespaces({ limit: 1, offset: 1 }), [["a", "b", "d"]]);

  const results = await s.batch([
    { namespace: ["a", "e"], key: "k" },
    { namespace: ["a", "e"], key: "k2", value: { v: 5 } },
    { namespacePrefix: ["a", "e"], limit: 10, offset: 0 },
    { matchConditions: [{ matchType: "prefix", path: ["x"] }], limit: 10, offset: 0 },
    { namespace: ["a", "e"], key: "none" },
  ] as const);
  assert.deepEqual(results[0]?.value, { v: 3 });
  assert.equal(results[1], null); // a put's result, as LangGraph.js's InMemoryStore gives it
  // Reads in a batch see the store as it was before the batch's writes, as in LangGraph.js's InMemoryStore.
  assert.deepEqual(results[2].map((i) => i.key).sort(), ["k"]);
  assert.deepEqual((await s.search(["a", "e"])).map((i) => i.key).sort(), ["k", "k2"]);
  assert.deepEqual(results[3], [["x", "b", "c"]]);
  assert.equal(results[4], null);
});

test("bad namespaces keep LangGraph's error; labels outside the scope alphabet are escaped", async () => {
  const s = store();
  await assert.rejects(s.put([], "k", { v: 1 }), InvalidNamespaceError);
  await assert.rejects(s.put(["a.b"], "k", { v: 1 }), InvalidNamespaceError);
  await assert.rejects(s.put(["x".repeat(300)], "k", { v: 1 }), InvalidNamespaceError);
  assert.equal(encodeNamespace(["café", "a b"]), "lg/caf+C3+A9/a+20b");
  await s.put(["café", "a b"], "k", { v: "ünïcode" });
  assert.deepEqual((await s.get(["café", "a b"], "k"))?.value, { v: "ünïcode" });
});

test("the store sees only its own scope, and forgetting its user removes its items", async () => {
  const user = newUser();
  const mine = store(user);
  const theirs = store();
  await mine.put(["shared"], "k", { v: "mine" });
  await theirs.put(["shared"], "k", { v: "theirs" });
  assert.deepEqual((await mine.get(["shared"], "k"))?.value, { v: "mine" });
  const client = new Mnemo(served);
  await client.forget({ scope: { user_id: user } });
  assert.equal(await mine.get(["shared"], "k"), null);
  assert.deepEqual((await theirs.get(["shared"], "k"))?.value, { v: "theirs" });
});

test("in a compiled graph, nodes reach the store through their config", async () => {
  const s = store();
  const State = Annotation.Root({ fact: Annotation<string>, recalled: Annotation<string> });
  const graph = new StateGraph(State)
    .addNode("write", async (state: typeof State.State, config: LangGraphRunnableConfig) => {
      await config.store?.put(["facts"], "f1", { text: state.fact });
      return {};
    })
    .addNode("read", async (_state: typeof State.State, config: LangGraphRunnableConfig) => {
      const [hit] = (await config.store?.search(["facts"], { query: "favourite fruit" })) ?? [];
      return { recalled: String(hit?.value.text ?? "") };
    })
    .addEdge("__start__", "write")
    .addEdge("write", "read")
    .compile({ store: s });
  const out = await graph.invoke({ fact: "Hana's favourite fruit is mango" });
  assert.equal(out.recalled, "Hana's favourite fruit is mango");
});
