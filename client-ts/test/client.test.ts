/** The client against a real `mnemo serve`: every method, and refusals as typed problem details. */
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";

import { AuthenticationError, InvalidInput, Mnemo, MnemoError, NotFound, UnknownModel } from "../src/index.js";
import { mnemo, newUser } from "./server.js";

let client: Mnemo;
let served: { url: string; apiKey: string };

before(async () => {
  served = await mnemo();
  client = new Mnemo({ baseUrl: served.url, apiKey: served.apiKey });
});

describe("memories", () => {
  test("remember, then retrieve within a budget, by type, with explain", async () => {
    const user = newUser();
    const written = await client.remember([
      { type: "semantic", content: "Alice drinks green tea every morning", scope: { user_id: user } },
      { type: "episodic", content: "Alice hiked Mount Tamalpais on Sunday", scope: { user_id: user } },
    ]);
    assert.equal(written.results.length, 2);
    assert.ok(written.results.every((r) => r.id && r.status === "created"));

    const result = await client.retrieve("What does Alice drink?", {
      scope: { user_id: user },
      budget_tokens: 200,
      types: ["semantic"],
      explain: true,
    });
    assert.ok(result.metadata.total_tokens <= 200);
    assert.deepEqual(
      result.memories.map((m) => m.type),
      ["semantic"],
    );
    assert.match(result.context, /green tea/);
    assert.ok(result.memories[0]?.explain, "explain gives each hit's terms");
    assert.ok(Array.isArray(result.left_out), "explain lists what was left out");
  });

  test("retrieve by a model's budget, with min_confidence and a task's working memory", async () => {
    const user = newUser();
    const task = `task-${user}`;
    await client.remember({ type: "semantic", content: "The deploy key lives in the vault", scope: { user_id: user } });
    await client.working(task).append({ content: "currently rotating the deploy key", scope: { user_id: user } });

    const byModel = await client.retrieve("where is the deploy key?", {
      scope: { user_id: user },
      model: "gpt-4o-mini",
      task_id: task,
    });
    assert.ok(byModel.metadata.budget > 0);
    assert.match(byModel.context, /rotating the deploy key/, "the task's working memory comes first");

    const strict = await client.retrieve("where is the deploy key?", {
      scope: { user_id: user },
      budget_tokens: 500,
      min_confidence: 1,
    });
    assert.ok(strict.memories.every((m) => m.confidence >= 1));
    assert.equal(typeof strict.metadata.top_confidence, "number");
  });

  test("get, list page by page, search, delete", async () => {
    const user = newUser();
    const contents = ["Bob owns a red bicycle", "Bob works at the harbour", "Bob's sister is Carol"];
    const { results } = await client.remember(contents.map((content) => ({ type: "semantic" as const, content, scope: { user_id: user } })));
    const id = results[0]?.id;
    assert.ok(id);

    const record = await client.get(id);
    assert.equal(record.content, contents[0]);
    assert.equal(record.scope.user_id, user);

    const first = await client.listPage({ user_id: user, limit: 2 });
    assert.equal(first.memories.length, 2);
    assert.ok(first.next_cursor, "a second page");
    const all = [];
    for await (const memory of client.list({ user_id: user, limit: 2 })) all.push(memory.content);
    assert.deepEqual(all.sort(), [...contents].sort());

    const found = await client.search("bicycle", { user_id: user });
    assert.equal(found.hits[0]?.memory.id, id);

    await client.delete(id);
    await assert.rejects(client.get(id), NotFound);
  });
});

describe("lifecycles, due intentions, change history", () => {
  test("a due intention is listed, completed, and its history kept", async () => {
    const user = newUser();
    const due = new Date(Date.now() - 60_000).toISOString();
    const { results } = await client.remember({ type: "prospective", content: "Call the plumber", due_at: due, scope: { user_id: user } });
    const id = results[0]?.id ?? "";
    const listed = await client.due({ user_id: user });
    assert.deepEqual(
      listed.due.map((d) => [d.memory.id, d.overdue]),
      [[id, true]],
    );
    const done = await client.lifecycle(id, "complete");
    assert.equal(done.status, "done");
    assert.deepEqual((await client.due({ user_id: user })).due, []);
    const history = await client.history(id);
    assert.equal(history.memory_id, id);
    assert.ok(history.entries.length >= 2, "written, then completed");
    const refused = await client.lifecycle(id, "used").catch((e: unknown) => e);
    assert.ok(refused instanceof MnemoError && refused.status === 409, "a procedure's use is no intention's");
  });
});

describe("time and truth", () => {
  test("a superseded fact answers as of then, a dependent goes stale and is reviewed", async () => {
    const user = newUser();
    const scope = { user_id: user };
    await client.remember([
      { type: "semantic", content: "Sam lives in Leeds.", id: "home", occurred_at: "2025-01-01T09:00:00Z", scope },
      { type: "semantic", content: "Sam cycles to the Leeds office.", depends_on: ["home"], occurred_at: "2025-02-01T09:00:00Z", scope },
    ]);
    const moved = await client.remember({
      type: "semantic", content: "Sam moved to York.", supersedes: ["home"], occurred_at: "2026-06-01T09:00:00Z", scope,
    });
    assert.equal(moved.results[0]?.status, "merged");
    const options = { scope, types: ["semantic" as const], min_confidence: 0 };
    const now = await client.retrieve("Where does Sam live?", options);
    assert.equal(now.memories[0]?.content, "Sam moved to York.");
    const then = await client.retrieve("Where does Sam live?", { ...options, as_of: { at: "2025-06-01T00:00:00Z" } });
    assert.equal(then.memories[0]?.content, "Sam lives in Leeds.");
    const listed = await client.listPage({ user_id: user, as_of: "2025-06-01T00:00:00Z" });
    assert.deepEqual(listed.memories.map((m) => m.content).sort(), ["Sam cycles to the Leeds office.", "Sam lives in Leeds."]);
    const stale = [];
    for await (const memory of client.stale({ user_id: user })) stale.push(memory);
    assert.deepEqual(stale.map((m) => m.content), ["Sam cycles to the Leeds office."]);
    const id = stale[0]?.id ?? "";
    const ended = await client.invalidate(id, { reason: "Sam works from home now" });
    assert.equal(ended.memory.invalidation_reason, "Sam works from home now");
    assert.deepEqual((await client.listPage({ user_id: user })).left_out, { superseded: 1, expired: 1, not_yet_valid: 0 });
  });
});

describe("threads, working memory, forget, health", () => {
  test("a thread's turns come back in order", async () => {
    const user = newUser();
    const thread = await client.threads.create({ scope: { user_id: user } });
    await client.threads.append(thread.id, { role: "user", content: "hello" });
    await client.threads.append(thread.id, { role: "assistant", content: "hi, how can I help?" });
    const history = await client.threads.history(thread.id, { budget_tokens: 1000 });
    assert.deepEqual(
      history.turns.map((t) => [t.role, t.content]),
      [
        ["user", "hello"],
        ["assistant", "hi, how can I help?"],
      ],
    );
  });

  test("working memory: append, items, clear", async () => {
    const task = `task-${newUser()}`;
    const working = client.working(task);
    await working.append({ content: "step one done", priority: 2 });
    await working.append({ content: "step two pending" });
    assert.deepEqual((await working.items()).map((i) => i.content).sort(), ["step one done", "step two pending"]);
    const cleared = await working.clear();
    assert.equal(cleared.archived, 2);
    assert.deepEqual(await working.items(), []);
  });

  test("forget a user: a dry run counts, the real one removes and gives a receipt", async () => {
    const user = newUser();
    await client.remember({ type: "semantic", content: "Dana's passport number is private", scope: { user_id: user } });
    await client.threads.create({ scope: { user_id: user } });

    const dry = await client.forget({ scope: { user_id: user }, dry_run: true });
    assert.equal(dry.dry_run, true);
    assert.equal(dry.memory_ids.length, 1);
    assert.equal((await client.listPage({ user_id: user })).memories.length, 1, "a dry run removes nothing");

    const receipt = await client.forget({ scope: { user_id: user } });
    assert.equal(receipt.removed, dry.removed);
    assert.equal(receipt.thread_ids.length, 1);
    assert.match(receipt.digest, /^[0-9a-f]{16,}/);
    assert.equal((await client.listPage({ user_id: user })).memories.length, 0);
    const erasure = await client.erasure(receipt.digest);
    assert.equal(erasure.digest, receipt.digest);
  });

  test("forget by topic: a preview lists what would go, its token forgets exactly that", async () => {
    const user = newUser();
    const scope = { user_id: user };
    await client.remember([
      { type: "semantic", content: "The user plays tennis every Saturday morning.", scope },
      { type: "semantic", content: "The user's card is 4111 1111 1111 1111.", scope },
      { type: "semantic", content: "The user keeps bees in the garden.", scope },
    ]);
    const preview = await client.forgetPreview({ query: "tennis", scope });
    assert.equal(preview.matches.length, 1);
    assert.match(preview.matches[0]?.why ?? "", /tennis/);
    assert.ok(preview.preview_token);
    assert.equal((await client.listPage({ user_id: user })).memories.length, 3, "a preview removes nothing");
    const receipt = await client.forgetPreviewed({ preview_token: preview.preview_token });
    assert.deepEqual(receipt.memory_ids, [preview.matches[0]?.id]);
    assert.equal(receipt.selected_by?.query, "tennis");

    const cards = await client.forgetPreview({ sensitive: ["card"], scope, mask_sensitive: true });
    assert.equal(cards.matches[0]?.content, "The user's card is [CARD].");
    const stored = await client.get(cards.matches[0]?.id ?? "");
    assert.deepEqual(stored.sensitive?.map((s) => s.kind), ["card"]);
    assert.equal((await client.get(stored.id, { maskSensitive: true })).content, "The user's card is [CARD].");
  });

  test("health and ready", async () => {
    assert.deepEqual(await client.health(), { status: "ok" });
    assert.ok(await client.ready());
  });
});

describe("refusals are typed problem details", () => {
  test("422 names the field path", async () => {
    const error = await client
      .remember({ type: "semantic", content: "", scope: { user_id: "bad user!" } })
      .catch((e: unknown) => e);
    assert.ok(error instanceof InvalidInput);
    assert.equal(error.status, 422);
    assert.equal(error.code, "invalid_input");
    assert.deepEqual(error.fields.sort(), ["memories.0.content", "memories.0.scope.user_id"]);
    assert.ok(error.requestId);
  });

  test("an unknown model", async () => {
    const error = await client.retrieve("anything", { model: "no-such-model" }).catch((e: unknown) => e);
    assert.ok(error instanceof UnknownModel && error instanceof InvalidInput);
    assert.deepEqual(error.fields, ["model"]);
  });

  test("a wrong API key", async () => {
    const stranger = new Mnemo({ baseUrl: served.url, apiKey: "not-a-key" });
    const error = await stranger.retrieve("anything").catch((e: unknown) => e);
    assert.ok(error instanceof AuthenticationError);
    assert.equal(error.status, 401);
    assert.ok(error instanceof MnemoError && error.problem.type);
  });
});
