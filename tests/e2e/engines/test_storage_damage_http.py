"""Over HTTP: damage to a real data dir (a copy, after a clean shutdown) and an engine
error under a running service are found, named per type and contained — never served as empty,
never a 500 — until `mnemo doctor --fix`, a restore, or (for an engine error) the shard's reopening."""

from __future__ import annotations

import asyncio
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from mnemo.api.config.settings import Settings
from mnemo.cli.main import main as mnemo
from mnemo.memtypes.types import MemoryType, collection_name
from tests.backends.test_type_health import break_journals
from tests.e2e.conftest import AppFactory
from tests.e2e.requests.test_metrics_http import scrape, value

EPISODES = [
    {"type": "episodic", "content": f"Day {i}: Alice walked the dog along river path number {i}.",
     "occurred_at": f"2025-03-{i + 1:02d}T10:00:00Z"}
    for i in range(12)
]  # fmt: skip
FACTS = [
    {"type": "semantic", "content": "Alice prefers green tea over coffee, without sugar."},
    {"type": "semantic", "content": "Alice's dog is a border collie called Pepper."},
]


def shard_dir(data_dir: Path, memory_type: MemoryType) -> Path:
    return data_dir / "qdrant" / collection_name(Settings().collection_prefix, memory_type)


@pytest.fixture
async def written_data_dir(app_client: AppFactory, tmp_path: Path) -> Path:
    """A real data dir after writes and a clean shutdown (the manifests say what it held)."""
    async with app_client() as client:
        response = await client.post("/v1/memories", json={"memories": EPISODES + FACTS})
        assert response.status_code == 201, response.text
    return tmp_path / "data"


def damaged_copy(source: Path, target: Path) -> Path:
    shutil.copytree(source, target, symlinks=True)
    return target


async def assert_episodic_unavailable(client: AsyncTestClient[Any]) -> None:
    ready = await client.get("/ready")
    assert ready.status_code == 503
    episodic = ready.json()["dependencies"]["vectors"]["types"]["episodic"]
    assert episodic["state"] == "unavailable" and "restore a backup" in episodic["reason"]
    write = await client.post("/v1/memories", json={"memories": EPISODES[:1]})
    assert write.status_code == 503 and write.json()["code"] == "type_unavailable"
    assert "episodic" in write.json()["detail"]
    listed = await client.get("/v1/memories", params={"type": "episodic"})
    assert listed.status_code == 503  # never an empty list
    retrieved = await client.post("/v1/retrieve", json={"query": "What does Alice drink?"})
    assert retrieved.status_code == 200, retrieved.text  # the other types are served ...
    assert "episodic" in retrieved.json()["metadata"]["degraded"]  # ... and the gap is named
    assert "green tea" in retrieved.json()["context"]
    jazz = {"type": "semantic", "content": "Bob likes jazz."}
    fact = await client.post("/v1/memories", json={"memories": [jazz]})
    assert fact.status_code == 201
    assert value(await scrape(client), "mnemo_memory_type_state", memory_type="episodic") == 2


@pytest.mark.parametrize(
    "damage", ["shard dir removed", "segment dir removed", "shard dir and manifest removed"]
)
async def test_a_missing_shard_or_segment_is_unavailable_until_doctor_fixes_it(
    damage: str,
    written_data_dir: Path,
    app_client: AppFactory,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    data_dir = damaged_copy(written_data_dir, tmp_path / "copy")
    shard = shard_dir(data_dir, MemoryType.EPISODIC)
    if damage == "shard dir removed":
        shutil.rmtree(shard)
    elif damage == "shard dir and manifest removed":  # it would look like a type never written
        shutil.rmtree(shard)
        shard.with_name(shard.name + ".manifest.json").unlink()
    else:
        for segment in (shard / "segments").iterdir():
            shutil.rmtree(segment)

    assert mnemo(["doctor", "--data-dir", str(data_dir)]) == 1
    report = capsys.readouterr().out
    assert "episodic" in report and "ERROR" in report and "missing" in report

    async with app_client(data_dir) as client:
        await assert_episodic_unavailable(client)

    assert mnemo(["doctor", "--data-dir", str(data_dir), "--fix"]) == 0
    assert "FIXED" in capsys.readouterr().out
    async with app_client(data_dir) as client:  # the loss accepted: the type serves again
        assert (await client.get("/ready")).status_code == 200
        assert (await client.post("/v1/memories", json={"memories": EPISODES[:1]})).status_code == 201


async def test_a_truncated_payload_file_serves_what_it_can_read_marked_degraded(
    written_data_dir: Path, app_client: AppFactory, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir = damaged_copy(written_data_dir, tmp_path / "copy")
    [page] = shard_dir(data_dir, MemoryType.EPISODIC).glob("segments/*/payload_storage/page_0.dat")
    os.truncate(page, 2048)  # the first records' payloads stay readable, the later ones do not

    async with app_client(data_dir) as client:
        ready = await client.get("/ready")
        assert ready.status_code == 200 and ready.json()["status"] == "degraded"
        episodic = ready.json()["dependencies"]["vectors"]["types"]["episodic"]
        assert episodic["state"] == "degraded" and "cannot be read" in episodic["reason"]
        retrieved = await client.post("/v1/retrieve", json={"query": "Where did Alice walk the dog?"})
        assert retrieved.status_code == 200, retrieved.text  # not a 500
        assert "river path" in retrieved.json()["context"]  # what can be read is served ...
        assert retrieved.json()["metadata"]["degraded"] == ["episodic"]  # ... and it is said to be partial
        listed = await client.get("/v1/memories", params={"type": "episodic", "limit": 50})
        assert listed.status_code == 200  # the readable ones, listed
        assert 0 < len(listed.json()["memories"]) < len(EPISODES)
        assert listed.json()["degraded"] == ["episodic"]  # ... and the page says it is partial
        everything = await client.get("/v1/memories", params={"limit": 50})
        assert everything.json()["degraded"] == ["episodic"]
        facts = await client.get("/v1/memories", params={"type": "semantic"})
        assert facts.json()["degraded"] == []
        new = {"type": "episodic", "content": "Alice repainted the garden shed green."}
        write = await client.post("/v1/memories", json={"memories": [new]})
        assert write.status_code == 503 and write.json()["code"] == "type_unavailable"
        assert value(await scrape(client), "mnemo_memory_type_state", memory_type="episodic") == 1

    assert mnemo(["doctor", "--data-dir", str(data_dir)]) == 1
    assert "unreadable" in capsys.readouterr().out


async def test_an_engine_error_under_a_running_service_is_a_503_and_recovers(app_client: AppFactory) -> None:
    async with app_client() as client:
        assert (await client.post("/v1/memories", json={"memories": EPISODES[:3]})).status_code == 201
        index = client.app.state.services.index
        index._group_flush[MemoryType.EPISODIC].checkpoint_s = 0.0  # every write flushes whole
        broken = break_journals(index.shard_path(MemoryType.EPISODIC))

        refused = await client.post("/v1/memories", json={"memories": EPISODES[3:5]})
        assert refused.status_code == 503, refused.text
        assert refused.json()["code"] == "type_unavailable" and "Retry-After" in refused.headers
        ready = await client.get("/ready")
        assert ready.status_code == 503
        assert ready.json()["dependencies"]["vectors"]["types"]["episodic"]["state"] == "unavailable"
        fact = await client.post("/v1/memories", json={"memories": FACTS[:1]})
        assert fact.status_code == 201  # only that type is held

        for journal in broken:
            shutil.rmtree(journal)
        for _ in range(120):
            if (await client.get("/ready")).status_code == 200:
                break
            await asyncio.sleep(0.5)
        assert (await client.get("/ready")).status_code == 200
        again = await client.post("/v1/memories", json={"memories": EPISODES[3:5]})
        assert again.status_code == 201  # written again, no restart
        listed = await client.get("/v1/memories", params={"type": "episodic", "limit": 50})
        assert listed.status_code == 200 and len(listed.json()["memories"]) == 5
