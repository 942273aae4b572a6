"""A mem0 dump: what `get_all` answers (`{"results": [...]}`, paged or not), the export's
`{"memories": [...]}`, a plain list, or JSON lines of memories. Each memory is a fact: semantic, in
the scope of its user, agent, run (thread) and app (namespace `app/<id>`), at its `created_at`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .entries import Entry, caller_id, entry, instant, items_of, scope_id, text_in


def read(data: Any) -> Iterator[Entry]:
    for n, memory in enumerate(items_of(data, "results", "memories")):
        where = f"memories[{n}]"
        text = text_in(where, memory, "memory", "memory", "text", "data")
        if isinstance(text, Entry):
            yield text
            continue
        app = scope_id(memory.get("app_id"))
        categories = memory.get("categories") or []
        metadata = memory.get("metadata") if isinstance(memory.get("metadata"), dict) else {}
        yield entry(
            where,
            type="semantic",
            content=text,
            id=caller_id("mem0", memory.get("id"), text, memory.get("user_id")),
            scope={
                "user_id": scope_id(memory.get("user_id")),
                "agent_id": scope_id(memory.get("agent_id")),
                "thread_id": scope_id(memory.get("run_id")),
                "namespace": None if app is None else f"app/{app}",
            },
            occurred_at=instant(memory.get("created_at")),
            tags=[str(c)[:64] for c in categories if c][:32] if isinstance(categories, list) else [],
            metadata=metadata,
        )
