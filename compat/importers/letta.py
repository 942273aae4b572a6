"""A Letta agent file (`.af`): per agent, its memory blocks (core memory: persona, human, …), its
archival passages and its messages.

A block is a semantic memory whose `fact_key` is `letta.<agent>.<label>` (a newer value of the same
block supersedes the older); a passage is a semantic memory; a user message and the assistant's
replies (the `send_message` tool's argument, or plain assistant text) are episodic turns,
`user: …` / `assistant: …`, at their time. System prompts, inner thoughts and tool calls and returns
are skipped, each counted by its reason. Everything is in the scope of the agent (its name)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from .entries import Entry, caller_id, entry, instant, items_of, scope_id, text_in, text_of


def read(data: Any) -> Iterator[Entry]:
    if not isinstance(data, dict):
        yield Entry("file", error="an agent file is a JSON object")
        return
    blocks = {b.get("id"): b for b in items_of(data, "blocks") if isinstance(b, dict)}
    for a, agent in enumerate(items_of(data, "agents")):
        if not isinstance(agent, dict):
            yield Entry(f"agents[{a}]", error="not an object")
            continue
        agent_id = scope_id(agent.get("name")) or scope_id(agent.get("id")) or f"agent-{a}"
        scope = {"agent_id": agent_id}
        own = [blocks[i] for i in agent.get("block_ids") or [] if i in blocks]
        own += [
            b for b in agent.get("memory_blocks") or agent.get("core_memory") or [] if isinstance(b, dict)
        ]
        for n, block in enumerate(own):
            yield _block(f"agents[{a}].blocks[{n}]", agent_id, block, scope)
        for n, passage in enumerate(items_of(agent, "passages", "archival_memory")):
            yield _passage(f"agents[{a}].passages[{n}]", passage, scope)
        for n, message in enumerate(items_of(agent, "messages")):
            yield _message(f"agents[{a}].messages[{n}]", message, scope)
    for n, passage in enumerate(items_of(data, "passages")):
        yield _passage(
            f"passages[{n}]",
            passage,
            {"agent_id": scope_id(passage.get("agent_id")) if isinstance(passage, dict) else None},
        )


def _block(where: str, agent: str, block: dict[str, Any], scope: dict[str, Any]) -> Entry:
    value, label = block.get("value"), str(block.get("label") or "block")
    if not isinstance(value, str) or not value.strip():
        return Entry(where, skipped="empty block")
    return entry(
        where,
        type="semantic",
        content=value,
        id=caller_id("letta", block.get("id"), agent, label),
        scope=scope,
        fact_key=f"letta.{agent}.{label}"[:200],
        tags=["letta-block", label[:64]],
        metadata={"letta_label": label, "description": block.get("description")},
    )


def _passage(where: str, passage: Any, scope: dict[str, Any]) -> Entry:
    text = text_in(where, passage, "passage", "text")
    if isinstance(text, Entry):
        return text
    return entry(
        where,
        type="semantic",
        content=text,
        id=caller_id("letta", passage.get("id"), text),
        scope=scope,
        occurred_at=instant(passage.get("created_at")),
        tags=["letta-archival"],
    )


def _message(where: str, message: Any, scope: dict[str, Any]) -> Entry:
    if not isinstance(message, dict):
        return Entry(where, error="not an object")
    role = message.get("role")
    if role not in ("user", "assistant"):
        return Entry(where, skipped=f"{role}_message")
    if role == "assistant":
        text = _reply(message)
        if not text:
            return Entry(where, skipped="inner_thoughts")
    else:
        said = _user_text(text_of(message.get("content") or message.get("text")))
        if said is None:
            return Entry(where, skipped="event_message (a heartbeat or login, not the user's words)")
        text = said
        if not text:
            return Entry(where, skipped="empty message")
    return entry(
        where,
        type="episodic",
        content=f"{role}: {text}",
        id=caller_id("letta", message.get("id"), where, text),
        scope=scope,
        occurred_at=instant(message.get("created_at")),
        metadata={"role": role},
    )


def _reply(message: dict[str, Any]) -> str:
    """What the assistant said to the user: `send_message`'s argument (Letta's agents reply through
    that tool; their plain content is inner thought), or, without tool calls, its text."""
    calls = message.get("tool_calls") or []
    for call in calls:
        function = call.get("function") or {} if isinstance(call, dict) else {}
        if function.get("name") == "send_message":
            try:
                said = json.loads(function.get("arguments") or "{}").get("message")
            except (ValueError, AttributeError):
                said = None
            if isinstance(said, str) and said.strip():
                return said.strip()
    return "" if calls else text_of(message.get("content") or message.get("text"))


def _user_text(text: str) -> str | None:
    """Letta wraps a user's words in a JSON envelope (`{"type": "user_message", "message": …}`);
    None for its other envelopes (heartbeats, logins), which no user said."""
    try:
        envelope = json.loads(text)
    except ValueError:
        return text
    if not isinstance(envelope, dict):
        return text
    if envelope.get("type") != "user_message":
        return None
    said = envelope.get("message")
    return said.strip() if isinstance(said, str) else ""
