"""`mnemo hook EVENT`: Claude Code's hooks (and any agent's with the same JSON) run memory by themselves.

The hook reads the event's JSON on stdin and answers on stdout:

- `user-prompt-submit`: retrieves for the prompt (the session's working memory first) and answers
  `hookSpecificOutput.additionalContext`;
- `post-tool-use` of `TodoWrite`: the todo list becomes the session's working memory (task id = the
  session id); when every todo is completed the task is cleared, its items archived;
- `stop` / `session-end`: the transcript's new turns become episodic memories of the session's
  thread, each under a deterministic id, so a turn is written once however often the hook runs.

It runs on every prompt, so it is fast (standard library only, not even `http.client`: importing
httpx and pydantic alone would cost more than the whole latency target) and safe: every request has
a timeout, and whatever goes wrong (mnemo down, a bad payload) the hook prints nothing, exits 0 and
says why on stderr (and in `MNEMO_HOOK_LOG` when set). The agent's turn never fails because of
memory.

Settings (environment): MNEMO_URL, MNEMO_API_KEY, MNEMO_HOOK_USER_ID, MNEMO_HOOK_BUDGET_TOKENS,
MNEMO_HOOK_TIMEOUT_S, MNEMO_HOOK_STATE_DIR, MNEMO_HOOK_LOG.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

from .api import Api, HookError, log, safe_id

DEFAULT_URL = "http://127.0.0.1:8080"
DEFAULT_BUDGET_TOKENS = 1000
# Per event: the prompt hook blocks the user's turn, so it gives up soonest.
DEFAULT_TIMEOUT_S = {"user-prompt-submit": 2.0, "post-tool-use": 5.0, "stop": 20.0, "session-end": 20.0}
EVENT_NAMES = {
    "userpromptsubmit": "user-prompt-submit",
    "posttooluse": "post-tool-use",
    "stop": "stop",
    "sessionend": "session-end",
}
MAX_QUERY_CHARS = 8_000  # the API's limit on a query


def _env_number(name: str, default: float) -> float:
    raw = os.environ.get(name)
    try:
        value = float(raw) if raw else default
    except ValueError:
        log(f"{name}={raw!r} is not a number; using {default}")
        return default
    return value if value > 0 else default


def _scope(session_id: str | None = None) -> dict[str, str]:
    scope = {}
    if user_id := safe_id(os.environ.get("MNEMO_HOOK_USER_ID"), 256):
        scope["user_id"] = user_id
    if session_id:
        scope["thread_id"] = session_id
    return scope


def user_prompt_submit(api: Api, event: dict[str, Any]) -> dict[str, Any] | None:
    prompt = str(event.get("prompt") or "").strip()
    if not prompt:
        return None
    request: dict[str, Any] = {
        "query": prompt[:MAX_QUERY_CHARS],
        "scope": _scope(),
        "budget_tokens": int(_env_number("MNEMO_HOOK_BUDGET_TOKENS", DEFAULT_BUDGET_TOKENS)),
    }
    if task_id := safe_id(event.get("session_id")):
        request["task_id"] = task_id  # the session's working memory (its todo list) comes first
    found = api.call("POST", "/v1/retrieve", request)
    context = str(found.get("context") or "").strip()
    if not context:
        return None
    header = "Memory from mnemo that may be relevant to this prompt (the session's working memory first):"
    return {
        "hookSpecificOutput": {
            "hookEventName": "UserPromptSubmit",
            "additionalContext": f"{header}\n\n{context}",
        }
    }


def main(argv: list[str]) -> int:
    """Run one hook event; always exit 0 (an error is logged, never shown to the agent's model)."""
    if argv and argv[0] == "install":
        from .install import main as install

        return install(argv[1:])
    if len(argv) != 1:
        print(
            "usage: mnemo hook {user-prompt-submit|post-tool-use|stop|session-end|install}", file=sys.stderr
        )
        return 2
    event_name = EVENT_NAMES.get(argv[0].replace("-", "").replace("_", "").lower())
    if event_name is None:
        print(f"mnemo hook: unknown event {argv[0]!r}", file=sys.stderr)
        return 2
    try:
        event = json.loads(sys.stdin.read() or "{}")
        if not isinstance(event, dict):
            raise HookError("the hook input is not a JSON object")
        timeout_s = _env_number("MNEMO_HOOK_TIMEOUT_S", DEFAULT_TIMEOUT_S[event_name])
        api = Api(os.environ.get("MNEMO_URL") or DEFAULT_URL, os.environ.get("MNEMO_API_KEY"), timeout_s)
        answer = run_event(event_name, api, event)
    except HookError as exc:
        log(str(exc))
        return 0
    except Exception as exc:  # a hook must never fail the agent's turn
        log(f"{event_name} failed: {exc!r}")
        return 0
    if answer is not None:
        sys.stdout.write(json.dumps(answer))
    return 0


def run_event(event_name: str, api: Api, event: dict[str, Any]) -> dict[str, Any] | None:
    if event_name == "user-prompt-submit":
        return user_prompt_submit(api, event)
    from . import events as hook_events  # the other events are not on the prompt's path

    if event_name == "post-tool-use":
        hook_events.todo_write(api, event)
    else:
        hook_events.save_transcript(api, event, _scope(safe_id(event.get("session_id"), 256)))
    return None
