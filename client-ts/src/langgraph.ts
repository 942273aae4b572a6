/**
 * LangGraph.js: `MnemoStore`, a `BaseStore` whose items are mnemo memories, as the Python client's
 * `mnemo_client.langgraph.MnemoStore`. Peer dependency: `@langchain/langgraph-checkpoint`.
 *
 *     const store = new MnemoStore({ baseUrl, apiKey, scope: { user_id: "alice" } });
 *     const graph = builder.compile({ store });     // nodes reach it as config.store
 *
 * An item is one memory of `memoryType` (semantic): its caller id is a digest of the store's scope,
 * the namespace and the key (a caller id names one memory in the whole tenant), its namespace the
 * memory's `scope.namespace` (`lg/<label>/<label>…`, labels escaped to the scope alphabet) beside
 * the store's own `user_id` / `agent_id`, so forgetting that user removes the store's items too. The
 * value (as JSON text: any JSON document up to MAX_VALUE_CHARS), the namespace and the update time
 * ride in the memory's metadata; the memory's content (what is embedded and searched, its first
 * MAX_TEXT_CHARS characters) is the text at the `index` paths of the put, else every string in the
 * value. Items are written without prefilter or dedup: a store keeps what it is given.
 *
 * A search selects the store's items by namespace prefix and value filters (`{k: v}`,
 * `$eq $ne $gt $gte $lt $lte $in $nin`, dotted paths) here, over the store's memories, which it lists page by
 * page: keep a store's scope to one user or agent where the tenant is large. With a query, the
 * selected items that are indexed come ranked by the cosine similarity of their text and the query
 * (`POST /v1/memories/rank`: every one scored, none dropped), `limit` after `offset`; without one,
 * newest first. Concurrent calls are gathered into one batch on the next turn of the event loop:
 * one listing answers every read, identical searches are ranked once, the writes go in a few
 * requests, a few requests at once; reads see the store as it was before the batch's writes, as in
 * LangGraph.js's InMemoryStore. The store's client waits out a busy tenant's 429s for two minutes.
 * Bad input keeps LangGraph's shape (`InvalidNamespaceError`); a refusal of mnemo is the client's
 * typed `MnemoError`.
 */
import {
  BaseStore,
  type GetOperation,
  type ListNamespacesOperation,
  type Operation,
  type OperationResults,
  type PutOperation,
  type SearchItem,
  type SearchOperation,
  validateNamespace,
} from "@langchain/langgraph-checkpoint";

import { Mnemo, type MnemoOptions } from "./client.js";
import { NotFound } from "./errors.js";
import {
  META,
  type Json,
  type Meta,
  content,
  encodeNamespace,
  encodeValue,
  fits,
  itemOf,
  metaOf,
  newestFirst,
  passes,
  under,
} from "./langgraph-items.js";
import type { WritableType } from "./memory-tools.js";
import type { MemoryRecord, Scope } from "./types.js";

export { MAX_TEXT_CHARS, MAX_VALUE_CHARS, encodeNamespace } from "./langgraph-items.js";

const PAGE = 500; // memories per listed page, the server's most
const RANK_IDS = 10_000; // ids per rank request, the server's most
const WRITE_ITEMS = 100; // memories per write request
const WRITE_CHARS = 4_000_000; // JSON characters per write request, well inside the server's 8 MiB body
const IN_FLIGHT = 8; // requests of one batch at once

type Key = string; // JSON of [namespace, key]
const keyOf = (namespace: string[], key: string): Key => JSON.stringify([namespace, key]);
type Ranking = [string, number][]; // (memory id, similarity), best first

interface Waiting {
  op: Operation;
  resolve: (result: unknown) => void;
  reject: (error: unknown) => void;
}

/** A batch's ops, checked, and what answering them needs. Reads are answered from one listing taken
 * before the batch's writes; for each key only its last put counts. */
interface Plan {
  ops: Operation[];
  failed: Map<number, unknown>;
  puts: Map<Key, PutOperation>;
  listing: boolean; // whether the store's items must be listed
  namespace?: string[]; // the one namespace listed, where one is enough
}

const isSearch = (op: Operation): op is SearchOperation => "namespacePrefix" in op;
const isPut = (op: Operation): op is PutOperation => "value" in op;
const isGet = (op: Operation): op is GetOperation => !isSearch(op) && !isPut(op) && "key" in op;

function check(op: Operation): void {
  const lenient = { allowEmpty: true, allowReservedRoot: true };
  if (isSearch(op)) validateNamespace(op.namespacePrefix, lenient);
  else if (isGet(op)) validateNamespace(op.namespace, lenient);
  else if (isPut(op) && op.value === null) validateNamespace(op.namespace, lenient);
  else if (isPut(op) && op.value !== null) {
    // The reserved root label is `put()`'s to refuse (BaseStore.put does); `batch()` takes it, as
    // LangGraph's own stores do.
    validateNamespace(op.namespace, { allowReservedRoot: true });
    encodeValue(op.value);
  }
  if (isGet(op) || isPut(op)) encodeNamespace(op.namespace);
}

function plan(ops: Operation[]): Plan {
  const batch: Plan = { ops, failed: new Map(), puts: new Map(), listing: false };
  const spaces = new Map<string, string[]>();
  ops.forEach((op, i) => {
    try {
      check(op);
    } catch (error) {
      batch.failed.set(i, error);
      return;
    }
    if (isPut(op)) batch.puts.set(keyOf(op.namespace, op.key), op);
    if (isGet(op) || (isPut(op) && op.value === null)) spaces.set(JSON.stringify(op.namespace), op.namespace);
    else if (!isPut(op)) batch.listing = true;
  });
  if (spaces.size && !batch.listing) {
    batch.listing = true;
    if (spaces.size === 1) batch.namespace = [...spaces.values()][0];
  }
  return batch;
}

/** The store's items as listed, by key. */
class Snapshot {
  readonly items = new Map<Key, [MemoryRecord, SearchItem]>();

  constructor(records: MemoryRecord[]) {
    for (const record of records) {
      const meta = metaOf(record);
      if (meta) this.items.set(keyOf(meta.namespace, meta.key), [record, itemOf(record, meta)]);
    }
  }

  selected(op: SearchOperation): Array<[MemoryRecord, SearchItem]> {
    return [...this.items.values()].filter(([, item]) => under(item.namespace, op.namespacePrefix) && passes(item.value, op.filter));
  }
}

interface Rank {
  query: string;
  ids: string[];
  best: number; // how many of the best
}

function rankOf(op: SearchOperation, selected: Array<[MemoryRecord, SearchItem]>): Rank | undefined {
  const ids = selected.filter(([record]) => metaOf(record)?.indexed !== false).map(([record]) => record.id);
  const { limit = 10, offset = 0 } = op;
  return op.query && ids.length ? { query: op.query, ids: ids.sort(), best: offset + limit } : undefined;
}

const rankKey = (rank: Rank): string => JSON.stringify([rank.query, rank.ids, rank.best]);

function answer(op: Operation, snapshot: Snapshot, ranked: Map<string, Ranking>): unknown {
  if (isGet(op)) {
    const found = snapshot.items.get(keyOf(op.namespace, op.key));
    if (!found) return null;
    const { score: _score, ...item } = found[1];
    return item;
  }
  if (isPut(op)) return null; // a put's result in a batch, as LangGraph.js's InMemoryStore gives it
  if (isSearch(op)) {
    const { limit = 10, offset = 0 } = op;
    const selected = snapshot.selected(op);
    if (!op.query) return newestFirst(selected.map(([, item]) => item)).slice(offset, offset + limit);
    const rank = rankOf(op, selected);
    if (!rank) return [];
    const byId = new Map(selected.map(([record, item]) => [record.id, item]));
    return (ranked.get(rankKey(rank)) ?? [])
      .slice(offset, offset + limit)
      .flatMap(([id, score]) => {
        const item = byId.get(id);
        return item ? [{ ...item, score }] : [];
      });
  }
  return listNamespaces(snapshot, op);
}

function listNamespaces(snapshot: Snapshot, op: ListNamespacesOperation): string[][] {
  const found = new Map<string, string[]>();
  for (const [, item] of snapshot.items.values()) {
    if (!(op.matchConditions ?? []).every((c) => fits(item.namespace, c))) continue;
    const namespace = op.maxDepth === undefined ? item.namespace : item.namespace.slice(0, op.maxDepth);
    found.set(JSON.stringify(namespace), namespace);
  }
  const sorted = [...found.values()].sort((a, b) => {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      if (a[i] !== b[i]) return (a[i] ?? "") < (b[i] ?? "") ? -1 : 1;
    }
    return a.length - b.length;
  });
  return sorted.slice(op.offset, op.offset + op.limit);
}

/** `tasks` run at most `n` at a time; their results in order. */
async function bounded<T>(tasks: Array<() => Promise<T>>, n: number): Promise<T[]> {
  const results: T[] = new Array<T>(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await tasks[i]!();
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, tasks.length) }, worker));
  return results;
}

export interface MnemoStoreOptions extends MnemoOptions {
  /** The client to use; else one is made from the other options (baseUrl, apiKey, …). */
  client?: Mnemo;
  /** The scope every item is written and read in: the store sees only its own scope. */
  scope?: Pick<Scope, "user_id" | "agent_id">;
  /** The mnemo type items are (semantic). */
  memoryType?: WritableType;
  /** The default value paths that make an item's searchable text (a put's own `index` wins). */
  index?: string[];
}

export class MnemoStore extends BaseStore {
  readonly client: Mnemo;
  readonly scope: Pick<Scope, "user_id" | "agent_id">;
  readonly memoryType: WritableType;
  readonly index: string[] | undefined;
  private queued: Waiting[] | undefined;

  constructor(options: MnemoStoreOptions = {}) {
    super();
    const { client, scope = {}, memoryType = "semantic", index, ...clientOptions } = options;
    // A busy tenant's 429s are waited out (Retry-After) for two minutes: a graph's parallel nodes
    // queue for the tenant's write slot rather than fail.
    this.client = client ?? new Mnemo({ timeoutMs: 30_000, retryDeadlineS: 120, ...clientOptions });
    this.scope = Object.fromEntries(Object.entries(scope).filter(([, v]) => v != null));
    this.memoryType = memoryType;
    this.index = index;
  }

  /** Operations of concurrent calls are gathered into one batch on the next turn of the event loop,
   * as LangGraph's own async stores batch theirs. */
  async batch<Op extends Operation[]>(operations: Op): Promise<OperationResults<Op>> {
    if (this.queued === undefined) {
      this.queued = [];
      setTimeout(() => {
        const queued = this.queued ?? [];
        this.queued = undefined;
        void this.runBatch(queued);
      }, 0);
    }
    const queued = this.queued;
    const results = operations.map((op) => new Promise((resolve, reject) => queued.push({ op, resolve, reject })));
    return (await Promise.all(results)) as OperationResults<Op>;
  }

  private async runBatch(queued: Waiting[]): Promise<void> {
    const batch = plan(queued.map((w) => w.op));
    let results: Array<{ ok: boolean; value: unknown }>;
    try {
      results = await this.answerBatch(batch);
    } catch (error) {
      results = queued.map(() => ({ ok: false, value: error })); // every waiting caller gets it
    }
    queued.forEach((waiting, i) => {
      const result = results[i]!;
      if (result.ok) waiting.resolve(result.value);
      else waiting.reject(result.value);
    });
  }

  private async answerBatch(batch: Plan): Promise<Array<{ ok: boolean; value: unknown }>> {
    const snapshot = new Snapshot(batch.listing ? await this.records(batch.namespace) : []);
    const ranks = new Map<string, Rank>();
    batch.ops.forEach((op, i) => {
      const rank = isSearch(op) && !batch.failed.has(i) ? rankOf(op, snapshot.selected(op)) : undefined;
      if (rank) ranks.set(rankKey(rank), rank);
    });
    const answers = await bounded([...ranks.values()].map((rank) => () => this.rank(rank)), IN_FLIGHT);
    const ranked = new Map([...ranks.keys()].map((key, i) => [key, answers[i]!]));
    const results = batch.ops.map((op, i) =>
      batch.failed.has(i) ? { ok: false, value: batch.failed.get(i) } : { ok: true, value: answer(op, snapshot, ranked) },
    );
    const puts = [...batch.puts.values()];
    const refused = await this.write(puts.filter((op) => op.value !== null));
    batch.ops.forEach((op, i) => {
      const error = isPut(op) ? refused.get(keyOf(op.namespace, op.key)) : undefined;
      if (error !== undefined) results[i] = { ok: false, value: error };
    });
    const gone = puts.filter((op) => op.value === null).flatMap((op) => snapshot.items.get(keyOf(op.namespace, op.key))?.[0].id ?? []);
    await bounded(gone.map((id) => () => this.deleteMemory(id)), IN_FLIGHT);
    return results;
  }

  private async records(namespace?: string[]): Promise<MemoryRecord[]> {
    const filters = { type: this.memoryType, ...this.scope, limit: PAGE };
    const records: MemoryRecord[] = [];
    const where = namespace === undefined ? filters : { ...filters, namespace: encodeNamespace(namespace) };
    for await (const record of this.client.list(where)) records.push(record);
    return records;
  }

  private async rank({ query, ids, best }: Rank): Promise<Ranking> {
    const hits: Ranking = [];
    for (let start = 0; start < ids.length; start += RANK_IDS) {
      const chunk = ids.slice(start, start + RANK_IDS);
      const found = await this.client.rank(query, { type: this.memoryType, ids: chunk, limit: Math.min(best, chunk.length) });
      hits.push(...found.hits.map((h): [string, number] => [h.id, h.score]));
    }
    // The best of the chunks, as one rank of all their ids would have answered.
    return hits.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).slice(0, best);
  }

  /** The puts written a slice at a time; a slice refused is written one by one, so that only the
   * refused puts' callers get the refusal (by key). */
  private async write(puts: PutOperation[]): Promise<Map<Key, unknown>> {
    const memories = await Promise.all(puts.map(async (op) => [keyOf(op.namespace, op.key), await this.memory(op)] as const));
    const slices: Array<typeof memories> = [[]];
    let size = 0;
    for (const entry of memories) {
      const chars = entry[1].content.length + String(entry[1].metadata[META].value_json).length * 2 + 1_000;
      if (slices.at(-1)!.length && (slices.at(-1)!.length >= WRITE_ITEMS || size + chars > WRITE_CHARS)) {
        slices.push([]);
        size = 0;
      }
      slices.at(-1)!.push(entry);
      size += chars;
    }
    const refused = new Map<Key, unknown>();
    for (const slice of slices.filter((s) => s.length)) {
      try {
        await this.client.remember(slice.map(([, memory]) => memory), { prefilter: false, dedup: false });
      } catch {
        for (const [key, memory] of slice) {
          try {
            await this.client.remember(memory, { prefilter: false, dedup: false });
          } catch (error) {
            refused.set(key, error);
          }
        }
      }
    }
    return refused;
  }

  private async memory(op: PutOperation) {
    const value = op.value as Json;
    const meta: Meta & Json = {
      namespace: op.namespace,
      key: op.key,
      value_json: encodeValue(value),
      indexed: op.index !== false,
      updated_at: new Date().toISOString(),
    };
    return {
      type: this.memoryType,
      id: await this.callerId(op.namespace, op.key),
      content: content(value, Array.isArray(op.index) ? op.index : this.index),
      scope: { ...this.scope, namespace: encodeNamespace(op.namespace) },
      metadata: { [META]: meta },
    };
  }

  private async deleteMemory(id: string): Promise<void> {
    try {
      await this.client.delete(id);
    } catch (error) {
      if (!(error instanceof NotFound)) throw error; // deleted meanwhile: what was asked holds
    }
  }

  /** The memory's caller id: one per (scope, namespace, key), within the server's 256 characters. */
  private async callerId(namespace: string[], key: string): Promise<string> {
    const identity = JSON.stringify([this.scope.user_id ?? null, this.scope.agent_id ?? null, namespace, key]);
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(identity));
    return `lg-${Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("")}`;
  }
}
