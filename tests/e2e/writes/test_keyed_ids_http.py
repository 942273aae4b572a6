"""Memory ids and content digests are keyed per tenant with the service's id key: an id (from a
forget receipt, the ledger, a log) cannot confirm a guessed text, and a store written with the older
unkeyed ids is re-keyed on start, resumably, with everything that names an id."""

from __future__ import annotations

import hashlib
import logging
import uuid
from pathlib import Path
from typing import Any

import pytest

from mnemo.backends.id_key import KEY_FILE
from mnemo.backends.redis.access import RedisAccessCounts
from mnemo.memtypes.governance.forget import LEDGER_FILE, LedgerEntry
from mnemo.memtypes.ids import IdKeys, is_unkeyed, unkeyed_digest
from mnemo.memtypes.records import Scope, memory_id
from mnemo.memtypes.types import MemoryType
from tests.e2e.conftest import TWO_TENANTS, A, AppFactory, B, write_one

DANA = "Dana tested positive for HIV in March."


def unkeyed_id(tenant: str, content: str, user_id: str, memory_type: MemoryType = MemoryType.SEMANTIC) -> str:
    """The id the older scheme gave: computable by anyone from the tenant and a guessed text."""
    return memory_id(tenant, memory_type, Scope(user_id=user_id), None, unkeyed_digest(content))


async def test_an_id_confirms_nothing_about_a_guessed_text(app_client: AppFactory) -> None:
    memory = {"type": "semantic", "content": DANA, "scope": {"user_id": "dana"}}
    async with app_client(api_keys=TWO_TENANTS) as client:
        alpha = await write_one(client, memory, A)
        beta = await write_one(client, memory, B)
        # Two tenants writing the same words get unrelated ids.
        assert alpha["id"] != beta["id"] and uuid.UUID(alpha["id"]).version == 8
        guessed = unkeyed_id("alpha", DANA, "dana")
        assert guessed != alpha["id"]
        assert (await client.get(f"/v1/memories/{guessed}", headers=A)).status_code == 404
        record = (await client.get(f"/v1/memories/{alpha['id']}", headers=A)).json()
        bare = hashlib.sha256(DANA.encode()).hexdigest()
        assert record["content_hash"] != bare  # the digest the API shows is keyed too
        again = await write_one(client, memory, A)  # deterministic under the key: a re-write is one memory
        assert again["id"] == alpha["id"] and again["status"] == "unchanged"

        receipt = (await client.post("/v1/forget", json={"scope": {"user_id": "dana"}}, headers=A)).json()
        assert receipt["memory_ids"] == [alpha["id"]]
        assert guessed not in receipt["memory_ids"]  # the receipt's ids match no bare hash of the text
        for probe in (guessed, alpha["id"]):  # after the forget: as if it never existed
            assert (await client.get(f"/v1/memories/{probe}/history", headers=A)).status_code == 404


class LegacyIds(IdKeys):
    """What every id and digest was before they were keyed: an id is the unkeyed one itself, a digest
    the bare sha256."""

    def rekeyed(self, tenant: str, unkeyed_id: str) -> str:
        return unkeyed_id

    def content_hash(self, tenant: str, content: str) -> str:
        return unkeyed_digest(content)


async def _nothing(*_: Any, **__: Any) -> None:
    return None


OLD_FACT = "Alice lives in Lisbon, in a flat near the river with two cats."
NEW_FACT = "Alice moved to Berlin for her new job at a robotics startup."
EPISODE = "Alice said the robotics startup builds warehouse arms."


async def build_legacy_store(app_client: AppFactory, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """A data dir written through the real app and engines with the older, unkeyed ids."""
    monkeypatch.setattr("mnemo.api.http.services.pinned_id_keys", lambda *_: LegacyIds(b"x" * 32))
    monkeypatch.setattr("mnemo.api.http.services.rekey_store", _nothing)
    fact = {"type": "semantic", "fact_key": "alice.home", "scope": {"user_id": "alice"}}
    async with app_client() as client:
        old = await write_one(client, {**fact, "content": OLD_FACT, "occurred_at": "2024-05-01T00:00:00Z"})
        new = await write_one(client, {**fact, "content": NEW_FACT, "occurred_at": "2025-05-01T00:00:00Z"})
        assert new["reason"] == f"supersedes {old['id']}"
        episode = await write_one(
            client, {"type": "episodic", "content": EPISODE, "scope": {"user_id": "alice"}}
        )
        gone = await write_one(client, {"type": "semantic", "content": DANA, "scope": {"user_id": "dana"}})
        retrieved = await client.post(
            "/v1/retrieve", json={"query": "Where does Alice work?", "scope": {"user_id": "alice"}}
        )
        assert retrieved.status_code == 200, retrieved.text
        forgotten = await client.post("/v1/forget", json={"scope": {"user_id": "dana"}})
        assert forgotten.json()["memory_ids"] == [gone["id"]]
    ids = {"old": old["id"], "new": new["id"], "episode": episode["id"], "gone": gone["id"]}
    assert all(is_unkeyed(i) for i in ids.values())
    assert old["id"] == unkeyed_id("default", OLD_FACT, "alice")
    monkeypatch.undo()
    return ids


async def test_a_store_of_unkeyed_ids_is_rekeyed_on_start(
    app_client: AppFactory, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    legacy = await build_legacy_store(app_client, monkeypatch)
    data_dir = tmp_path / "data"
    caplog.set_level(logging.INFO, logger="mnemo.ids")
    async with app_client(data_dir) as client:
        keys = IdKeys((data_dir / KEY_FILE).read_bytes())
        keyed = {name: keys.rekeyed("default", old) for name, old in legacy.items()}
        assert "re-keyed 3 memories, 4 change histories and 1 erasure-ledger lines" in caplog.text
        for name in ("old", "new", "episode"):
            assert (await client.get(f"/v1/memories/{legacy[name]}")).status_code == 404
            assert (await client.get(f"/v1/memories/{legacy[name]}/history")).status_code == 404
            record = (await client.get(f"/v1/memories/{keyed[name]}")).json()
            assert record["id"] == keyed[name] and record["content_hash"] == keys.content_hash(
                "default", record["content"]
            )
        old = (await client.get(f"/v1/memories/{keyed['old']}")).json()
        new = (await client.get(f"/v1/memories/{keyed['new']}")).json()
        assert old["superseded_by"] == keyed["new"] and new["supersedes"] == keyed["old"]
        assert old["content"] == OLD_FACT
        history = (await client.get(f"/v1/memories/{keyed['old']}/history")).json()
        assert history["memory_id"] == keyed["old"]
        assert [e["action"] for e in history["entries"]] == ["created", "superseded"]
        assert history["entries"][1]["reason"] == f"superseded by {keyed['new']}"
        counted = [
            (await client.get(f"/v1/memories/{keyed[n]}")).json()["access_count"] for n in ("new", "episode")
        ]
        assert sum(counted) >= 1  # the access counts moved with their memories
        # A re-write of the same words dedups against the migrated memory.
        again = await write_one(
            client, {"type": "episodic", "content": EPISODE, "scope": {"user_id": "alice"}}
        )
        assert again["id"] == keyed["episode"] and again["status"] == "unchanged"
        listed = (await client.get("/v1/memories", params={"include_superseded": "true"})).json()
        assert sorted(m["id"] for m in listed["memories"]) == sorted(
            keyed[n] for n in ("old", "new", "episode")
        )
    (line,) = (data_dir / LEDGER_FILE).read_text().splitlines()
    assert LedgerEntry.model_validate_json(line).memories == {"semantic": [keyed["gone"]]}


async def test_a_start_that_stops_mid_way_is_finished_by_the_next(
    app_client: AppFactory, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    legacy = await build_legacy_store(app_client, monkeypatch)
    data_dir = tmp_path / "data"
    moving = RedisAccessCounts.move

    async def crash(*_: Any) -> None:  # the process dies after the first new points are written
        raise RuntimeError("power cut")

    monkeypatch.setattr(RedisAccessCounts, "move", crash)
    with pytest.raises(BaseExceptionGroup) as failed:  # the app's lifespan reports the failed start
        async with app_client(data_dir):
            pass
    assert failed.group_contains(RuntimeError, match="power cut")
    monkeypatch.setattr(RedisAccessCounts, "move", moving)
    async with app_client(data_dir) as client:
        keys = IdKeys((data_dir / KEY_FILE).read_bytes())
        listed = (await client.get("/v1/memories", params={"include_superseded": "true"})).json()
        expected = {keys.rekeyed("default", legacy[n]) for n in ("old", "new", "episode")}
        assert sorted(m["id"] for m in listed["memories"]) == sorted(expected)  # nothing lost, nothing twice
        old = (await client.get(f"/v1/memories/{keys.rekeyed('default', legacy['old'])}")).json()
        assert old["superseded_by"] == keys.rekeyed("default", legacy["new"])
