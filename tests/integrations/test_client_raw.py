"""mnemo-client's raw side against a real `mnemo serve`: `request()` answers status and body as the
server gave them (the benchmarks time it), a borrowed connection-pool of `Limits` serves concurrent
requests, and `mnemo ingest --url` writes a JSONL file through the client."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from mnemo_client import AsyncMnemo, AuthenticationError, Limits, Mnemo, MnemoConnectionError
from tests.integrations.conftest import MnemoServer, unused_url


def test_request_answers_what_the_server_said(mnemo_server: MnemoServer) -> None:
    user = f"u-{uuid.uuid4().hex[:8]}"
    with Mnemo(mnemo_server.url, api_key=mnemo_server.keys["a"]) as mnemo:
        assert mnemo.request("GET", "/ready").status == 200
        scope = {"user_id": user}
        memory = {"type": "semantic", "content": "Noor rides a red bicycle to work.", "scope": scope}
        written = mnemo.request("POST", "/v1/memories", json={"memories": [memory], "dedup": False})
        assert written.status == 201 and written.body["results"][0]["status"] == "created"
        found = mnemo.request(
            "POST", "/v1/retrieve", json={"query": "how does Noor get to work?", "scope": scope}
        )
        assert found.status == 200 and "red bicycle" in found.body["context"]
        assert "timings_ms" in found.body["metadata"]  # the raw body: what the load benchmarks read
        # Another tenant's key on one request: none of tenant A's memories.
        other = {"Authorization": f"Bearer {mnemo_server.keys['b']}"}
        listed = mnemo.request("GET", "/v1/memories", params={"user_id": user}, headers=other)
        assert listed.status == 200 and listed.body["memories"] == []
        unknown = mnemo.request("POST", "/v1/retrieve", json={"query": "q", "colour": "red"})
        assert unknown.status == 422 and unknown.body["code"] == "invalid_input"  # not raised
    with Mnemo(mnemo_server.url, api_key="not-a-key") as stranger:
        refused = stranger.request("GET", "/v1/memories")
        assert refused.status == 401
        with pytest.raises(AuthenticationError):
            refused.raise_for_status()
    with Mnemo(unused_url(), timeout=2) as nowhere, pytest.raises(MnemoConnectionError):
        nowhere.request("GET", "/ready")


async def test_a_limited_pool_serves_concurrent_requests(mnemo_server: MnemoServer) -> None:
    limits = Limits(max_connections=2, max_keepalive_connections=2)
    async with AsyncMnemo(mnemo_server.url, api_key=mnemo_server.keys["a"], limits=limits) as mnemo:
        body = {"query": "anything at all", "budget_tokens": 50}
        replies = await asyncio.gather(*(mnemo.request("POST", "/v1/retrieve", json=body) for _ in range(8)))
    assert [r.status for r in replies] == [200] * 8
    assert {r.body["metadata"]["budget"] for r in replies} == {50}


def test_ingest_url_writes_the_file_through_the_running_service(
    mnemo_server: MnemoServer, tmp_path: Path
) -> None:
    user = f"u-{uuid.uuid4().hex[:8]}"
    lines = [
        {"type": "episodic", "content": f"{user} visited the harbour museum on day {i}.", "id": f"{user}-{i}"}
        for i in range(12)
    ]
    source = tmp_path / "memories.jsonl"
    source.write_text("".join(json.dumps({**line, "scope": {"user_id": user}}) + "\n" for line in lines))

    def ingest(key: str) -> subprocess.CompletedProcess[str]:
        command = [
            sys.executable, "-m", "mnemo.cli.main", "ingest", str(source), "--url", mnemo_server.url,
            "--api-key", key, "--batch-size", "5", "--no-dedup", "--json",
            "--state-dir", str(tmp_path / f"state-{key}"),
        ]  # fmt: skip
        return subprocess.run(command, capture_output=True, text=True, timeout=300)

    done = ingest(mnemo_server.keys["a"])
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1])["created"] == 12
    with Mnemo(mnemo_server.url, api_key=mnemo_server.keys["a"]) as mnemo:
        stored = sorted(m.external_id or "" for m in mnemo.list(user_id=user))
    assert stored == sorted(line["id"] for line in lines)

    refused = ingest("not-a-key")
    assert refused.returncode != 0 and "refused a batch (401)" in refused.stderr
