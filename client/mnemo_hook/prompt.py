"""The prompt hook: retrieve for the prompt, keep only what clears the relevance floor, answer it as
Claude Code's `additionalContext`, or nothing at all when nothing clears it.

The floor is on each hit's calibrated `confidence` (0..1, the estimated probability that it is
relevant, the same in a store of one memory and of a million), sent as the request's
`min_confidence`: `MNEMO_HOOK_MIN_CONFIDENCE`, default 0.2. Higher than the service's default floor
(which only leaves out what is nearly certainly unrelated, so that a budget keeps what it would
have packed): the hook adds to every prompt unasked, so it adds what is likely to matter. A lone
rule asked about scores far above it, an unrelated lone memory far below (benchmarks/README.md,
"Confidence in stores of every size"). 0 turns it off (the budget is filled).
`MNEMO_HOOK_MIN_SCORE` adds a floor on the ranked `score` (default 0: off; a score orders memories,
its scale depends on what else is stored). The session's own working memory (its todo list) is
always relevant and never held to a floor.
When every hit clears it, the server's packed context is passed on as it is; otherwise the hits that
clear it are rendered here, one section per type, as the server renders them.
"""

from __future__ import annotations

import os
from datetime import datetime
from typing import Any

from .api import Api, log, safe_id

DEFAULT_BUDGET_TOKENS = 1000
DEFAULT_MIN_CONFIDENCE = 0.2
DEFAULT_MIN_SCORE = 0.0
MAX_QUERY_CHARS = 8_000  # the API's limit on a query
HEADER = "Memory from mnemo that may be relevant to this prompt (the session's working memory first):"
# The registry's section titles, in its section order (memtypes/types.py; a hook imports nothing of
# mnemo, so tests/unit/test_type_lists.py holds this mirror to the registry). A type missing here is
# still rendered, after these, under its own name.
TITLES = {
    "working": "Working memory",
    "semantic": "Semantic memory (facts and preferences)",
    "procedural": "Procedural memory (how to do things)",
    "prospective": "Prospective memory (to do later)",
    "episodic": "Episodic memory (what happened)",
}


def env_number(name: str, default: float, minimum: float = 0.0) -> float:
    raw = os.environ.get(name)
    try:
        value = float(raw) if raw else default
    except ValueError:
        log(f"{name}={raw!r} is not a number; using {default}")
        return default
    return value if value >= minimum else default


def confidence_floor() -> float:
    """`MNEMO_HOOK_MIN_CONFIDENCE` where set to a number in 0..1, else the default."""
    value = env_number("MNEMO_HOOK_MIN_CONFIDENCE", DEFAULT_MIN_CONFIDENCE)
    if value > 1.0:
        log(f"MNEMO_HOOK_MIN_CONFIDENCE={value} is above 1; using {DEFAULT_MIN_CONFIDENCE}")
        return DEFAULT_MIN_CONFIDENCE
    return value


def clears_floor(hit: dict[str, Any], min_confidence: float, min_score: float) -> bool:
    if hit.get("type") == "working":
        return True
    score = hit.get("score")
    if not isinstance(score, int | float) or score < min_score:
        return False
    confidence = hit.get("confidence")
    return not isinstance(confidence, int | float) or confidence >= min_confidence


def _line(hit: dict[str, Any]) -> str:
    content = str(hit.get("content") or "")
    occurred = hit.get("occurred_at")
    if hit.get("type") == "episodic" and isinstance(occurred, str):
        from datetime import datetime  # only here: not on every prompt's import path

        try:
            return f"- [{datetime.fromisoformat(occurred):%Y-%m-%d %H:%M}] {content}"
        except ValueError:
            return f"- {content}"
    return f"- {content}"


def render(hits: list[dict[str, Any]]) -> str:
    """The kept hits, one section per type in the server's order, each section best first."""
    out = []
    unlisted = {str(h.get("type")): f"{str(h.get('type')).capitalize()} memory" for h in hits}
    for memory_type, title in {**TITLES, **{t: n for t, n in unlisted.items() if t not in TITLES}}.items():
        lines = [_line(h) for h in hits if h.get("type") == memory_type]
        if lines:
            out.append(f"## {title}\n" + "\n".join(lines))
    return "\n".join(out)


def context_for(found: dict[str, Any]) -> str:
    """What to inject: the server's context, less what falls below the floor ("" for nothing)."""
    hits = [h for h in found.get("memories") or [] if isinstance(h, dict)]
    if not hits:
        top = (found.get("metadata") or {}).get("top_confidence")
        if isinstance(top, int | float) and top > 0:
            log(f"no memory clears the relevance floor (best confidence {top:.2f})")
        return ""
    min_score = env_number("MNEMO_HOOK_MIN_SCORE", DEFAULT_MIN_SCORE)
    kept = [h for h in hits if clears_floor(h, confidence_floor(), min_score)]
    if len(kept) == len(hits):
        return str(found.get("context") or "").strip()
    log(f"{len(hits) - len(kept)} of {len(hits)} memories below the relevance floor, left out")
    return render(kept)


def user_prompt_submit(api: Api, event: dict[str, Any], scope: dict[str, str]) -> dict[str, Any] | None:
    prompt = str(event.get("prompt") or "").strip()
    if not prompt:
        return None
    request: dict[str, Any] = {
        "query": prompt[:MAX_QUERY_CHARS],
        "scope": scope,
        "budget_tokens": int(env_number("MNEMO_HOOK_BUDGET_TOKENS", DEFAULT_BUDGET_TOKENS, minimum=1)),
    }
    request["min_confidence"] = confidence_floor()
    # This machine's UTC offset (`+05:30`): "tomorrow" is the user's day, whatever the server's zone.
    request["timezone"] = datetime.now().astimezone().isoformat(timespec="minutes")[-6:]
    if task_id := safe_id(event.get("session_id")):
        request["task_id"] = task_id  # the session's working memory (its todo list) comes first
    context = context_for(api.call("POST", "/v1/retrieve", request))
    if not context:
        return None
    return {
        "hookSpecificOutput": {
            "hookEventName": "UserPromptSubmit",
            "additionalContext": f"{HEADER}\n\n{context}",
        }
    }
