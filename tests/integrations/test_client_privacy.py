"""The Python clients against a served mnemo: forget by topic (preview, then exactly what it showed,
the receipt recording the query), the sensitive spans of a record, and masking on every read method."""

from __future__ import annotations

import uuid

import pytest

from mnemo_client import AsyncMnemo, InvalidInput, Mnemo, NotFound
from tests.integrations.conftest import MnemoServer

CARD = "4111 1111 1111 1111"


def test_sync_client_previews_a_topic_then_forgets_exactly_it(mnemo_server: MnemoServer) -> None:
    user = f"u-{uuid.uuid4().hex[:8]}"
    scope = {"user_id": user}
    with Mnemo(mnemo_server.url, api_key=mnemo_server.keys["a"]) as mnemo:
        written = mnemo.write([
            {"type": "semantic", "content": "The user plays tennis on Saturday mornings.", "scope": scope},
            {"type": "semantic", "content": "The user's tennis racket needs a new grip.", "scope": scope},
            {"type": "semantic", "content": "The user keeps bees in the back garden.", "scope": scope},
        ])  # fmt: skip
        bees = written.results[2].id
        preview = mnemo.forget_preview("tennis", scope=scope)
        shown = sorted(m.id for m in preview.matches)
        assert shown == sorted(r.id for r in written.results[:2]) and preview.preview_token
        assert all("tennis" in m.why for m in preview.matches)
        with pytest.raises(InvalidInput) as refused:  # an id the preview did not show
            mnemo.forget_previewed(preview.preview_token, ids=[bees])
        assert [e["field"] for e in refused.value.errors] == ["ids"]
        receipt = mnemo.forget_previewed(preview.preview_token)
        assert sorted(receipt.memory_ids) == shown
        assert receipt.selected_by is not None and receipt.selected_by.query == "tennis"
        with pytest.raises(NotFound):
            mnemo.get(shown[0])
        assert mnemo.get(bees).content == "The user keeps bees in the back garden."


async def test_async_client_reads_the_spans_masks_on_request_and_selects_by_kind(
    mnemo_server: MnemoServer,
) -> None:
    user = f"u-{uuid.uuid4().hex[:8]}"
    content = f"The user's card for the gym is {CARD}."
    async with AsyncMnemo(mnemo_server.url, api_key=mnemo_server.keys["b"]) as mnemo:
        written = await mnemo.write({"type": "semantic", "content": content, "scope": {"user_id": user}})
        memory_id = written.results[0].id
        record = await mnemo.get(memory_id)
        assert [(s.kind, content[s.start : s.end]) for s in record.sensitive] == [("card", CARD)]
        masked = await mnemo.get(memory_id, mask_sensitive=True)
        assert masked.content == "The user's card for the gym is [CARD]."
        listed = [m async for m in mnemo.list(user_id=user, mask_sensitive=True)]
        assert [m.content for m in listed] == [masked.content]
        found = await mnemo.search("gym card", user_id=user, mask_sensitive=True)
        assert found.hits[0].memory.content == masked.content
        recalled = await mnemo.retrieve("the gym card", scope={"user_id": user}, min_confidence=0,
                                        mask_sensitive=True)  # fmt: skip
        assert CARD not in recalled.context and "[CARD]" in recalled.context
        preview = await mnemo.forget_preview(sensitive=["card"], scope={"user_id": user}, mask_sensitive=True)
        assert [m.id for m in preview.matches] == [memory_id] and CARD not in preview.matches[0].content
        assert preview.preview_token is not None
        receipt = await mnemo.forget_previewed(preview.preview_token)
        assert receipt.memory_ids == [memory_id]
