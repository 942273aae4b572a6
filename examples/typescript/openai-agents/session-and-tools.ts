// OpenAI Agents SDK with a mnemo Session and mnemo's function tools (`npm install mnemo-client
// @openai/agents zod`). A scripted model stands in for yours (leave `model` out to use OpenAI's).
//
//     MNEMO_URL=http://127.0.0.1:8080 MNEMO_API_KEY=... npx tsx examples/typescript/openai-agents/session-and-tools.ts
import { Agent, type Model, type ModelResponse, Usage, run, setTracingDisabled } from "@openai/agents";
import { MnemoSession, mnemoFunctionTools } from "mnemo-client/openai-agents";

const mnemo = { baseUrl: process.env.MNEMO_URL ?? "http://127.0.0.1:8080", apiKey: process.env.MNEMO_API_KEY };
const scope = { user_id: process.env.MNEMO_USER ?? "mei" };
setTracingDisabled(true);

const script: ModelResponse["output"][] = [
  [{ type: "function_call", callId: "c1", name: "remember", arguments: '{"content":"Mei prefers aisle seats","memory_type":null}' }],
  [{ type: "message", role: "assistant", status: "completed", content: [{ type: "output_text", text: "Noted: aisle seats." }] }],
];
const model: Model = {
  getResponse: async () => ({ usage: new Usage(), output: script.shift() ?? [] }),
  getStreamedResponse: () => {
    throw new Error("not streamed here");
  },
};

const session = new MnemoSession({ ...mnemo, sessionId: "travel", scope }); // the same id and scope: the same conversation
const agent = new Agent({ name: "assistant", model, tools: mnemoFunctionTools({ ...mnemo, scope }) });
const result = await run(agent, "I always want an aisle seat.", { session });
console.log(result.finalOutput);
console.log(`session ${await session.getSessionId()} holds ${(await session.getItems()).length} items`);
