"""`mnemo serve` — the README's command — starts a real server that answers over HTTP."""

from __future__ import annotations

import json
import os
from pathlib import Path

import httpx
import pytest

from tests.served import SERVE, free_port, served


@pytest.mark.slow
def test_serve_writes_and_retrieves_over_real_http(tmp_path: Path) -> None:
    port = free_port()
    env = dict(os.environ, MNEMO_DATA_DIR=str(tmp_path / "data"), MNEMO_HOST="0.0.0.0", MNEMO_PORT=str(port))
    env.pop("MNEMO_API_KEYS", None)
    log = tmp_path / "serve.log"
    with served(SERVE, env, port, log, timeout_s=90) as base:
        written = httpx.post(
            f"{base}/v1/memories",
            json={
                "memories": [
                    {
                        "type": "semantic",
                        "content": "The deploy key for production lives in the team vault, not in CI.",
                    }
                ]
            },
            timeout=30,
        )
        assert written.status_code == 201
        found = httpx.post(
            f"{base}/v1/retrieve",
            json={"query": "where is the deploy key?"},
            headers={"X-Request-ID": "serve-test-1"},
            timeout=30,
        ).json()
        assert (
            found["memories"][0]["content"]
            == "The deploy key for production lives in the team vault, not in CI."
        )
    text = log.read_text()
    # No API keys: it refused the wildcard address, said so, and bound loopback only.
    assert "listening on 127.0.0.1 only" in text
    assert f"http://127.0.0.1:{port}" in text
    assert "The deploy key" not in text  # memory contents are not logged at INFO
    # Not a terminal: MNEMO_LOG_FORMAT=auto writes JSON lines, uvicorn's own lines included.
    entries = [json.loads(line) for line in text.splitlines() if line.strip()]
    assert any(e["logger"].startswith("uvicorn") for e in entries)
    (access,) = [e for e in entries if e["logger"] == "mnemo.access" and e["route"] == "/v1/retrieve"]
    assert access["request_id"] == "serve-test-1" and access["status"] == 200
