/**
 * OpenAI Agents SDK for JavaScript: `MnemoSession` (a `Session`: the conversation kept in a mnemo
 * thread) and `mnemoFunctionTools({...})` (remember, recall, forget as function tools). Peer
 * dependencies: `@openai/agents`, `zod`.
 *
 *     const session = new MnemoSession({ sessionId: "user_123", baseUrl, apiKey, scope: { user_id: "alice" } });
 *     await run(agent, "Hi", { session });           // the same id and scope: the same conversation
 *     const agent = new Agent({ name: "assistant", tools: mnemoFunctionTools({ baseUrl, apiKey, scope }) });
 *
 * A session id is the caller's own name for a conversation, as the SDK's sessions take one: its
 * mnemo thread is made on first write, under an id derived from the name and the scope (the same
 * derivation as the Python `MnemoSession`, so both languages reach the same thread; a UUID names the
 * thread itself). Without a session id, a new thread is made on first use and its id is the
 * session's. Each item is one turn of the thread, in order, as JSON;
 * `popItem` and `clearSession` append a marker turn that hides the popped or cleared items (a thread
 * is append-only: forgetting the thread or its user erases them), and turns that others appended as
 * plain text read back as messages. A pop's marker is appended only if no turn came after the history
 * it read (a compare-and-append on the server), so two concurrent pops take two items. A refusal of
 * mnemo rejects a session call with the client's `MnemoError`; from a tool, the model reads it as the tool's answer, as the SDK does with tool errors.
 */
import { type AgentInputItem, type Session, tool } from "@openai/agents";
import { z } from "zod";

import { Mnemo, type MnemoOptions } from "./client.js";
import { Conflict, MnemoError, NotFound } from "./errors.js";
import { FORGET, MemoryTools, type MemoryToolsOptions, RECALL, REMEMBER, WRITABLE_TYPES } from "./memory-tools.js";
import type { Role, Scope, Turn } from "./types.js";

const ITEM = "mnemo_session_item";
const POPPED = "mnemo_session_popped";
const CLEARED = "mnemo_session_cleared";
const ROLES: Record<string, Role> = { user: "user", assistant: "assistant", system: "system", developer: "system" };
const ALL_TURNS = 200_000;
const POP_TRIES = 50; // compare-and-append attempts of one pop, each after a fresh read // the largest history budget the server takes: every turn of a session

/** The session's live items, oldest first, as [turn seq, item]. */
function replay(turns: Turn[]): Array<[number, AgentInputItem]> {
  let items: Array<[number, AgentInputItem]> = [];
  for (const turn of [...turns].sort((a, b) => a.seq - b.seq)) {
    let body: Record<string, unknown> | undefined;
    try {
      const parsed: unknown = JSON.parse(turn.content);
      if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) body = parsed as Record<string, unknown>;
    } catch {
      body = undefined;
    }
    if (body && ITEM in body) items.push([turn.seq, body[ITEM] as AgentInputItem]);
    else if (body && POPPED in body) items = items.filter(([seq]) => seq !== body[POPPED]);
    else if (body && CLEARED in body) items = items.filter(([seq]) => seq > Number(body[CLEARED]));
    else items.push([turn.seq, { role: turn.role === "tool" ? "user" : turn.role, content: turn.content } as AgentInputItem]);
  }
  return items;
}

// Thread ids of caller-named sessions: uuid5(_SESSIONS, JSON of [name, scope]), as the Python client
// derives them; _SESSIONS is uuid5(NAMESPACE_URL, "urn:mnemo:openai-agents-session").
const SESSIONS = "02d177c3-13ce-5413-b0e6-c951730c0086";
const A_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

async function uuid5(namespace: string, name: string): Promise<string> {
  const space = namespace.replace(/-/g, "").match(/../g)!.map((byte) => parseInt(byte, 16));
  const data = new Uint8Array([...space, ...new TextEncoder().encode(name)]);
  const digest = new Uint8Array(await globalThis.crypto.subtle.digest("SHA-1", data)).slice(0, 16);
  digest[6] = (digest[6]! & 0x0f) | 0x50;
  digest[8] = (digest[8]! & 0x3f) | 0x80;
  const hex = [...digest].map((byte) => byte.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The mnemo thread of a named session: a UUID as it is, else derived from the name and the scope
 * (two users' "default" sessions are two threads). */
export function threadIdOf(sessionId: string, scope: Record<string, string>): Promise<string> {
  if (A_UUID.test(sessionId)) return Promise.resolve(sessionId.toLowerCase());
  const sorted = Object.fromEntries(Object.entries(scope).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  // Python's json.dumps escapes every non-ASCII UTF-16 unit; JSON.stringify does not.
  const key = JSON.stringify([sessionId, sorted]).replace(
    /[\u0080-\uffff]/g,
    (unit) => `\\u${unit.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
  return uuid5(SESSIONS, key);
}

export interface MnemoSessionOptions extends MnemoOptions {
  /** Your name for the conversation ("user_123"): the same name and scope, the same conversation.
   * Without one, a new conversation (its thread's id is then the session's). */
  sessionId?: string;
  /** The client to use; else one is made from the other options (baseUrl, apiKey, …). */
  client?: Mnemo;
  /** Whose the conversation is (so that forgetting that scope removes it). */
  scope?: Pick<Scope, "user_id" | "agent_id" | "namespace">;
  /** The metadata of a new thread. */
  metadata?: Record<string, unknown>;
}

export class MnemoSession implements Session {
  readonly client: Mnemo;
  private readonly named: string | undefined;
  private thread: Promise<string> | undefined;
  private readonly scope: Pick<Scope, "user_id" | "agent_id" | "namespace">;
  private readonly metadata: Record<string, unknown> | undefined;

  constructor(options: MnemoSessionOptions = {}) {
    const { sessionId, client, scope = {}, metadata, ...clientOptions } = options;
    this.client = client ?? new Mnemo(clientOptions);
    this.scope = Object.fromEntries(Object.entries(scope).filter(([, v]) => v != null));
    this.metadata = metadata;
    this.named = sessionId;
    if (sessionId !== undefined) this.thread = threadIdOf(sessionId, this.scope as Record<string, string>);
  }

  /** The session's id: the name given, or its new thread's id. */
  async getSessionId(): Promise<string> {
    return this.named ?? this.getThreadId();
  }

  /** The mnemo thread that holds the conversation. */
  getThreadId(): Promise<string> {
    if (this.thread === undefined) {
      const made = this.client.threads.create(this.newThread()).then((thread) => thread.id);
      // A failed start is tried again on the next call, not remembered.
      this.thread = made.catch((error: unknown) => {
        this.thread = undefined;
        throw error;
      });
    }
    return this.thread;
  }

  private newThread(id?: string) {
    const hasScope = Object.keys(this.scope).length > 0;
    return {
      ...(id ? { id } : {}),
      ...(hasScope ? { scope: this.scope } : {}),
      ...(this.metadata ? { metadata: this.metadata } : {}),
    };
  }

  /** The live items, and the seq of the thread's last turn (0: none). */
  private async history(): Promise<[Array<[number, AgentInputItem]>, number]> {
    const id = await this.getThreadId();
    try {
      const { turns } = await this.client.threads.history(id, { budget_tokens: ALL_TURNS });
      const own = turns.filter((turn) => turn.thread_id === id).map((turn) => turn.seq);
      return [replay(turns), Math.max(0, ...own)];
    } catch (error) {
      // A named conversation not yet written (or expired, or forgotten) is an empty one.
      if (error instanceof NotFound && this.named !== undefined) return [[], 0];
      throw error;
    }
  }

  private async items(): Promise<Array<[number, AgentInputItem]>> {
    return (await this.history())[0];
  }

  /** One turn per body, in order (the thread keeps the order); `ifLastSeq`: a single turn, appended
   * only if the thread's last turn is still that one (else `Conflict`). */
  private async append(bodies: Array<[Role, Record<string, unknown>]>, ifLastSeq?: number): Promise<void> {
    const id = await this.getThreadId();
    for (const [role, body] of bodies) {
      const turn = { role, content: JSON.stringify(body), ...(ifLastSeq === undefined ? {} : { if_last_seq: ifLastSeq }) };
      try {
        await this.client.threads.append(id, turn);
      } catch (error) {
        if (!(error instanceof NotFound) || this.named === undefined) throw error;
        // Made on first write (again, once expired); creating it twice answers the same thread.
        await this.client.threads.create(this.newThread(id));
        await this.client.threads.append(id, turn);
      }
    }
  }

  /** The conversation, oldest first; with `limit`, its latest `limit` items. */
  async getItems(limit?: number): Promise<AgentInputItem[]> {
    const items = (await this.items()).map(([, item]) => item);
    if (limit === undefined) return items;
    return limit > 0 ? items.slice(-limit) : [];
  }

  async addItems(items: AgentInputItem[]): Promise<void> {
    if (!items.length) return;
    await this.append(
      items.map((item) => {
        const role = "role" in item && typeof item.role === "string" ? (ROLES[item.role] ?? "tool") : "tool";
        return [role, { [ITEM]: item }];
      }),
    );
  }

  /** The latest item, removed. Atomic: the marker turn is appended only if no other turn came after
   * the history read (a compare-and-append on the server); else read again and retry. */
  async popItem(): Promise<AgentInputItem | undefined> {
    for (let attempt = 0; attempt < POP_TRIES; attempt++) {
      const [items, lastSeq] = await this.history();
      const last = items.at(-1);
      if (!last) return undefined;
      try {
        await this.append([["system", { [POPPED]: last[0] }]], lastSeq);
        return last[1];
      } catch (error) {
        if (!(error instanceof Conflict)) throw error; // else another writer appended first
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 50));
      }
    }
    throw new Conflict(`session ${await this.getSessionId()}: ${POP_TRIES} pops in a row lost to other writers`);
  }

  async clearSession(): Promise<void> {
    const last = (await this.items()).at(-1);
    if (last) await this.append([["system", { [CLEARED]: last[0] }]]);
  }
}

function tellTheModel(_context: unknown, error: unknown): string {
  if (error instanceof MnemoError) return `mnemo refused: ${error.message}`;
  return "An error occurred while running the tool. Please try again.";
}

/** remember / recall / forget as Agents SDK function tools acting in one scope. */
export function mnemoFunctionTools(options: MemoryToolsOptions = {}) {
  const memory = new MemoryTools(options);
  return [
    tool({
      name: "remember",
      description: REMEMBER,
      parameters: z.object({
        content: z.string().describe("one self-contained statement"),
        memory_type: z.enum(WRITABLE_TYPES).nullable().describe("semantic when null"),
      }),
      execute: ({ content, memory_type }) => memory.remember(content, memory_type ?? "semantic"),
      errorFunction: tellTheModel,
    }),
    tool({
      name: "recall",
      description: RECALL,
      parameters: z.object({ query: z.string().describe("what to look for") }),
      execute: ({ query }) => memory.recall(query),
      errorFunction: tellTheModel,
    }),
    tool({
      name: "forget",
      description: FORGET,
      parameters: z.object({ memory_id: z.string().describe("the id recall showed") }),
      execute: ({ memory_id }) => memory.forget(memory_id),
      errorFunction: tellTheModel,
    }),
  ];
}
