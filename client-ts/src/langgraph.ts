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
 * value, the namespace and the update time ride in the memory's metadata; the memory's content (what
 * is embedded and searched) is the text at the `index` paths of the put, else every string in the
 * value. Items are written without prefilter or dedup: a store keeps what it is given.
 *
 * A search with a query is a mnemo retrieval (scores are mnemo's); without one, items come newest
 * first. Value filters (`{k: v}`, `$eq $ne $gt $gte $lt $lte`, dotted paths) and namespace prefixes
 * are applied here, over the store's memories, which it lists page by page: keep a store's scope to
 * one user or agent where the tenant is large. Bad input keeps LangGraph's shape
 * (`InvalidNamespaceError`); a refusal of mnemo is the client's typed `MnemoError`.
 */
import {
  BaseStore,
  type GetOperation,
  type Item,
  InvalidNamespaceError,
  type ListNamespacesOperation,
  type MatchCondition,
  type Operation,
  type OperationResults,
  type PutOperation,
  type SearchItem,
  type SearchOperation,
  getTextAtPath,
  validateNamespace,
} from "@langchain/langgraph-checkpoint";

import { Mnemo, type MnemoOptions } from "./client.js";
import { NotFound } from "./errors.js";
import type { WritableType } from "./memory-tools.js";
import type { MemoryRecord, Scope } from "./types.js";

const META = "langgraph"; // the metadata key of a store item: {namespace, value, updated_at, indexed}
const ROOT = "lg"; // the first label of every encoded namespace
const SAFE = /^[A-Za-z0-9._:@-]$/;
const MAX_SCOPE_CHARS = 256;
const PAGE = 500;

type Json = Record<string, unknown>;
interface Meta {
  namespace: string[];
  key: string;
  value: Json;
  indexed?: boolean;
  updated_at?: string;
}

/** The scope namespace of a LangGraph namespace: injective, within the scope id alphabet. */
export function encodeNamespace(namespace: string[]): string {
  const bytes = new TextEncoder();
  const labels = namespace.map((label) =>
    Array.from(label)
      .map((c) => (SAFE.test(c) ? c : Array.from(bytes.encode(c), (b) => `+${b.toString(16).toUpperCase().padStart(2, "0")}`).join("")))
      .join(""),
  );
  const encoded = [ROOT, ...labels].join("/");
  if (encoded.length > MAX_SCOPE_CHARS) {
    throw new InvalidNamespaceError(`namespace ${JSON.stringify(namespace)} is too long for a mnemo scope (${encoded.length} > 256)`);
  }
  return encoded;
}

function strings(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value && typeof value === "object") return Object.values(value).flatMap(strings);
  return [];
}

function content(value: Json, index: string[] | undefined): string {
  const texts = index ? index.flatMap((path) => getTextAtPath(value, path)) : strings(value);
  return texts.filter((t) => t.trim()).join("\n") || JSON.stringify(value);
}

function metaOf(record: MemoryRecord): Meta | undefined {
  const meta = (record.metadata as Json | undefined)?.[META] as Meta | undefined;
  return meta && Array.isArray(meta.namespace) && typeof meta.key === "string" && "value" in meta ? meta : undefined;
}

function itemOf(record: MemoryRecord, meta: Meta, score?: number): SearchItem {
  const created = new Date(record.created_at);
  const item: SearchItem = {
    namespace: meta.namespace,
    key: meta.key,
    value: meta.value,
    createdAt: created,
    // `updated_at` is the writer's clock before the write and `created_at` the server's as it
    // stores it: an item is never updated before it was created.
    updatedAt: meta.updated_at ? new Date(Math.max(Date.parse(meta.updated_at), created.getTime())) : created,
  };
  if (score !== undefined) item.score = score;
  return item;
}

function at(value: unknown, path: string): unknown {
  let here = value;
  for (const part of path.split(".")) {
    if (!here || typeof here !== "object" || Array.isArray(here) || !(part in here)) return undefined;
    here = (here as Json)[part];
  }
  return here;
}

function compare(actual: unknown, operator: string, expected: unknown): boolean {
  if (operator === "$eq") return matches(actual, expected);
  if (operator === "$ne") return !matches(actual, expected);
  const bounds: Record<string, (a: number, b: number) => boolean> = {
    $gt: (a, b) => a > b,
    $gte: (a, b) => a >= b,
    $lt: (a, b) => a < b,
    $lte: (a, b) => a <= b,
  };
  const check = bounds[operator];
  if (!check) throw new Error(`unsupported filter operator ${operator} (use $eq $ne $gt $gte $lt $lte)`);
  if (typeof actual !== "number" && typeof actual !== "string") return false;
  const a = Number(actual);
  const b = Number(expected);
  return !Number.isNaN(a) && !Number.isNaN(b) && check(a, b);
}

function matches(actual: unknown, expected: unknown): boolean {
  if (Array.isArray(expected)) {
    return Array.isArray(actual) && actual.length === expected.length && expected.every((e, i) => matches(actual[i], e));
  }
  if (expected && typeof expected === "object") {
    const entries = Object.entries(expected);
    if (entries.some(([k]) => k.startsWith("$"))) return entries.every(([op, v]) => compare(actual, op, v));
    return !!actual && typeof actual === "object" && entries.every(([k, v]) => matches((actual as Json)[k], v));
  }
  return actual === expected;
}

function passes(value: Json, filter: Json | undefined): boolean {
  return Object.entries(filter ?? {}).every(([path, expected]) => matches(at(value, path), expected));
}

function under(namespace: string[], prefix: string[]): boolean {
  return prefix.every((label, i) => namespace[i] === label);
}

function fits(namespace: string[], condition: MatchCondition): boolean {
  const { path } = condition;
  if (namespace.length < path.length) return false;
  const part = condition.matchType === "prefix" ? namespace.slice(0, path.length) : namespace.slice(namespace.length - path.length);
  return path.every((p, i) => p === "*" || p === part[i]);
}

function newestFirst(items: SearchItem[]): SearchItem[] {
  const key = (i: SearchItem) => [i.updatedAt.getTime(), i.namespace.join("\u0000"), i.key] as const;
  return [...items].sort((x, y) => {
    const [a, b] = [key(x), key(y)];
    return b[0] - a[0] || (b[1] > a[1] ? 1 : b[1] < a[1] ? -1 : 0) || (b[2] > a[2] ? 1 : b[2] < a[2] ? -1 : 0);
  });
}

export interface MnemoStoreOptions extends MnemoOptions {
  /** The client to use; else one is made from the other options (baseUrl, apiKey, …). */
  client?: Mnemo;
  /** The scope every item is written and read in: the store sees only its own scope. */
  scope?: Pick<Scope, "user_id" | "agent_id">;
  /** The mnemo type items are (semantic). */
  memoryType?: WritableType;
  /** The token budget of a search with a query (8000): the retrieval packs at most this much. */
  searchBudgetTokens?: number;
  /** The default value paths that make an item's searchable text (a put's own `index` wins). */
  index?: string[];
}

export class MnemoStore extends BaseStore {
  readonly client: Mnemo;
  readonly scope: Pick<Scope, "user_id" | "agent_id">;
  readonly memoryType: WritableType;
  readonly searchBudgetTokens: number;
  readonly index: string[] | undefined;

  constructor(options: MnemoStoreOptions = {}) {
    super();
    const { client, scope = {}, memoryType = "semantic", searchBudgetTokens = 8000, index, ...clientOptions } = options;
    this.client = client ?? new Mnemo({ timeoutMs: 30_000, ...clientOptions });
    this.scope = Object.fromEntries(Object.entries(scope).filter(([, v]) => v != null));
    this.memoryType = memoryType;
    this.searchBudgetTokens = searchBudgetTokens;
    this.index = index;
  }

  async batch<Op extends Operation[]>(operations: Op): Promise<OperationResults<Op>> {
    const results: unknown[] = [];
    for (const op of operations) results.push(await this.one(op));
    return results as OperationResults<Op>;
  }

  private async one(op: Operation): Promise<unknown> {
    if ("namespacePrefix" in op) return this.search_(op);
    if ("value" in op) return this.put_(op);
    if ("key" in op) return this.get_(op);
    return this.listNamespaces_(op);
  }

  private async records(namespace?: string[]): Promise<MemoryRecord[]> {
    const filters = { type: this.memoryType, ...this.scope, limit: PAGE };
    const records: MemoryRecord[] = [];
    const where = namespace === undefined ? filters : { ...filters, namespace: encodeNamespace(namespace) };
    for await (const record of this.client.list(where)) records.push(record);
    return records;
  }

  private async find(namespace: string[], key: string): Promise<MemoryRecord | undefined> {
    return (await this.records(namespace)).find((r) => metaOf(r)?.key === key);
  }

  /** The memory's caller id: one per (scope, namespace, key), within the server's 256 characters. */
  private async callerId(namespace: string[], key: string): Promise<string> {
    const identity = JSON.stringify([this.scope.user_id ?? null, this.scope.agent_id ?? null, namespace, key]);
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(identity));
    return `lg-${Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("")}`;
  }

  private async get_(op: GetOperation): Promise<Item | null> {
    validateNamespace(op.namespace, { allowEmpty: true, allowReservedRoot: true });
    const record = await this.find(op.namespace, op.key);
    const meta = record && metaOf(record);
    if (!record || !meta) return null;
    const { score: _score, ...item } = itemOf(record, meta);
    return item;
  }

  private async put_(op: PutOperation): Promise<void> {
    if (op.value === null) {
      validateNamespace(op.namespace, { allowEmpty: true, allowReservedRoot: true });
      const record = await this.find(op.namespace, op.key);
      if (!record) return;
      try {
        await this.client.delete(record.id);
      } catch (error) {
        if (!(error instanceof NotFound)) throw error; // deleted meanwhile: what was asked holds
      }
      return;
    }
    validateNamespace(op.namespace);
    const paths = Array.isArray(op.index) ? op.index : this.index;
    const meta: Meta & Json = {
      namespace: op.namespace,
      key: op.key,
      value: op.value,
      indexed: op.index !== false,
      updated_at: new Date().toISOString(),
    };
    await this.client.remember(
      {
        type: this.memoryType,
        id: await this.callerId(op.namespace, op.key),
        content: content(op.value, paths),
        scope: { ...this.scope, namespace: encodeNamespace(op.namespace) },
        metadata: { [META]: meta },
      },
      { prefilter: false, dedup: false },
    );
  }

  private async search_(op: SearchOperation): Promise<SearchItem[]> {
    validateNamespace(op.namespacePrefix, { allowEmpty: true, allowReservedRoot: true });
    const { limit = 10, offset = 0 } = op;
    const records = await this.records();
    const candidates: Array<[MemoryRecord, SearchItem]> = [];
    for (const record of records) {
      const meta = metaOf(record);
      if (!meta) continue;
      const item = itemOf(record, meta);
      if (under(item.namespace, op.namespacePrefix) && passes(item.value, op.filter)) candidates.push([record, item]);
    }
    if (!candidates.length) return [];
    if (!op.query) return newestFirst(candidates.map(([, item]) => item)).slice(offset, offset + limit);

    const spaces = new Set(candidates.map(([, item]) => encodeNamespace(item.namespace)));
    // One namespace: the retrieval looks only there.
    const scope = spaces.size === 1 ? { ...this.scope, namespace: [...spaces][0] } : this.scope;
    const result = await this.client.retrieve(op.query, {
      scope,
      types: [this.memoryType],
      budget_tokens: this.searchBudgetTokens,
    });
    const byId = new Map(candidates.filter(([r]) => metaOf(r)?.indexed !== false).map(([r, item]) => [r.id, item]));
    const ranked: SearchItem[] = [];
    for (const memory of result.memories) {
      const item = byId.get(memory.id);
      if (item) {
        ranked.push({ ...item, score: memory.score });
        byId.delete(memory.id);
      }
    }
    return ranked.slice(offset, offset + limit);
  }

  private async listNamespaces_(op: ListNamespacesOperation): Promise<string[][]> {
    const found = new Map<string, string[]>();
    for (const record of await this.records()) {
      const meta = metaOf(record);
      if (!meta || !(op.matchConditions ?? []).every((c) => fits(meta.namespace, c))) continue;
      const namespace = op.maxDepth === undefined ? meta.namespace : meta.namespace.slice(0, op.maxDepth);
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
}
