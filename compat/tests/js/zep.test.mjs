// Zep's npm SDK (`@getzep/zep-cloud` 3.x, Zep's API v3) against a real mnemo serve at /zep/api/v2.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { ZepClient, ZepError } from "@getzep/zep-cloud";
import { KEY, OTHER_KEY, startMnemo } from "./server.mjs";

let mnemo;
let zep;
const user = `js-${Date.now()}`;
before(async () => {
  mnemo = await startMnemo();
  zep = new ZepClient({ apiKey: KEY, baseUrl: `${mnemo.url}/zep/api/v2` });
});
after(() => mnemo?.stop());

test("users, threads, messages, context, history, graph search, deletes", async () => {
  await zep.user.add({ userId: user, firstName: "Ines" });
  assert.equal((await zep.user.get(user)).firstName, "Ines");
  await zep.thread.create({ threadId: `${user}-t`, userId: user });
  await zep.thread.addMessages(`${user}-t`, {
    messages: [{ role: "user", content: "My bike's rear wheel has a broken spoke." }],
  });
  const history = await zep.thread.get(`${user}-t`);
  assert.equal(history.messages[0].content, "My bike's rear wheel has a broken spoke.");
  const context = await zep.thread.getUserContext(`${user}-t`);
  assert.match(context.context, /broken spoke/);
  const episodes = await zep.graph.search({ userId: user, query: "what is wrong with the bike?", scope: "episodes" });
  assert.match(episodes.episodes[0].content, /broken spoke/);
  await zep.thread.delete(`${user}-t`);
  await zep.user.delete(user);
  await assert.rejects(zep.user.get(user), (e) => e instanceof ZepError && e.statusCode === 404);
});

test("another tenant's key sees nothing; an unserved method is a 501", async () => {
  await zep.user.add({ userId: `${user}-2` });
  const other = new ZepClient({ apiKey: OTHER_KEY, baseUrl: `${mnemo.url}/zep/api/v2` });
  await assert.rejects(other.user.get(`${user}-2`), (e) => e.statusCode === 404);
  await assert.rejects(zep.thread.getSummary("any"), (e) => e.statusCode === 501);
});
