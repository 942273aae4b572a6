"""Children die with their parent: the embedded redis-server and the Qdrant Edge engine
process stop when mnemo is killed (SIGKILL included: the kernel's parent-death signal), one left by
an earlier run is found by its pidfile and stopped at start, and a restart in place serves what was
acknowledged. Real processes, real signals."""

from __future__ import annotations

import signal
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from mnemo.backends.qdrant_edge.process import EdgeProcessIndex
from mnemo.backends.redis.client import EmbeddedRedis
from tests.e2e.conftest import EMBEDDING_DIMENSION, AppFactory
from tests.e2e.served_process import ServedMnemo, alive, command_of, wait_gone


@pytest.fixture
def short_dir() -> Iterator[Path]:
    # Short: the embedded Redis's unix socket path must stay under ~100 bytes.
    with tempfile.TemporaryDirectory(prefix="mnemo-cd-") as directory:
        yield Path(directory)


@pytest.mark.slow
def test_sigkill_takes_every_child_along_and_a_restart_in_place_serves_what_was_acknowledged(
    short_dir: Path,
) -> None:
    data = short_dir / "data"
    served = ServedMnemo(data, short_dir / "serve.log", MNEMO_QDRANT__ENGINE_PROCESS="true")
    with served.running():
        with served.client(60) as http:
            memory = {"type": "semantic", "content": "The release train leaves every second Tuesday."}
            written = http.post("/v1/memories", json={"memories": [memory]})
            assert written.status_code == 201, written.text
            memory_id = written.json()["results"][0]["id"]
            item = http.post("/v1/working/deploy/items", json={"content": "Step 3 of the deploy is done."})
            assert item.status_code == 201, item.text
        children = served.children()
        commands = [command_of(pid) for pid in children]
        assert any("redis-server" in c for c in commands), commands
        assert any("mnemo.backends.qdrant_edge.process" in c for c in commands), commands

        assert served.kill(signal.SIGKILL) == -signal.SIGKILL
        assert wait_gone(children) == [], [command_of(p) for p in children if alive(p)]

        ready_s = served.start()  # in place: same data dir, same socket, same shards
        assert ready_s < 120
        with served.client(60) as http:
            assert http.get(f"/v1/memories/{memory_id}").status_code == 200
            items = http.get("/v1/working/deploy").json()["items"]
            assert [i["content"] for i in items] == ["Step 3 of the deploy is done."]
        children = served.children()
        served.stop_cleanly()
        assert wait_gone(children) == []
        assert not (data / "redis" / "redis-server.pid").exists()  # a clean stop leaves no pidfile


async def test_children_left_by_an_earlier_run_are_found_by_pidfile_and_stopped(
    app_client: AppFactory, short_dir: Path
) -> None:
    # An earlier run's redis-server whose socket is gone (nothing answers there to be shut down),
    # and its engine process, which holds the shards' locks: a restart could not open them.
    orphan_redis = EmbeddedRedis(short_dir / "redis")
    await orphan_redis.start()
    orphan_engine = EdgeProcessIndex(short_dir / "qdrant", "mnemo", EMBEDDING_DIMENSION)
    await orphan_engine.open()
    stale = [orphan_redis.pid, orphan_engine._child.pid if orphan_engine._child else None]
    assert None not in stale
    orphan_redis.socket_path.unlink()
    assert (short_dir / "redis" / "redis-server.pid").exists()
    assert (short_dir / "qdrant" / "engine-process.pid").exists()
    try:
        async with app_client(short_dir, redis={"url": None}, qdrant={"engine_process": True}) as client:
            assert [pid for pid in stale if pid is not None and alive(pid)] == []
            written = await client.post(
                "/v1/memories", json={"memories": [{"type": "semantic", "content": "Restarted cleanly."}]}
            )
            assert written.status_code == 201, written.text
            assert (await client.get("/ready")).status_code == 200
    finally:
        await orphan_redis.stop()  # reap what was stopped under them
        await orphan_engine.close()
