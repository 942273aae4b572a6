/**
 * What the client adds to a retrieval over a raw `fetch` of the same request: the two alternate, one
 * pair at a time, against a real mnemo (MNEMO_URL, MNEMO_API_KEY); then the client's own cost alone,
 * against a loopback server that answers a retrieval's JSON at once.
 *
 *     MNEMO_URL=http://127.0.0.1:8080 MNEMO_API_KEY=... npx tsx bench/retrieve-overhead.ts [pairs]
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

import { Mnemo } from "../src/index.js";

const URL_ = process.env.MNEMO_URL ?? "http://127.0.0.1:8080";
const KEY = process.env.MNEMO_API_KEY;
const PAIRS = Number(process.argv[2] ?? 200);
const user = `bench-${Date.now()}`;
const body = { query: "what does the user drink in the morning?", scope: { user_id: user }, budget_tokens: 500 };

function summary(ms: number[]): string {
  const s = [...ms].sort((a, b) => a - b);
  const at = (q: number) => (s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? 0).toFixed(3);
  return `p50 ${at(0.5)} ms, p95 ${at(0.95)} ms`;
}

async function pairs(url: string, apiKey: string | undefined, n: number): Promise<[number[], number[]]> {
  const client = new Mnemo({ baseUrl: url, apiKey });
  const headers = { "content-type": "application/json", accept: "application/json", ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}) };
  const raw: number[] = [];
  const typed: number[] = [];
  for (let i = 0; i < n + 10; i++) {
    let t = performance.now();
    const response = await fetch(`${url}/v1/retrieve`, { method: "POST", headers, body: JSON.stringify(body) });
    if (!response.ok) throw new Error(`raw fetch: ${response.status}`);
    await response.json();
    const rawMs = performance.now() - t;
    t = performance.now();
    await client.retrieve(body.query, { scope: body.scope, budget_tokens: body.budget_tokens });
    const typedMs = performance.now() - t;
    if (i >= 10) {
      raw.push(rawMs); // the first ten pairs warm both paths up
      typed.push(typedMs);
    }
  }
  return [raw, typed];
}

const seed = new Mnemo({ baseUrl: URL_, apiKey: KEY });
await seed.remember(
  ["drinks green tea every morning", "cycles to work", "has a cat called Miso", "reads before bed"].map((c) => ({
    type: "semantic" as const,
    content: `The user ${c}`,
    scope: { user_id: user },
  })),
);
const [raw, typed] = await pairs(URL_, KEY, PAIRS);
console.log(`real mnemo, ${PAIRS} pairs: raw fetch ${summary(raw)}; client ${summary(typed)}`);
const answer = JSON.stringify(await seed.retrieve(body.query, { scope: body.scope, budget_tokens: 500 }));
await seed.forget({ scope: { user_id: user } });

const canned = createServer((req, res) => {
  req.resume();
  req.on("end", () => res.writeHead(200, { "content-type": "application/json" }).end(answer));
});
await new Promise<void>((done) => canned.listen(0, "127.0.0.1", done));
const [rawLocal, typedLocal] = await pairs(`http://127.0.0.1:${(canned.address() as AddressInfo).port}`, "k", PAIRS * 5);
console.log(`canned answer (${answer.length} B), ${PAIRS * 5} pairs: raw fetch ${summary(rawLocal)}; client ${summary(typedLocal)}`);
canned.closeAllConnections();
canned.close();
