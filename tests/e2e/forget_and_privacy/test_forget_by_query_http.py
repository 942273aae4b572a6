"""Forget by what memories are about, over HTTP on the real app: a preview lists the matches (with
why) and the near misses that stay, removes nothing; its token forgets exactly what it showed (or
the ones named among them), and the signed receipt records the query. Kinds of sensitive data select
too. Another tenant can neither preview nor forget a tenant's memories, and a token cannot be edited,
reused by another tenant, or stretched to ids it did not show."""

from __future__ import annotations

import base64
import json
from typing import Any

from mnemo.memtypes.governance.signing import RECEIPT_KIND, verify
from tests.e2e.conftest import A, B

DANA = {"user_id": "dana"}
TENNIS = [
    "Dana plays tennis every Saturday morning at the club by the river.",
    "Dana's tennis coach says her backhand improved a lot this season.",
    "Dana bought a new tennis racket with a softer grip for her elbow.",
]
OTHER = [
    "Dana's divorce hearing is set for the second week of March.",
    "Dana prefers her coffee black, without sugar.",
    "Dana works as a structural engineer at a bridge design firm.",
]
CARD = "4111 1111 1111 1111"


async def seed(client: Any, headers: dict[str, str]) -> dict[str, str]:
    memories = [{"type": "semantic", "content": c, "scope": DANA} for c in [*TENNIS, *OTHER]]
    memories.append({"type": "episodic", "scope": DANA,
                     "content": f"Dana paid the club membership with the card {CARD}."})  # fmt: skip
    written = await client.post("/v1/memories", json={"memories": memories}, headers=headers)
    assert written.status_code == 201, written.text
    ids = [r["id"] for r in written.json()["results"]]
    return dict(zip([*TENNIS, *OTHER, "card"], ids, strict=True))


async def preview(client: Any, headers: dict[str, str], **body: Any) -> Any:
    return await client.post("/v1/forget/preview", json={"scope": DANA, **body}, headers=headers)


async def test_a_preview_shows_matches_with_why_and_the_near_misses_and_removes_nothing(tenants: Any) -> None:
    ids = await seed(tenants, A)
    shown = await preview(tenants, A, query="tennis")
    assert shown.status_code == 200, shown.text
    body = shown.json()
    matched = {m["id"] for m in body["matches"]}
    assert {ids[c] for c in TENNIS} <= matched
    assert not {ids[c] for c in OTHER} & matched
    first = body["matches"][0]
    assert first["type"] == "semantic" and first["scope"]["user_id"] == "dana" and first["content"] in TENNIS
    assert "likely about the query" in first["why"] and "'tennis'" in first["why"]
    assert body["near_misses"], "the ones just under the cut-off are shown"
    assert all(n["confidence"] < 0.5 for n in body["near_misses"])
    assert body["selected_by"]["query"] == "tennis" and body["preview_token"] and body["expires_at"]
    for memory_id in ids.values():  # nothing removed
        assert (await tenants.get(f"/v1/memories/{memory_id}", headers=A)).status_code == 200


async def test_confirming_forgets_exactly_what_was_shown_and_the_receipt_records_the_query(
    tenants: Any,
) -> None:
    ids = await seed(tenants, A)
    body = (await preview(tenants, A, query="tennis")).json()
    shown = sorted(m["id"] for m in body["matches"])
    gone = await tenants.post(
        "/v1/forget/previewed", json={"preview_token": body["preview_token"]}, headers=A
    )
    assert gone.status_code == 200, gone.text
    receipt = gone.json()
    assert receipt["memory_ids"] == shown
    assert (
        receipt["selected_by"]["query"] == "tennis" and receipt["selected_by"]["scope"]["user_id"] == "dana"
    )
    verify(RECEIPT_KIND, receipt)  # the query is signed with the rest
    for content in TENNIS:
        assert (await tenants.get(f"/v1/memories/{ids[content]}", headers=A)).status_code == 404
    for content in OTHER:
        assert (await tenants.get(f"/v1/memories/{ids[content]}", headers=A)).status_code == 200
    recall = await tenants.post("/v1/retrieve", json={"query": "tennis", "scope": DANA, "min_confidence": 0},
                               headers=A)  # fmt: skip
    assert "tennis" not in recall.json()["context"].casefold()


async def test_a_confirmation_may_keep_some_of_the_preview_but_never_add_to_it(tenants: Any) -> None:
    ids = await seed(tenants, A)
    body = (await preview(tenants, A, query="tennis")).json()
    token = body["preview_token"]
    keep = ids[TENNIS[0]]
    chosen = [m["id"] for m in body["matches"] if m["id"] != keep]
    stretched = await tenants.post(
        "/v1/forget/previewed", json={"preview_token": token, "ids": [*chosen, ids[OTHER[0]]]}, headers=A
    )
    assert stretched.status_code == 422
    assert stretched.json()["errors"][0]["field"] == "ids"
    assert (await tenants.get(f"/v1/memories/{ids[OTHER[0]]}", headers=A)).status_code == 200
    gone = await tenants.post("/v1/forget/previewed", json={"preview_token": token, "ids": chosen}, headers=A)
    assert sorted(gone.json()["memory_ids"]) == sorted(chosen)
    assert (await tenants.get(f"/v1/memories/{keep}", headers=A)).status_code == 200


async def test_sensitive_kinds_select_every_memory_holding_them(tenants: Any) -> None:
    ids = await seed(tenants, A)
    body = (await preview(tenants, A, sensitive=["card"])).json()
    assert [m["id"] for m in body["matches"]] == [ids["card"]]
    assert body["matches"][0]["why"] == "holds card" and body["near_misses"] == []
    both = (await preview(tenants, A, query="tennis", sensitive=["card"])).json()
    assert ids[TENNIS[0]] not in {m["id"] for m in both["matches"]}  # the kinds narrow a query too
    gone = await tenants.post(
        "/v1/forget/previewed", json={"preview_token": body["preview_token"]}, headers=A
    )
    assert gone.json()["selected_by"]["sensitive"] == ["card"]
    assert (await tenants.get(f"/v1/memories/{ids['card']}", headers=A)).status_code == 404


async def test_another_tenant_can_neither_preview_nor_forget_them(tenants: Any) -> None:
    ids = await seed(tenants, A)
    theirs = (await preview(tenants, B, query="tennis")).json()
    assert theirs["matches"] == [] and theirs["preview_token"] is None
    assert (await preview(tenants, B, sensitive=["card"])).json()["matches"] == []
    token = (await preview(tenants, A, query="tennis")).json()["preview_token"]
    stolen = await tenants.post("/v1/forget/previewed", json={"preview_token": token}, headers=B)
    assert stolen.status_code == 422
    assert stolen.json()["errors"][0]["field"] == "preview_token"
    for content in TENNIS:
        assert (await tenants.get(f"/v1/memories/{ids[content]}", headers=A)).status_code == 200


async def test_an_edited_token_is_refused(tenants: Any) -> None:
    ids = await seed(tenants, A)
    token = (await preview(tenants, A, query="tennis")).json()["preview_token"]
    document = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    document["ids"].append(ids[OTHER[0]])  # widen what it allows
    edited = base64.urlsafe_b64encode(json.dumps(document).encode()).decode()
    refused = await tenants.post("/v1/forget/previewed", json={"preview_token": edited}, headers=A)
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "preview_token"
    garbage = await tenants.post("/v1/forget/previewed", json={"preview_token": "not-a-token"}, headers=A)
    assert garbage.status_code == 422 and garbage.json()["errors"][0]["field"] == "preview_token"


async def test_bad_previews_are_422s_naming_the_field(tenants: Any) -> None:
    nothing = await tenants.post("/v1/forget/preview", json={"scope": DANA}, headers=A)
    assert nothing.status_code == 422
    kind = await preview(tenants, A, sensitive=["shoe_size"])
    assert kind.status_code == 422 and kind.json()["errors"][0]["field"].startswith("sensitive")
    window = await preview(tenants, A, query="tennis", occurred_after="2025-01-02T00:00:00Z",
                           occurred_before="2025-01-01T00:00:00Z")  # fmt: skip
    assert window.status_code == 422
    cut = await preview(tenants, A, query="tennis", min_confidence=2)
    assert cut.status_code == 422 and cut.json()["errors"][0]["field"] == "min_confidence"


async def test_types_and_the_time_window_narrow_a_preview(tenants: Any) -> None:
    memories = [
        {"type": "semantic", "content": "Dana entered the spring tennis tournament.", "scope": DANA,
         "occurred_at": "2024-04-01T10:00:00Z"},
        {"type": "episodic", "content": "Dana won her first tennis match of the season.", "scope": DANA,
         "occurred_at": "2025-04-01T10:00:00Z"},
        {"type": "semantic", "content": "Dana's tennis club raised its fees this year.", "scope": DANA,
         "occurred_at": "2025-06-01T10:00:00Z"},
    ]  # fmt: skip
    written = await tenants.post("/v1/memories", json={"memories": memories}, headers=A)
    ids = [r["id"] for r in written.json()["results"]]
    recent = (await preview(tenants, A, query="tennis", occurred_after="2025-01-01T00:00:00Z")).json()
    assert sorted(m["id"] for m in recent["matches"]) == sorted(ids[1:])
    semantic = (await preview(tenants, A, query="tennis", types=["semantic"])).json()
    assert sorted(m["id"] for m in semantic["matches"]) == sorted([ids[0], ids[2]])
    older = (await preview(tenants, A, query="tennis", occurred_before="2025-01-01T00:00:00Z")).json()
    assert [m["id"] for m in older["matches"]] == [ids[0]]
