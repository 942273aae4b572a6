"""mnemo-client against a real `mnemo serve`: both clients write, retrieve, list every page and raise
typed errors carrying the problem's code; it installs without the service's heavy dependencies (its
models against the server's schema: tests/unit/test_client_schema_drift.py)."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
import uuid
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest

from mnemo_client import (
    AsyncMnemo,
    AuthenticationError,
    InvalidInput,
    Mnemo,
    MnemoConnectionError,
    NotFound,
    Scope,
    UnknownModel,
)
from tests.integrations.conftest import MnemoServer, unused_url

CLIENT_DIR = Path(__file__).resolve().parents[2] / "client"
HEAVY = {"torch", "qdrant-edge-py", "qdrant-client", "litestar", "sentence-transformers", "transformers"}


def facts(user: str, n: int) -> list[dict[str, Any]]:
    return [
        {
            "type": "semantic",
            "content": f"Project number {i} of {user} is deployed from the release branch on Tuesdays.",
            "scope": {"user_id": user},
            "id": f"fact-{i}",
        }
        for i in range(n)
    ]


def test_sync_client_writes_retrieves_lists_every_page_and_raises_typed_errors(
    mnemo_server: MnemoServer,
) -> None:
    user = f"u-{uuid.uuid4().hex[:8]}"
    with Mnemo(mnemo_server.url, api_key=mnemo_server.keys["a"]) as mnemo:
        written = mnemo.write(
            [
                *facts(user, 6),
                {
                    "type": "semantic",
                    "content": "Ravi's cat is called Mochi and hates thunderstorms.",
                    "scope": {"user_id": user},
                },
            ],
            dedup=False,
        )
        assert [r.status for r in written.results] == ["created"] * 7
        found = mnemo.retrieve("what is the name of Ravi's cat?", scope={"user_id": user}, budget_tokens=300)
        assert found.memories[0].content.startswith("Ravi's cat is called Mochi")
        assert "Mochi" in found.context and found.metadata.total_tokens <= 300 and found.metadata.exact

        searched = mnemo.search("Ravi's cat", user_id=user, type="semantic", limit=3)
        assert searched.query == "Ravi's cat" and len(searched.hits) == 3
        assert searched.hits[0].memory.content.startswith("Ravi's cat is called Mochi")
        assert searched.hits[0].score >= searched.hits[1].score
        with pytest.raises(InvalidInput) as blank:
            mnemo.search("   ")
        assert blank.value.status == 422 and any(e["field"] == "q" for e in blank.value.errors)
        with pytest.raises(TypeError, match="unknown filter"):
            mnemo.search("cat", colour="red")

        listed = list(mnemo.list(user_id=user, limit=2))  # four pages of at most two
        assert len(listed) == 7 and len({m.id for m in listed}) == 7
        fetched = mnemo.get(listed[0].id)
        assert (fetched.id, fetched.content, fetched.scope.user_id) == (listed[0].id, listed[0].content, user)

        mnemo.delete(listed[0].id)
        with pytest.raises(NotFound) as missing:
            mnemo.get(listed[0].id)
        assert missing.value.status == 404 and missing.value.code == "not_found" and missing.value.request_id
        with pytest.raises(UnknownModel) as unknown:
            mnemo.retrieve("q", model="llama-9-400b")
        assert unknown.value.status == 422 and unknown.value.code == "unknown_model"
        assert (
            unknown.value.errors[0]["field"] == "model" and "tiny-llama" in unknown.value.errors[0]["message"]
        )
        with pytest.raises(InvalidInput) as invalid:
            mnemo.retrieve("q", scope={"user_id": "no spaces allowed"})
        assert invalid.value.code == "invalid_input" and invalid.value.errors

        task = mnemo.working(f"task-{user}")
        task.append("Check the migration before the deploy", priority=8)
        assert [i.content for i in task.items()] == ["Check the migration before the deploy"]
        assert task.clear().archived == 1 and task.items() == []

        thread = mnemo.threads.create(metadata={"topic": "deploys"})
        mnemo.threads.append(thread.id, "user", "When do we deploy?")
        assert "When do we deploy?" in mnemo.threads.history(thread.id).context

    with (
        Mnemo(mnemo_server.url, api_key="not-a-key") as stranger,
        pytest.raises(AuthenticationError) as refused,
    ):
        stranger.retrieve("anything")
    assert refused.value.status == 401 and refused.value.code == "unauthorized"
    with Mnemo(unused_url(), timeout=2) as nowhere, pytest.raises(MnemoConnectionError):
        nowhere.retrieve("anything")


async def test_async_client_does_the_same(mnemo_server: MnemoServer) -> None:
    user = f"u-{uuid.uuid4().hex[:8]}"
    async with AsyncMnemo(mnemo_server.url, api_key=mnemo_server.keys["b"]) as mnemo:
        written = await mnemo.write(facts(user, 5), dedup=False)
        assert all(r.status == "created" for r in written.results)
        found = await mnemo.retrieve(
            "which branch are projects deployed from?", scope={"user_id": user}, model="tiny-llama"
        )
        assert found.memories and found.metadata.encoding == "huggingface:tiny-llama" and found.metadata.exact
        estimated = await mnemo.retrieve("deploys", scope={"user_id": user}, model="claude-like")
        assert estimated.metadata.exact is False
        listed = [m async for m in mnemo.list(user_id=user, limit=2)]
        assert sorted(m.external_id or "" for m in listed) == [f"fact-{i}" for i in range(5)]
        with pytest.raises(UnknownModel):
            await mnemo.retrieve("q", model="nope")
        reminder = (
            await mnemo.write(
                {
                    "type": "prospective",
                    "content": "Renew the TLS certificate of the staging cluster",
                    "due_at": "2026-01-01T09:00:00+00:00",
                    "scope": {"user_id": user},
                }
            )
        ).results[0]
        assert (await mnemo.due(user_id=user, now="2026-02-01T00:00:00+00:00")).due[
            0
        ].memory.id == reminder.id
        assert (await mnemo.complete(reminder.id)).status == "done"
    # Tenant B wrote them: tenant A's key finds none of them.
    async with AsyncMnemo(mnemo_server.url, api_key=mnemo_server.keys["a"]) as other:
        assert [m async for m in other.list(user_id=user)] == []


def test_sync_client_forgets_a_subject_with_a_receipt_and_reads_history(mnemo_server: MnemoServer) -> None:
    user = f"u-{uuid.uuid4().hex[:8]}"
    with Mnemo(mnemo_server.url, api_key=mnemo_server.keys["a"]) as mnemo:
        own_ids = [{**fact, "id": f"{user}-{fact['id']}"} for fact in facts(user, 3)]  # ids are per tenant
        written = mnemo.write(own_ids, dedup=False)
        task = f"task-{uuid.uuid4().hex[:8]}"
        mnemo.working(task).append("Draft the release notes", scope={"user_id": user})
        thread = mnemo.threads.create(scope={"user_id": user})
        assert thread.scope.user_id == user
        first_id = written.results[0].id
        assert [e.action for e in mnemo.history(first_id).entries] == ["created"]

        preview = mnemo.forget(user_id=user, dry_run=True)  # the scope's fields one by one
        assert preview.dry_run and preview.removed == 5 and preview.task_ids == [task]
        assert sorted(preview.memory_ids) == sorted(r.id for r in written.results)
        assert len(list(mnemo.list(user_id=user))) == 3  # a dry run removes nothing
        assert mnemo.forget(scope={"user_id": user}, dry_run=True).memory_ids == preview.memory_ids

        receipt = mnemo.forget(scope=Scope(user_id=user))
        assert receipt.removed == 5 and receipt.thread_ids == [thread.id] and len(receipt.digest) == 64
        assert receipt.scope == Scope(user_id=user)
        assert receipt.erasure["qdrant"] == "scheduled" and receipt.erase_by is not None
        assert mnemo.erasure(receipt.digest).state in ("scheduled", "erased")
        assert list(mnemo.list(user_id=user)) == []
        with pytest.raises(NotFound):  # a forgotten memory's history answers as one never stored
            mnemo.history(first_id)
        with pytest.raises(InvalidInput) as refused:  # a scope and ids together
            mnemo.forget(user_id=user, ids=[first_id])
        assert [e["field"] for e in refused.value.errors] == ["ids"]
        with pytest.raises(TypeError, match="scope or user_id"):  # both ways of giving the scope
            mnemo.forget(scope={"user_id": user}, user_id=user)


async def test_async_client_forgets_listed_ids(mnemo_server: MnemoServer) -> None:
    user = f"u-{uuid.uuid4().hex[:8]}"
    async with AsyncMnemo(mnemo_server.url, api_key=mnemo_server.keys["b"]) as mnemo:
        written = await mnemo.write([{**f, "id": f"{user}-{f['id']}"} for f in facts(user, 2)], dedup=False)
        gone = written.results[0].id
        receipt = await mnemo.forget(ids=[gone], wait_for_erasure=True)
        assert receipt.memory_ids == [gone] and receipt.scope is None
        assert receipt.erasure["qdrant"] == "erased" and receipt.erase_by is not None
        status = await mnemo.erasure(receipt.digest)
        assert status.state == "erased" and status.erasure["qdrant"] == "erased"
        with pytest.raises(NotFound):
            await mnemo.get(gone)
        assert (await mnemo.get(written.results[1].id)).id == written.results[1].id


async def test_async_client_invalidates_reviews_stale_and_reads_as_of(mnemo_server: MnemoServer) -> None:
    user = f"u-{uuid.uuid4().hex[:8]}"
    scope = {"user_id": user}
    home = {"type": "semantic", "content": "Sam lives in Leeds.", "id": f"{user}-home", "scope": scope}
    bike = {"type": "semantic", "content": "Sam cycles to the Leeds office.", "scope": scope}
    async with AsyncMnemo(mnemo_server.url, api_key=mnemo_server.keys["b"]) as mnemo:
        written = await mnemo.write(
            [{**home, "occurred_at": "2025-01-01T09:00:00Z"}, {**bike, "depends_on": [f"{user}-home"]}]
        )
        leeds, cycles = (r.id for r in written.results)
        ended = await mnemo.invalidate(leeds, "Sam moved away", valid_until="2026-06-01T00:00:00Z")
        assert ended.memory.invalidation_reason == "Sam moved away" and ended.stale == [cycles]
        assert [m.id async for m in mnemo.stale(user_id=user)] == [cycles]
        assert [m.id async for m in mnemo.list(user_id=user)] == [cycles]
        then = [m.id async for m in mnemo.list(user_id=user, as_of="2025-06-01T00:00:00Z")]
        assert then == [leeds]  # the cycling was written (occurred) only now
        page = await mnemo.list_page(user_id=user)
        assert page.left_out == {"superseded": 0, "expired": 1, "not_yet_valid": 0}
        confirmed = await mnemo.confirm(cycles)
        assert confirmed.stale is False
        assert [m.id async for m in mnemo.stale(user_id=user)] == []


def test_the_example_agent_loop_recalls_what_it_was_told(mnemo_server: MnemoServer) -> None:
    user = f"u-{uuid.uuid4().hex[:8]}"
    script = Path(__file__).resolve().parents[2] / "examples" / "agent_loop.py"
    stdin = "remember: Alice takes her coffee black, no sugar, every morning.\n"
    stdin += "how does Alice take her coffee?\ndone\n"
    args = ["--url", mnemo_server.url, "--api-key", mnemo_server.keys["a"], "--user", user]
    ran = subprocess.run(
        [sys.executable, str(script), *args], input=stdin, capture_output=True, text=True, timeout=60
    )
    assert ran.returncode == 0, ran.stderr
    assert (
        "Relevant memory:\n## Semantic memory (facts and preferences)\n- Alice takes her coffee black"
        in ran.stdout
    )
    assert "archived 1 working item(s)" in ran.stdout
    # What it remembered of the turn: the user's message and the agent's own answer, not the prompt.
    with Mnemo(mnemo_server.url, api_key=mnemo_server.keys["a"]) as mnemo:
        episodes = sorted(m.content for m in mnemo.list(type="episodic", user_id=user))
    assert len(episodes) == 2 and episodes[1] == "user: how does Alice take her coffee?"
    assert episodes[0].startswith("assistant: (a model would answer here")
    assert not any("Relevant memory" in e or "coffee black" in e for e in episodes)


def test_the_example_agent_loop_says_plainly_when_no_server_answers() -> None:
    script = Path(__file__).resolve().parents[2] / "examples" / "agent_loop.py"
    url = unused_url()
    ran = subprocess.run(
        [sys.executable, str(script), "--url", url],
        input="hello\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert ran.returncode == 2
    assert ran.stderr.strip() == f"no mnemo answers at {url}: start one with `mnemo serve`, or give --url"


def test_client_declares_httpx_and_pydantic_only() -> None:
    declared = tomllib.loads((CLIENT_DIR / "pyproject.toml").read_text())["project"]["dependencies"]
    assert sorted(d.split(">")[0].split("<")[0].split("=")[0].strip() for d in declared) == [
        "httpx",
        "pydantic",
    ]
    # The framework adapters' extras (`mnemo-client[langgraph]`, …) are optional, not dependencies.
    installed = [r for r in metadata.requires("mnemo-client") or [] if "extra ==" not in r]
    assert sorted(r.split(">")[0].split("<")[0].split(";")[0].strip() for r in installed) == [
        "httpx",
        "pydantic",
    ]


@pytest.mark.slow
def test_pip_install_client_in_a_fresh_venv_pulls_nothing_heavy(
    tmp_path: Path, mnemo_server: MnemoServer
) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    installed = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(CLIENT_DIR)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    if installed.returncode != 0 and (
        "NewConnectionError" in installed.stderr or "No matching distribution" in installed.stderr
    ):
        pytest.skip(f"no package index reachable: {installed.stderr[-300:]}")
    assert installed.returncode == 0, installed.stderr
    listing = subprocess.run(
        [str(python), "-m", "pip", "list", "--format", "json"], capture_output=True, text=True, check=True
    )
    packages = {p["name"].lower() for p in json.loads(listing.stdout)}
    assert "mnemo-client" in packages and {"httpx", "pydantic"} <= packages
    assert not packages & HEAVY
    # And it works from there, against the real server.
    script = (
        "import sys; from mnemo_client import Mnemo\n"
        "with Mnemo(sys.argv[1], api_key=sys.argv[2]) as m:\n"
        "    print(m.retrieve('anything at all', budget_tokens=50).metadata.budget)\n"
    )
    ran = subprocess.run(
        [str(python), "-c", script, mnemo_server.url, mnemo_server.keys["a"]],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert ran.returncode == 0 and ran.stdout.strip() == "50", ran.stderr
