/** The service's request and response shapes, by name: aliases of the generated schema (schema.ts). */
import type { components, operations } from "./schema.js";

type Schemas = components["schemas"];

export type MemoryType = Schemas["MemoryType"];
export type Scope = Schemas["Scope"];
export type MemoryIn = Schemas["MemoryIn"];
export type WriteRequest = Schemas["WriteRequest"];
export type WriteResponse = Schemas["WriteResponse"];
export type WriteResult = Schemas["WriteResultOut"];
export type RetrieveRequest = Schemas["RetrieveRequest"];
export type RetrieveResult = Schemas["RetrieveResponse"];
export type RetrievedMemory = Schemas["RetrievedMemory"];
export type MemoryRecord = Schemas["MemoryRecord"];
export type MemoryPage = Schemas["MemoryPage"];
export type SearchResults = Schemas["SearchResults"];
export type RankRequest = Schemas["RankRequest"];
export type RankResults = Schemas["RankResults"];
export type MemoryHistory = Schemas["MemoryHistory"];
export type DueList = Schemas["DueList"];
export type WorkingItemIn = Schemas["WorkingItemIn"];
export type WorkingItem = Schemas["WorkingItem"];
export type WorkingView = Schemas["WorkingView"];
export type AppendResult = Schemas["AppendResult"];
export type ClearResult = Schemas["ClearResult"];
export type ThreadIn = Schemas["ThreadIn"];
export type Thread = Schemas["Thread"];
export type TurnIn = Schemas["TurnIn"];
export type Turn = Schemas["Turn"];
export type Role = Schemas["Role"];
export type ThreadHistory = Schemas["ThreadHistory"];
export type ForgetRequest = Schemas["ForgetRequest"];
export type ForgetReceipt = Schemas["ForgetReceipt"];
export type ErasureStatus = Schemas["ErasureStatus"];
export type SensitiveKind = Schemas["SensitiveKind"];
export type ForgetPreviewRequest = Schemas["ForgetPreviewRequest"];
export type ForgetPreview = Schemas["ForgetPreview"];
export type ForgetPreviewedRequest = Schemas["ForgetPreviewedRequest"];
export type InvalidateRequest = Schemas["InvalidateRequest"];
export type Invalidated = Schemas["Invalidated"];
export type AsOf = Schemas["AsOfRequest"];

/** Everything a retrieval takes beside its query. */
export type RetrieveOptions = Omit<RetrieveRequest, "query">;
/** Everything a write takes beside its memories (prefilter, dedup, agent, context, memory). */
export type WriteOptions = Omit<WriteRequest, "memories">;
type Query<Op extends keyof operations> = NonNullable<operations[Op]["parameters"]["query"]>;
/** The filters of a listing (type, user_id, agent_id, thread_id, namespace, include_superseded, as_of,
 * as_of_view, limit). */
export type ListFilters = Omit<Query<"V1MemoriesListMemories">, "cursor">;
/** The filters of a relevance search beside its query. */
export type SearchFilters = Omit<Query<"V1MemoriesSearchSearch">, "q">;
/** The filters of the due intentions. */
export type DueFilters = Query<"V1ProspectiveDueDueMemories">;
/** The filters of the review feed of stale memories (type, scope fields, limit). */
export type StaleFilters = Omit<Query<"V1MemoriesStaleStaleMemories">, "cursor">;
