export { DEFAULT_URL, Mnemo, type MnemoOptions, Threads, Working } from "./client.js";
export * from "./errors.js";
export type { Fetch, RetryOptions } from "./transport.js";
export type * from "./types.js";
export type { components, operations, paths } from "./schema.js";
