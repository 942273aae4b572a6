"""The change history's `DocumentStore` on both engines: Edge shard `<prefix>_history` and a
qdrant-client collection (local, on-disk mode), each reopened to show the documents persist."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from qdrant_client import AsyncQdrantClient

from mnemo.backends.qdrant.history_store import ClientDocumentStore, EdgeDocumentStore
from mnemo.ingest.history import ChangeHistory, entry
from mnemo.memtypes.errors import NotFound
from mnemo.memtypes.governance.history import MAX_HISTORY_ENTRIES, HistoryAction
from mnemo.memtypes.ids import IdKeys
from mnemo.memtypes.ports import DocumentStore
from mnemo.memtypes.records import MemoryIn, MemoryRecord
from mnemo.memtypes.types import MemoryType


def make_store(kind: str, path: Path) -> DocumentStore:
    if kind == "edge":
        return EdgeDocumentStore(path / "qdrant", "test", durable=True)
    return ClientDocumentStore(AsyncQdrantClient(path=str(path / "local")), "test", owns_client=True)


@pytest.mark.parametrize("kind", ["edge", "client"])
async def test_documents_persist_and_scroll(kind: str, tmp_path: Path) -> None:
    ids = sorted(str(uuid.uuid4()) for _ in range(5))
    store = make_store(kind, tmp_path)
    await store.open()
    await store.put({i: {"tenant": "t", "n": n, "entries": [{"a": n}]} for n, i in enumerate(ids)})
    await store.close()

    store = make_store(kind, tmp_path)
    await store.open()
    assert (await store.get([ids[2], str(uuid.uuid4())])) == {
        ids[2]: {"tenant": "t", "n": 2, "entries": [{"a": 2}]}
    }
    seen, offset = [], None
    while True:
        page, offset = await store.scroll(2, offset)
        seen += [i for i, _ in page]
        if offset is None:
            break
    assert sorted(seen) == ids
    await store.close()


async def test_history_is_capped_keeping_the_first_entry_and_bound_to_its_tenant(tmp_path: Path) -> None:
    store = make_store("edge", tmp_path)
    await store.open()
    history = ChangeHistory(store)
    memory_id = str(uuid.uuid4())
    await history.record("t", [(memory_id, entry("t", HistoryAction.CREATED))])
    for n in range(MAX_HISTORY_ENTRIES + 10):
        await history.record("t", [(memory_id, entry("t", HistoryAction.UPDATED, reason=f"edit {n + 1}"))])
    kept = await history.read("t", memory_id)
    assert len(kept.entries) == MAX_HISTORY_ENTRIES and kept.dropped == 11
    assert kept.entries[0].action is HistoryAction.CREATED
    assert kept.entries[-1].reason == f"edit {MAX_HISTORY_ENTRIES + 10}"
    with pytest.raises(NotFound):
        await history.read("other-tenant", memory_id)
    await history.record("other-tenant", [(memory_id, entry("other-tenant", HistoryAction.DELETED))])
    assert (await history.read("t", memory_id)).entries == kept.entries  # untouched by another tenant
    await store.close()


async def test_an_entry_of_an_earlier_release_loses_its_content_digest(tmp_path: Path) -> None:
    store = make_store("edge", tmp_path)
    await store.open()
    memory_id = str(uuid.uuid4())
    old_entry = {"at": "2026-01-01T00:00:00Z", "action": "created", "tenant": "t", "content_hash": "ab" * 32}
    document = {"tenant": "t", "memory_id": memory_id, "entries": [old_entry], "dropped": 0}
    await store.put({memory_id: document})
    history = ChangeHistory(store)
    assert "content_hash" not in (await history.read("t", memory_id)).entries[0].model_dump()
    await history.record("t", [(memory_id, entry("t", HistoryAction.FORGOTTEN, receipt="r"))])
    assert "ab" * 32 not in str((await store.get([memory_id]))[memory_id])  # rewritten without it
    await store.close()


async def test_created_updated_merged_restored_in_order(tmp_path: Path) -> None:
    """The write path's entries and a restore (the restore route calls `record_restore`), in order."""
    store = make_store("edge", tmp_path)
    await store.open()
    history = ChangeHistory(store)
    fact = MemoryIn(type=MemoryType.SEMANTIC, content="Alice lives in Lisbon with two cats.", id="alice-home")
    first = record_of(fact)
    await history.record_write("t", [(first, None, None)], {})
    edited = record_of(fact.model_copy(update={"content": "Alice lives in Lisbon with three cats."}))
    await history.record_write("t", [(edited, first.to_payload(), None)], {})
    newer = str(uuid.uuid4())
    await history.record_write("t", [], {edited.id: newer})
    await history.record_restore("t", edited, reason="restored by the caller")
    entries = (await history.read("t", edited.id)).entries
    assert [e.action for e in entries] == ["created", "updated", "superseded", "restored"]
    assert entries[1].changed == ["content_hash"] and entries[2].reason == f"superseded by {newer}"
    # Neither the text nor its digest: with a digest, a guessed text could be confirmed.
    assert all("Lisbon" not in e.model_dump_json() for e in entries)
    assert all(edited.content_hash not in e.model_dump_json() for e in entries)
    assert all(first.content_hash not in e.model_dump_json() for e in entries)
    await store.close()


_IDS = IdKeys.ephemeral()


def record_of(item: MemoryIn) -> MemoryRecord:
    chash = _IDS.content_hash("t", item.content)
    now = datetime(2026, 1, 1, tzinfo=UTC)
    return MemoryRecord(
        id=_IDS.memory_id("t", item.type, item.scope, item.id, item.content),
        external_id=item.id, type=item.type,
        tenant="t", scope=item.scope, content=item.content, content_hash=chash, token_count=5,
        token_counts={}, importance=0.5, occurred_at=now, created_at=now,
    )  # fmt: skip
