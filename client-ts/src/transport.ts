/**
 * Sending: the `fetch` that openapi-fetch calls. It bounds each attempt in time and retries 429 and
 * 503 answers as the Python client does: it waits the server's `Retry-After` when that is within
 * `maxWaitS` (beyond it the answer is given back at once), else an exponential backoff with jitter;
 * `maxRetries` times, or with `retryDeadlineS` as often as fits in that many seconds.
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
  /** Instead of `maxRetries`: retry for up to this many seconds from the first try. */
  retryDeadlineS?: number;
}

const RETRIED = new Set([429, 503]);

/** Milliseconds to wait before retry `attempt + 1` (`elapsedMs` after the first try), or undefined:
 * give the answer back. */
export function retryDelayMs(
  attempt: number,
  response: Response,
  options: RetryOptions,
  elapsedMs = 0,
): number | undefined {
  const { maxRetries = 2, backoffMs = 500, maxWaitS = 30, retryDeadlineS } = options;
  if (!RETRIED.has(response.status)) return undefined;
  if (retryDeadlineS === undefined && attempt >= maxRetries) return undefined;
  const retryAfter = retryAfterOf(response);
  let wait: number | undefined;
  if (retryAfter !== undefined) wait = retryAfter <= maxWaitS ? retryAfter * 1000 : undefined;
  else wait = Math.min(maxWaitS * 1000, backoffMs * 2 ** attempt) * (0.5 + Math.random() / 2);
  if (wait !== undefined && retryDeadlineS !== undefined && elapsedMs + wait > retryDeadlineS * 1000) return undefined;
  return wait;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The fetch of one client: `timeoutMs` per attempt, retries by `retry`, over `base` (globalThis.fetch). */
export function sender(timeoutMs: number, retry: RetryOptions, base?: Fetch): Fetch {
  return async (request: Request): Promise<Response> => {
    const send = base ?? ((input: Request) => globalThis.fetch(input));
    const started = Date.now();
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
      const wait = retryDelayMs(attempt, response, retry, Date.now() - started);
      if (wait === undefined) return response;
      await response.body?.cancel();
      await sleep(wait);
    }
  };
}
