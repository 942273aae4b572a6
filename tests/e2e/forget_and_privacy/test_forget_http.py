"""`POST /v1/forget`: one subject's memories (every type, superseded ones too), working-memory tasks
and threads go, with a receipt; look-alike subjects and other tenants keep everything."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import A, B
from tests.e2e.live_server import LiveApp, live_app  # noqa: F401 (a fixture)
from tests.e2e.transfer.test_export_import import cli


def memories_of(user: str) -> list[dict[str, Any]]:
    scope = {"user_id": user}
    return [
        {"type": "episodic", "scope": scope, "content": f"{user} walked the dog along the canal on Sunday."},
        {"type": "procedural", "scope": scope,
         "content": f"To deploy the billing service for {user}: run the full test suite, tag the release, "
                    "then push the tag and watch the rollout dashboard until every replica is healthy."},
        {"type": "prospective", "scope": scope, "content": f"Remind {user} to renew the passport.",
         "due_at": "2030-01-01T09:00:00Z"},
        {"type": "semantic", "scope": scope, "fact_key": "home", "occurred_at": "2024-01-01T00:00:00Z",
         "content": f"{user} lives in Lisbon, in a flat near the river with two cats."},
        {"type": "semantic", "scope": scope, "fact_key": "home", "occurred_at": "2025-01-01T00:00:00Z",
         "content": f"{user} moved to Berlin for a new job at a robotics startup."},
    ]  # fmt: skip


async def seed(client: Any, headers: dict[str, str], user: str) -> dict[str, str]:
    """Memories (one superseded), a working-memory task and a thread with one turn, all of `user`."""
    for memory in memories_of(user):  # one by one: the second fact supersedes the first
        written = await client.post("/v1/memories", json={"memories": [memory]}, headers=headers)
        assert written.status_code == 201, written.text
    task = f"task-{user}"
    item = {"content": f"{user} is comparing flight prices.", "scope": {"user_id": user}}
    assert (await client.post(f"/v1/working/{task}/items", json=item, headers=headers)).status_code == 201
    thread = await client.post("/v1/threads", json={"scope": {"user_id": user}}, headers=headers)
    thread_id = thread.json()["id"]
    turn = {"role": "user", "content": f"Hello, this is {user}, about my booking."}
    assert (
        await client.post(f"/v1/threads/{thread_id}/turns", json=turn, headers=headers)
    ).status_code == 201
    return {"task": task, "thread": thread_id}


async def holdings(client: Any, headers: dict[str, str], user: str, seeded: dict[str, str]) -> dict[str, Any]:
    listing = await client.get(
        "/v1/memories", params={"user_id": user, "include_superseded": "true", "limit": 100}, headers=headers
    )
    task = (await client.get(f"/v1/working/{seeded['task']}", headers=headers)).json()
    thread = await client.get(f"/v1/threads/{seeded['thread']}/history", headers=headers)
    return {
        "memories": sorted(m["id"] for m in listing.json()["memories"]),
        "task_items": len(task["items"]),
        "thread": thread.status_code,
    }


async def test_forget_one_user_removes_exactly_that_user(tenants: Any) -> None:
    bob = await seed(tenants, A, "bob")
    others = {u: await seed(tenants, A, u) for u in ("bob2", "Bob")}
    other_tenant = await seed(tenants, B, "bob")
    before = {u: await holdings(tenants, A, u, s) for u, s in others.items()}
    before_b = await holdings(tenants, B, "bob", other_tenant)
    mine = await holdings(tenants, A, "bob", bob)
    # 5 written + the thread turn's episode; the superseded fact is listed too.
    assert len(mine["memories"]) == 6 and mine["task_items"] == 1 and mine["thread"] == 200

    live = (await tenants.get("/v1/scopes/live", params={"user_id": "bob"}, headers=A)).json()
    assert live == {"task_ids": [bob["task"]], "thread_ids": [bob["thread"]]}

    dry = await tenants.post("/v1/forget", json={"scope": {"user_id": "bob"}, "dry_run": True}, headers=A)
    assert dry.json()["dry_run"] is True and dry.json()["removed"] == 8
    assert await holdings(tenants, A, "bob", bob) == mine  # nothing removed by a dry run

    response = await tenants.post("/v1/forget", json={"scope": {"user_id": "bob"}}, headers=A)
    assert response.status_code == 200, response.text
    assert "deprecation" not in response.headers
    receipt = response.json()
    assert receipt["counts"] == {
        "episodic": 2, "semantic": 2, "procedural": 1, "prospective": 1, "working": 0,
        "working_tasks": 1, "threads": 1,
    }  # fmt: skip
    assert receipt["removed"] == 8 and receipt["tenant"] == "alpha"
    assert receipt["memory_ids"] == mine["memories"]
    assert receipt["task_ids"] == [bob["task"]] and receipt["thread_ids"] == [bob["thread"]]
    labelled = [*receipt["memory_ids"], f"task:{bob['task']}", f"thread:{bob['thread']}"]
    text = "\n".join([receipt["tenant"], receipt["at"], *sorted(labelled)])  # `at` as printed
    assert receipt["digest"] == hashlib.sha256(text.encode()).hexdigest()
    # The erasure from the files is scheduled (the test Redis is not the embedded one: not ours).
    assert (
        receipt["erasure"] == {"qdrant": "scheduled", "redis": "not_ours", "backups": "scheduled"}
        and receipt["erased"] is False
    )
    assert receipt["erase_by"].endswith("Z") and receipt["erase_by"] > receipt["at"]
    status = await tenants.get(f"/v1/forget/{receipt['digest']}", headers=A)
    assert status.status_code == 200 and status.json()["state"] in ("scheduled", "erased"), status.text
    assert (await tenants.get(f"/v1/forget/{receipt['digest']}", headers=B)).status_code == 404  # not B's

    assert await holdings(tenants, A, "bob", bob) == {"memories": [], "task_items": 0, "thread": 404}
    for user, seeded in others.items():  # look-alike ids keep everything
        assert await holdings(tenants, A, user, seeded) == before[user]
    assert await holdings(tenants, B, "bob", other_tenant) == before_b  # the same user id, another tenant
    live = (await tenants.get("/v1/scopes/live", params={"user_id": "bob"}, headers=A)).json()
    assert live == {"task_ids": [], "thread_ids": []}
    live_b = (await tenants.get("/v1/scopes/live", params={"user_id": "bob"}, headers=B)).json()
    assert live_b == {"task_ids": [other_tenant["task"]], "thread_ids": [other_tenant["thread"]]}

    again = (await tenants.post("/v1/forget", json={"scope": {"user_id": "bob"}}, headers=A)).json()
    assert again["removed"] == 0 and again["memory_ids"] == again["task_ids"] == again["thread_ids"] == []
    assert set(again["counts"].values()) == {0}


async def test_forget_by_ids_stays_in_the_tenant(tenants: Any) -> None:
    await seed(tenants, B, "carol")
    theirs = (await tenants.get("/v1/memories", params={"user_id": "carol"}, headers=B)).json()["memories"]
    ids = [m["id"] for m in theirs]
    receipt = (await tenants.post("/v1/forget", json={"ids": ids}, headers=A)).json()
    assert receipt["removed"] == 0  # tenant A cannot forget tenant B's memories by id
    receipt = (await tenants.post("/v1/forget", json={"ids": ids[:1]}, headers=B)).json()
    assert receipt["memory_ids"] == ids[:1] and receipt["scope"] is None
    assert (await tenants.get(f"/v1/memories/{ids[0]}", headers=B)).status_code == 404
    assert (await tenants.get(f"/v1/memories/{ids[1]}", headers=B)).status_code == 200


async def test_the_top_level_scope_fields_still_work_with_a_deprecation_header(tenants: Any) -> None:
    seeded = await seed(tenants, A, "frank")
    preview = await tenants.post(
        "/v1/forget", json={"scope": {"user_id": "frank"}, "dry_run": True}, headers=A
    )
    response = await tenants.post("/v1/forget", json={"user_id": "frank"}, headers=A)
    assert response.status_code == 200, response.text
    assert response.headers["deprecation"] == "@1795564800"  # RFC 9745: deprecated since 2026-11-25
    receipt = response.json()
    assert receipt["scope"] == preview.json()["scope"] and receipt["scope"]["user_id"] == "frank"
    assert receipt["memory_ids"] == preview.json()["memory_ids"] and receipt["removed"] == 8
    assert await holdings(tenants, A, "frank", seeded) == {"memories": [], "task_items": 0, "thread": 404}


ONE_ID = ["6f1c8f0e-8d2b-4a59-9a43-0b6f4f1d2e10"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"scope": {"user_id": "bob"}, "user_id": "bob"}, "user_id"),  # both shapes at once
        ({"scope": {"user_id": "bob"}, "namespace": "ns"}, "namespace"),
        ({"scope": {"user_id": "bob"}, "ids": ONE_ID}, "ids"),
        ({"user_id": "bob", "ids": ONE_ID}, "ids"),
        ({"scope": {"user_id": "bob*"}}, "scope.user_id"),
        ({"scope": {"user": "bob"}}, "scope.user"),
        ({"user_id": "bob*"}, "user_id"),
        ({"ids": []}, "ids"),
        ({"ids": ["not-a-uuid"]}, "ids.0"),
        ({"user": "bob"}, "user"),
        ({}, "body"),
        ({"scope": {}}, "body"),
        ({"dry_run": True}, "body"),
    ],
)
async def test_forget_refuses_what_it_cannot_scope(tenants: Any, body: dict[str, Any], field: str) -> None:
    response = await tenants.post("/v1/forget", json=body, headers=A)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert field in [e["field"] for e in response.json()["errors"]], response.text


async def test_a_forgotten_memory_history_answers_as_one_never_stored(tenants: Any) -> None:
    """Ids are derived from the content: a history that outlived the forget would confirm a guessed
    text (`created`, `forgotten` for the true text, 404 for wrong guesses)."""
    await seed(tenants, A, "dave")
    listing = await tenants.get("/v1/memories", params={"user_id": "dave", "limit": 100}, headers=A)
    memories = listing.json()["memories"]
    before = await tenants.get(f"/v1/memories/{memories[0]['id']}/history", headers=A)
    assert before.status_code == 200 and before.json()["entries"][0]["action"] == "created"
    await tenants.post("/v1/forget", json={"scope": {"user_id": "dave"}}, headers=A)
    never = "00000000-0000-4000-8000-000000000000"
    unknown = await tenants.get(f"/v1/memories/{never}/history", headers=A)
    for memory in memories:
        history = await tenants.get(f"/v1/memories/{memory['id']}/history", headers=A)
        assert history.status_code == unknown.status_code == 404
        answer = json.loads(history.text.replace(memory["id"], never))
        assert {**answer, "request_id": None} == {**unknown.json(), "request_id": None}  # word for word
        assert (await tenants.get(f"/v1/memories/{memory['id']}/history", headers=B)).status_code == 404
    # The same text written again starts a history of its own: nothing says it was there before.
    rewritten = await tenants.post("/v1/memories", json={"memories": memories_of("dave")[:1]}, headers=A)
    assert rewritten.status_code == 201, rewritten.text
    memory_id = rewritten.json()["results"][0]["id"]
    assert memory_id in {m["id"] for m in memories}  # the id it had: derived from the content
    history = (await tenants.get(f"/v1/memories/{memory_id}/history", headers=A)).json()
    assert [e["action"] for e in history["entries"]] == ["created"]
    assert "forgotten" not in str(history)


async def test_the_cli_forgets_through_the_running_service(live_app: LiveApp, tmp_path: Path) -> None:  # noqa: F811
    async with live_app(api_keys="key-a:alpha") as (url, _), httpx.AsyncClient(base_url=url) as http:
        http.headers.update(A)
        seeded = await seed(http, {}, "erin")
        kept = await seed(http, {}, "erin2")
        common = ("forget", "--url", url, "--api-key", "key-a", "--user-id", "erin", "--json")
        code, out, err = await cli(*common, "--dry-run")
        assert code == 0, err
        assert json.loads(out)["removed"] == 8 and json.loads(out)["dry_run"] is True
        code, out, err = await cli(*common)
        assert code == 0, err
        assert json.loads(out)["removed"] == 8
        receipt = tmp_path / "receipt.json"
        receipt.write_text(out)
        code, out, err = await cli("forget", "--verify", str(receipt))
        assert code == 0 and "receipt verifies" in out, err
        assert (await holdings(http, {}, "erin", seeded))["memories"] == []
        assert len((await holdings(http, {}, "erin2", kept))["memories"]) == 6
        # --wait: the answer comes once the erasure ran; --erasure then says it is done (exit 0).
        await seed(http, {}, "erin3")
        code, out, err = await cli(*common[:-3], "--user-id", "erin3", "--wait", "--json")
        assert code == 0 and json.loads(out)["erasure"]["qdrant"] == "erased", (out, err)
        waited = tmp_path / "waited.json"
        waited.write_text(out)
        code, out, err = await cli("forget", "--url", url, "--api-key", "key-a", "--erasure", str(waited))
        assert code == 0 and "erased from the data dir's files" in out, (out, err)
        unknown = "0" * 64
        code, out, err = await cli("forget", "--url", url, "--api-key", "key-a", "--erasure", unknown)
        assert code == 1 and "404" in err
        code, out, err = await cli(*common[:-3], "--user-id", "erin2")  # as text: by when, how to check
        assert code == 0 and "erasure from the data dir's files by " in out and "--erasure" in out, (out, err)
        code, out, err = await cli("forget", "--url", url, "--api-key", "wrong", "--user-id", "erin")
        assert code == 1 and "401" in err
        code, out, err = await cli("forget", "--url", "http://127.0.0.1:1", "--erasure", unknown)
        assert code == 2 and "cannot reach" in err, err
