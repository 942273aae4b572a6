// mem0's npm client (`mem0ai`'s MemoryClient) against a real mnemo serve at /mem0.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import MemoryClient from "mem0ai";
import { KEY, OTHER_KEY, startMnemo } from "./server.mjs";

let mnemo;
let client;
const user = `js-${Date.now()}`;
before(async () => {
  mnemo = await startMnemo();
  client = new MemoryClient({ apiKey: KEY, host: `${mnemo.url}/mem0` });
});
after(() => mnemo?.stop());

test("add, get, getAll, search, update, history, delete", async () => {
  const added = await client.add([{ role: "user", content: "Noor keeps bees on her roof in Ghent." }], {
    user_id: user,
    infer: false,
  });
  const id = added.results[0].id;
  assert.equal((await client.get(id)).memory, "Noor keeps bees on her roof in Ghent.");
  const all = await client.getAll({ filters: { user_id: user } });
  assert.equal(all.count, 1);
  const found = await client.search("who keeps bees?", { filters: { user_id: user } });
  assert.equal(found.results[0].id, id);
  await client.update(id, { text: "Noor keeps bees on her roof in Bruges." });
  assert.equal((await client.get(id)).memory, "Noor keeps bees on her roof in Bruges.");
  const events = (await client.history(id)).map((h) => h.event);
  assert.deepEqual(events.slice(0, 2), ["ADD", "UPDATE"]);
  await client.delete(id);
  await assert.rejects(client.get(id));
});

test("users, deleteUsers, deleteAll needs a filter", async () => {
  await client.add("A note of the second user about kites.", { user_id: `${user}-2`, infer: false });
  const names = (await client.users()).results.map((e) => e.name);
  assert.ok(names.includes(`${user}-2`));
  await client.deleteUsers({ user_id: `${user}-2` });
  assert.equal((await client.getAll({ filters: { user_id: `${user}-2` } })).count, 0);
  await assert.rejects(client.deleteAll({}));
});

test("another tenant's key sees nothing", async () => {
  const added = await client.add("Tenant A's secret: the gate code is 2468.", { user_id: user, infer: false });
  const other = new MemoryClient({ apiKey: OTHER_KEY, host: `${mnemo.url}/mem0` });
  await assert.rejects(other.get(added.results[0].id));
  assert.equal((await other.getAll({ filters: { user_id: user } })).count, 0);
});

test("what mnemo does not serve is an error, never a silent success", async () => {
  await assert.rejects(client.getWebhooks({ projectId: "p" }));
  await assert.rejects(client.feedback({ memory_id: "m", feedback: "POSITIVE" }));
});
