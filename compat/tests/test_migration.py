"""A migration end to end, with exports made by the vendors' own clients: what mem0's `get_all`, AMS's
long-term search and Zep's thread history answer is written to a file as a user would dump it, then
`mnemo import --from …` (the server venv's command) moves it into another tenant, where the same
client finds it. Counts in, counts out, and a retrieval that finds an imported memory."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

from agent_memory_client import MemoryAPIClient, MemoryClientConfig
from agent_memory_client.filters import UserId
from agent_memory_client.models import ClientMemoryRecord
from conftest import REPO, Server
from mem0 import MemoryClient
from zep_cloud import Message, Zep

FACTS = [f"Fact {n}: the blue shed's shelf {n} holds {n + 2} paint tins." for n in range(30)]
FACTS.append("Priya's cat Miso is afraid of thunderstorms.")


def mnemo_import(mnemo: Server, vendor: str, export: Path, key: str, state: Path) -> dict[str, Any]:
    command = os.path.join(
        os.path.dirname(os.environ.get("MNEMO_SERVE", str(REPO / ".venv/bin/mnemo"))), "mnemo"
    )
    args = [command, "import", "--from", vendor, str(export), "--url", mnemo.url, "--api-key", key]
    done = subprocess.run(
        [*args, "--json", "--state-dir", str(state)], capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr
    summary: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"{vendor}: {summary['lines']} in, {summary['created']} written, skipped {summary['skipped']}")
    return summary


def test_a_mem0_dump_moves_to_another_tenant(mnemo: Server, user: str, tmp_path: Path) -> None:
    source = MemoryClient(api_key=mnemo.key, host=f"{mnemo.url}/mem0")
    for fact in FACTS:
        source.add(fact, user_id=user, infer=False, timestamp=1_700_000_000)
    dump = source.get_all(filters={"user_id": user}, page_size=1000)
    (tmp_path / "mem0.json").write_text(json.dumps(dump))
    summary = mnemo_import(mnemo, "mem0", tmp_path / "mem0.json", mnemo.other_key, tmp_path / "state")
    assert (summary["lines"], summary["created"]) == (len(FACTS), len(FACTS))
    target = MemoryClient(api_key=mnemo.other_key, host=f"{mnemo.url}/mem0")
    assert target.get_all(filters={"user_id": user})["count"] == len(FACTS)
    best = target.search("what is Priya's cat afraid of?", filters={"user_id": user}, top_k=1)["results"][0]
    assert "thunderstorms" in best["memory"] and best["created_at"].startswith("2023-11-14")


async def test_an_ams_export_moves_to_another_tenant(mnemo: Server, user: str, tmp_path: Path) -> None:
    source, target = (
        MemoryAPIClient(MemoryClientConfig(base_url=f"{mnemo.url}/ams", timeout=120)) for _ in "ab"
    )
    source._client.headers["Authorization"] = f"Bearer {mnemo.key}"
    target._client.headers["Authorization"] = f"Bearer {mnemo.other_key}"
    await source.create_long_term_memory(
        [ClientMemoryRecord(text=f, user_id=user, topics=["home"]) for f in FACTS]
    )
    found = await source.search_long_term_memory("", user_id=UserId(eq=user), limit=100)
    (tmp_path / "ams.json").write_text(found.model_dump_json())
    summary = mnemo_import(mnemo, "ams", tmp_path / "ams.json", mnemo.other_key, tmp_path / "state")
    assert (summary["lines"], summary["created"]) == (len(FACTS), len(FACTS))
    moved = await target.search_long_term_memory(
        "what is the cat afraid of?", user_id=UserId(eq=user), limit=1
    )
    assert "thunderstorms" in moved.memories[0].text and moved.memories[0].topics == ["home"]


def test_a_zep_users_messages_move_to_another_tenant(mnemo: Server, user: str, tmp_path: Path) -> None:
    source = Zep(api_key=mnemo.key, base_url=f"{mnemo.url}/zep/api/v2", timeout=120)
    source.user.add(user_id=user, first_name="Priya")
    threads = []
    for t in range(2):
        source.thread.create(thread_id=f"{user}-t{t}", user_id=user)
        said = [Message(role="user", content=fact) for fact in FACTS[t::2]]
        source.thread.add_messages(f"{user}-t{t}", messages=said)
        history = source.thread.get(f"{user}-t{t}")
        threads.append({"thread_id": f"{user}-t{t}", **history.model_dump(mode="json")})
    (tmp_path / "zep.json").write_text(json.dumps({"user_id": user, "threads": threads}))
    summary = mnemo_import(mnemo, "zep", tmp_path / "zep.json", mnemo.other_key, tmp_path / "state")
    assert (summary["lines"], summary["created"]) == (len(FACTS), len(FACTS))
    target = Zep(api_key=mnemo.other_key, base_url=f"{mnemo.url}/zep/api/v2", timeout=120)
    found = target.graph.search(user_id=user, query="what is the cat afraid of?", scope="episodes", limit=1)
    assert "thunderstorms" in (found.episodes or [])[0].content
