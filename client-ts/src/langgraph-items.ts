/**
 * LangGraph.js store items as mnemo memories, and the store's own selection of them: namespaces
 * encoded into scopes, values into metadata, the searchable text, value filters and namespace
 * matches. Pure functions: the store (`langgraph.ts`) does the requests.
 */
import {
  InvalidNamespaceError,
  type MatchCondition,
  type SearchItem,
  getTextAtPath,
} from "@langchain/langgraph-checkpoint";

import type { MemoryRecord } from "./types.js";

export const META = "langgraph"; // the metadata key of a store item: {namespace, key, value_json, updated_at, indexed}
const ROOT = "lg"; // the first label of every encoded namespace
const SAFE = /^[A-Za-z0-9._:@-]$/;
const MAX_SCOPE_CHARS = 256;
/** The most of an item's text that is embedded and searched: the server's limit of a memory's content. */
export const MAX_TEXT_CHARS = 32_000;
/** The largest value, in characters of JSON (the server keeps 2 MiB of metadata; escaping costs some). */
export const MAX_VALUE_CHARS = 1_500_000;

export type Json = Record<string, unknown>;
export interface Meta {
  namespace: string[];
  key: string;
  value_json?: string;
  value?: Json; // items of older stores
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

export function strings(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value && typeof value === "object") return Object.values(value).flatMap(strings);
  return [];
}

export function content(value: Json, index: string[] | undefined): string {
  const texts = index ? index.flatMap((path) => getTextAtPath(value, path)) : strings(value);
  return (texts.filter((t) => t.trim()).join("\n") || JSON.stringify(value)).slice(0, MAX_TEXT_CHARS);
}

/** The value as JSON text: any JSON document rides in one metadata string, whatever its shape. */
export function encodeValue(value: Json): string {
  const text = JSON.stringify(value);
  if (text.length > MAX_VALUE_CHARS) {
    throw new Error(`a store value is at most ${MAX_VALUE_CHARS} characters of JSON; this one has ${text.length}`);
  }
  return text;
}

export function metaOf(record: MemoryRecord): Meta | undefined {
  const meta = (record.metadata as Json | undefined)?.[META] as Meta | undefined;
  if (!meta || !Array.isArray(meta.namespace) || typeof meta.key !== "string") return undefined;
  return typeof meta.value_json === "string" || "value" in meta ? meta : undefined;
}

export function itemOf(record: MemoryRecord, meta: Meta, score?: number): SearchItem {
  const created = new Date(record.created_at);
  const item: SearchItem = {
    namespace: meta.namespace,
    key: meta.key,
    value: typeof meta.value_json === "string" ? (JSON.parse(meta.value_json) as Json) : (meta.value ?? {}),
    createdAt: created,
    // `updated_at` is the writer's clock before the write and `created_at` the server's as it
    // stores it: an item is never updated before it was created.
    updatedAt: meta.updated_at ? new Date(Math.max(Date.parse(meta.updated_at), created.getTime())) : created,
  };
  if (score !== undefined) item.score = score;
  return item;
}

export function at(value: unknown, path: string): unknown {
  let here = value;
  for (const part of path.split(".")) {
    if (!here || typeof here !== "object" || Array.isArray(here) || !(part in here)) return undefined;
    here = (here as Json)[part];
  }
  return here;
}

export function compare(actual: unknown, operator: string, expected: unknown): boolean {
  if (operator === "$eq") return matches(actual, expected);
  if (operator === "$ne") return !matches(actual, expected);
  // $in / $nin: one of the values given, or none of them, as LangGraph.js's own stores filter.
  if (operator === "$in") return Array.isArray(expected) && expected.some((e) => matches(actual, e));
  if (operator === "$nin") return !Array.isArray(expected) || !expected.some((e) => matches(actual, e));
  const bounds: Record<string, (a: number, b: number) => boolean> = {
    $gt: (a, b) => a > b,
    $gte: (a, b) => a >= b,
    $lt: (a, b) => a < b,
    $lte: (a, b) => a <= b,
  };
  const check = bounds[operator];
  if (!check) throw new Error(`unsupported filter operator ${operator} (use $eq $ne $gt $gte $lt $lte $in $nin)`);
  if (typeof actual !== "number" && typeof actual !== "string") return false;
  const a = Number(actual);
  const b = Number(expected);
  return !Number.isNaN(a) && !Number.isNaN(b) && check(a, b);
}

export function matches(actual: unknown, expected: unknown): boolean {
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

export function passes(value: Json, filter: Json | undefined): boolean {
  return Object.entries(filter ?? {}).every(([path, expected]) => matches(at(value, path), expected));
}

export function under(namespace: string[], prefix: string[]): boolean {
  return prefix.every((label, i) => namespace[i] === label);
}

export function fits(namespace: string[], condition: MatchCondition): boolean {
  const { path } = condition;
  if (namespace.length < path.length) return false;
  const part = condition.matchType === "prefix" ? namespace.slice(0, path.length) : namespace.slice(namespace.length - path.length);
  return path.every((p, i) => p === "*" || p === part[i]);
}

export function newestFirst(items: SearchItem[]): SearchItem[] {
  const key = (i: SearchItem) => [i.updatedAt.getTime(), i.namespace.join("\u0000"), i.key] as const;
  return [...items].sort((x, y) => {
    const [a, b] = [key(x), key(y)];
    return b[0] - a[0] || (b[1] > a[1] ? 1 : b[1] < a[1] ? -1 : 0) || (b[2] > a[2] ? 1 : b[2] < a[2] ? -1 : 0);
  });
}
