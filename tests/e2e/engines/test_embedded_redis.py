"""Without MNEMO_REDIS__URL the service runs its own redis-server under the data dir, and stops it."""

from __future__ import annotations

import asyncio
import os
import signal
import tempfile
from pathlib import Path

import pytest
import redis

from mnemo.backends.redis.client import EmbeddedRedis
from tests.e2e.conftest import AppFactory


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}").exists() and "Z" not in Path(f"/proc/{pid}/stat").read_text().split()[2]


async def test_embedded_redis_lives_under_the_data_dir_and_stops_with_the_service(
    app_client: AppFactory,
) -> None:
    # A short data dir: unix socket paths are limited to ~100 bytes, pytest's tmp paths are long.
    with tempfile.TemporaryDirectory(prefix="mnemo-emb-") as directory:
        data = Path(directory)
        async with app_client(data, redis={"url": None}) as client:
            embedded = client.app.state.services.redis.embedded
            assert embedded.socket_path == data / "redis" / "redis.sock" and embedded.socket_path.exists()
            pid = embedded.pid
            assert pid is not None and alive(pid)
            ready = (await client.get("/ready")).json()
            assert ready["checks"]["redis"] is True
            assert (await client.post("/v1/working/job/items", json={"content": "Kept."})).status_code == 201
        assert not alive(pid)
        assert (data / "redis" / "working.rdb").exists()  # it saved on the way out

        # The next start finds the working memory again.
        async with app_client(data, redis={"url": None}) as client:
            items = (await client.get("/v1/working/job")).json()["items"]
            assert [i["content"] for i in items] == ["Kept."]


async def test_a_server_left_over_from_a_killed_run_is_replaced(app_client: AppFactory) -> None:
    with tempfile.TemporaryDirectory(prefix="mnemo-emb-") as directory:
        data = Path(directory)
        orphan = EmbeddedRedis(data / "redis")
        await orphan.start()
        old_pid = orphan.pid
        assert old_pid is not None
        async with app_client(data, redis={"url": None}) as client:
            assert not alive(old_pid)
            assert client.app.state.services.redis.embedded.pid != old_pid
            assert (await client.post("/v1/working/job/items", json={"content": "Fine."})).status_code == 201
        await orphan.stop()  # reaps the old child; nothing left to stop


async def test_acknowledged_working_writes_survive_a_sigkill_of_the_embedded_server(
    app_client: AppFactory,
) -> None:
    """The server fsyncs its append-only file before each reply (`appendfsync always`). With
    `everysec` a write that lands while the once-a-second background fsync runs is held in memory
    and answered anyway; a SIGKILL then loses it (reproduced under disk load: benchmarks/JOURNAL.md)."""
    with tempfile.TemporaryDirectory(prefix="mnemo-emb-") as directory:
        data = Path(directory)
        async with app_client(data, redis={"url": None}) as client:
            embedded = client.app.state.services.redis.embedded
            config = redis.Redis(unix_socket_path=str(embedded.socket_path)).config_get("append*")
            assert config["appendonly"] == "yes" and config["appendfsync"] == "always"
            texts = [f"Step {n} done." for n in range(30)]
            for text in texts:
                reply = await client.post("/v1/working/job/items", json={"content": text})
                assert reply.status_code == 201
            pid = embedded.pid
            assert pid is not None
            os.kill(pid, signal.SIGKILL)  # no shutdown save: only the append-only file is left
        assert not alive(pid)
        async with app_client(data, redis={"url": None}) as client:
            items = (await client.get("/v1/working/job")).json()["items"]
            assert sorted(i["content"] for i in items) == sorted(texts)


async def test_an_external_redis_that_may_lose_acknowledged_writes_is_warned_about(
    app_client: AppFactory, caplog: pytest.LogCaptureFixture
) -> None:
    with tempfile.TemporaryDirectory(prefix="mnemo-ext-") as directory:
        server = EmbeddedRedis(Path(directory))  # an external server to the app: it is given the URL
        await server.start()
        try:
            config = redis.Redis(unix_socket_path=str(server.socket_path))

            def warnings() -> list[str]:
                return [r.getMessage() for r in caplog.records if r.name == "mnemo.redis"]

            async with app_client(redis={"url": server.url}):
                pass
            assert not [m for m in warnings() if "fsync" in m]  # appendfsync always: nothing to say
            config.config_set("appendfsync", "everysec")
            async with app_client(redis={"url": server.url}):
                pass
            assert [m for m in warnings() if "fsyncs its append-only file everysec" in m]
            config.config_set("appendonly", "no")
            async with app_client(redis={"url": server.url}):
                pass
            assert [m for m in warnings() if "keeps no append-only file" in m]
        finally:
            await server.stop()


async def test_a_supervised_server_is_restarted_and_one_dying_right_away_after_a_pause() -> None:
    with tempfile.TemporaryDirectory(prefix="mnemo-sup-") as directory:
        server = EmbeddedRedis(Path(directory))
        await server.start()
        loop = asyncio.get_running_loop()
        restarted: list[float] = []
        server.supervise(lambda: restarted.append(loop.time()))
        pids = []
        try:
            for n in (1, 2):
                pid = server.pid
                assert pid is not None
                pids.append(pid)
                killed_at = loop.time()
                os.kill(pid, signal.SIGKILL)
                while len(restarted) < n:
                    assert loop.time() - killed_at < 10, "not restarted"
                    await asyncio.sleep(0.02)
                assert server.pid not in pids and server.restarts == n
            # The second one lived well under the stable time: restarted after the pause, not at once.
            assert restarted[1] - killed_at >= 0.5
            assert redis.Redis(unix_socket_path=str(server.socket_path)).ping()
            pids.append(server.pid)
        finally:
            await server.stop()
        assert len(pids) == 3 and not any(alive(pid) for pid in pids)  # stopped: not restarted again
