"""A Zep user's messages: `{"user_id": …, "threads": [{"thread_id": …, "messages": [...]}]}`, or one
thread as Zep's thread history answers it (`{"messages": [...]}`, its user given as `user_id` beside
them). Each message is an episodic turn, `<name or role>: <content>`, at its `created_at`, in the
scope of the user and its thread."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .entries import Entry, caller_id, entry, instant, items_of, scope_id, text_in


def read(data: Any) -> Iterator[Entry]:
    if not isinstance(data, dict):
        yield Entry("file", error="a Zep export is a JSON object")
        return
    user = scope_id(data.get("user_id"))
    threads = items_of(data, "threads") or [data]
    for t, thread in enumerate(threads):
        if not isinstance(thread, dict):
            yield Entry(f"threads[{t}]", error="not an object")
            continue
        thread_id = scope_id(thread.get("thread_id") or thread.get("session_id"))
        scope = {"user_id": scope_id(thread.get("user_id")) or user, "thread_id": thread_id}
        for n, message in enumerate(items_of(thread, "messages")):
            yield _message(f"threads[{t}].messages[{n}]", message, scope)


def _message(where: str, message: Any, scope: dict[str, Any]) -> Entry:
    text = text_in(where, message, "message", "content")
    if isinstance(text, Entry):
        return text
    speaker = message.get("name") or message.get("role") or "user"
    return entry(
        where,
        type="episodic",
        content=f"{speaker}: {text.strip()}",
        id=caller_id("zep", message.get("uuid") or message.get("id"), where, text),
        scope=scope,
        occurred_at=instant(message.get("created_at")),
        metadata={"role": message.get("role"), **(message.get("metadata") or {})},
    )
