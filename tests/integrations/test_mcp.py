"""The MCP server through the reference MCP client library (`mcp.ClientSession`): over stdio to the
light client's `mnemo-mcp` (and the server's `mnemo mcp`), and over streamable HTTP to the service's
`/mcp` with a bearer key."""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import httpx2
import pytest
from mcp import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client
from mcp.client.streamable_http import streamable_http_client

from mnemo_client.mcp.tools import TOOL_NAMES
from tests.e2e.surfaces.test_mcp_http import ACCEPT, INITIALIZE
from tests.integrations.askers_day import QUESTION, answers_the_askers_tomorrow, askers_zone_and_reminders
from tests.integrations.conftest import MnemoServer

BIN = Path(sys.executable).parent
# The light client's command, and the server's command that runs the same.
STDIO_COMMANDS = {"mnemo-mcp": (str(BIN / "mnemo-mcp"), []), "mnemo mcp": (str(BIN / "mnemo"), ["mcp"])}


@asynccontextmanager
async def over_stdio(
    server: MnemoServer, key: str, command: str = "mnemo-mcp", env: dict[str, str] | None = None
) -> AsyncIterator[ClientSession]:
    program, first = STDIO_COMMANDS[command]
    args = [*first, "--url", server.url, "--api-key", key]
    params = StdioServerParameters(command=program, args=args, env={**os.environ, **(env or {})})
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        yield session


@asynccontextmanager
async def over_http(server: MnemoServer, key: str | None) -> AsyncIterator[ClientSession]:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    async with (
        httpx2.AsyncClient(headers=headers, timeout=60) as http,
        streamable_http_client(f"{server.url}/mcp", http_client=http) as (read, write, *_),
        ClientSession(read, write) as session,
    ):
        await session.initialize()
        yield session


async def remember_then_recall(session: ClientSession, fact: str, user: str) -> None:
    tools = await session.list_tools()
    assert sorted(t.name for t in tools.tools) == sorted(TOOL_NAMES)
    for tool in tools.tools:  # flat: no nested objects for a model to fill
        assert tool.description and len(tool.description) > 20
        for prop in tool.input_schema["properties"].values():
            kinds = [prop.get("type")] + [o.get("type") for o in prop.get("anyOf", [])]
            assert "object" not in kinds, tool.name
    stored = await session.call_tool("remember", {"content": fact, "user_id": user})
    assert not stored.is_error, stored.content
    assert stored.structured_content["status"] == "created"
    recalled = await session.call_tool(
        "recall", {"query": "which port does the staging database use?", "user_id": user}
    )
    assert not recalled.is_error
    assert fact in recalled.content[0].text  # the packed context, readable by a model
    assert recalled.structured_content["ids"] == [stored.structured_content["id"]]
    assert fact in recalled.structured_content["context"]


@pytest.mark.parametrize("command", list(STDIO_COMMANDS))
async def test_stdio_mcp_lists_tools_and_round_trips(mnemo_server: MnemoServer, command: str) -> None:
    user = f"u-{uuid.uuid4().hex[:8]}"
    fact = f"The staging database of {user} listens on port 5433 at db-staging.internal."
    async with over_stdio(mnemo_server, mnemo_server.keys["a"], command) as session:
        await remember_then_recall(session, fact, user)
        appended = await session.call_tool(
            "working_append", {"task_id": f"t-{user}", "content": "Check the index first", "priority": 8}
        )
        assert not appended.is_error
        seen = await session.call_tool("working_get", {"task_id": f"t-{user}"})
        assert "Check the index first" in seen.content[0].text
        cleared = await session.call_tool("working_clear", {"task_id": f"t-{user}"})
        assert cleared.structured_content["archived"] == 1
        listed = await session.call_tool("list_memories", {"user_id": user})
        (memory,) = listed.structured_content["memories"]
        forgotten = await session.call_tool("forget", {"id": memory["id"]})
        assert not forgotten.is_error
        again = await session.call_tool("recall", {"query": "staging database port", "user_id": user})
        assert again.structured_content["ids"] == []
        # mnemo's refusal reaches the model as a tool error it can read and fix.
        refused = await session.call_tool("recall", {"query": "x", "user_id": user, "model": "llama-9-400b"})
        assert refused.is_error and "unknown_model" in refused.content[0].text


async def test_http_mcp_lists_tools_round_trips_and_keeps_tenants_apart(mnemo_server: MnemoServer) -> None:
    user = f"u-{uuid.uuid4().hex[:8]}"
    fact = f"The staging database of {user} listens on port 6543 behind pgbouncer."
    async with over_http(mnemo_server, mnemo_server.keys["a"]) as session:
        await remember_then_recall(session, fact, user)
    # Tenant B, same user id, same question: nothing of tenant A's, over HTTP or stdio.
    async with over_http(mnemo_server, mnemo_server.keys["b"]) as session:
        other = await session.call_tool("recall", {"query": "staging database port", "user_id": user})
        assert other.structured_content["ids"] == [] and fact not in other.content[0].text
        listed = await session.call_tool("list_memories", {"user_id": user})
        assert listed.structured_content["memories"] == []
    async with over_stdio(mnemo_server, mnemo_server.keys["b"]) as session:
        other = await session.call_tool("recall", {"query": "staging database port", "user_id": user})
        assert other.structured_content["ids"] == []


@pytest.mark.parametrize("authorization", [None, "Bearer not-a-key"])
async def test_http_mcp_without_a_valid_key_is_refused(
    mnemo_server: MnemoServer, authorization: str | None
) -> None:
    headers = {**ACCEPT, "Authorization": authorization} if authorization else ACCEPT
    async with httpx.AsyncClient(timeout=30) as http:
        response = await http.post(f"{mnemo_server.url}/mcp", json=INITIALIZE, headers=headers)
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "unauthorized"


async def test_recall_reports_confidence_and_takes_min_confidence(mnemo_server: MnemoServer) -> None:
    user = f"u-{uuid.uuid4().hex[:8]}"
    fact = f"The staging database of {user} listens on port 7654."
    async with over_http(mnemo_server, mnemo_server.keys["a"]) as session:
        await session.call_tool("remember", {"content": fact, "user_id": user})
        query = {"query": "which port does the staging database use?", "user_id": user}
        recalled = await session.call_tool("recall", query)
        (memory,) = recalled.structured_content["memories"]
        top = recalled.structured_content["metadata"]["top_confidence"]
        assert 0.0 < memory["confidence"] == top <= 1.0
        assert f"confidence {memory['confidence']:.2f}" in recalled.content[0].text
        # Above the best memory's confidence: nothing, and the model is told memory likely holds nothing.
        floor = min(1.0, top + 0.01)
        none = await session.call_tool("recall", {**query, "min_confidence": floor})
        assert none.structured_content["ids"] == [] and fact not in none.content[0].text
        assert "likely holds nothing" in none.content[0].text
        refused = await session.call_tool("recall", {**query, "min_confidence": 2})
        assert refused.is_error


async def test_a_model_names_what_it_replaces_and_reviews_what_went_stale(mnemo_server: MnemoServer) -> None:
    user = f"u-{uuid.uuid4().hex[:8]}"
    async with over_http(mnemo_server, mnemo_server.keys["a"]) as session:
        home = await session.call_tool("remember", {"content": "Ana lives in Porto.", "user_id": user})
        home_id = home.structured_content["id"]
        commute = {
            "content": "Ana takes the tram to the Porto office.",
            "user_id": user,
            "depends_on": [home_id],
        }
        commute_id = (await session.call_tool("remember", commute)).structured_content["id"]
        moved = {"content": "Ana moved to Lisbon.", "user_id": user, "supersedes": [home_id]}
        assert (await session.call_tool("remember", moved)).structured_content["status"] == "merged"
        recalled = await session.call_tool("recall", {"query": "How does Ana get to work?", "user_id": user})
        assert (
            f"{commute_id} (semantic" in recalled.content[0].text
            and "stale: depends on" in recalled.content[0].text
        )
        review = await session.call_tool("list_memories", {"user_id": user, "stale_only": True})
        assert [m["id"] for m in review.structured_content["memories"]] == [commute_id]
        ended = await session.call_tool("invalidate", {"id": commute_id, "reason": "Ana works in Lisbon now"})
        assert not ended.is_error, ended.content
        review = await session.call_tool("list_memories", {"user_id": user, "stale_only": True})
        assert review.structured_content["memories"] == []
        before = await session.call_tool("list_memories", {"user_id": user, "as_of": "2000-01-01T00:00:00Z"})
        assert before.structured_content["memories"] == []  # nothing had happened yet


async def test_recall_in_a_one_memory_store_answers_without_doubt_and_doubts_an_unrelated_query(
    mnemo_server: MnemoServer,
) -> None:
    user = f"u-{uuid.uuid4().hex[:8]}"
    fact = "Frank's cat is called Mochi."
    async with over_http(mnemo_server, mnemo_server.keys["a"]) as session:
        await session.call_tool("remember", {"content": fact, "user_id": user})
        asked = await session.call_tool("recall", {"query": "What is Frank's cat called?", "user_id": user})
        text = asked.content[0].text
        assert fact in text and "may hold nothing" not in text, text
        other = await session.call_tool("recall", {"query": "How do I reset the router?", "user_id": user})
        text = other.content[0].text
        assert "may hold nothing" in text or "likely holds nothing" in text, text
        assert other.structured_content["metadata"]["top_confidence"] < 0.2


async def test_recall_reads_tomorrow_on_the_users_clock(mnemo_server: MnemoServer) -> None:
    """Over stdio the host runs on the user's machine: its UTC offset is sent. Over /mcp the server
    cannot know the user's zone: the model passes `timezone`."""
    user = f"u-{uuid.uuid4().hex[:8]}"
    zone, reminders = askers_zone_and_reminders({"user_id": user})
    async with over_http(mnemo_server, mnemo_server.keys["a"]) as session:
        for reminder in reminders:
            due = {"due_at": reminder["due_at"], "type": "prospective"}
            stored = await session.call_tool(
                "remember", {"content": reminder["content"], "user_id": user, **due}
            )
            assert not stored.is_error, stored.content
        asked = {"query": QUESTION, "user_id": user, "min_confidence": 0}
        told = await session.call_tool("recall", {**asked, "timezone": zone})
        assert answers_the_askers_tomorrow(told.structured_content["context"])
        untold = await session.call_tool("recall", asked)
        assert not answers_the_askers_tomorrow(untold.structured_content["context"])  # UTC's days
    async with over_stdio(mnemo_server, mnemo_server.keys["a"], env={"TZ": zone}) as session:
        recalled = await session.call_tool("recall", asked)
        assert answers_the_askers_tomorrow(recalled.structured_content["context"])
