/**
 * OpenAI Agents SDK for JavaScript: `MnemoSession` (a `Session`: the conversation kept in a mnemo
 * thread) and `mnemoFunctionTools({...})` (remember, recall, forget as function tools). Peer
 * dependencies: `@openai/agents`, `zod`.
 *
 *     const session = new MnemoSession({ baseUrl, apiKey, scope: { user_id: "alice" } });
 *     await run(agent, "Hi", { session });           // keep await session.getSessionId() to resume:
 *     const again = new MnemoSession({ sessionId, baseUrl, apiKey });
 *     const agent = new Agent({ name: "assistant", tools: mnemoFunctionTools({ baseUrl, apiKey, scope }) });
 *
 * The session id is the mnemo thread's id: the caller's to resume with, or a new thread's (made in
 * the session's scope on first use). Each item is one turn of the thread, in order, as JSON;
 * `popItem` and `clearSession` append a marker turn that hides the popped or cleared items (a thread
 * is append-only: forgetting the thread or its user erases them), and turns that others appended as
 * plain text read back as messages. A refusal of mnemo rejects a session call with the client's
 * `MnemoError`; from a tool, the model reads it as the tool's answer, as the SDK does with tool errors.
 */
import { type AgentInputItem, type Session, tool } from "@openai/agents";
import { z } from "zod";

import { Mnemo, type MnemoOptions } from "./client.js";
import { MnemoError } from "./errors.js";
import { FORGET, MemoryTools, type MemoryToolsOptions, RECALL, REMEMBER, WRITABLE_TYPES } from "./memory-tools.js";
import type { Role, Scope, Turn } from "./types.js";

const ITEM = "mnemo_session_item";
const POPPED = "mnemo_session_popped";
const CLEARED = "mnemo_session_cleared";
const ROLES: Record<string, Role> = { user: "user", assistant: "assistant", system: "system", developer: "system" };
const ALL_TURNS = 200_000; // the largest history budget the server takes: every turn of a session

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

export interface MnemoSessionOptions extends MnemoOptions {
  /** The thread to resume; else a new thread, made on first use. */
  sessionId?: string;
  /** The client to use; else one is made from the other options (baseUrl, apiKey, …). */
  client?: Mnemo;
  /** Whose a new thread is (so that forgetting that scope removes it). */
  scope?: Pick<Scope, "user_id" | "agent_id" | "namespace">;
  /** The metadata of a new thread. */
  metadata?: Record<string, unknown>;
}

export class MnemoSession implements Session {
  readonly client: Mnemo;
  private sessionId: Promise<string> | undefined;
  private readonly scope: Pick<Scope, "user_id" | "agent_id" | "namespace">;
  private readonly metadata: Record<string, unknown> | undefined;

  constructor(options: MnemoSessionOptions = {}) {
    const { sessionId, client, scope = {}, metadata, ...clientOptions } = options;
    this.client = client ?? new Mnemo(clientOptions);
    this.sessionId = sessionId === undefined ? undefined : Promise.resolve(sessionId);
    this.scope = Object.fromEntries(Object.entries(scope).filter(([, v]) => v != null));
    this.metadata = metadata;
  }

  /** The thread's id: the one given, or a new thread's. */
  getSessionId(): Promise<string> {
    if (this.sessionId === undefined) {
      const hasScope = Object.keys(this.scope).length > 0;
      const made = this.client.threads
        .create({ ...(hasScope ? { scope: this.scope } : {}), ...(this.metadata ? { metadata: this.metadata } : {}) })
        .then((thread) => thread.id);
      // A failed start is tried again on the next call, not remembered.
      this.sessionId = made.catch((error: unknown) => {
        this.sessionId = undefined;
        throw error;
      });
    }
    return this.sessionId;
  }

  private async items(): Promise<Array<[number, AgentInputItem]>> {
    const history = await this.client.threads.history(await this.getSessionId(), { budget_tokens: ALL_TURNS });
    return replay(history.turns);
  }

  private async append(bodies: Array<[Role, Record<string, unknown>]>): Promise<void> {
    const id = await this.getSessionId();
    for (const [role, body] of bodies) {
      // One turn each, in order: the thread keeps the order.
      await this.client.threads.append(id, { role, content: JSON.stringify(body) });
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

  async popItem(): Promise<AgentInputItem | undefined> {
    const last = (await this.items()).at(-1);
    if (!last) return undefined;
    await this.append([["system", { [POPPED]: last[0] }]]);
    return last[1];
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
