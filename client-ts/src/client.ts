/**
 * `Mnemo`: a client of one mnemo service over openapi-fetch, typed by the generated schema.
 *
 *     const mnemo = new Mnemo({ baseUrl: "http://127.0.0.1:8080", apiKey: process.env.MNEMO_API_KEY });
 *     await mnemo.remember({ type: "semantic", content: "Alice drinks tea", scope: { user_id: "alice" } });
 *     const { context } = await mnemo.retrieve("what does Alice drink?", { budget_tokens: 500 });
 *
 * Every method resolves to the service's answer or rejects with a `MnemoError` (never a raw fetch or
 * JSON error); 429 and 503 answers are retried first (transport.ts).
 */
import createClient from "openapi-fetch";

import { MnemoError, UnexpectedResponse, errorOf } from "./errors.js";
import type { paths } from "./schema.js";
import { type Fetch, type RetryOptions, sender } from "./transport.js";
import type * as T from "./types.js";

export const DEFAULT_URL = "http://127.0.0.1:8080";
// A forget that waits for its erasure answers after a rebuild of each affected type (minutes at most).
const WAIT_FOR_ERASURE_MS = 600_000;

export interface MnemoOptions extends RetryOptions {
  /** The service's URL (http://127.0.0.1:8080). */
  baseUrl?: string;
  /** Sent as `Authorization: Bearer …`; the key names the tenant. */
  apiKey?: string;
  /** Milliseconds each attempt may take (10 000). */
  timeoutMs?: number;
  /** Headers sent with every request. */
  headers?: Record<string, string>;
  /** The fetch to send through (globalThis.fetch): a runtime's own, or one with a proxy agent. */
  fetch?: Fetch;
}

interface Answer<D> {
  data?: D;
  error?: unknown;
  response: Response;
}

export class Mnemo {
  readonly baseUrl: string;
  /** The generated openapi-fetch client, for endpoints this class has no method for. */
  readonly http: ReturnType<typeof createClient<paths>>;
  readonly threads: Threads;
  private readonly longFetch: Fetch;

  constructor(options: MnemoOptions = {}) {
    const { baseUrl = DEFAULT_URL, apiKey, timeoutMs = 10_000, headers, fetch, ...retry } = options;
    this.baseUrl = baseUrl.replace(/\/+$/, "");
    const auth: Record<string, string> = apiKey ? { Authorization: `Bearer ${apiKey}` } : {};
    this.http = createClient<paths>({
      baseUrl: this.baseUrl,
      headers: { Accept: "application/json", ...auth, ...headers },
      fetch: sender(timeoutMs, retry, fetch),
    });
    this.longFetch = sender(Math.max(timeoutMs, WAIT_FOR_ERASURE_MS), retry, fetch);
    this.threads = new Threads(this);
  }

  /** The answer's data, or the typed error of its problem details. */
  async call<D>(request: Promise<Answer<D>>): Promise<D> {
    let answer: Answer<D>;
    try {
      answer = await request;
    } catch (cause) {
      if (cause instanceof MnemoError) throw cause;
      // openapi-fetch parses a 2xx body as JSON: a body that is not is no mnemo answer.
      throw new UnexpectedResponse(`the answer could not be read: ${String(cause)}`, {
        code: "unexpected_response",
        cause,
      });
    }
    const { data, error, response } = answer;
    if (!response.ok) throw errorOf(response, error);
    return data as D;
  }

  // --- memories -------------------------------------------------------------------------------

  /** Write one memory or several; `options`: prefilter, dedup, agent, context, memory. */
  remember(memories: T.MemoryIn | T.MemoryIn[], options: T.WriteOptions = {}): Promise<T.WriteResponse> {
    const body = { ...options, memories: Array.isArray(memories) ? memories : [memories] };
    return this.call(this.http.POST("/v1/memories", { body }));
  }

  /**
   * Ranked memories for `query`, packed into a token budget (`budget_tokens`, or a share of `model`'s
   * context window); `types`, `scope`, `task_id` (its working memory first), `min_confidence`,
   * `explain` (each hit's score terms, and what was left out and why).
   */
  retrieve(query: string, options: T.RetrieveOptions = {}): Promise<T.RetrieveResult> {
    return this.call(this.http.POST("/v1/retrieve", { body: { ...options, query } }));
  }

  /** One memory; `maskSensitive`: its secrets and personal data as typed placeholders (`[CARD]`). */
  get(memoryId: string, options: { maskSensitive?: boolean } = {}): Promise<T.MemoryRecord> {
    const query = options.maskSensitive ? { mask_sensitive: true } : undefined;
    return this.call(this.http.GET("/v1/memories/{memory_id}", { params: { path: { memory_id: memoryId }, query } }));
  }

  /** A delete, not a forget: gone from reads, its text left in the service's files until they are
   * next rewritten, no receipt. `forget({ ids: [memoryId] })` erases it for good. */
  async delete(memoryId: string): Promise<void> {
    await this.call(this.http.DELETE("/v1/memories/{memory_id}", { params: { path: { memory_id: memoryId } } }));
  }

  /** One page of the memories matching `filters`, newest first; pass its `next_cursor` for the next. */
  listPage(filters: T.ListFilters = {}, cursor?: string): Promise<T.MemoryPage> {
    return this.call(this.http.GET("/v1/memories", { params: { query: { ...filters, cursor } } }));
  }

  /** Every memory matching `filters`, newest first, page after page (`limit`: the page size). */
  async *list(filters: T.ListFilters = {}): AsyncGenerator<T.MemoryRecord> {
    let cursor: string | undefined;
    do {
      const page = await this.listPage(filters, cursor);
      yield* page.memories;
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
  }

  /** The memories matching `query` by relevance alone, best first (nothing packed, no access counted). */
  search(query: string, filters: T.SearchFilters = {}): Promise<T.SearchResults> {
    return this.call(this.http.GET("/v1/memories/search", { params: { query: { ...filters, q: query } } }));
  }

  /** The memories of `ids` ranked by similarity to `query`, `limit` after `offset`: every one scored,
   * none dropped (no budget, floor or near-copy removal). At most 10,000 ids a call. */
  rank(query: string, request: Omit<T.RankRequest, "query">): Promise<T.RankResults> {
    return this.call(this.http.POST("/v1/memories/rank", { body: { query, ...request } }));
  }

  /** A memory's change history, oldest first (never its content). */
  history(memoryId: string): Promise<T.MemoryHistory> {
    const path = { memory_id: memoryId };
    return this.call(this.http.GET("/v1/memories/{memory_id}/history", { params: { path } }));
  }

  /** Mark a prospective memory done (`complete`), `cancel` it, or count a `used` procedure. */
  lifecycle(memoryId: string, action: "complete" | "cancel" | "used"): Promise<T.MemoryRecord> {
    const params = { path: { memory_id: memoryId } };
    if (action === "complete") return this.call(this.http.POST("/v1/memories/{memory_id}/complete", { params }));
    if (action === "cancel") return this.call(this.http.POST("/v1/memories/{memory_id}/cancel", { params }));
    return this.call(this.http.POST("/v1/memories/{memory_id}/used", { params }));
  }

  /** Pending intentions due by `now` (+ `within_minutes`), by scope; `as_of`: those pending then. */
  due(filters: T.DueFilters = {}): Promise<T.DueList> {
    return this.call(this.http.GET("/v1/prospective/due", { params: { query: filters } }));
  }

  // --- time and truth -------------------------------------------------------------------------

  /**
   * End a memory's validity (at `valid_until`, default now) without deleting it; the `reason` is kept
   * in its history. Answers the memory and the ids of what was marked stale because it depends on it.
   */
  invalidate(memoryId: string, request: T.InvalidateRequest): Promise<T.Invalidated> {
    const params = { path: { memory_id: memoryId } };
    return this.call(this.http.POST("/v1/memories/{memory_id}/invalidate", { params, body: request }));
  }

  /** A stale memory reviewed and still true: it leaves the review feed. */
  confirm(memoryId: string): Promise<T.MemoryRecord> {
    const params = { path: { memory_id: memoryId } };
    return this.call(this.http.POST("/v1/memories/{memory_id}/confirm", { params }));
  }

  /** The review feed: current memories marked stale (`stale_cause` says why), page after page. */
  async *stale(filters: T.StaleFilters = {}): AsyncGenerator<T.MemoryRecord> {
    let cursor: string | undefined;
    do {
      const query = { ...filters, cursor };
      const page = await this.call(this.http.GET("/v1/memories/stale", { params: { query } }));
      yield* page.memories;
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
  }

  // --- governance -----------------------------------------------------------------------------

  /**
   * Remove every memory, working-memory task and thread of a scope, or the listed memory `ids`;
   * `dry_run` reports without removing. The receipt's `digest` proves what went; the removed text
   * leaves the server's files by its `erase_by` (`erasure(digest)`), or before the answer with
   * `wait_for_erasure`.
   */
  forget(request: T.ForgetRequest): Promise<T.ForgetReceipt> {
    const fetch = request.wait_for_erasure ? this.longFetch : undefined;
    return this.call(this.http.POST("/v1/forget", { body: request, fetch }));
  }

  /**
   * What forgetting the memories about `query` (or holding `sensitive` kinds) would remove, with why
   * each matched, and the near misses that stay; removes nothing. Confirm with `forgetPreviewed`.
   */
  forgetPreview(request: T.ForgetPreviewRequest): Promise<T.ForgetPreview> {
    return this.call(this.http.POST("/v1/forget/preview", { body: request }));
  }

  /** Forget what a preview showed (or only `ids` among it) by its token; the receipt records the query. */
  forgetPreviewed(request: T.ForgetPreviewedRequest): Promise<T.ForgetReceipt> {
    const fetch = request.wait_for_erasure ? this.longFetch : undefined;
    return this.call(this.http.POST("/v1/forget/previewed", { body: request, fetch }));
  }

  /** Where the erasure of a forget's removed text stands, by its receipt's digest. */
  erasure(digest: string): Promise<T.ErasureStatus> {
    return this.call(this.http.GET("/v1/forget/{digest}", { params: { path: { digest } } }));
  }

  // --- working memory, health -----------------------------------------------------------------

  /** The working memory of one task. */
  working(taskId: string): Working {
    return new Working(this, taskId);
  }

  /** Liveness: `{ status: "ok" }` while the process serves. */
  health(): Promise<Record<string, string>> {
    return this.call(this.http.GET("/health"));
  }

  /** Readiness: every engine open (a 503 `MnemoError` while one is not). */
  ready(): Promise<Record<string, unknown>> {
    return this.call(this.http.GET("/ready")) as Promise<Record<string, unknown>>;
  }
}

export class Working {
  constructor(
    private readonly mnemo: Mnemo,
    readonly taskId: string,
  ) {}

  private get path() {
    return { path: { task_id: this.taskId } };
  }

  /** Append an item; `scope` records whose task this is (for forget). */
  append(item: T.WorkingItemIn): Promise<T.AppendResult> {
    return this.mnemo.call(this.mnemo.http.POST("/v1/working/{task_id}/items", { params: this.path, body: item }));
  }

  read(): Promise<T.WorkingView> {
    return this.mnemo.call(this.mnemo.http.GET("/v1/working/{task_id}", { params: this.path }));
  }

  /** The task's live items, newest first. */
  async items(): Promise<T.WorkingItem[]> {
    return (await this.read()).items;
  }

  /** Archive the task's items as working memories and drop the task (`force`: even an unreadable one). */
  clear(options: { force?: boolean } = {}): Promise<T.ClearResult> {
    const params = { ...this.path, query: { force: options.force } };
    return this.mnemo.call(this.mnemo.http.DELETE("/v1/working/{task_id}", { params }));
  }
}

export class Threads {
  constructor(private readonly mnemo: Mnemo) {}

  /** Start a thread; `scope` (user_id, agent_id, namespace) is whose it is (for forget). */
  create(thread: T.ThreadIn = {}): Promise<T.Thread> {
    return this.mnemo.call(this.mnemo.http.POST("/v1/threads", { body: thread }));
  }

  append(threadId: string, turn: T.TurnIn): Promise<T.Turn> {
    const params = { path: { thread_id: threadId } };
    return this.mnemo.call(this.mnemo.http.POST("/v1/threads/{thread_id}/turns", { params, body: turn }));
  }

  /** The thread's chain: the newest turns that fit `budget_tokens`, in order. */
  history(threadId: string, options: { budget_tokens?: number } = {}): Promise<T.ThreadHistory> {
    const params = { path: { thread_id: threadId }, query: options };
    return this.mnemo.call(this.mnemo.http.GET("/v1/threads/{thread_id}/history", { params }));
  }
}
