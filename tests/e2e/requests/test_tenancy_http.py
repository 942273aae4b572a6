"""Tenant A can never read, list, retrieve or delete tenant B's memories."""

from __future__ import annotations

from typing import Any

from tests.e2e.conftest import A, B

SECRET = {
    "type": "semantic",
    "content": "Tenant B's launch code is 0000, kept in the red binder upstairs.",
    "id": "shared-external-id",
}


async def test_keys_are_required_and_checked(tenants: Any) -> None:
    for headers in [{}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic key-a"}]:
        response = await tenants.get("/v1/memories", headers=headers)
        assert response.status_code == 401
        assert response.headers["content-type"].startswith("application/problem+json")
    assert (await tenants.get("/health")).status_code == 200
    # An unknown key is refused before its query is judged: a bad scope field does not turn it into a 422.
    wrong_key = {"Authorization": "Bearer wrong"}
    response = await tenants.get("/v1/memories", params={"user_id": "a b"}, headers=wrong_key)
    assert response.status_code == 401


async def test_tenants_are_isolated(tenants: Any) -> None:
    created = await tenants.post("/v1/memories", json={"memories": [SECRET]}, headers=B)
    b_id = created.json()["results"][0]["id"]
    # Same external id in tenant A is a different record, not an overwrite of B's.
    a_write = await tenants.post(
        "/v1/memories",
        json={
            "memories": [
                dict(SECRET, content="Tenant A keeps its own notes about the quarterly launch plan.")
            ]
        },
        headers=A,
    )
    assert a_write.json()["results"][0]["id"] != b_id

    assert (await tenants.get(f"/v1/memories/{b_id}", headers=A)).status_code == 404
    assert (await tenants.delete(f"/v1/memories/{b_id}", headers=A)).status_code == 404
    listing = (await tenants.get("/v1/memories", headers=A)).json()
    assert [m["content"] for m in listing["memories"]] == [
        "Tenant A keeps its own notes about the quarterly launch plan."
    ]
    found = (await tenants.post("/v1/retrieve", json={"query": "launch code"}, headers=A)).json()
    assert "0000" not in found["context"]
    assert all(m["content"] != SECRET["content"] for m in found["memories"])

    # B still has it, untouched.
    assert (await tenants.get(f"/v1/memories/{b_id}", headers=B)).json()["content"] == SECRET["content"]
