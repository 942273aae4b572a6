/**
 * Sending: the `fetch` that openapi-fetch calls. It bounds each attempt in time and retries 429 and
 * 503 answers as the Python client does: it waits the server's `Retry-After` when that is within
 * `maxWaitS` (beyond it the answer is given back at once), else an exponential backoff with jitter.
 */
import { MnemoConnectionError, retryAfterOf } from "./errors.js";

export type Fetch = (input: Request) => Promise<Response>;

export interface RetryOptions {
  /** Retries of a 429/503 answer (2). */
  maxRetries?: number;
  /** The first backoff in milliseconds when the server names no wait (500), doubled each retry. */
  backoffMs?: number;
  /** The longest `Retry-After` (seconds) worth waiting for (30). */
  maxWaitS?: number;
}

const RETRIED = new Set([429, 503]);

/** Milliseconds to wait before retry `attempt + 1`, or undefined: give the answer back. */
export function retryDelayMs(attempt: number, response: Response, options: RetryOptions): number | undefined {
  const { maxRetries = 2, backoffMs = 500, maxWaitS = 30 } = options;
  if (attempt >= maxRetries || !RETRIED.has(response.status)) return undefined;
  const retryAfter = retryAfterOf(response);
  if (retryAfter !== undefined) return retryAfter <= maxWaitS ? retryAfter * 1000 : undefined;
  return Math.min(maxWaitS * 1000, backoffMs * 2 ** attempt) * (0.5 + Math.random() / 2);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The fetch of one client: `timeoutMs` per attempt, retries by `retry`, over `base` (globalThis.fetch). */
export function sender(timeoutMs: number, retry: RetryOptions, base?: Fetch): Fetch {
  return async (request: Request): Promise<Response> => {
    const send = base ?? ((input: Request) => globalThis.fetch(input));
    for (let attempt = 0; ; attempt++) {
      // A body can be read once: each attempt sends a copy.
      const signal = AbortSignal.any([request.signal, AbortSignal.timeout(timeoutMs)]);
      let response: Response;
      try {
        response = await send(new Request(request.clone(), { signal }));
      } catch (cause) {
        const what = `${request.method} ${new URL(request.url).pathname}`;
        const timedOut = cause instanceof DOMException && cause.name === "TimeoutError";
        const detail = timedOut ? `${what}: no answer within ${timeoutMs} ms` : `${what}: ${String(cause)}`;
        throw new MnemoConnectionError(detail, { code: timedOut ? "timeout" : "connection_error", cause });
      }
      const wait = retryDelayMs(attempt, response, retry);
      if (wait === undefined) return response;
      await response.body?.cancel();
      await sleep(wait);
    }
  };
}
