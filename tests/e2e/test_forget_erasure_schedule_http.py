"""A forget's erasure from the files is coalesced and survives a crash (issue 41.1), on a real server
process with the embedded engines:

- many forgets in a row, then one that waits: one erasure run, one rebuild per affected type (counted
  in the server's log and /metrics), every receipt erased;
- a forget answered, then SIGKILL before its erasure ran: the next start erases it first, and no file
  of the data dir holds the text.
"""

from __future__ import annotations

import asyncio
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import copy_sparse
from tests.e2e.live_server import free_port
from tests.e2e.test_forget_erases_http import files_holding, wait_ready
from tests.e2e.test_replicas_http import serve_env

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


async def erased(http: httpx.AsyncClient, digest: str, server: subprocess.Popen[bytes], log: Path) -> dict:
    deadline = time.monotonic() + 300
    while True:
        status = (await http.get(f"/v1/forget/{digest}")).json()
        if status["state"] == "erased":
            return status
        assert server.poll() is None and time.monotonic() < deadline, (status, log.read_text()[-3000:])  # noqa: ASYNC240
        await asyncio.sleep(0.5)


@pytest.mark.slow
async def test_forgets_in_a_row_share_one_rebuild_and_a_crash_does_not_lose_an_erasure(
    tmp_path: Path, empty_data_dir: Path
) -> None:
    data_dir, port, log = tmp_path / "data", free_port(), tmp_path / "serve.log"
    copy_sparse(empty_data_dir, data_dir)
    # A batching window longer than the test: only a waiting forget, a stop or a start runs one.
    env = serve_env(
        MNEMO_DATA_DIR=str(data_dir), MNEMO_PORT=str(port), MNEMO_LOG_FORMAT="text",
        MNEMO_FORGET__BATCH_S="600", MNEMO_FORGET__ERASE_WITHIN_S="900",
    )  # fmt: skip
    command = [sys.executable, "-m", "mnemo.cli.main", "serve"]
    with log.open("w") as out:
        server = subprocess.Popen(command, env=env, stdout=out, stderr=out)  # noqa: ASYNC220 - start only
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=300) as http:
            await wait_ready(http, server, log)
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
            server.send_signal(signal.SIGKILL)
            server.wait(timeout=60)
            assert files_holding(data_dir, CRASHED_TEXT), (
                "the text was never on disk: the grep proves nothing"
            )

            with log.open("a") as out:
                server = subprocess.Popen(command, env=env, stdout=out, stderr=out)  # noqa: ASYNC220
            await wait_ready(http, server, log)
            status = await erased(http, receipt["digest"], server, log)  # no 600 s window after a crash
            assert status["erasure"] == {"qdrant": "erased", "redis": "erased"}
            assert files_holding(data_dir, CRASHED_TEXT) == [], "the forgotten text is still on disk"
            for user in USERS:
                assert files_holding(data_dir, f"{user} likes green tea") == []
            assert (await http.get("/v1/memories", params={"user_id": CRASHED["user_id"]})).json()[
                "memories"
            ] == []
            server.send_signal(signal.SIGTERM)
            assert server.wait(timeout=120) in (0, -signal.SIGTERM)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
