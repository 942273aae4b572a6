/**
 * Errors: one `MnemoError` carrying the server's RFC 9457 problem details, a subclass per class of
 * problem. The client throws only these: every non-2xx answer, every answer it cannot read, and no
 * answer at all (unreachable, timed out).
 */
import type { components } from "./schema.js";

export type ProblemDetails = components["schemas"]["ProblemDetails"];
export type FieldError = components["schemas"]["FieldError"];

export interface MnemoErrorInit {
  status?: number;
  code?: string;
  errors?: FieldError[];
  requestId?: string;
  retryAfter?: number;
  problem?: Partial<ProblemDetails> & Record<string, unknown>;
  cause?: unknown;
}

/**
 * A request mnemo refused or could not serve. `status` is the HTTP status (undefined when no answer
 * arrived), `code` the problem's stable code (`invalid_input`, `unknown_model`, `not_found`, …),
 * `errors` the fields it names (`{ field: "memories.0.content", message }`), `requestId` the id to
 * quote when reporting, `retryAfter` the seconds the server asked to wait.
 */
export class MnemoError extends Error {
  readonly detail: string;
  readonly status: number | undefined;
  readonly code: string;
  readonly errors: FieldError[];
  readonly requestId: string | undefined;
  readonly retryAfter: number | undefined;
  readonly problem: Partial<ProblemDetails> & Record<string, unknown>;

  constructor(detail: string, init: MnemoErrorInit = {}) {
    const code = init.code ?? "error";
    // The message names the fields too: a model reading a tool error can correct its call.
    const named = (init.errors ?? []).slice(0, 5).map((e) => `${e.field}: ${e.message}`);
    const said = named.length ? `${detail} (${named.join("; ")})` : detail;
    super(init.status === undefined ? said : `${init.status} ${code}: ${said}`, { cause: init.cause });
    this.name = new.target.name;
    this.detail = detail;
    this.status = init.status;
    this.code = code;
    this.errors = init.errors ?? [];
    this.requestId = init.requestId;
    this.retryAfter = init.retryAfter;
    this.problem = init.problem ?? {};
  }

  /** The request fields the problem names, as the server spells them (`memories.0.scope.user_id`). */
  get fields(): string[] {
    return this.errors.map((error) => error.field);
  }
}

/** No answer: the server is down, unreachable, or did not answer within the timeout. */
export class MnemoConnectionError extends MnemoError {}
/** 400: the request could not be read. */
export class BadRequest extends MnemoError {}
/** 401: a missing or unknown API key. */
export class AuthenticationError extends MnemoError {}
/** 403: e.g. writing through a read-only memory binding. */
export class PermissionDenied extends MnemoError {}
/** 404: no such memory, thread or erasure in this tenant. */
export class NotFound extends MnemoError {}
/** 409: the memory's type does not allow this, or another request holds the lock. */
export class Conflict extends MnemoError {}
/** 413: the request body is over the server's limit. */
export class PayloadTooLarge extends MnemoError {}
/** 422: the request does not validate; `errors` names each field. */
export class InvalidInput extends MnemoError {}
/** 422 `unknown_model`: the model is not in the server's registry. */
export class UnknownModel extends InvalidInput {}
/** 429: the tenant's rate limit or the server's queue is full (retried first). */
export class RateLimited extends MnemoError {}
/** 503: a dependency is unavailable (retried first). */
export class Unavailable extends MnemoError {}
/** Any other 5xx. */
export class ServerError extends MnemoError {}
/** A 2xx answer this client cannot read (not JSON: a proxy's page, another service on the port). */
export class UnexpectedResponse extends MnemoError {}

const BY_STATUS: Record<number, typeof MnemoError> = {
  400: BadRequest,
  401: AuthenticationError,
  403: PermissionDenied,
  404: NotFound,
  409: Conflict,
  413: PayloadTooLarge,
  422: InvalidInput,
  429: RateLimited,
  503: Unavailable,
};

function errorClass(status: number, code: string): typeof MnemoError {
  if (code === "unknown_model") return UnknownModel;
  return BY_STATUS[status] ?? (status >= 500 ? ServerError : MnemoError);
}

/** Seconds from a `Retry-After` header; an HTTP date (rare from mnemo) is left to the backoff. */
export function retryAfterOf(response: Response): number | undefined {
  const raw = response.headers.get("retry-after");
  if (raw === null) return undefined;
  const seconds = Number(raw);
  return Number.isFinite(seconds) ? Math.max(0, seconds) : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The typed error of a non-2xx answer, from its problem details (`body`: the parsed body, if any). */
export function errorOf(response: Response, body: unknown): MnemoError {
  const problem: Record<string, unknown> = isRecord(body)
    ? body
    : { detail: typeof body === "string" && body ? body.slice(0, 500) : response.statusText, code: "http_error" };
  const code = typeof problem.code === "string" && problem.code ? problem.code : "http_error";
  const detail = String(problem.detail ?? problem.title ?? response.statusText);
  const errors = Array.isArray(problem.errors) ? (problem.errors as FieldError[]) : [];
  const requestId =
    (typeof problem.request_id === "string" ? problem.request_id : undefined) ??
    response.headers.get("x-request-id") ??
    undefined;
  const Class = errorClass(response.status, code);
  return new Class(detail, {
    status: response.status,
    code,
    errors,
    requestId,
    retryAfter: retryAfterOf(response),
    problem,
  });
}
