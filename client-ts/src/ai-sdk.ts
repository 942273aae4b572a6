/**
 * Vercel AI SDK: `mnemoTools({...})`, remember / recall / forget as AI SDK tools (`tool()` with zod
 * input schemas), for `generateText({ tools })` / `streamText`. Peer dependencies: `ai`, `zod`.
 *
 *     const tools = mnemoTools({ baseUrl, apiKey, scope: { user_id: "alice" } });
 *     await generateText({ model, tools, stopWhen: stepCountIs(5), prompt: "…" });
 *
 * A refusal of mnemo is thrown from `execute` as a `MnemoError` naming the fields: the SDK turns it
 * into a `tool-error` part, the model reads it in the next step and can retry.
 */
import { tool } from "ai";
import { z } from "zod";

import { FORGET, MemoryTools, type MemoryToolsOptions, RECALL, REMEMBER, WRITABLE_TYPES } from "./memory-tools.js";

export type { MemoryToolsOptions } from "./memory-tools.js";

export function mnemoTools(options: MemoryToolsOptions = {}) {
  const memory = new MemoryTools(options);
  return {
    remember: tool({
      description: REMEMBER,
      inputSchema: z.object({
        content: z.string().describe("one self-contained statement"),
        memory_type: z.enum(WRITABLE_TYPES).default("semantic"),
      }),
      execute: ({ content, memory_type }) => memory.remember(content, memory_type),
    }),
    recall: tool({
      description: RECALL,
      inputSchema: z.object({ query: z.string().describe("what to look for") }),
      execute: ({ query }) => memory.recall(query),
    }),
    forget: tool({
      description: FORGET,
      inputSchema: z.object({ memory_id: z.string().describe("the id recall showed") }),
      execute: ({ memory_id }) => memory.forget(memory_id),
    }),
  };
}
