// Vercel AI SDK with mnemo's tools (`npm install mnemo-client ai zod`). The SDK's mock model stands
// in for yours (e.g. `openai("gpt-4o")` from @ai-sdk/openai).
//
//     MNEMO_URL=http://127.0.0.1:8080 MNEMO_API_KEY=... npx tsx examples/typescript/ai-sdk/remember-and-recall.ts
import { generateText, stepCountIs } from "ai";
import { MockLanguageModelV4 } from "ai/test";
import { mnemoTools } from "mnemo-client/ai-sdk";

const tools = mnemoTools({
  baseUrl: process.env.MNEMO_URL ?? "http://127.0.0.1:8080",
  apiKey: process.env.MNEMO_API_KEY,
  scope: { user_id: process.env.MNEMO_USER ?? "kai" },
});

const usage = { inputTokens: { total: 1, noCache: 1, cacheRead: 0, cacheWrite: 0 }, outputTokens: { total: 1, text: 1, reasoning: 0 } };
const step = (content: Array<Record<string, string>>, unified: "tool-calls" | "stop") => ({
  content: content as never,
  finishReason: { unified, raw: unified },
  usage,
  warnings: [],
});
const model = new MockLanguageModelV4({
  doGenerate: [
    step([{ type: "tool-call", toolCallId: "c1", toolName: "remember", input: '{"content":"Kai is vegetarian"}' }], "tool-calls"),
    step([{ type: "tool-call", toolCallId: "c2", toolName: "recall", input: '{"query":"What does Kai eat?"}' }], "tool-calls"),
    step([{ type: "text", text: "Noted: Kai is vegetarian." }], "stop"),
  ],
});

const result = await generateText({ model, tools, stopWhen: stepCountIs(5), prompt: "I'm vegetarian, remember that." });
for (const { toolName, output } of result.steps.flatMap((s) => s.toolResults)) console.log(`${toolName}: ${output}`);
console.log(result.text);
