/**
 * Sending, where the real server cannot be made to misbehave on cue: a node:http server on loopback
 * answers 429/503 with and without Retry-After, never answers, or answers a page that is not JSON.
 */
import assert from "node:assert/strict";
import { type IncomingMessage, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { after, test } from "node:test";

import { Mnemo, MnemoConnectionError, MnemoError, RateLimited, UnexpectedResponse, Unavailable } from "../src/index.js";

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;
const servers: Array<ReturnType<typeof createServer>> = [];
after(() => {
  for (const server of servers) {
    server.closeAllConnections();
    server.close();
  }
});

async function standIn(handler: Handler): Promise<string> {
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => handler(req, res, body));
  });
  servers.push(server);
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const RESULT = { context: "", memories: [], metadata: { total_tokens: 0, budget: 10, utilization: 0 } };

function problem(res: ServerResponse, status: number, headers: Record<string, string> = {}) {
  res.writeHead(status, { "content-type": "application/problem+json", ...headers });
  res.end(JSON.stringify({ type: "t", title: "busy", status, detail: "busy", instance: "/v1/retrieve", code: "busy" }));
}

test("429 and 503 are retried, the body sent again each time, honouring Retry-After", async () => {
  const bodies: string[] = [];
  const url = await standIn((req, res, body) => {
    bodies.push(body);
    if (bodies.length === 1) return problem(res, 429, { "retry-after": "0" });
    if (bodies.length === 2) return problem(res, 503);
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(RESULT));
  });
  const client = new Mnemo({ baseUrl: url, backoffMs: 1 });
  const result = await client.retrieve("tea", { budget_tokens: 10 });
  assert.equal(result.metadata.budget, 10);
  assert.equal(bodies.length, 3);
  assert.ok(bodies.every((b) => JSON.parse(b).query === "tea"));
});

test("retries stop after maxRetries, and a Retry-After beyond maxWaitS is not waited for", async () => {
  let seen = 0;
  const url = await standIn((_req, res) => {
    seen += 1;
    problem(res, 503, { "retry-after": "0" });
  });
  const error = await new Mnemo({ baseUrl: url, maxRetries: 2 }).health().catch((e: unknown) => e);
  assert.ok(error instanceof Unavailable);
  assert.equal(seen, 3);

  let later = 0;
  const slow = await standIn((_req, res) => {
    later += 1;
    problem(res, 429, { "retry-after": "120" });
  });
  const started = Date.now();
  const limited = await new Mnemo({ baseUrl: slow }).health().catch((e: unknown) => e);
  assert.ok(limited instanceof RateLimited);
  assert.equal(limited.retryAfter, 120);
  assert.equal(later, 1);
  assert.ok(Date.now() - started < 5000);
});

test("no answer within the timeout, and no server at all, are connection errors", async () => {
  const silent = await standIn(() => undefined);
  const started = Date.now();
  const error = await new Mnemo({ baseUrl: silent, timeoutMs: 300 }).health().catch((e: unknown) => e);
  assert.ok(error instanceof MnemoConnectionError);
  assert.equal(error.code, "timeout");
  assert.equal(error.status, undefined);
  assert.ok(Date.now() - started < 5000);

  const down = await new Mnemo({ baseUrl: "http://127.0.0.1:1" }).health().catch((e: unknown) => e);
  assert.ok(down instanceof MnemoConnectionError);
  assert.equal(down.code, "connection_error");
});

test("a 2xx that is not JSON is an UnexpectedResponse, an HTML error page a typed error", async () => {
  const url = await standIn((req, res) => {
    if (req.url === "/health") return res.writeHead(200, { "content-type": "text/html" }).end("<html>proxy</html>");
    res.writeHead(502, { "content-type": "text/html" }).end("<html>bad gateway</html>");
  });
  const client = new Mnemo({ baseUrl: url });
  await assert.rejects(client.health(), UnexpectedResponse);
  const error = await client.retrieve("x").catch((e: unknown) => e);
  assert.ok(error instanceof MnemoError);
  assert.equal(error.status, 502);
  assert.equal(error.code, "http_error");
});

test("the API key and extra headers go with each request", async () => {
  const seen: Array<string | undefined> = [];
  const url = await standIn((req, res) => {
    seen.push(req.headers.authorization, req.headers["x-team"] as string | undefined);
    res.writeHead(200, { "content-type": "application/json" }).end('{"status":"ok"}');
  });
  await new Mnemo({ baseUrl: `${url}/`, apiKey: "secret", headers: { "x-team": "blue" } }).health();
  assert.deepEqual(seen, ["Bearer secret", "blue"]);
});
