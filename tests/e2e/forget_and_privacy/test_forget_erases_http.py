"""Forget erases the bytes: no file of the data dir (the Qdrant Edge shards, their logs,
the embedded Redis's append-only file and snapshot, the erasure record) holds the forgotten text once
a forget that waited for its erasure answers, nor after a forget whose erasure was scheduled and a
clean stop, while a kept memory's text is still there (so the search could find it). The receipt
says so, and `mnemo forget --verify` recomputes its digest as printed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.served_process import ServedMnemo
from tests.e2e.transfer.test_export_import import cli

# Words no other file holds: each a marker of one place the forgotten subject's text went.
FORGOTTEN = {
    "semantic": "Zorblaxian marmalade recipe of Quintessa",
    "episodic": "Quintessa fed the Vexmoorian ferret",
    "superseded": "Quintessa moved to Plinthovar",
    "working": "Quintessa compares Glimmerquay ferries",
    "thread": "Quintessa asks about Throckwaddle tickets",
}
KEPT = "Ulfric keeps the Brindlewick almanac"
SCOPE = {"user_id": "quintessa"}
# Forgotten with `wait_for_erasure`: gone from the files when the answer comes.
AT_ONCE = {"semantic": "Grimsditch oboe lessons of Peregrine", "working": "Peregrine tunes a Flumpet"}
AT_ONCE_SCOPE = {"user_id": "peregrine"}


def files_holding(root: Path, text: str) -> list[str]:
    """The files under `root` (every one, at any depth) whose bytes hold `text`."""
    needle = text.encode()
    return sorted(
        str(path.relative_to(root))
        for path in root.rglob("*")
        if path.is_file() and needle in path.read_bytes()
    )


def forget_server(tmp_path: Path, empty_data_dir: Path) -> ServedMnemo:
    """`mnemo serve` on a copy of the empty data dir with the embedded Redis (its files are in the data
    dir too), restartable in place, one log for every run. The erasure batching window is longer than
    a test: a scheduled erasure runs only for a waiting forget, at a clean stop or at a start."""
    return ServedMnemo.on_copy(
        empty_data_dir, tmp_path / "data", tmp_path / "serve.log",
        MNEMO_FORGET__BATCH_S="600", MNEMO_FORGET__ERASE_WITHIN_S="900",
    )  # fmt: skip


async def working_and_thread(http: httpx.AsyncClient, scope: dict[str, str], texts: dict[str, str]) -> str:
    """Write `texts["working"]` to the working memory of task "trip" and `texts["thread"]` as a turn of
    a new thread, both in `scope`: the thread's id."""
    item = {"content": texts["working"] + " today.", "scope": scope}
    assert (await http.post("/v1/working/trip/items", json=item)).status_code == 201
    thread: str = (await http.post("/v1/threads", json={"scope": scope})).json()["id"]
    turn = {"role": "user", "content": texts["thread"] + " for Friday."}
    assert (await http.post(f"/v1/threads/{thread}/turns", json=turn)).status_code == 201
    return thread


async def seed(http: httpx.AsyncClient) -> None:
    memories = [
        {"type": "semantic", "scope": SCOPE, "content": FORGOTTEN["semantic"] + ", written down."},
        {"type": "episodic", "scope": SCOPE, "content": FORGOTTEN["episodic"] + " on Sunday."},
        {"type": "semantic", "scope": SCOPE, "fact_key": "home", "occurred_at": "2024-01-01T00:00:00Z",
         "content": FORGOTTEN["superseded"] + " in 2024."},
        {"type": "semantic", "scope": {"user_id": "ulfric"}, "content": KEPT + " on the shelf."},
    ]  # fmt: skip
    memories.append({"type": "semantic", "scope": AT_ONCE_SCOPE, "content": AT_ONCE["semantic"] + "."})
    for memory in memories:
        assert (await http.post("/v1/memories", json={"memories": [memory]})).status_code == 201
    item = {"content": AT_ONCE["working"] + " at noon.", "scope": AT_ONCE_SCOPE}
    assert (await http.post("/v1/working/oboe/items", json=item)).status_code == 201
    newer = {"type": "semantic", "scope": SCOPE, "fact_key": "home", "occurred_at": "2025-01-01T00:00:00Z",
             "content": "She lives by the sea now."}  # fmt: skip
    assert (await http.post("/v1/memories", json={"memories": [newer]})).status_code == 201
    await working_and_thread(http, SCOPE, FORGOTTEN)


@pytest.mark.slow
async def test_forget_leaves_no_byte_of_the_text_in_the_data_dir(
    tmp_path: Path, empty_data_dir: Path
) -> None:
    served = forget_server(tmp_path, empty_data_dir)
    data_dir = served.data_dir
    try:
        async with httpx.AsyncClient(base_url=served.url, timeout=300) as http:
            await served.start_in_thread()
            await seed(http)
            # Checkpointed to disk: the text is in the files before the forget (the search finds it).
            served.stop_cleanly()
            for text in [*FORGOTTEN.values(), *AT_ONCE.values(), KEPT]:
                assert files_holding(data_dir, text), f"{text!r} was never on disk: the grep proves nothing"
            await served.start_in_thread()

            # Waiting for the erasure: the files are clean when the answer comes, the service running.
            waited = await http.post("/v1/forget", json={"scope": AT_ONCE_SCOPE, "wait_for_erasure": True})
            assert waited.status_code == 200, waited.text
            assert waited.json()["erased"] is True, waited.json()
            assert waited.json()["erasure"] == {"qdrant": "erased", "redis": "erased", "backups": "erased"}
            for place, text in AT_ONCE.items():
                assert files_holding(data_dir, text) == [], f"the {place} text is still on disk"
            bad = await http.post("/v1/forget", json={"scope": SCOPE, "wait_for_erasure": "soon"})
            assert bad.status_code == 422 and "wait_for_erasure" in bad.text

            # Not waiting: the answer comes once the erasure is recorded, promised by `erase_by`.
            response = await http.post("/v1/forget", json={"scope": SCOPE})
            assert response.status_code == 200, response.text
            receipt = response.json()
            counts = receipt["counts"]
            assert counts["working_tasks"] == counts["threads"] == 1 and receipt["removed"] >= 6, receipt
            assert receipt["erased"] is False and receipt["erase_by"] > receipt["at"], receipt
            assert receipt["erasure"] == {"qdrant": "scheduled", "redis": "scheduled", "backups": "scheduled"}
            status = (await http.get(f"/v1/forget/{receipt['digest']}")).json()
            assert status["state"] == "scheduled" and status["erase_by"] == receipt["erase_by"], status
            # Retrieval still answers from the rebuilt shards; the kept memory is there.
            found = await http.post(
                "/v1/retrieve", json={"query": "Brindlewick almanac", "scope": {"user_id": "ulfric"}}
            )
            assert KEPT in found.text
            # The clean stop erases what is scheduled before the stores close.
            served.stop_cleanly()
            await served.start_in_thread()
            status = (await http.get(f"/v1/forget/{receipt['digest']}")).json()
            assert status["state"] == "erased", status
            assert status["erasure"] == {"qdrant": "erased", "redis": "erased", "backups": "erased"}
            served.stop_cleanly()
    finally:
        served.stop()
    for place, text in FORGOTTEN.items():
        assert files_holding(data_dir, text) == [], f"the {place} text is still on disk"
    assert files_holding(data_dir, KEPT), "the kept memory's text is gone too: the search proves nothing"

    # The receipt, kept as printed, verifies; a tampered one does not.
    kept_receipt = tmp_path / "receipt.json"
    kept_receipt.write_text(json.dumps(receipt))
    code, out, err = await cli("forget", "--verify", str(kept_receipt))
    assert code == 0 and "receipt verifies" in out, err
    kept_receipt.write_text(json.dumps({**receipt, "memory_ids": receipt["memory_ids"][1:]}))
    code, out, err = await cli("forget", "--verify", str(kept_receipt))
    assert code == 1 and "does NOT verify" in err


def test_the_digest_recomputes_from_the_printed_fields() -> None:
    """The README's recipe, line by line, on a receipt as printed (`at` with its `Z`)."""
    import hashlib

    from mnemo.memtypes.governance.forget import ForgetReceipt
    from mnemo.memtypes.governance.history import receipt_digest, receipt_time
    from mnemo.memtypes.records import utcnow

    at = utcnow()
    ids = ["b-memory", "a-memory", "task:t1", "thread:th1"]
    printed: dict[str, Any] = json.loads(
        ForgetReceipt(
            tenant="alpha", at=at, dry_run=False, scope=None, counts={}, removed=4,
            memory_ids=["a-memory", "b-memory"], task_ids=["t1"], thread_ids=["th1"],
            digest=receipt_digest("alpha", receipt_time(at), ids),
        ).model_dump_json()
    )  # fmt: skip
    assert printed["at"].endswith("Z") and len(printed["at"]) == len("2026-11-25T09:00:00.000000Z")
    lines = [printed["tenant"], printed["at"], "a-memory", "b-memory", "task:t1", "thread:th1"]
    assert printed["digest"] == hashlib.sha256("\n".join(lines).encode()).hexdigest()
