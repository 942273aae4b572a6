// LangGraph.js with mnemo as the graph's long-term store (`npm install mnemo-client @langchain/langgraph`).
//
//     MNEMO_URL=http://127.0.0.1:8080 MNEMO_API_KEY=... npx tsx examples/typescript/langgraph/store-in-a-graph.ts
import { Annotation, type LangGraphRunnableConfig, StateGraph } from "@langchain/langgraph";
import { MnemoStore } from "mnemo-client/langgraph";

const store = new MnemoStore({
  baseUrl: process.env.MNEMO_URL ?? "http://127.0.0.1:8080",
  apiKey: process.env.MNEMO_API_KEY,
  scope: { user_id: process.env.MNEMO_USER ?? "lena" },
});

const State = Annotation.Root({ message: Annotation<string>, reply: Annotation<string> });

async function remember(state: typeof State.State, config: LangGraphRunnableConfig) {
  await config.store?.put(["preferences"], "drink", { text: state.message });
  return {};
}

async function answer(_state: typeof State.State, config: LangGraphRunnableConfig) {
  const [best] = (await config.store?.search(["preferences"], { query: "what does she drink?" })) ?? [];
  return { reply: `Recalled: ${best?.value.text}` };
}

const graph = new StateGraph(State)
  .addNode("remember", remember)
  .addNode("answer", answer)
  .addEdge("__start__", "remember")
  .addEdge("remember", "answer")
  .compile({ store });

console.log((await graph.invoke({ message: "Lena drinks green tea, never coffee" })).reply);
