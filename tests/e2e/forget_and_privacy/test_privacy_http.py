"""Secrets and personal data over HTTP on the real app: found on write and handled by the policy of
the tenant or memory resource written to (`tag` by default, `redact`, `reject` with a 422 naming the
field and the kind, `off`), and masked on read wherever a request or an agent asks, in every read
surface, while the stored memory keeps them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import AppFactory

A = {"Authorization": "Bearer key-a"}
B = {"Authorization": "Bearer key-b"}
C = {"Authorization": "Bearer key-c"}
CONFIG = """\
privacy: tag
resources:
  - id: vault
    types: [semantic]
    key: shared
    privacy: reject
  - id: notes
    types: [semantic, episodic]
    key: "user-{user_id}"
  - id: scratch
    types: [working]
    privacy: reject
agents:
  - name: scribe
    memory: scratch
  - name: helper
    memory: notes
    mask_sensitive: true
  - name: plain
    memory: notes
tenants:
  beta: {privacy: redact}
  gamma: {privacy: "off"}
"""
CARD = "4111 1111 1111 1111"
EMAIL = "dana.kowalski@example.org"
KEY = "sk-proj-Q7vX2mPz9LkT4wRb8NcY1hJd"
PAYMENT = f"Dana pays the tennis club with the card {CARD}; receipts go to {EMAIL}."


@pytest.fixture
async def client(app_client: AppFactory, tmp_path: Path) -> Any:
    config = tmp_path / "mnemo.yaml"
    config.write_text(CONFIG)
    async with app_client(api_keys="key-a:alpha,key-b:beta,key-c:gamma", config=str(config)) as c:
        yield c


async def write(client: Any, headers: dict[str, str], *memories: dict[str, Any], **more: Any) -> Any:
    return await client.post("/v1/memories", json={"memories": list(memories), **more}, headers=headers)


async def test_the_default_policy_tags_what_it_finds_and_where(client: Any) -> None:
    memory = {"type": "semantic", "content": PAYMENT, "scope": {"user_id": "dana"},
              "metadata": {"billing": {"contact": EMAIL}}, "tags": ["billing"]}  # fmt: skip
    written = await write(client, A, memory)
    assert written.status_code == 201, written.text
    stored = (await client.get(f"/v1/memories/{written.json()['results'][0]['id']}", headers=A)).json()
    assert stored["content"] == PAYMENT  # tagged, not changed
    spans = {(s["kind"], s["field"], stored_text(stored, s)) for s in stored["sensitive"]}
    assert spans == {
        ("card", "content", CARD),
        ("email", "content", EMAIL),
        ("email", "metadata.billing.contact", EMAIL),
    }
    assert not any(s["redacted"] for s in stored["sensitive"])


def stored_text(record: dict[str, Any], span: dict[str, Any]) -> str:
    text = record["content"] if span["field"] == "content" else record["metadata"]["billing"]["contact"]
    return str(text[span["start"] : span["end"]])


async def test_a_tenant_that_redacts_stores_and_embeds_placeholders(client: Any) -> None:
    memory = {"type": "semantic", "content": f"The deploy key is {KEY} and the card {CARD}."}
    written = await write(client, B, memory)
    assert written.status_code == 201, written.text
    stored = (await client.get(f"/v1/memories/{written.json()['results'][0]['id']}", headers=B)).json()
    assert stored["content"] == "The deploy key is [API_KEY] and the card [CARD]."
    assert [(s["kind"], s["redacted"]) for s in stored["sensitive"]] == [("api_key", True), ("card", True)]
    # What is searched is the redacted text: the key's characters find nothing.
    found = await client.get("/v1/memories/search", params={"q": KEY}, headers=B)
    assert all(KEY not in h["memory"]["content"] for h in found.json()["hits"])


async def test_a_resource_that_rejects_names_the_field_and_the_kind_and_stores_nothing(client: Any) -> None:
    clean = {"type": "semantic", "content": "The vault holds the quarterly budget figures."}
    leaky = {"type": "semantic", "content": f"Vault login, password: Tr0ub4dor&3 for {EMAIL}."}
    scope = {"namespace": "vault/shared"}
    refused = await write(client, A, {**clean, "scope": scope}, {**leaky, "scope": scope})
    assert refused.status_code == 422, refused.text
    problem = refused.json()
    assert problem["code"] == "sensitive_data"
    assert {(e["field"], e["message"]) for e in problem["errors"]} == {
        ("memories.1.content", "holds a password ([PASSWORD])"),
        ("memories.1.content", "holds an email ([EMAIL])"),
    }
    listed = await client.get("/v1/memories", params={"namespace": "vault/shared"}, headers=A)
    assert listed.json()["memories"] == []  # the clean one in the same request was not stored either
    # Alone, the clean one is stored: the policy refuses what it finds, nothing else.
    stored = await write(client, A, {**clean, "scope": scope})
    assert stored.status_code == 201 and stored.json()["results"][0]["status"] == "created", stored.text
    # Outside the resource the tenant's own policy (tag) holds.
    assert (await write(client, A, leaky)).status_code == 201


async def test_a_tenant_with_detection_off_stores_nothing_about_it(client: Any) -> None:
    written = await write(client, C, {"type": "semantic", "content": PAYMENT})
    stored = (await client.get(f"/v1/memories/{written.json()['results'][0]['id']}", headers=C)).json()
    assert stored["sensitive"] == []
    masked = await client.get(
        f"/v1/memories/{stored['id']}", params={"mask_sensitive": "true"}, headers=C
    )  # masking still finds it: the detectors run over what is returned
    assert CARD not in masked.json()["content"]


async def test_masking_holds_in_every_read_surface_and_the_store_keeps_the_values(client: Any) -> None:
    memory = {"type": "semantic", "content": PAYMENT, "scope": {"user_id": "dana"},
              "metadata": {"contact": EMAIL}}  # fmt: skip
    written = await write(client, A, memory)
    memory_id = written.json()["results"][0]["id"]
    mask = {"mask_sensitive": "true"}
    query = {"query": "how does Dana pay the tennis club?", "scope": {"user_id": "dana"}, "min_confidence": 0}

    got = (await client.get(f"/v1/memories/{memory_id}", params=mask, headers=A)).json()
    listed = (await client.get("/v1/memories", params=mask, headers=A)).json()["memories"]
    searched = (
        await client.get("/v1/memories/search", params={"q": "tennis card", **mask}, headers=A)
    ).json()
    retrieved = (await client.post("/v1/retrieve", json={**query, "mask_sensitive": True,
                                                          "explain": True}, headers=A)).json()  # fmt: skip
    surfaces = [
        got["content"], got["metadata"]["contact"], listed[0]["content"], listed[0]["metadata"]["contact"],
        searched["hits"][0]["memory"]["content"], retrieved["context"], retrieved["memories"][0]["content"],
    ]  # fmt: skip
    for text in surfaces:
        assert CARD not in text and EMAIL not in text, text
    assert "[CARD]" in retrieved["context"] and "[EMAIL]" in retrieved["context"]
    assert got["content"] == "Dana pays the tennis club with the card [CARD]; receipts go to [EMAIL]."

    plain = (await client.post("/v1/retrieve", json=query, headers=A)).json()
    assert CARD in plain["context"]  # unmasked unless asked
    assert (await client.get(f"/v1/memories/{memory_id}", headers=A)).json()["content"] == PAYMENT


async def test_working_memory_and_thread_histories_are_masked_when_asked(client: Any) -> None:
    item = {"content": f"Book the court with card {CARD}.", "metadata": {"mail": EMAIL}}
    assert (await client.post("/v1/working/court-1/items", json=item, headers=A)).status_code == 201
    thread = (await client.post("/v1/threads", json={}, headers=A)).json()["id"]
    turn = {"role": "user", "content": f"My card is {CARD}, mail {EMAIL}."}
    assert (await client.post(f"/v1/threads/{thread}/turns", json=turn, headers=A)).status_code == 201
    mask = {"mask_sensitive": "true"}
    view = (await client.get("/v1/working/court-1", params=mask, headers=A)).json()
    history = (await client.get(f"/v1/threads/{thread}/history", params=mask, headers=A)).json()
    for text in (view["items"][0]["content"], view["items"][0]["metadata"]["mail"], history["context"],
                 history["turns"][0]["content"]):  # fmt: skip
        assert CARD not in text and EMAIL not in text, text
    assert view["items"][0]["content"] == "Book the court with card [CARD]."
    plain = (await client.get("/v1/working/court-1", headers=A)).json()
    assert plain["items"][0]["content"] == item["content"]


async def test_working_memory_appends_follow_the_policy(client: Any) -> None:
    item = {"content": f"Pay the court with card {CARD}.", "metadata": {"mail": EMAIL}}
    assert (await client.post("/v1/working/pay-2/items", json=item, headers=B)).status_code == 201
    kept = (await client.get("/v1/working/pay-2", headers=B)).json()["items"][0]
    assert kept["content"] == "Pay the court with card [CARD]." and kept["metadata"] == {"mail": "[EMAIL]"}
    vault = {**item, "scope": {"namespace": "vault/shared"}}
    refused = await client.post("/v1/working/pay-3/items", json=vault, headers=A)
    assert refused.status_code == 422 and refused.json()["code"] == "sensitive_data"
    assert {e["field"] for e in refused.json()["errors"]} == {"content", "metadata.mail"}
    assert (await client.get("/v1/working/pay-3", headers=A)).json()["items"] == []
    as_agent = await client.post("/v1/working/pay-4/items", json={**item, "agent": "scribe"}, headers=A)
    assert as_agent.status_code == 422  # the agent's resource holding `working` refuses


async def test_an_agent_binding_masks_everything_its_agent_reads(client: Any) -> None:
    context = {"user_id": "dana"}
    written = await write(client, A, {"type": "semantic", "content": PAYMENT}, agent="plain", context=context)
    assert written.status_code == 201, written.text
    ask = {"query": "how does Dana pay the tennis club?", "context": context, "min_confidence": 0}
    masked = (await client.post("/v1/retrieve", json={**ask, "agent": "helper"}, headers=A)).json()
    plain = (await client.post("/v1/retrieve", json={**ask, "agent": "plain"}, headers=A)).json()
    assert CARD not in masked["context"] and "[CARD]" in masked["context"]
    assert CARD in plain["context"]


async def test_bad_mask_flags_are_422s_naming_the_field(client: Any) -> None:
    bad = await client.get("/v1/memories", params={"mask_sensitive": "perhaps"}, headers=A)
    assert bad.status_code == 400 or bad.status_code == 422, bad.text
    bad_body = await client.post("/v1/retrieve", json={"query": "x", "mask_sensitive": "yes"}, headers=A)
    assert bad_body.status_code == 422
    assert bad_body.json()["errors"][0]["field"] == "mask_sensitive"
