"""Backups and erasure side by side: a forget's erasure run drops the server's copies of backups, but
not one being fetched (it waits for the transfer to end), so no tenant's forgets can keep the
operator's backups from completing; `mnemo backup` takes a backup again when its copy is gone before
it was read, and a backup that fails leaves no partial directory behind."""

from __future__ import annotations

import asyncio
import contextlib
import json
import shutil
from pathlib import Path

import httpx
import pytest

from tests.e2e.live_server import LiveApp, live_app  # noqa: F401 (a fixture)
from tests.e2e.transfer.test_export_import import cli

pytestmark = pytest.mark.slow

MEMORIES = [
    {"type": "semantic", "content": f"Shelf {n} holds the {n}th crate of Quillmere jars."} for n in range(40)
]


async def forget_throwaways(http: httpx.AsyncClient, rounds: list[int]) -> None:
    """One tenant writing and forgetting a throwaway subject, again and again."""
    for n in range(10_000):
        scope = {"user_id": f"throwaway-{n}"}
        memory = {"type": "episodic", "scope": scope, "content": f"Throwaway {n} bought a Dravel lamp."}
        assert (await http.post("/v1/memories", json={"memories": [memory]})).status_code == 201
        assert (await http.post("/v1/forget", json={"scope": scope})).status_code == 200
        rounds.append(n)
        await asyncio.sleep(0.2)


async def test_a_copy_being_fetched_outlives_a_forgets_erasure_until_its_transfer_ends(
    live_app: LiveApp,  # noqa: F811
) -> None:
    async with live_app(redis_url=None) as (url, _), httpx.AsyncClient(base_url=url, timeout=120) as http:
        assert (await http.post("/v1/memories", json={"memories": MEMORIES})).status_code == 201
        made = (await http.post("/v1/admin/backups")).json()
        backup_id, names = made["id"], sorted(made["manifest"]["files"])
        first = await http.get(f"/v1/admin/backups/{backup_id}/{names[0]}")
        assert first.status_code == 200  # the transfer has begun
        scope = {"user_id": "kim"}
        memory = {"type": "semantic", "scope": scope, "content": "Kim hides the spare key in the Ostrel pot."}
        assert (await http.post("/v1/memories", json={"memories": [memory]})).status_code == 201
        forget = asyncio.create_task(http.post("/v1/forget", json={"scope": scope, "wait_for_erasure": True}))
        await asyncio.sleep(3.0)  # the erasure run has had time to reach the backups
        for name in names[1:]:  # the rest of the transfer is not cut
            assert (await http.get(f"/v1/admin/backups/{backup_id}/{name}")).status_code == 200, name
        assert not forget.done()  # the erasure waits for the transfer
        assert (await http.delete(f"/v1/admin/backups/{backup_id}")).status_code in (200, 204)
        receipt = (await forget).json()
        assert receipt["erasure"]["backups"] == "erased", receipt["erasure"]


async def test_backups_complete_while_a_tenant_keeps_forgetting(live_app: LiveApp, tmp_path: Path) -> None:  # noqa: F811
    many = [
        {"type": "episodic", "content": f"Crate {n} went to dock {n % 7} of Brelmouth."} for n in range(300)
    ]
    settings = {"redis_url": None, "forget": {"batch_s": 0.0}}  # an erasure run after each forget
    async with live_app(**settings) as (url, _), httpx.AsyncClient(base_url=url, timeout=120) as http:
        for start in range(0, len(many), 100):
            batch = {"memories": many[start : start + 100]}
            assert (await http.post("/v1/memories", json=batch)).status_code == 201
        rounds: list[int] = []
        forgetting = asyncio.create_task(forget_throwaways(http, rounds))
        backups = 0
        try:
            while len(rounds) < 8 or backups < 3:
                code, out, err = await cli(
                    "backup", str(tmp_path / f"backup-{backups}"), "--url", url, "--json"
                )
                assert code == 0, err
                assert json.loads(out)["records"]["memories-episodic.jsonl"] >= len(many)
                backups += 1
        finally:
            forgetting.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await forgetting


async def test_a_backup_whose_copy_keeps_vanishing_fails_and_leaves_no_directory(
    live_app: LiveApp,  # noqa: F811
    tmp_path: Path,
) -> None:
    copies = tmp_path / "data" / "backups"
    target = tmp_path / "backup"
    async with live_app(redis_url=None) as (url, _), httpx.AsyncClient(base_url=url, timeout=120) as http:
        assert (await http.post("/v1/memories", json={"memories": MEMORIES})).status_code == 201

        async def drop_every_copy() -> None:  # once written, as an erasure run drops a copy no one read
            while True:
                if copies.is_dir():
                    for copy in copies.iterdir():
                        if (copy / "manifest.json").exists():
                            shutil.rmtree(copy, ignore_errors=True)
                await asyncio.sleep(0.005)

        dropping = asyncio.create_task(drop_every_copy())
        try:
            code, _, err = await cli("backup", str(target), "--url", url)
        finally:
            dropping.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await dropping
        assert code == 1 and err.count("taking it again") == 2 and "went away" in err, err
        assert not target.exists()  # a rerun starts clean
        code, _, err = await cli("backup", str(target), "--url", url)
        assert code == 0, err
