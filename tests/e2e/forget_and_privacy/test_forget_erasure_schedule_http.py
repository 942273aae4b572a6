"""A forget's erasure from the files is coalesced and survives a crash, on a real server
process with the embedded engines:

- many forgets in a row, then one that waits: one erasure run, one rebuild per affected type (counted
  in the server's log and /metrics), every receipt erased;
- a forget answered, then SIGKILL before its erasure ran: the next start erases it first, and no file
  of the data dir holds the text.
"""

from __future__ import annotations

import asyncio
import re
import time
from pathlib import Path

import httpx
import pytest

from tests.e2e.forget_and_privacy.test_forget_erases_http import files_holding, forget_server
from tests.e2e.served_process import ServedMnemo

USERS = [f"wanderer-{n}" for n in range(6)]
CRASHED = {"user_id": "hollowmere"}
CRASHED_TEXT = "Hollowmere buried the Quibbleton key"


def rebuilds(log: Path, memory_type: str) -> int:
    """Shard rebuilds that erased deleted points, as the server logged them."""
    return log.read_text().count(f"{memory_type}: deleted points erased from disk (shard rebuilt)")


def erasure_runs(metrics: str, store: str, outcome: str) -> float:
    pattern = (
        rf'^mnemo_forget_erasures_total\{{[^}}]*outcome="{outcome}"[^}}]*store="{store}"[^}}]*\}} (\S+)$'
    )
    found = re.search(pattern, metrics, re.MULTILINE)
    return float(found.group(1)) if found else 0.0


async def erased(http: httpx.AsyncClient, digest: str, served: ServedMnemo) -> dict:
    deadline = time.monotonic() + 300
    while True:
        status = (await http.get(f"/v1/forget/{digest}")).json()
        if status["state"] == "erased":
            return status
        running = served.process is not None and served.process.poll() is None
        assert running and time.monotonic() < deadline, (status, served.log.read_text()[-3000:])
        await asyncio.sleep(0.5)


@pytest.mark.slow
async def test_forgets_in_a_row_share_one_rebuild_and_a_crash_does_not_lose_an_erasure(
    tmp_path: Path, empty_data_dir: Path
) -> None:
    served = forget_server(tmp_path, empty_data_dir)
    data_dir, log = served.data_dir, served.log
    try:
        async with httpx.AsyncClient(base_url=served.url, timeout=300) as http:
            await served.start_in_thread()
            for user in USERS:
                memories = [
                    {"type": "semantic", "scope": {"user_id": user}, "content": f"{user} likes green tea."},
                    {"type": "episodic", "scope": {"user_id": user}, "content": f"{user} missed the bus."},
                ]
                assert (await http.post("/v1/memories", json={"memories": memories})).status_code == 201
            crashed = {"type": "semantic", "scope": CRASHED, "content": CRASHED_TEXT + " under the oak."}
            assert (await http.post("/v1/memories", json={"memories": [crashed]})).status_code == 201

            receipts = []
            for user in USERS[:-1]:  # answered at once, erasure scheduled
                response = await http.post("/v1/forget", json={"scope": {"user_id": user}})
                assert response.status_code == 200, response.text
                assert response.json()["erasure"]["qdrant"] == "scheduled"
                receipts.append(response.json())
            assert rebuilds(log, "semantic") == rebuilds(log, "episodic") == 0
            last = await http.post(
                "/v1/forget", json={"scope": {"user_id": USERS[-1]}, "wait_for_erasure": True}
            )
            assert last.json()["erased"] is True, last.text
            receipts.append(last.json())

            # One run for all six forgets: each affected type rebuilt once, each store erased once.
            assert rebuilds(log, "semantic") == rebuilds(log, "episodic") == 1, log.read_text()[-3000:]
            metrics = (await http.get("/metrics")).text
            assert erasure_runs(metrics, "qdrant", "erased") == erasure_runs(metrics, "redis", "erased") == 1
            assert erasure_runs(metrics, "qdrant", "failed") == 0
            assert re.search(r"^mnemo_forget_erasures_pending 0\.0$", metrics, re.MULTILINE), metrics
            done = [(await http.get(f"/v1/forget/{r['digest']}")).json() for r in receipts]
            assert {d["state"] for d in done} == {"erased"} and len({d["erased_at"] for d in done}) == 1

            # A forget answered, then the process is killed before the erasure ran.
            response = await http.post("/v1/forget", json={"scope": CRASHED})
            receipt = response.json()
            assert response.status_code == 200 and receipt["erase_by"], response.text
            metrics = (await http.get("/metrics")).text
            assert re.search(r"^mnemo_forget_erasures_pending 1\.0$", metrics, re.MULTILINE)
            served.kill()
            assert files_holding(data_dir, CRASHED_TEXT), (
                "the text was never on disk: the grep proves nothing"
            )

            await served.start_in_thread()
            status = await erased(http, receipt["digest"], served)  # no 600 s window after a crash
            assert status["erasure"] == {"qdrant": "erased", "redis": "erased", "backups": "erased"}
            assert files_holding(data_dir, CRASHED_TEXT) == [], "the forgotten text is still on disk"
            for user in USERS:
                assert files_holding(data_dir, f"{user} likes green tea") == []
            assert (await http.get("/v1/memories", params={"user_id": CRASHED["user_id"]})).json()[
                "memories"
            ] == []
            served.stop_cleanly()
    finally:
        served.stop()
