"""Replicas: `mnemo serve --workers N` refuses what cannot work, and two `mnemo serve` processes over
one Redis take concurrent working-memory appends to the same tasks without losing one, share one
rate limit, and serve one MCP conversation between them (no MCP session lives in a process: what
`--workers N` behind a load balancer relies on). Each has its own data dir: there is no Qdrant
server here (so `--workers N` itself cannot start), and working memory, locks and rate limits live
in Redis only. With MNEMO_TEST_REDIS=cluster the replicas share the test Redis Cluster."""

from __future__ import annotations

import asyncio
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import served_redis_env
from tests.e2e.served_process import ServedMnemo
from tests.served import READY_TIMEOUT_S, SERVE, serve_env

TENANT_KEYS = {"alpha": "key-alpha", "beta": "key-beta", "gamma": "key-gamma"}
TASKS = [("alpha", "deploy"), ("alpha", "review"), ("beta", "deploy"), ("beta", "triage")]
CLIENTS_PER_TASK = 2
APPENDS_PER_CLIENT = 25  # 4 tasks x 2 clients x 25 = 200 appends
BURST = 120  # each tenant's 100 appends fit; gamma then runs into it


def test_workers_need_a_qdrant_server_and_a_redis_server(tmp_path: Path) -> None:
    command = [*SERVE, "--workers", "2", "--data-dir", str(tmp_path)]
    refused = subprocess.run(command, env=serve_env(), capture_output=True, text=True, timeout=60)
    assert refused.returncode == 2
    assert refused.stderr.count("\n") == 1, refused.stderr  # one line, no traceback
    assert "MNEMO_QDRANT__URL and MNEMO_REDIS__URL" in refused.stderr
    with_redis = serve_env(MNEMO_REDIS__URL="redis://127.0.0.1:6379/0")
    refused = subprocess.run(command, env=with_redis, capture_output=True, text=True, timeout=60)
    assert refused.returncode == 2 and "needs MNEMO_QDRANT__URL:" in refused.stderr, refused.stderr


@pytest.fixture
def two_replicas(tmp_path: Path, redis_url: str, redis_prefix: str) -> Iterator[list[str]]:
    keys = ",".join(f"{key}:{tenant}" for tenant, key in TENANT_KEYS.items())
    replicas = [
        ServedMnemo(
            tmp_path / f"replica-{n}",
            tmp_path / f"replica-{n}.log",
            MNEMO_API_KEYS=keys,
            **served_redis_env(redis_url),  # MNEMO_TEST_REDIS=cluster: the test Redis Cluster
            MNEMO_REDIS__KEY_PREFIX=redis_prefix,
            MNEMO_WORKING__MAX_TOKENS="100000",  # no evictions: every acknowledged item stays live
            MNEMO_RATE_LIMIT_PER_MINUTE="6",
            MNEMO_RATE_LIMIT_BURST=str(BURST),
        )
        for n in range(2)
    ]
    try:
        for replica in replicas:  # both start at once
            replica.launch()
        for replica in replicas:
            replica.wait_ready(READY_TIMEOUT_S)
        yield [replica.url for replica in replicas]
    finally:
        started = [replica.process for replica in replicas if replica.process is not None]
        for process in started:  # both stop at once, cleanly (a shutdown's traceback is looked for)
            process.terminate()
        for process in started:
            process.wait(timeout=60)
    for replica in replicas:
        assert "Traceback" not in replica.log.read_text()


def auth(tenant: str) -> dict[str, str]:
    return {"authorization": f"Bearer {TENANT_KEYS[tenant]}"}


async def mcp(http: httpx.AsyncClient, url: str, tenant: str, method: str, params: dict[str, Any]) -> Any:
    """One JSON-RPC request to a replica's `/mcp`; its result."""
    message = {"jsonrpc": "2.0", "id": 1, "method": method, "params": params}
    headers = {**auth(tenant), "accept": "application/json, text/event-stream"}
    response = await http.post(f"{url}/mcp", json=message, headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert "error" not in body, body
    return body["result"]


async def one_mcp_conversation_over_both_replicas(http: httpx.AsyncClient, replicas: list[str]) -> None:
    """Handshake on one replica, then tool calls alternating between them: a note appended through
    one is read through the other (working memory is in Redis)."""
    first, second = replicas
    hello = {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "0"}}
    assert (await mcp(http, first, "beta", "initialize", hello))["serverInfo"]["name"] == "mnemo"
    tools = {tool["name"] for tool in (await mcp(http, second, "beta", "tools/list", {}))["tools"]}
    assert {"remember", "recall", "working_append", "working_get"} <= tools
    for n, url in enumerate((first, second)):
        note = {"name": "working_append", "arguments": {"task_id": "mcp-task", "content": f"note {n}"}}
        assert not (await mcp(http, url, "beta", "tools/call", note)).get("isError")
    read = {"name": "working_get", "arguments": {"task_id": "mcp-task"}}
    view = (await mcp(http, first, "beta", "tools/call", read))["structuredContent"]
    assert [item["content"] for item in view["items"]] == ["note 1", "note 0"]  # newest first


@pytest.mark.slow
async def test_two_replicas_lose_no_append_share_the_rate_limit_and_serve_one_mcp_conversation(
    two_replicas: list[str],
) -> None:
    acknowledged: dict[tuple[str, str], list[list[str]]] = {t: [] for t in TASKS}
    failures: list[str] = []

    async def append_many(http: httpx.AsyncClient, tenant: str, task: str, client_no: int) -> None:
        mine: list[str] = []
        acknowledged[tenant, task].append(mine)
        for i in range(APPENDS_PER_CLIENT):
            url = two_replicas[(client_no + i) % 2]  # alternate replicas, request by request
            content = f"{task} client {client_no} item {i}"
            response = await http.post(
                f"{url}/v1/working/{task}/items", json={"content": content}, headers=auth(tenant)
            )
            if response.status_code == 201:
                mine.append(content)
            else:
                failures.append(f"{response.status_code} {response.text[:200]}")

    async with httpx.AsyncClient(timeout=60) as http:
        await asyncio.gather(
            *(append_many(http, tenant, task, k) for tenant, task in TASKS for k in range(CLIENTS_PER_TASK))
        )
        assert failures == []
        total = sum(len(items) for lists in acknowledged.values() for items in lists)
        assert total == len(TASKS) * CLIENTS_PER_TASK * APPENDS_PER_CLIENT == 200
        for (tenant, task), per_client in acknowledged.items():
            views = [
                (await http.get(f"{url}/v1/working/{task}", headers=auth(tenant))).json()
                for url in two_replicas
            ]
            assert views[0] == views[1]  # both replicas read the same state
            items = list(reversed(views[0]["items"]))  # the view is newest first
            contents = [item["content"] for item in items]
            assert len(contents) == len(set(contents)), "duplicates"
            assert sorted(contents) == sorted(c for mine in per_client for c in mine)  # all, nothing else
            seqs = [item["seq"] for item in items]
            assert seqs == sorted(set(seqs))  # one order, no two items numbered alike
            for mine in per_client:  # each client's appends in the order they were acknowledged
                assert [c for c in contents if c in set(mine)] == mine

        # One allowance per tenant over both replicas: gamma's burst, then 429 from either replica.
        answers = []
        for i in range(BURST + 10):
            response = await http.get(f"{two_replicas[i % 2]}/v1/working/t", headers=auth("gamma"))
            answers.append((i % 2, response.status_code))
        allowed = sum(1 for _, status in answers if status == 200)
        assert BURST <= allowed <= BURST + 3  # + what 6/min refills while the loop runs
        assert {replica for replica, status in answers if status == 429} == {0, 1}
        assert {status for _, status in answers} == {200, 429}

        await one_mcp_conversation_over_both_replicas(http, two_replicas)
