"""A real `mnemo serve` supervises its embedded redis-server: killed on its own (SIGKILL), it is
restarted within seconds from its append-only file, with everything it acknowledged; while no Redis
answers (SIGSTOP), `/ready` is 503, and ready again once it answers."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from tests.e2e.served_process import ServedMnemo, command_of


def redis_server_of(served: ServedMnemo) -> int:
    servers = [pid for pid in served.children() if "redis-server" in command_of(pid)]
    assert len(servers) == 1, [command_of(pid) for pid in served.children()]
    return servers[0]


def wait_for(check: object, timeout_s: float, what: str) -> float:
    """Poll `check()` until true; the seconds that took."""
    started = time.monotonic()
    while not check():  # type: ignore[operator]
        assert time.monotonic() - started < timeout_s, f"{what}: not within {timeout_s}s"
        time.sleep(0.05)
    return time.monotonic() - started


@pytest.mark.slow
def test_a_killed_embedded_redis_is_restarted_with_what_it_acknowledged(
    tmp_path: Path, empty_data_dir: Path
) -> None:
    served = ServedMnemo.on_copy(empty_data_dir, tmp_path / "data", tmp_path / "serve.log")
    with served.running():
        with served.client(30) as http:
            texts = [f"Step {n} of the migration is done." for n in range(20)]
            for text in texts:
                assert http.post("/v1/working/job/items", json={"content": text}).status_code == 201
            thread = http.post("/v1/threads", json={}).json()["id"]
            turn = {"role": "user", "content": "Remember the blue door."}
            assert http.post(f"/v1/threads/{thread}/turns", json=turn).status_code == 201

            # Not answering (stopped, not dead): not ready, while reads of the vectors still work.
            server = redis_server_of(served)
            os.kill(server, signal.SIGSTOP)
            try:
                wait_for(lambda: http.get("/ready").status_code == 503, 20, "/ready 503 while Redis is mute")
                body = http.get("/ready").json()
                assert body["status"] == "not ready" and body["checks"]["redis"] is False
                assert http.get("/v1/memories").status_code == 200
            finally:
                os.kill(server, signal.SIGCONT)
            wait_for(lambda: http.get("/ready").status_code == 200, 20, "/ready once Redis answers")

            # Killed: a new server within seconds, and what the old one acknowledged is back.
            os.kill(server, signal.SIGKILL)
            took = wait_for(
                lambda: http.post("/v1/working/job/items", json={"content": "After."}).status_code == 201,
                10,
                "working memory writes after the kill",
            )
            assert redis_server_of(served) != server
            items = http.get("/v1/working/job").json()["items"]
            assert sorted(i["content"] for i in items) == sorted([*texts, "After."])
            history = http.get(f"/v1/threads/{thread}/history").json()
            assert [t["content"] for t in history["turns"]] == ["Remember the blue door."]
            ready = http.get("/ready")
            assert ready.status_code == 200, ready.text
            # The new server answers while its supervisor is still finishing the start that counts it.
            wait_for(
                lambda: http.get("/ready").json()["dependencies"]["redis"]["restarts"] == 1,
                10,
                "the restart counted",
            )
        log = served.log.read_text()
        assert log.count("embedded redis-server restarted") == 1, log[-3000:]
        print(f"working-memory writes back {took:.2f}s after the redis-server's SIGKILL")
