"""`mnemo-hook EVENT` (also `mnemo hook EVENT`): Claude Code's hooks (and any agent's with the same
JSON) run memory by themselves.

The hook reads the event's JSON on stdin and answers on stdout:

- `user-prompt-submit`: retrieves for the prompt (the session's working memory first) and answers
  `hookSpecificOutput.additionalContext` with what clears the relevance floor (mnemo_hook/prompt.py);
- `post-tool-use` of `TodoWrite`: the todo list becomes the session's working memory (task id = the
  session id); when every todo is completed the task is cleared, its items archived;
- `stop` / `session-end`: the transcript's new turns become episodic memories of the session's
  thread, each under a deterministic id, so a turn is written once however often the hook runs.

It runs on every prompt, so it is fast (standard library only, not even `http.client`: importing
httpx and pydantic alone would cost more than the whole latency target) and safe: every request has
a timeout, and whatever goes wrong (mnemo down, a bad payload) the hook prints nothing, exits 0 and
says why on stderr (and in `MNEMO_HOOK_LOG` when set). The agent's turn never fails because of
memory.

Everything a hook writes (working items and so their archived records, transcript turns) and every
retrieval it makes carries the hook's user (MNEMO_HOOK_USER_ID, default the OS user) as `user_id`.

Settings (environment): MNEMO_URL, MNEMO_API_KEY, MNEMO_HOOK_USER_ID, MNEMO_HOOK_BUDGET_TOKENS,
MNEMO_HOOK_MIN_CONFIDENCE, MNEMO_HOOK_MIN_SCORE, MNEMO_HOOK_TIMEOUT_S, MNEMO_HOOK_STATE_DIR,
MNEMO_HOOK_LOG.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

from .api import Api, HookError, log, safe_id
from .prompt import env_number, user_prompt_submit

DEFAULT_URL = "http://127.0.0.1:8080"
# Per event: the prompt hook blocks the user's turn, so it gives up soonest.
DEFAULT_TIMEOUT_S = {"user-prompt-submit": 2.0, "post-tool-use": 5.0, "stop": 20.0, "session-end": 20.0}
EVENT_NAMES = {
    "userpromptsubmit": "user-prompt-submit",
    "posttooluse": "post-tool-use",
    "stop": "stop",
    "sessionend": "session-end",
}
USAGE = "usage: mnemo-hook {user-prompt-submit|post-tool-use|stop|session-end|install} [-h] [--version]"
HELP = f"""{USAGE}

Claude Code's hooks (and any agent's with the same JSON): the event's JSON on stdin, the answer on
stdout. Whatever goes wrong, a hook prints nothing, exits 0 and says why on stderr.

events:
  user-prompt-submit  recall for the prompt: relevant memories as additionalContext
  post-tool-use       a TodoWrite todo list becomes the session's working memory
  stop, session-end   the transcript's new turns become episodic memories of the session's thread
  install             add these hooks (and the MCP server) to Claude Code's settings; see
                      mnemo-hook install --help

environment: MNEMO_URL (default {DEFAULT_URL}), MNEMO_API_KEY, MNEMO_HOOK_USER_ID (default the OS
user), MNEMO_HOOK_BUDGET_TOKENS, MNEMO_HOOK_MIN_CONFIDENCE, MNEMO_HOOK_MIN_SCORE,
MNEMO_HOOK_TIMEOUT_S, MNEMO_HOOK_STATE_DIR, MNEMO_HOOK_LOG
"""


def hook_user() -> str | None:
    """Whose memory the hooks read and write: MNEMO_HOOK_USER_ID, else the OS user (so that a
    forget of that user finds everything the hooks wrote)."""
    # As getpass.getuser() finds it, without that module's imports (a hook starts on every prompt).
    names = ("MNEMO_HOOK_USER_ID", "LOGNAME", "USER", "LNAME", "USERNAME")
    raw = next((os.environ[n] for n in names if os.environ.get(n)), None)
    if raw is None:
        try:
            import pwd

            raw = pwd.getpwuid(os.getuid()).pw_name
        except (ImportError, KeyError, OSError):  # no name for this uid (a bare container): the whole tenant
            return None
    return safe_id(raw, 256)


def hook_scope(session_id: str | None = None) -> dict[str, str]:
    scope = {}
    if user_id := hook_user():
        scope["user_id"] = user_id
    if session_id:
        scope["thread_id"] = session_id
    return scope


def main(argv: list[str]) -> int:
    """Run one hook event; always exit 0 (an error is logged, never shown to the agent's model)."""
    if argv and argv[0] == "install":
        from .install import main as install

        return install(argv[1:])
    if "-h" in argv or "--help" in argv:
        print(HELP, end="")
        return 0
    if argv == ["--version"]:
        from mnemo_client._version import client_version  # the package's __init__ imports nothing heavy

        print(f"mnemo-hook (mnemo-client {client_version()})")
        return 0
    if len(argv) != 1:
        print(USAGE, file=sys.stderr)
        return 2
    event_name = EVENT_NAMES.get(argv[0].replace("-", "").replace("_", "").lower())
    if event_name is None:
        print(f"mnemo-hook: unknown event {argv[0]!r}", file=sys.stderr)
        return 2
    try:
        event = json.loads(sys.stdin.read() or "{}")
        if not isinstance(event, dict):
            raise HookError("the hook input is not a JSON object")
        timeout_s = env_number("MNEMO_HOOK_TIMEOUT_S", DEFAULT_TIMEOUT_S[event_name], minimum=0.001)
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
    session_id = safe_id(event.get("session_id"), 256)
    if event_name == "user-prompt-submit":
        return user_prompt_submit(api, event, hook_scope())
    from . import events as hook_events  # the other events are not on the prompt's path

    if event_name == "post-tool-use":
        hook_events.todo_write(api, event, hook_scope(session_id))
    else:
        hook_events.save_transcript(api, event, hook_scope(session_id))
    return None


def run() -> None:
    """The `mnemo-hook` console script."""
    sys.exit(main(sys.argv[1:]))
