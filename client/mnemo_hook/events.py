"""The hook events off the prompt's path: a todo list into working memory, a transcript into episodic.

Working memory has append, read and clear (which archives); there is no removing one item. So a
todo list is mirrored like this: when only new todos appeared they are appended; when any live todo
changed or went away, each newly completed one is appended as `[completed] …` (so the archive says
how it ended), the task is cleared (everything archived, nothing lost) and the open todos are
appended again. A repeated, unchanged list costs one read.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from .api import Api, HookError, log, safe_id

OPEN_STATUSES = {"in_progress": "in progress", "pending": "pending"}
TODO_PRIORITY = {"high": 7, "medium": 5, "low": 3}
IN_PROGRESS_PRIORITY = 9
MAX_TURN_CHARS = 30_000  # under the API's 32,000-character memory; longer turns are split, not cut
WRITE_BATCH = 100
EVENT_TYPE = "episodic"  # a transcript's turns are events


@dataclass(frozen=True)
class Todo:
    content: str
    status: str
    priority: int

    @property
    def line(self) -> str:
        return f"[{OPEN_STATUSES.get(self.status, self.status)}] {self.content}"


def _todos(event: dict[str, Any]) -> list[Todo]:
    raw = (event.get("tool_input") or {}).get("todos")
    if not isinstance(raw, list):
        raise HookError("TodoWrite input without a `todos` list")
    todos = []
    for item in raw:
        if not isinstance(item, dict) or not str(item.get("content") or "").strip():
            continue
        status = str(item.get("status") or "pending")
        priority = (
            IN_PROGRESS_PRIORITY
            if status == "in_progress"
            else TODO_PRIORITY.get(str(item.get("priority")), 5)
        )
        todos.append(Todo(str(item["content"]).strip(), status, priority))
    return todos


def todo_write(api: Api, event: dict[str, Any], scope: dict[str, str]) -> None:
    if event.get("tool_name") != "TodoWrite":
        return
    task_id = safe_id(event.get("session_id"))
    if task_id is None:
        raise HookError("TodoWrite event without a session_id")
    todos = _todos(event)
    wanted = [t for t in todos if t.status in OPEN_STATUSES]
    path = f"/v1/working/{task_id}"
    live = [str(i["content"]) for i in api.call("GET", path)["items"]]
    wanted_lines = [t.line for t in wanted]
    if sorted(live) == sorted(wanted_lines):
        return
    if wanted and set(live) <= set(wanted_lines):
        _append(api, path, [t for t in wanted if t.line not in live], scope)
        return
    if live:
        done = [
            t
            for t in todos
            if t.status == "completed" and any(line.endswith(f"] {t.content}") for line in live)
        ]
        _append(api, path, [Todo(t.content, "completed", 0) for t in done], scope)
        cleared = api.call("DELETE", path)
        log(f"task {task_id}: {cleared.get('archived')} working item(s) archived")
    _append(api, path, wanted, scope)


def _append(api: Api, path: str, todos: list[Todo], scope: dict[str, str]) -> None:
    # Newest first is how working memory reads: append the list backwards so it reads in order.
    # Every item names the hook's scope: the task records it, and its archived records carry it, so a
    # forget of the hook's user finds them all.
    for todo in reversed(todos):
        item = {
            "content": todo.line,
            "scope": scope,
            "priority": todo.priority,
            "metadata": {"source": "TodoWrite", "todo": todo.content, "status": todo.status},
        }
        api.call("POST", f"{path}/items", item)


@dataclass(frozen=True)
class TranscriptTurn:
    line: int
    key: str
    role: str
    text: str
    timestamp: str | None


def _text_of(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(
            str(b.get("text") or "") for b in content if isinstance(b, dict) and b.get("type") == "text"
        )
    return ""


def _timestamp(raw: Any) -> str | None:
    try:
        moment = datetime.fromisoformat(str(raw))
    except ValueError:
        return None
    return moment.isoformat() if moment.tzinfo is not None else None


def complete_lines(path: Path) -> list[str]:
    """The transcript's lines that end in a newline: a line still being written waits for next time."""
    data = path.read_bytes()
    # Split on "\n" only: JSON may carry U+2028 and other characters `splitlines` would split on.
    return data[: data.rfind(b"\n") + 1].decode("utf-8", "replace").split("\n")[:-1]


def transcript_turns(lines: list[str], start: int) -> Iterator[TranscriptTurn]:
    """The user and assistant text of a Claude Code transcript (JSONL) from line `start` on; tool
    calls and results, meta and side-chain entries are not conversation and are left out."""
    for n in range(start, len(lines)):
        try:
            entry = json.loads(lines[n])
        except ValueError:
            continue
        if not isinstance(entry, dict) or entry.get("type") not in ("user", "assistant"):
            continue
        if entry.get("isMeta") or entry.get("isSidechain"):
            continue
        message = entry["message"] if isinstance(entry.get("message"), dict) else {}
        text = _text_of(message.get("content")).strip()
        if text:
            key = str(entry.get("uuid") or hashlib.sha256(lines[n].encode()).hexdigest()[:32])
            role = str(message.get("role") or entry["type"])
            yield TranscriptTurn(n, key, role, text, _timestamp(entry.get("timestamp")))


def _state_file(session_id: str) -> Path:
    root = os.environ.get("MNEMO_HOOK_STATE_DIR") or Path.home() / ".cache" / "mnemo" / "hooks"
    return Path(root) / f"{session_id}.json"


def save_transcript(api: Api, event: dict[str, Any], scope: dict[str, str]) -> None:
    session_id = scope.get("thread_id")
    transcript = event.get("transcript_path")
    if not session_id or not transcript:
        raise HookError("stop event without session_id or transcript_path")
    path = Path(str(transcript)).expanduser()
    state = _state_file(session_id)
    try:  # where the last run stopped: a speed-up only, the deterministic ids make rewrites no-ops
        start = int(json.loads(state.read_text())["lines"])
    except (OSError, ValueError, KeyError, TypeError):
        start = 0
    lines = complete_lines(path)
    turns = list(transcript_turns(lines, 0 if start > len(lines) else start))
    memories = [
        {
            "type": EVENT_TYPE,
            "content": f"{t.role}: {part}",
            "scope": scope,
            "id": f"claude-code:{session_id}:{t.key}" + (f":{i}" if i else ""),
            "metadata": {"source": "claude-code", "role": t.role, "transcript_line": t.line},
            **({"occurred_at": t.timestamp} if t.timestamp else {}),
        }
        for t in turns
        for i, part in enumerate(
            t.text[k : k + MAX_TURN_CHARS] for k in range(0, len(t.text), MAX_TURN_CHARS)
        )
    ]
    for k in range(0, len(memories), WRITE_BATCH):
        # A conversation keeps every turn as it was: no filler filter, no near-duplicate merging.
        api.call(
            "POST",
            "/v1/memories",
            {"memories": memories[k : k + WRITE_BATCH], "prefilter": False, "dedup": False},
        )
    state.parent.mkdir(parents=True, exist_ok=True)
    state.write_text(json.dumps({"lines": len(lines)}))
