"""Forget reaches every copy, with a real `mnemo serve` (embedded Redis), `mnemo backup` and `mnemo
restore`: a server-side copy of a backup (one no client fetched) is erased by the forget's erasure
run; the data dir keeps a content-free erasure ledger, backups carry it, and a restore of a backup
taken before the forget replays it, so the subject does not come back (nor its bytes)."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from mnemo.backends.signing_key import open_signer
from mnemo.memtypes.governance.forget import LEDGER_FILE
from mnemo.memtypes.governance.signing import published
from tests.e2e.forget_and_privacy.test_forget_erases_http import (
    files_holding,
    forget_server,
    working_and_thread,
)
from tests.e2e.live_server import LiveApp, live_app  # noqa: F401 (a fixture)
from tests.e2e.transfer.test_export_import import cli

pytestmark = pytest.mark.slow

SCOPE = {"user_id": "kim"}
FORGOTTEN = {
    "memory": "Kim keeps the Quorwhistle diary under the stairs",
    "working": "Kim compares Blenthaven ferry fares",
    "thread": "Kim asks about Dromwick concert tickets",
}
KEPT = "Lee waters the Ostrabind ferns"
CAME_BACK = "Kim came back and joined the Varnholt choir"  # written after the forget


async def seed(http: httpx.AsyncClient) -> dict[str, str]:
    memories = [
        {"type": "semantic", "scope": SCOPE, "content": FORGOTTEN["memory"] + "."},
        {"type": "episodic", "scope": {"user_id": "lee"}, "content": KEPT + " every Monday."},
    ]
    written = await http.post("/v1/memories", json={"memories": memories})
    assert written.status_code == 201, written.text
    kim, lee = (r["id"] for r in written.json()["results"])
    thread = await working_and_thread(http, SCOPE, FORGOTTEN)
    return {"kim": kim, "lee": lee, "thread": thread}


async def restore_cli(backup: Path, data_dir: Path, key: str, *extra: str) -> tuple[int, str, str]:
    return await cli(
        "restore", str(backup), "--data-dir", str(data_dir), "--json", "--public-key", key, *extra
    )


async def restore(backup: Path, data_dir: Path, key: str, *ledgers: Path) -> dict[str, int]:
    extra = [arg for ledger in ledgers for arg in ("--ledger", str(ledger))]
    code, out, err = await restore_cli(backup, data_dir, key, *extra)
    assert code == 0, err
    return dict(json.loads(out))


async def forget_erases_every_copy(
    http: httpx.AsyncClient, url: str, data_dir: Path, before: Path, after: Path
) -> tuple[dict[str, str], dict[str, Any]]:
    """Backed up, and a server copy left unfetched, then forgotten: the copy is erased, no file of the
    data dir holds the subject, the ledger holds the forget (never its content); the subject writes
    again and a second backup is taken. The ids written and the ledger's entry."""
    ids = await seed(http)
    code, _, err = await cli("backup", str(before), "--url", url)
    assert code == 0, err
    assert files_holding(before, FORGOTTEN["memory"]) and files_holding(before, FORGOTTEN["working"])
    # A backup no client fetched: its server copy holds the subject, in the data dir.
    abandoned = (await http.post("/v1/admin/backups")).json()["id"]
    assert files_holding(data_dir / "backups" / abandoned, FORGOTTEN["memory"])

    forgot = await http.post("/v1/forget", json={"scope": SCOPE, "wait_for_erasure": True})
    assert forgot.status_code == 200, forgot.text
    receipt = forgot.json()
    assert receipt["erased"] is True and receipt["erasure"]["backups"] == "erased", receipt
    assert not (data_dir / "backups" / abandoned).exists()
    gone = await http.get(f"/v1/admin/backups/{abandoned}/manifest.json")
    assert gone.status_code == 404 and "forget" in gone.text
    for place, text in FORGOTTEN.items():
        assert files_holding(data_dir, text) == [], f"the {place} text is still in the data dir"
    # The ledger: tenant, scope, ids and the receipt's digest; never content.
    (entry,) = [json.loads(line) for line in (data_dir / LEDGER_FILE).read_text().splitlines()]
    assert entry["digest"] == receipt["digest"] and entry["scope"]["user_id"] == "kim"
    assert entry["memories"]["semantic"] == [ids["kim"]] and entry["task_ids"] == ["trip"]
    assert entry["thread_ids"] == [ids["thread"]]

    back = {"type": "semantic", "scope": SCOPE, "content": CAME_BACK + "."}
    assert (await http.post("/v1/memories", json={"memories": [back]})).status_code == 201
    item = {"content": CAME_BACK + " on Tuesdays.", "scope": SCOPE}
    assert (await http.post("/v1/working/choir/items", json=item)).status_code == 201
    code, _, err = await cli("backup", str(after), "--url", url)
    assert code == 0, err
    return ids, entry


async def restores_replay_the_ledger(
    before: Path, after: Path, data_dir: Path, entry: dict[str, Any], tmp_path: Path
) -> Path:
    """Restores of the backups taken before and after the forget, with and without a ledger; the data
    dir restored from the earlier backup with the forget replayed."""
    key = published(open_signer(data_dir).public_key)["public_key"]
    # The data dir lost with its ledger (a backup taken before the forget, restored alone): refused,
    # since the forget would be undone; restored only when the operator says so, and then it is.
    alone = tmp_path / "alone"
    code, _, err = await restore_cli(before, alone, key)
    assert code == 1 and "--may-undo-later-forgets" in err and not (alone / "qdrant").exists(), err
    code, out, err = await restore_cli(before, alone, key, "--may-undo-later-forgets")
    assert code == 0 and json.loads(out)["forgets_replayed"] == 0, err
    assert files_holding(alone, FORGOTTEN["memory"])
    # A ledger that does not hold the backup's own forgets is not a newer one of this store.
    code, _, err = await restore_cli(
        after, tmp_path / "stranger", key, "--ledger", str(tmp_path / "alone" / LEDGER_FILE)
    )
    assert code == 1 and "no erasure ledger newer than the backup" in err, err
    # A newer backup's ledger named: the forget is replayed, and no file holds the subject.
    replayed = tmp_path / "replayed"
    report = await restore(before, replayed, key, after / LEDGER_FILE)
    assert report["forgets_replayed"] == 1, report
    removed = sum(len(ids) for ids in entry["memories"].values())  # the thread's turn is a memory too
    assert report["forgotten_again"] == {"memories": removed, "tasks_and_threads": 2}, report
    for place, text in FORGOTTEN.items():
        assert files_holding(replayed, text) == [], f"the {place} text came back"
    assert files_holding(replayed, KEPT)
    assert (replayed / LEDGER_FILE).is_file()  # the restored data dir keeps the ledger
    # The data dir's own ledger (its stores lost, the ledger kept): replayed too.
    in_place = tmp_path / "in-place"
    in_place.mkdir()
    shutil.copy(data_dir / LEDGER_FILE, in_place / LEDGER_FILE)
    report = await restore(before, in_place, key)
    assert report["forgets_replayed"] == 1 and files_holding(in_place, FORGOTTEN["memory"]) == []

    # A backup taken after the forget replays its own ledger, and keeps what the subject wrote since.
    later = tmp_path / "later"
    report = await restore(after, later, key, data_dir / LEDGER_FILE)
    assert report["forgets_replayed"] == 1, report
    assert report["forgotten_again"] == {"memories": 0, "tasks_and_threads": 0}, report
    assert files_holding(later, CAME_BACK)
    return replayed


async def serves_without_the_subject(serve: LiveApp, replayed: Path, ids: dict[str, str]) -> None:
    async with serve(replayed, redis_url=None) as (url, _), httpx.AsyncClient(base_url=url) as http:
        assert (await http.get(f"/v1/memories/{ids['lee']}")).status_code == 200
        assert (await http.get(f"/v1/memories/{ids['kim']}")).status_code == 404
        assert (await http.get(f"/v1/memories/{ids['kim']}/history")).status_code == 404
        assert (await http.get("/v1/working/trip")).json()["items"] == []
        assert (await http.get(f"/v1/threads/{ids['thread']}/history")).status_code == 404
        again = await http.post("/v1/forget", json={"scope": SCOPE})
        assert again.json()["removed"] == 0


async def test_forget_erases_server_copies_and_restores_replay_the_ledger(
    tmp_path: Path,
    empty_data_dir: Path,
    live_app: LiveApp,  # noqa: F811
) -> None:
    served = forget_server(tmp_path, empty_data_dir)
    data_dir = served.data_dir
    before, after = tmp_path / "before", tmp_path / "after"
    try:
        async with httpx.AsyncClient(base_url=served.url, timeout=300) as http:
            await served.start_in_thread()
            ids, entry = await forget_erases_every_copy(http, served.url, data_dir, before, after)
            served.stop_cleanly()
    finally:
        served.stop()
    assert (after / LEDGER_FILE).is_file()  # a backup carries the ledger, under its manifest
    assert json.loads((after / "manifest.json").read_text())["files"][LEDGER_FILE]["records"] == 1

    replayed = await restores_replay_the_ledger(before, after, data_dir, entry, tmp_path)
    await serves_without_the_subject(live_app, replayed, ids)
    await asyncio.sleep(0)


async def test_a_server_copy_no_one_fetched_is_dropped(live_app: LiveApp, tmp_path: Path) -> None:  # noqa: F811
    """A copy its client abandoned (a timeout, a failed verification) does not stay in the data dir:
    dropped once unread for an hour (at the next backup) and at the next start."""
    copies = tmp_path / "data" / "backups"
    async with live_app(redis_url=None) as (url, _), httpx.AsyncClient(base_url=url, timeout=120) as http:
        assert (
            await http.post("/v1/memories", json={"memories": [{"type": "semantic", "content": KEPT}]})
        ).status_code == 201
        first = (await http.post("/v1/admin/backups")).json()["id"]
        assert (await http.get(f"/v1/admin/backups/{first}/manifest.json")).status_code == 200
        hours_ago = time.time() - 2 * 3600
        os.utime(copies / first, (hours_ago, hours_ago))  # unread for two hours
        second = (await http.post("/v1/admin/backups")).json()["id"]
        assert sorted(p.name for p in copies.iterdir()) == [second]
        assert (await http.get(f"/v1/admin/backups/{first}/manifest.json")).status_code == 404
    async with live_app(redis_url=None) as (url, _):
        assert list(copies.iterdir()) == []  # the start drops what the last run left
