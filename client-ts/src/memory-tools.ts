/**
 * remember / recall / forget: the three memory tools the adapters give an agent, framework-free.
 * They act in one scope that the caller sets (the model never chooses whose memories it reads or
 * forgets) and answer in text a model reads. A refusal of mnemo stays a `MnemoError`, which each
 * adapter hands to its framework as the framework's usual tool error.
 */
import { type MnemoOptions, Mnemo } from "./client.js";
import { NotFound } from "./errors.js";
import type { MemoryRecord, RetrieveResult, Scope } from "./types.js";

export const REMEMBER =
  "Store a fact, preference, event or instruction in long-term memory so that later conversations " +
  "can recall it. `content`: one self-contained statement. `memory_type`: semantic (a fact, the " +
  "default), episodic (an event), procedural (how to do something) or prospective (something to do).";
export const RECALL =
  "Search long-term memory for what is relevant to `query`; answers the memories found, each with " +
  "its id, most relevant first.";
export const FORGET = "Delete one memory by the id that recall showed.";
export const WRITABLE_TYPES = ["semantic", "episodic", "procedural", "prospective"] as const;
export type WritableType = (typeof WRITABLE_TYPES)[number];

export interface MemoryToolsOptions extends MnemoOptions {
  /** The client to use; else one is made from the other options (baseUrl, apiKey, …). */
  client?: Mnemo;
  /** Whose memories the tools write, read and forget. */
  scope?: Pick<Scope, "user_id" | "agent_id" | "namespace">;
  /** How many tokens a recall may return (1000). */
  budgetTokens?: number;
}

export class MemoryTools {
  readonly client: Mnemo;
  readonly scope: Pick<Scope, "user_id" | "agent_id" | "namespace">;
  readonly budgetTokens: number;

  constructor(options: MemoryToolsOptions = {}) {
    const { client, scope = {}, budgetTokens = 1000, ...clientOptions } = options;
    this.client = client ?? new Mnemo(clientOptions);
    this.scope = Object.fromEntries(Object.entries(scope).filter(([, v]) => v != null));
    this.budgetTokens = budgetTokens;
  }

  async remember(content: string, memoryType: WritableType = "semantic"): Promise<string> {
    const { results } = await this.client.remember({ type: memoryType, content, scope: this.scope });
    const result = results[0];
    if (!result?.id) return `Not remembered (${result?.status ?? "refused"}: ${result?.reason ?? "refused"}).`;
    return `Remembered (id ${result.id}, ${result.status}).`;
  }

  async recall(query: string): Promise<string> {
    return recalled(await this.client.retrieve(query, { scope: this.scope, budget_tokens: this.budgetTokens }));
  }

  async forget(memoryId: string): Promise<string> {
    let record: MemoryRecord;
    try {
      record = await this.client.get(memoryId);
    } catch (error) {
      if (error instanceof NotFound) return `No memory ${memoryId}.`;
      throw error;
    }
    // Another scope's memory is not this agent's to forget: it is answered as absent.
    const mine = Object.entries(this.scope).every(([k, v]) => record.scope[k as keyof Scope] === v);
    if (!mine) return `No memory ${memoryId}.`;
    // A forget, not a delete: its text is erased from the service's files too, with a receipt.
    await this.client.forget({ ids: [memoryId] });
    return `Forgot ${memoryId}.`;
  }
}

export function recalled(result: RetrieveResult): string {
  if (!result.memories.length) return "No memories match.";
  return result.memories.map((m) => `- ${m.content} (id ${m.id}, ${m.type}, score ${m.score.toFixed(2)})`).join("\n");
}
