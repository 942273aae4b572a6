"""A data dir whose vector store was lost whole (`qdrant/` removed) or whose change history's shard
was removed, with everything else kept (Redis, the id key, the ledger): found at start, never served
as a new, empty, healthy store: `/ready` 503 naming why, writes and lists 503, `mnemo doctor` exit 1
until a restore, or `--fix` to accept the loss."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

from mnemo.backends.qdrant.history_store import history_name
from mnemo.cli.main import main as mnemo
from tests.e2e.conftest import AppFactory
from tests.e2e.engines.test_storage_damage_http import EPISODES, FACTS, damaged_copy, written_data_dir  # noqa: F401

PREFIX = "mnemo"


async def doctor(data_dir: Path, *extra: str) -> int:
    return await asyncio.to_thread(mnemo, ["doctor", "--data-dir", str(data_dir), *extra])


async def test_a_lost_qdrant_dir_is_not_served_as_an_empty_store(
    app_client: AppFactory,
    written_data_dir: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    lost = damaged_copy(written_data_dir, tmp_path / "lost")
    shutil.rmtree(lost / "qdrant")
    assert await doctor(lost) == 1
    async with app_client(lost) as client:
        ready = await client.get("/ready")
        assert ready.status_code == 503, ready.text
        types = ready.json()["dependencies"]["vectors"]["types"]
        assert {types[t]["state"] for t in ("episodic", "semantic")} == {"unavailable"}
        assert "restore a backup" in types["semantic"]["reason"]
        write = await client.post("/v1/memories", json={"memories": FACTS[:1]})
        assert write.status_code == 503 and write.json()["code"] == "type_unavailable"
        assert (await client.get("/v1/memories", params={"type": "semantic"})).status_code == 503


async def test_a_lost_history_shard_is_found_at_start(
    app_client: AppFactory,
    written_data_dir: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    async with app_client(written_data_dir) as client:
        listed = (await client.get("/v1/memories", params={"type": "semantic"})).json()
        memory_id = listed["memories"][0]["id"]
        assert (await client.get(f"/v1/memories/{memory_id}/history")).status_code == 200
    lost = damaged_copy(written_data_dir, tmp_path / "lost")
    shutil.rmtree(lost / "qdrant" / history_name(PREFIX))
    assert await doctor(lost) == 1
    async with app_client(lost) as client:
        ready = await client.get("/ready")
        assert ready.status_code == 503, ready.text
        history = ready.json()["dependencies"]["vectors"]["history"]
        assert history["state"] == "unavailable" and "restore a backup" in history["reason"]
        gone = await client.get(f"/v1/memories/{memory_id}/history")
        assert gone.status_code == 503, gone.text  # not a 404: the history is lost, not absent
    assert await doctor(lost, "--fix") == 0  # the loss accepted: the history starts empty
    assert await doctor(lost) == 0
    async with app_client(lost) as client:
        assert (await client.get("/ready")).status_code == 200
