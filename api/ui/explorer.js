// mnemo explorer: plain JS over the service's own JSON API (same origin, no dependencies).
// Every value from the API goes into the page through textContent, never as HTML.
"use strict";

const $ = (id) => document.getElementById(id);
const SCOPE_FIELDS = ["user_id", "agent_id", "thread_id", "namespace"];
// A forget preview shows the content, type and scope of at most this many memories (one read each).
const PREVIEW_DETAILS = 100;
const REASONS = {
  over_budget: "over budget",
  type_share: "type share used up",
  duplicate: "merged as a duplicate",
  below_floor: "below the floor",
  superseded: "superseded",
  expired: "no longer valid",
  not_yet_valid: "not yet valid",
};
// `generation` counts key switches: an answer to a request sent under an earlier key is dropped.
const state = { cursors: [null], page: 0, memories: [], scores: null, current: null, generation: 0, key: "" };

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("aria-") || key === "role" || key === "title") node.setAttribute(key, value);
    else node[key] = value;
  }
  for (const child of children) node.append(child);
  return node;
}

// The status line speaks of the view in front: each view keeps its last message, shown again when
// the view is, so that one view's news never reads as another's.
const viewMessages = new Map();

function shownView() {
  return document.querySelector('[role="tabpanel"]:not([hidden])')?.id ?? "";
}

function showMessage(message, isError) {
  const status = $("status");
  status.textContent = message;
  status.classList.toggle("error", isError);
}

function say(message, isError = false) {
  viewMessages.set(shownView(), [message, isError]);
  showMessage(message, isError);
}

function scope() {
  const out = {};
  for (const field of SCOPE_FIELDS) {
    const value = $(`scope-${field}`).value.trim();
    if (value) out[field] = value;
  }
  return out;
}

// One call to the API: JSON in and out, the tenant's key when one is given; problems become errors.
// An answer that arrives after the key was switched belongs to the previous tenant: it is dropped.
async function api(method, path, body) {
  const generation = state.generation;
  const headers = { Accept: "application/json" };
  const key = $("api-key").value.trim();
  if (key) headers.Authorization = `Bearer ${key}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const data = response.status === 204 ? null : await response.json().catch(() => null);
  if (generation !== state.generation) throw Object.assign(new Error("stale"), { stale: true });
  if (response.status === 204) return null;
  if (!response.ok) {
    const problem = data || {};
    const fields = (problem.errors || problem.invalid_params || []).map((p) => p.name || p.field).filter(Boolean);
    const detail = problem.detail || problem.title || response.statusText;
    const error = new Error(`${response.status}: ${detail}${fields.length ? ` (${fields.join(", ")})` : ""}`);
    error.status = response.status;
    throw error;
  }
  return data;
}

async function guarded(action) {
  try {
    await action();
  } catch (error) {
    if (error.stale) return;
    say(error.status === 401 ? "This server needs an API key: enter it above." : error.message, true);
  }
}

function when(iso) {
  return iso ? new Date(iso).toLocaleString() : "—";
}

function newest(memory) {
  return Date.parse(memory.occurred_at || memory.created_at) || 0;
}

function scopeText(memory) {
  return Object.entries(memory.scope || {}).filter(([, v]) => v).map(([k, v]) => `${k}=${v}`).join(", ");
}

// -- tabs (WAI-ARIA tabs pattern: arrow keys move between tabs) -----------------------------------

function selectTab(tab) {
  for (const other of document.querySelectorAll('[role="tab"]')) {
    const selected = other === tab;
    other.setAttribute("aria-selected", String(selected));
    other.tabIndex = selected ? 0 : -1;
    $(other.getAttribute("aria-controls")).hidden = !selected;
  }
  showMessage(...(viewMessages.get(shownView()) ?? ["", false]));
  tab.focus();
}

function setUpTabs() {
  const tabs = [...document.querySelectorAll('[role="tab"]')];
  tabs.forEach((tab, i) => {
    tab.addEventListener("click", () => selectTab(tab));
    tab.addEventListener("keydown", (event) => {
      const step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
      if (step) selectTab(tabs[(i + step + tabs.length) % tabs.length]);
      if (event.key === "Home") selectTab(tabs[0]);
      if (event.key === "End") selectTab(tabs[tabs.length - 1]);
    });
  });
}

// -- browse ------------------------------------------------------------------------------------------

// "As of": what was true (or known) at that time instead of what is current now.
function setAsOf(params) {
  if (!$("browse-as-of").value) return;
  params.set("as_of", new Date($("browse-as-of").value).toISOString());
  params.set("as_of_view", $("browse-as-of-view").value);
}

async function loadPage() {
  const params = new URLSearchParams({ limit: $("browse-limit").value, ...scope() });
  if ($("browse-type").value) params.set("type", $("browse-type").value);
  if ($("browse-superseded").checked) params.set("include_superseded", "true");
  setAsOf(params);
  const cursor = state.cursors[state.page];
  if (cursor) params.set("cursor", cursor);
  const page = await api("GET", `/v1/memories?${params}`);
  state.cursors[state.page + 1] = page.next_cursor;
  // Pages follow the index (type, then id); within the page shown, the newest first.
  state.memories = page.memories.slice().sort((a, b) => newest(b) - newest(a));
  state.scores = null;
  renderTable();
}

// The search box: the tenant's memories by relevance, within the type and scope chosen above.
async function search() {
  const query = $("search-query").value.trim();
  if (!query) return reload();
  const limit = Math.min(100, Number($("browse-limit").value));
  const params = new URLSearchParams({ q: query, limit: String(limit), ...scope() });
  if ($("browse-type").value) params.set("type", $("browse-type").value);
  if ($("browse-superseded").checked) params.set("include_superseded", "true");
  setAsOf(params);
  const found = await api("GET", `/v1/memories/search?${params}`);
  state.memories = found.hits.map((hit) => hit.memory);
  state.scores = Object.fromEntries(found.hits.map((hit) => [hit.memory.id, hit.score]));
  state.searched = found.query;
  renderTable();
}

function renderTable() {
  const tag = $("browse-tag").value.trim();
  const shown = tag ? state.memories.filter((m) => m.tags.includes(tag)) : state.memories;
  const body = $("memory-table").tBodies[0];
  body.replaceChildren(
    ...shown.map((memory) => {
      const open = el("button", { type: "button", class: "link", text: memory.content });
      open.addEventListener("click", () => guarded(() => openMemory(memory.id)));
      const type = el("td", { text: memory.type });
      if (memory.superseded_by) type.append(el("span", { class: "badge", text: "superseded" }));
      if (memory.invalidated_at) type.append(el("span", { class: "badge", text: "invalidated", title: memory.invalidation_reason }));
      if (memory.stale) type.append(el("span", { class: "badge", text: "stale", title: memory.stale_cause }));
      return el(
        "tr",
        {},
        type,
        el("td", { class: "content" }, open),
        el("td", { text: scopeText(memory) || "—" }),
        el("td", { text: memory.tags.join(", ") || "—" }),
        el("td", { text: when(memory.due_at) }),
        el("td", { text: when(memory.occurred_at) }),
        el("td", { text: state.scores ? state.scores[memory.id].toFixed(3) : "—" }),
        el("td", { text: memory.importance.toFixed(2) }),
        el("td", { text: String(memory.access_count) }),
      );
    }),
  );
  const filtered = tag ? ` (${shown.length} tagged "${tag}")` : "";
  const searching = state.scores !== null;
  $("memory-caption").textContent = searching
    ? `Search "${state.searched}": ${state.memories.length} memories, best first${filtered}`
    : `Memories: page ${state.page + 1}, ${state.memories.length} shown, newest first${filtered}`;
  $("page-info").textContent = searching ? "" : `Page ${state.page + 1}`;
  $("page-prev").disabled = searching || state.page === 0;
  $("page-next").disabled = searching || !state.cursors[state.page + 1];
  say(searching ? `${state.memories.length} memories match.` : `${state.memories.length} memories on this page.`);
}

function field(list, name, value) {
  list.append(el("dt", { text: name }), el("dd", { text: value === null || value === undefined || value === "" ? "—" : String(value) }));
}

async function openMemory(id) {
  const memory = await api("GET", `/v1/memories/${id}`);
  state.current = memory;
  const fields = $("detail-fields");
  fields.replaceChildren();
  field(fields, "id", memory.id);
  field(fields, "type", memory.type);
  field(fields, "content", memory.content);
  field(fields, "scope", scopeText(memory));
  field(fields, "importance", `${memory.importance.toFixed(2)} (tier: ${memory.importance_tier || "unknown"})`);
  field(fields, "tokens", memory.token_count);
  field(fields, "tags", memory.tags.join(", "));
  field(fields, "occurred", when(memory.occurred_at));
  field(fields, "created", when(memory.created_at));
  field(fields, "accessed", `${memory.access_count} times, last ${when(memory.last_accessed_at)}`);
  field(fields, "uses", memory.use_count);
  for (const name of ["external_id", "fact_key", "status", "due_at", "trigger", "task_id", "content_hash"]) {
    if (memory[name]) field(fields, name, memory[name]);
  }
  if (Object.keys(memory.metadata).length) field(fields, "metadata", JSON.stringify(memory.metadata));
  $("detail-title").textContent = `${memory.type} memory`;
  $("detail-restore").hidden = !memory.superseded_by;
  $("detail").hidden = false;
  await Promise.all([renderChain(memory), renderHistory(memory.id)]);
  $("detail-title").focus();
}

// The versions this memory replaced (older) and was replaced by (newer), at most 10 each way.
async function renderChain(memory) {
  const chain = [memory];
  for (let m = memory, n = 0; m.supersedes && n < 10; n++) {
    m = await api("GET", `/v1/memories/${m.supersedes}`).catch(() => null);
    if (!m) break;
    chain.unshift(m);
  }
  for (let m = memory, n = 0; m.superseded_by && n < 10; n++) {
    m = await api("GET", `/v1/memories/${m.superseded_by}`).catch(() => null);
    if (!m) break;
    chain.push(m);
  }
  // A memory that replaced nothing and was replaced by nothing has no chain to show.
  $("detail-chain-title").hidden = $("detail-chain").hidden = chain.length === 1;
  $("detail-chain").replaceChildren(
    ...chain.map((m) => {
      const item = el("li", { text: `${when(m.occurred_at)}: ${m.content}` });
      if (m.id === memory.id) item.setAttribute("aria-current", "true");
      return item;
    }),
  );
}

async function renderHistory(id) {
  const history = await api("GET", `/v1/memories/${id}/history`).catch(() => ({ entries: [] }));
  $("detail-history").replaceChildren(
    ...history.entries.map((e) => {
      const parts = [`${when(e.at)}: ${e.action}`, e.agent ? `by agent ${e.agent}` : `by tenant ${e.tenant}`];
      if (e.changed.length) parts.push(`changed ${e.changed.join(", ")}`);
      if (e.reason) parts.push(e.reason);
      return el("li", { text: parts.join(" · ") });
    }),
  );
}

async function deleteCurrent() {
  const memory = state.current;
  if (!memory || !window.confirm(`Delete this ${memory.type} memory? This cannot be undone.`)) return;
  await api("DELETE", `/v1/memories/${memory.id}`);
  $("detail").hidden = true;
  state.memories = state.memories.filter((m) => m.id !== memory.id);
  renderTable();
  say(`Deleted memory ${memory.id}.`);
  $("memory-caption").focus();
}

async function restoreCurrent() {
  const memory = state.current;
  try {
    await api("POST", `/v1/memories/${memory.id}/restore`);
  } catch (error) {
    if (error.status === 404 || error.status === 405) throw new Error("This server cannot restore memories.");
    throw error;
  }
  say(`Restored memory ${memory.id}.`);
  await openMemory(memory.id);
}

// -- playground ------------------------------------------------------------------------------------

function retrieveRequest() {
  const request = { query: $("play-query").value, explain: true, scope: scope() };
  request.types = [...document.querySelectorAll('input[name="types"]:checked')].map((box) => box.value);
  const model = $("play-model").value.trim();
  if (model) request.model = model;
  else if ($("play-budget").value) request.budget_tokens = Number($("play-budget").value);
  if ($("play-now").value) request.now = new Date($("play-now").value).toISOString();
  if ($("play-as-of").value) {
    request.as_of = { at: new Date($("play-as-of").value).toISOString(), view: $("browse-as-of-view").value };
  }
  if ($("play-floor").value !== "") request.min_score = Number($("play-floor").value);
  if ($("play-confidence-floor").value !== "") request.min_confidence = Number($("play-confidence-floor").value);
  const allocation = $("play-allocation").value.trim();
  if (allocation) {
    request.allocation = Object.fromEntries(
      allocation.split(",").map((pair) => pair.split("=").map((s) => s.trim())).map(([k, v]) => [k, Number(v)]),
    );
  }
  return request;
}

async function retrieve() {
  const started = performance.now();
  const result = await api("POST", "/v1/retrieve", retrieveRequest());
  const elapsed = performance.now() - started;
  const meta = result.metadata;
  $("play-summary").textContent =
    `${meta.total_tokens} of ${meta.budget} tokens used (${Math.round(meta.utilization * 100)}%, ${meta.encoding}); ` +
    `${result.memories.length} memories, ${meta.trimmed_count} trimmed; ` +
    `best confidence ${(meta.top_confidence ?? 0).toFixed(2)}; ${elapsed.toFixed(0)} ms.`;
  $("play-budget-bars").replaceChildren(...Object.entries(meta.per_type).map(([type, t]) => budgetBar(type, t, meta.budget)));
  $("play-context").textContent = result.context || "(empty: nothing fit or nothing matched)";
  const best = Math.max(1e-9, ...result.memories.map((m) => Math.abs(m.score)));
  $("play-hits").replaceChildren(...result.memories.map((m) => hit(m, best)));
  renderLeftOut(result.left_out || [], result.memories);
  $("play-result").hidden = false;
  say(`Retrieved ${result.memories.length} memories in ${elapsed.toFixed(0)} ms.`);
}

function budgetBar(type, t, budget) {
  const pct = (n) => `${Math.min(100, Math.max(0, (100 * n) / Math.max(1, budget))).toFixed(2)}%`;
  const label = `${type}: share ${t.share}, redistributed ${t.redistributed}, used ${t.tokens} tokens by ${t.count}, trimmed ${t.trimmed}`;
  const bar = el("div", { class: "bar-track", role: "img", "aria-label": label });
  const share = el("div", { class: "bar-share" });
  share.style.width = pct(t.share + t.redistributed);
  const used = el("div", { class: `bar-used type-${type}` });
  used.style.width = pct(t.tokens);
  bar.append(share, used);
  return el("li", {}, el("span", { class: "bar-label", text: label }), bar);
}

function hit(memory, best) {
  const components = (memory.explain && memory.explain.components) || {};
  // In the explanation's own order: the registered terms', then each post-engine stage's.
  const names = Object.keys(components);
  const parts = names.map((name) => `${name} ${components[name].contribution.toFixed(3)}`);
  const bar = el("div", {
    class: "score-bar",
    role: "img",
    "aria-label": `score ${memory.score.toFixed(3)}: ${parts.join(", ") || "no explanation"}`,
  });
  for (const name of names) {
    const contribution = components[name].contribution;
    if (contribution <= 0) continue;
    const segment = el("div", { class: `term term-${name}`, title: `${name}: ${contribution.toFixed(3)}` });
    segment.style.width = `${((100 * contribution) / best).toFixed(2)}%`;
    bar.append(segment);
  }
  const header = el("p", { class: "hit-head" },
    el("span", { class: `badge type-${memory.type}`, text: memory.type }),
    el("span", { class: "tokens", text: `${memory.tokens} tokens` }),
    el("span", { class: "score", text: `score ${memory.score.toFixed(3)}` }),
    ...(memory.stale ? [el("span", { class: "badge", text: "stale", title: memory.stale_cause || "" })] : []),
    el("span", { class: "confidence", text: `confidence ${(memory.confidence ?? 1).toFixed(2)}` }));
  const legend = el("p", { class: "legend", text: parts.join(" · ") });
  return el("li", { class: "hit" }, header, el("p", { class: "hit-content", text: memory.content }), bar, legend);
}

// What the retrieval found and did not put in the context, best first, each with its reason.
function renderLeftOut(leftOut, packed) {
  // The better hit a duplicate stands for may itself be left out (over budget): named either way.
  const contents = Object.fromEntries([...packed, ...leftOut].map((m) => [m.id, m.content]));
  const counts = {};
  for (const m of leftOut) counts[m.reason] = (counts[m.reason] || 0) + 1;
  const summary = Object.entries(counts).map(([reason, n]) => `${n} ${REASONS[reason] || reason}`).join(", ");
  $("play-left-out-caption").textContent = leftOut.length
    ? `Left out, and why: ${summary}`
    : "Left out, and why: nothing (everything found is in the context)";
  $("play-left-out").tBodies[0].replaceChildren(
    ...leftOut.map((m) => {
      const better = m.duplicate_of && (contents[m.duplicate_of] ? `"${contents[m.duplicate_of]}"` : m.duplicate_of);
      const why = better ? `${m.detail}: ${better}` : m.detail;
      return el("tr", { class: `left-${m.reason}` },
        el("td", {}, el("span", { class: `badge reason-${m.reason}`, text: REASONS[m.reason] || m.reason })),
        el("td", { text: m.type }),
        el("td", { text: m.score.toFixed(3) }),
        el("td", { text: String(m.tokens) }),
        el("td", { class: "content", text: m.content }),
        el("td", { class: "why", text: why }));
    }),
  );
}

// -- working memory and threads --------------------------------------------------------------------

async function listScope() {
  const params = new URLSearchParams(scope());
  if (![...params.keys()].length) throw new Error("Enter a scope above (user_id, agent_id, thread_id or namespace).");
  const live = await api("GET", `/v1/scopes/live?${params}`);
  const links = (ids, input, show) =>
    ids.map((id) => {
      const open = el("button", { type: "button", class: "link", text: id });
      open.addEventListener("click", () => guarded(() => { $(input).value = id; return show(); }));
      return el("li", {}, open);
    });
  $("scope-tasks").replaceChildren(...links(live.task_ids, "task-id", showTask));
  $("scope-threads").replaceChildren(...links(live.thread_ids, "thread-id", showThread));
  $("scope-live").hidden = false;
  say(`The scope has ${live.task_ids.length} live tasks and ${live.thread_ids.length} threads.`);
}

async function showTask() {
  const view = await api("GET", `/v1/working/${encodeURIComponent($("task-id").value.trim())}`);
  const ttl = view.expires_at ? Math.max(0, Math.round((new Date(view.expires_at) - Date.now()) / 1000)) : null;
  $("task-caption").textContent =
    `Task ${view.task_id}: ${view.items.length} live items, ${view.total_tokens} of ${view.max_tokens} tokens` +
    (ttl === null ? "" : `, expires in ${ttl} s`);
  $("task-table").tBodies[0].replaceChildren(
    ...view.items.map((i) =>
      el("tr", {}, el("td", { text: String(i.seq) }), el("td", { text: String(i.priority) }),
        el("td", { text: String(i.tokens) }), el("td", { class: "content", text: i.content }))),
  );
  $("task-table").hidden = false;
  say(`Task ${view.task_id}: ${view.items.length} live items.`);
}

async function showThread() {
  const id = encodeURIComponent($("thread-id").value.trim());
  const history = await api("GET", `/v1/threads/${id}/history?budget_tokens=${Number($("thread-budget").value) || 2000}`);
  const meta = history.metadata;
  $("thread-summary").textContent =
    `${meta.turns} turns in ${meta.total_tokens} of ${meta.budget} tokens (${meta.encoding}); ` +
    `${meta.trimmed_count} older turns left out; chain: ${meta.chain.join(" ← ")}`;
  $("thread-context").textContent = history.context || "(no turns)";
  $("thread-result").hidden = false;
  say(`Thread ${history.thread_id}: ${meta.turns} turns.`);
}

// -- forget a subject -------------------------------------------------------------------------------

function subject() {
  const given = scope();
  if (!Object.keys(given).length) throw new Error("Name the subject above (user_id, agent_id, thread_id or namespace).");
  return given;
}

function showSubject() {
  const given = scope();
  const names = Object.entries(given).map(([k, v]) => `${k}=${v}`).join(", ");
  $("forget-subject").textContent = names ? `Subject: ${names}` : "Subject: none named yet (fill in the scope above).";
}

async function forget(dryRun) {
  const given = subject();
  const names = Object.entries(given).map(([k, v]) => `${k}=${v}`).join(", ");
  if (!dryRun && !window.confirm(`Forget everything of ${names}? This cannot be undone.`)) return;
  const receipt = await api("POST", "/v1/forget", { scope: given, dry_run: dryRun });
  const fields = $("forget-fields");
  fields.replaceChildren();
  field(fields, "subject", names);
  field(fields, "done", receipt.dry_run ? "no: a preview, nothing was removed" : "yes: removed");
  field(fields, "at", when(receipt.at));
  field(fields, receipt.dry_run ? "would remove" : "removed", `${receipt.removed} in all`);
  field(fields, "per type", Object.entries(receipt.counts).map(([k, n]) => `${k}: ${n}`).join(", "));
  field(fields, "tasks", receipt.task_ids.join(", "));
  field(fields, "threads", receipt.thread_ids.join(", "));
  field(fields, "tenant", receipt.tenant);
  field(fields, "digest (sha256)", receipt.digest);
  $("forget-memories-title").textContent = receipt.dry_run ? "Memories it would remove" : "Memories removed";
  // A preview names what would go (the memories are still there to read); a receipt only their ids.
  const shown = receipt.dry_run ? await Promise.all(receipt.memory_ids.slice(0, PREVIEW_DETAILS).map(
    (id) => api("GET", `/v1/memories/${id}`).catch(() => null))) : [];
  $("forget-memory-ids").replaceChildren(...receipt.memory_ids.map((id, i) => {
    const memory = shown[i];
    if (!memory) return el("li", { text: id });
    return el("li", {}, el("span", { class: "content", text: memory.content }),
      el("span", { class: "meta", text: ` (${memory.type}; ${scopeText(memory) || "no scope"}; ${id})` }));
  }));
  $("forget-receipt-title").textContent = receipt.dry_run ? "Preview: what would be forgotten" : "Receipt: forgotten";
  $("forget-receipt").hidden = false;
  if (!receipt.dry_run) {
    state.memories = state.memories.filter((m) => !receipt.memory_ids.includes(m.id));
    if (state.current && receipt.memory_ids.includes(state.current.id)) $("detail").hidden = true;
    renderTable();
  }
  say(receipt.dry_run ? `Would forget ${receipt.removed} things of ${names}.` : `Forgot ${receipt.removed} things of ${names}.`);
  $("forget-receipt-title").focus();
}

// -- forget by topic: a preview with checkboxes, then exactly the ticked ones ------------------------

async function previewTopic() {
  const query = $("topic-query").value.trim();
  const kind = $("topic-kind").value;
  if (!query && !kind) throw new Error("Say what the memories are about, or what they hold.");
  const body = { scope: scope() };
  if (query) body.query = query;
  if (kind) body.sensitive = [kind];
  const preview = await api("POST", "/v1/forget/preview", body);
  state.previewToken = preview.preview_token;
  $("topic-table").tBodies[0].replaceChildren(...preview.matches.map((m) => el("tr", {},
    el("td", {}, el("input", { type: "checkbox", checked: true, value: m.id, "aria-label": `forget ${m.id}` })),
    el("td", { text: m.content }), el("td", { text: m.type }), el("td", { text: m.why }))));
  $("topic-near").replaceChildren(...preview.near_misses.map((m) =>
    el("li", {}, el("span", { class: "content", text: m.content }), el("span", { class: "meta", text: ` (${m.type}; ${m.why})` }))));
  const more = preview.truncated ? " (more matched: narrow the topic)" : "";
  $("topic-summary").textContent = preview.matches.length
    ? `${preview.matches.length} memories would be forgotten${more}; the preview expires ${when(preview.expires_at)}.`
    : "No memory matches: nothing would be forgotten.";
  $("topic-run").disabled = !preview.matches.length;
  $("topic-result").hidden = false;
  say(`Preview: ${preview.matches.length} memories would be forgotten.`);
}

async function forgetTopic() {
  const ids = [...$("topic-table").querySelectorAll("input[type=checkbox]:checked")].map((box) => box.value);
  if (!ids.length) throw new Error("Nothing is ticked.");
  if (!window.confirm(`Forget ${ids.length} memories? This cannot be undone.`)) return;
  const receipt = await api("POST", "/v1/forget/previewed", { preview_token: state.previewToken, ids });
  state.previewToken = null;
  $("topic-run").disabled = true;
  $("topic-table").tBodies[0].replaceChildren();
  $("topic-summary").textContent = `Forgot ${receipt.removed} memories; receipt digest ${receipt.digest}.`;
  state.memories = state.memories.filter((m) => !receipt.memory_ids.includes(m.id));
  renderTable();
  say(`Forgot ${receipt.removed} memories.`);
}

// -- switching the key: nothing of the previous tenant stays on screen -------------------------------

function clearPanels() {
  state.generation += 1;
  state.cursors = [null];
  state.page = 0;
  state.memories = [];
  state.scores = null;
  state.current = null;
  $("memory-table").tBodies[0].replaceChildren();
  for (const list of ["detail-fields", "detail-chain", "detail-history", "play-hits", "play-budget-bars",
    "scope-tasks", "scope-threads", "forget-fields", "forget-memory-ids", "topic-near"]) $(list).replaceChildren();
  for (const table of ["play-left-out", "task-table", "topic-table"]) $(table).tBodies[0].replaceChildren();
  for (const text of ["play-summary", "play-context", "task-caption", "thread-summary", "thread-context", "topic-summary"]) $(text).textContent = "";
  for (const panel of ["detail", "play-result", "scope-live", "task-table", "thread-result", "forget-receipt", "topic-result"]) $(panel).hidden = true;
  for (const input of ["search-query", "task-id", "thread-id", "topic-query"]) $(input).value = "";
  state.previewToken = null;
  $("topic-run").disabled = true;
  $("memory-caption").textContent = "Memories";
  say("");
}

function keyChanged() {
  const key = $("api-key").value.trim();
  if (key === state.key) return false;
  state.key = key;
  sessionStorage.setItem("mnemo-api-key", $("api-key").value);
  clearPanels();
  return true;
}

// -- wiring ------------------------------------------------------------------------------------------

function onSubmit(id, action) {
  $(id).addEventListener("submit", (event) => {
    event.preventDefault();
    guarded(action);
  });
}

function reload() {
  state.cursors = [null];
  state.page = 0;
  return loadPage();
}

document.addEventListener("DOMContentLoaded", () => {
  setUpTabs();
  $("api-key").value = sessionStorage.getItem("mnemo-api-key") || "";
  state.key = $("api-key").value.trim();
  $("api-key").addEventListener("change", () => { if (keyChanged()) guarded(reload); });
  onSubmit("session", () => { keyChanged(); showSubject(); return reload(); });
  onSubmit("search-form", search);
  $("search-clear").addEventListener("click", () => { $("search-query").value = ""; guarded(reload); });
  onSubmit("forget-form", () => forget(true));
  $("forget-run").addEventListener("click", () => guarded(() => forget(false)));
  onSubmit("topic-form", previewTopic);
  $("topic-run").addEventListener("click", () => guarded(forgetTopic));
  for (const input of document.querySelectorAll("#session input")) input.addEventListener("input", showSubject);
  showSubject();
  onSubmit("browse-form", reload);
  onSubmit("play-form", retrieve);
  onSubmit("scope-live-form", listScope);
  onSubmit("task-form", showTask);
  onSubmit("thread-form", showThread);
  $("browse-tag").addEventListener("input", renderTable);
  $("page-next").addEventListener("click", () => guarded(() => { state.page += 1; return loadPage(); }));
  $("page-prev").addEventListener("click", () => guarded(() => { state.page -= 1; return loadPage(); }));
  $("detail-delete").addEventListener("click", () => guarded(deleteCurrent));
  $("detail-restore").addEventListener("click", () => guarded(restoreCurrent));
  $("memory-caption").tabIndex = -1;
  guarded(reload);
});
