"""The optional OpenAI-compatible importance reviewer, against a local endpoint the test starts."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest

from tests.e2e.conftest import AppFactory, write


class FakeChatCompletions(BaseHTTPRequestHandler):
    """Answers POST /v1/chat/completions by the memory's first word: `important…`, `slow…`, `junk…`."""

    seen: ClassVar[list[dict[str, Any]]] = []

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["content-length"])))
        FakeChatCompletions.seen.append(
            {"path": self.path, "auth": self.headers.get("authorization"), **body}
        )
        memory = body["messages"][-1]["content"].split("Memory: ", 1)[1]
        if memory.startswith("slow"):
            time.sleep(2)
        verdict = "not json at all" if memory.startswith("junk") else json.dumps(
            {"importance": 0.93, "important": True} if memory.startswith("important") else
            {"importance": 0.1, "important": False}
        )  # fmt: skip
        payload = json.dumps({"choices": [{"message": {"role": "assistant", "content": verdict}}]}).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def endpoint() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeChatCompletions)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    FakeChatCompletions.seen.clear()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()


async def test_reviewer_tiers_over_http(app_client: AppFactory, endpoint: str) -> None:
    settings = {"reviewer": {"url": endpoint, "api_key": "sk-test"}, "write": {"review_timeout_s": 0.5}}
    async with app_client(**settings) as client:
        results = (
            await write(
                client,
                [
                    {
                        "type": "semantic",
                        "content": "important: the staging database moved to the eu-west region.",
                    },
                    {
                        "type": "semantic",
                        "content": "meh: the staging database moved to the eu-west region today.",
                    },
                    {
                        "type": "semantic",
                        "content": "slow: remember the staging database moved to eu-west region.",
                    },
                    {
                        "type": "semantic",
                        "content": "junk: remember the staging database moved to eu-west region.",
                    },
                ],
                dedup=False,
            )
        )["results"]
    tiers = [(r["importance_tier"], r["importance"]) for r in results]
    assert tiers[0] == ("single", 0.93)  # one reviewer, and it says important: accepted
    assert tiers[1][0] == "heuristic"  # one reviewer saying "unimportant" is not trusted alone
    assert tiers[2][0] == "heuristic" and tiers[3][0] == "heuristic"  # timed out / unusable answer
    request = FakeChatCompletions.seen[0]
    assert request["path"] == "/v1/chat/completions" and request["auth"] == "Bearer sk-test"
    assert request["model"] == "gpt-4o-mini"
