"""`GET /v1/memories/{id}/history`: every change of a memory, in order, who/when/what/why, never the
text, kept in the data dir across restarts."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import copy_sparse
from tests.e2e.conftest import AppFactory, write_one

LISBON = "Alice lives in Lisbon, in a flat near the river with two cats."
LISBON_EDITED = "Alice lives in Lisbon, in a flat near the river with three cats."
BERLIN = "Alice moved to Berlin for her new job at a robotics startup."


async def test_created_updated_merged_deleted_in_order(
    app_client: AppFactory, tmp_path: Path, empty_data_dir: Path
) -> None:
    data_dir = tmp_path / "data"
    copy_sparse(empty_data_dir, data_dir)
    fact = {
        "type": "semantic",
        "id": "alice-home",
        "fact_key": "alice.home",
        "occurred_at": "2024-05-01T00:00:00Z",
    }
    async with app_client(data_dir) as client:
        created = await write_one(client, {**fact, "content": LISBON})
        updated = await write_one(client, {**fact, "content": LISBON_EDITED, "tags": ["home"]})
        assert updated["id"] == created["id"] and updated["status"] == "updated"
        newer = await write_one(
            client,
            {
                "type": "semantic",
                "content": BERLIN,
                "fact_key": "alice.home",
                "occurred_at": "2025-05-01T00:00:00Z",
            },
        )
        assert newer["reason"] == f"supersedes {created['id']}"
        restored = await client.post(f"/v1/memories/{created['id']}/restore")
        assert restored.status_code == 200, restored.text
        assert (await client.delete(f"/v1/memories/{created['id']}")).status_code == 204

    async with app_client(data_dir) as client:  # a restart: the history is stored beside the vectors
        response = await client.get(f"/v1/memories/{created['id']}/history")
        assert response.status_code == 200, response.text
        history = response.json()
        newer_history = (await client.get(f"/v1/memories/{newer['id']}/history")).json()

    entries = history["entries"]
    assert [e["action"] for e in entries] == ["created", "updated", "superseded", "restored", "deleted"]
    assert [e["at"] for e in entries] == sorted(e["at"] for e in entries)
    assert {(e["tenant"], e["agent"]) for e in entries} == {("default", None)}
    assert set(entries[1]["changed"]) == {"content_hash", "tags"}
    assert all("content_hash" not in e for e in entries)  # no digest of the text: a guess could be confirmed
    assert entries[2]["reason"] == f"superseded by {newer['id']}"
    assert entries[3]["reason"] == f"restored; was superseded by {newer['id']}"
    assert "Lisbon" not in response.text and "cats" not in response.text  # never the text
    assert [e["action"] for e in newer_history["entries"]] == ["created"]
    assert newer_history["entries"][0]["reason"] == f"supersedes {created['id']}"


async def test_no_history_for_an_unknown_memory(app_client: AppFactory) -> None:
    async with app_client() as client:
        response = await client.get("/v1/memories/6f1c8f0e-8d2b-4a59-9a43-0b6f4f1d2e10/history")
        assert response.status_code == 404
        assert response.headers["content-type"].startswith("application/problem+json")


async def test_a_status_change_and_the_acting_agent_are_recorded(
    app_client: AppFactory, tmp_path: Path
) -> None:
    config = tmp_path / "mnemo.yaml"
    resources = "resources:\n  - {id: notes, types: [semantic], key: shared}\n"
    config.write_text(resources + "agents:\n  - {name: bot, memory: notes}\n")
    async with app_client(config=config) as client:
        fact = {
            "type": "semantic",
            "content": "The support desk opens at nine and closes at five on weekdays.",
        }
        response = await client.post("/v1/memories", json={"memories": [fact], "agent": "bot"})
        assert response.status_code == 201, response.text
        by_agent = (await client.get(f"/v1/memories/{response.json()['results'][0]['id']}/history")).json()
        assert [(e["action"], e["agent"]) for e in by_agent["entries"]] == [("created", "bot")]
        task = {"type": "prospective", "content": "Remind Alice to renew her passport before the trip.",
                "due_at": "2030-01-01T09:00:00Z"}  # fmt: skip
        created = await write_one(client, task)
        assert (await client.post(f"/v1/memories/{created['id']}/complete")).status_code == 200
        entries = (await client.get(f"/v1/memories/{created['id']}/history")).json()["entries"]
    assert [(e["action"], e["changed"], e["reason"]) for e in entries] == [
        ("created", [], None),
        ("updated", ["status"], "done"),
    ]
