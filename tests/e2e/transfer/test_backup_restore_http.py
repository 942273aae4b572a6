"""`mnemo backup DIR --url URL` of a running service while writes continue, verified
against its manifest; `mnemo restore DIR --data-dir D` builds a data dir that serves everything
acknowledged before the backup began: memories, change history, working memory and threads."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import time
from pathlib import Path
from typing import Any

from mnemo.backends.transfer.backup import MANIFEST, read_manifest, verify
from mnemo.cli.main import main as mnemo
from mnemo.memtypes.governance.forget import LEDGER_FILE
from mnemo_client import AsyncMnemo
from tests.e2e.live_server import LiveApp, live_app  # noqa: F401 (a fixture)

KINDS = ("episodic", "semantic", "procedural")
MEMORIES = [{"type": KINDS[i % 3], "content": f"Note {i}: the kettle is on shelf {i}."} for i in range(24)]


async def written(client: AsyncMnemo, memories: list[dict[str, Any]]) -> list[str]:
    reply = (await client.request("POST", "/v1/memories", json={"memories": memories})).raise_for_status()
    return [r["id"] for r in reply.body["results"] if r["id"]]


async def test_backup_while_writing_then_restore_serves_everything_acknowledged_before(
    live_app: LiveApp,  # noqa: F811
    tmp_path: Path,
) -> None:
    backup_dir, restored_dir = tmp_path / "backup", tmp_path / "restored"
    async with live_app(redis={"url": None}) as (url, _), AsyncMnemo(url, timeout=120) as client:
        before = await written(client, MEMORIES)
        keys = (await client.request("GET", "/v1/forget/keys")).raise_for_status().body["keys"]
        fact = {"type": "semantic", "content": "Alice's kettle is blue."}
        await written(client, [fact])
        [updated] = await written(client, [{**fact, "content": "Alice's kettle is red, not blue."}])
        for item in ("Window seat", "Vegetarian meal"):
            await client.request("POST", "/v1/working/trip-7/items", json={"content": item})
        thread = (await client.request("POST", "/v1/threads", json={})).raise_for_status().body
        for role, content in (("user", "Book the 9:40 train."), ("assistant", "Booked: coach 4, seat 12.")):
            turn = {"role": role, "content": content}
            (await client.request("POST", f"/v1/threads/{thread['id']}/turns", json=turn)).raise_for_status()

        acknowledged: list[tuple[float, str]] = []  # (when acknowledged, id), from a writer that goes on

        async def keep_writing() -> None:
            for n in range(10_000):
                memory = {"type": "episodic", "content": f"Ongoing event {n}: the train passed mile {n}."}
                [memory_id] = await written(client, [memory])
                acknowledged.append((time.time(), memory_id))
                await asyncio.sleep(0.02)

        writer = asyncio.create_task(keep_writing())
        await asyncio.sleep(0.5)
        began = time.time()
        code = await asyncio.to_thread(mnemo, ["backup", str(backup_dir), "--url", url, "--json"])
        writes_during = len([1 for at, _ in acknowledged if at >= began])
        writer.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await writer
    assert code == 0
    assert writes_during > 0  # the service wrote on while it was backed up
    assert verify(backup_dir) == []
    manifest = read_manifest(backup_dir)
    assert manifest["files"]["redis.jsonl"]["records"] >= 2  # the task and the thread, at least
    assert manifest["files"]["history.jsonl"]["records"] >= 1

    tampered = tmp_path / "tampered"
    shutil.copytree(backup_dir, tampered)
    episodic = tampered / "memories-episodic.jsonl"
    episodic.write_bytes(episodic.read_bytes()[:-40])
    never = tmp_path / "never"
    assert await asyncio.to_thread(mnemo, ["restore", str(tampered), "--data-dir", str(never)]) == 1
    assert not (never / "qdrant").exists()

    ledger = tmp_path / "data" / LEDGER_FILE  # the service's: no forget since the backup
    restore = ["restore", str(backup_dir), "--data-dir", str(restored_dir), "--json", "--ledger", str(ledger)]
    restore += ["--public-key", keys[0]["public_key"]]
    assert await asyncio.to_thread(mnemo, restore) == 0
    wanted = before + [updated] + [memory_id for at, memory_id in acknowledged if at < began]
    async with (
        live_app(restored_dir, redis={"url": None}) as (url, _),
        AsyncMnemo(url, timeout=120) as client,
    ):
        assert (await client.request("GET", "/ready")).status == 200
        for memory_id in wanted:
            assert (await client.request("GET", f"/v1/memories/{memory_id}")).status == 200, memory_id
        history = (await client.request("GET", f"/v1/memories/{updated}/history")).raise_for_status().body
        assert history
        working = (await client.request("GET", "/v1/working/trip-7")).raise_for_status().body
        assert {i["content"] for i in working["items"]} == {"Window seat", "Vegetarian meal"}
        turns = (await client.request("GET", f"/v1/threads/{thread['id']}/history")).raise_for_status().body
        assert "coach 4, seat 12" in str(turns)
    assert (backup_dir / MANIFEST).is_file()
