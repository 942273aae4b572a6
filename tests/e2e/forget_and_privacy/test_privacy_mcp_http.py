"""The MCP tools of the privacy work over `/mcp` on the real app: forget by topic, preview first
(`forget_preview` lists, `forget_confirm` forgets exactly that), and a service that masks for its MCP
tools (MNEMO_MCP_MASK_SENSITIVE) returns no secret or personal value through any of them."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import AppFactory
from tests.e2e.surfaces.test_mcp_http import call_tool

CARD = "4111 1111 1111 1111"
EMAIL = "dana.kowalski@example.org"
PAYMENT = f"Dana pays the tennis club with the card {CARD}; receipts go to {EMAIL}."


def text_of(result: dict[str, Any]) -> str:
    return "".join(part.get("text", "") for part in result["content"])


async def test_forget_by_topic_is_a_preview_then_a_confirmation_of_exactly_it(client: Any) -> None:
    for content in (PAYMENT, "Dana's tennis coach praised her backhand.", "Dana drinks black coffee."):
        await call_tool(client, "remember", {"content": content, "user_id": "dana"})
    shown = await call_tool(client, "forget_preview", {"about": "tennis", "user_id": "dana"})
    assert "Would forget" in text_of(shown) and "backhand" in text_of(shown)
    listed = shown["structuredContent"]
    assert listed["ids"] and listed["preview_token"]
    kept = await call_tool(client, "list_memories", {"user_id": "dana"})
    assert len(kept["structuredContent"]["memories"]) == 3  # a preview removes nothing
    gone = await call_tool(client, "forget_confirm", {"preview_token": listed["preview_token"]})
    assert sorted(gone["structuredContent"]["memory_ids"]) == sorted(listed["ids"])
    left = await call_tool(client, "list_memories", {"user_id": "dana"})
    assert [m["content"] for m in left["structuredContent"]["memories"]] == ["Dana drinks black coffee."]


@pytest.fixture
async def masking(app_client: AppFactory) -> Any:
    async with app_client(mcp_mask_sensitive=True) as c:
        yield c


async def test_a_service_that_masks_for_mcp_returns_no_value_through_any_tool(masking: Any) -> None:
    await call_tool(masking, "remember", {"content": PAYMENT, "user_id": "dana"})
    question = "how does Dana pay the tennis club?"
    recalled = await call_tool(masking, "recall", {"query": question, "user_id": "dana", "min_confidence": 0})
    listed = await call_tool(masking, "list_memories", {"user_id": "dana"})
    shown = await call_tool(masking, "forget_preview", {"about": "tennis club payment", "user_id": "dana"})
    await call_tool(masking, "working_append", {"task_id": "pay-1", "content": PAYMENT})
    scratch = await call_tool(masking, "working_get", {"task_id": "pay-1"})
    for result in (recalled, listed, shown, scratch):
        everything = text_of(result) + str(result.get("structuredContent"))
        assert CARD not in everything and EMAIL not in everything, everything
    assert "[CARD]" in text_of(recalled) and "[CARD]" in text_of(listed)
    page = await masking.get("/v1/memories", params={"user_id": "dana"})
    assert page.json()["memories"][0]["content"] == PAYMENT  # the stored memory keeps the values
