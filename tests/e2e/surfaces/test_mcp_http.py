"""`/mcp` on a keyless server: a handshake over a loopback name works; other names and origins are
refused (DNS rebinding: a keyless server trusts whoever reaches it)."""

from __future__ import annotations

from typing import Any

INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-06-18",
        "capabilities": {},
        "clientInfo": {"name": "t", "version": "0"},
    },
}
ACCEPT = {"Accept": "application/json, text/event-stream"}
LOOPBACK = {**ACCEPT, "Host": "127.0.0.1:8080"}


async def call_tool(client: Any, name: str, arguments: dict[str, Any], call_id: int = 1) -> dict[str, Any]:
    """The result of the MCP tool `name` called with `arguments` over `/mcp` from a loopback name;
    the call must succeed."""
    message = {"jsonrpc": "2.0", "id": call_id, "method": "tools/call"}
    message["params"] = {"name": name, "arguments": arguments}
    response = await client.post("/mcp", json=message, headers=LOOPBACK)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()["result"]
    assert not result.get("isError"), result
    return result


async def test_keyless_mcp_answers_loopback_names_only(client: Any) -> None:
    response = await client.post("/mcp", json=INITIALIZE, headers=LOOPBACK)
    assert response.status_code == 200, response.text
    assert response.json()["result"]["serverInfo"]["name"] == "mnemo"
    for hostile in ({"Host": "evil.example"}, {"Host": "localhost:8080", "Origin": "https://evil.example"}):
        refused = await client.post("/mcp", json=INITIALIZE, headers={**ACCEPT, **hostile})
        # 421 or 403 from the SDK; 400 if the service's own Host policy (MNEMO_ALLOWED_HOSTS) answers first
        assert refused.status_code in (400, 403, 421), (hostile, refused.status_code, refused.text)


async def test_mcp_tool_calls_take_a_cpu_slot_like_the_rest_calls_they_stand_for(client: Any) -> None:
    # A tool call is an in-process request to the same app, so the fair CPU scheduler
    # sees `recall` and `remember` like a REST retrieve and write: no way around it through /mcp.
    stats = client.app.state.fairness.cpu.stats
    before = stats.granted
    remembered = {"content": "The staging database restarts every Sunday at 03:00 UTC."}
    await call_tool(client, "remember", remembered, call_id=2)
    assert stats.granted == before + 1
    recalled = await call_tool(
        client, "recall", {"query": "when does the staging database restart?"}, call_id=3
    )
    assert stats.granted == before + 2
    assert "Sunday" in str(recalled["content"])
