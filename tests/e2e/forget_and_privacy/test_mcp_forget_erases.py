"""The MCP tool `forget` forgets: over the service's own `/mcp` (a real `mnemo serve`, embedded Redis),
it answers a receipt, and after a clean stop no file of the data dir holds the memory's text (a
plain delete would leave it in the shard's log and payload pages). An argument a tool does not take
is refused, never dropped."""

from __future__ import annotations

from pathlib import Path

import httpx
import httpx2
import pytest
from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client

from tests.e2e.forget_and_privacy.test_forget_erases_http import files_holding, forget_server

pytestmark = pytest.mark.slow

SECRET = "Vessna keeps the Harrowgate vault code in her left boot"


async def test_the_mcp_forget_tool_erases_with_a_receipt(tmp_path: Path, empty_data_dir: Path) -> None:
    served = forget_server(tmp_path, empty_data_dir)
    try:
        async with httpx.AsyncClient(base_url=served.url, timeout=120) as http:
            await served.start_in_thread()
            memory = {"type": "semantic", "scope": {"user_id": "vessna"}, "content": SECRET + "."}
            written = await http.post("/v1/memories", json={"memories": [memory]})
            assert written.status_code == 201, written.text
            memory_id = written.json()["results"][0]["id"]
            async with (
                httpx2.AsyncClient(timeout=60) as client,
                streamable_http_client(f"{served.url}/mcp", http_client=client) as (read, write, *_),
                ClientSession(read, write) as session,
            ):
                await session.initialize()
                tools = (await session.list_tools()).tools
                assert all(t.input_schema["additionalProperties"] is False for t in tools)
                # An argument the tool does not take (a misspelt scope) is refused, named; nothing runs.
                misspelt = await session.call_tool("forget", {"id": memory_id, "user_idd": "vessna"})
                assert misspelt.is_error and "user_idd" in misspelt.content[0].text, misspelt.content
                forgot = await session.call_tool("forget", {"id": memory_id})
                assert not forgot.is_error, forgot.content
                receipt = forgot.structured_content
                assert receipt["removed"] == 1 and receipt["memory_ids"] == [memory_id], receipt
                assert len(receipt["digest"]) == 64 and receipt["signature"]["value"], receipt
                assert receipt["erasure"]["qdrant"] == "scheduled" and receipt["erase_by"], receipt
                assert f"receipt {receipt['digest']}" in forgot.content[0].text
                again = await session.call_tool("forget", {"id": memory_id})
                assert again.structured_content["removed"] == 0
                assert "nothing was forgotten" in again.content[0].text
            assert (await http.get(f"/v1/memories/{memory_id}")).status_code == 404
            served.stop_cleanly()  # a clean stop erases what is pending
        assert files_holding(served.data_dir, SECRET) == []
    finally:
        served.stop()
