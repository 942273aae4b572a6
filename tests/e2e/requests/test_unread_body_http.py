"""A body sent to a route that takes none is a 422 naming `body`, not silently ignored; the same
routes without a body answer as before."""

from __future__ import annotations

from tests.e2e.conftest import AppFactory


async def test_a_body_on_a_route_that_takes_none_is_refused(app_client: AppFactory) -> None:
    async with app_client() as client:
        memory = {"type": "semantic", "content": "Odo waters the fig tree on Sundays."}
        written = await client.post("/v1/memories", json={"memories": [memory]})
        memory_id = written.json()["results"][0]["id"]
        for method, path, body in (
            ("DELETE", f"/v1/memories/{memory_id}", {"scope": {"user_id": "odo"}}),
            ("POST", f"/v1/memories/{memory_id}/used", {"count": 3}),
            ("DELETE", "/v1/working/trip", {"force": True}),
            ("GET", f"/v1/memories/{memory_id}", {"fields": ["content"]}),
        ):
            refused = await client.request(method, path, json=body)
            assert refused.status_code == 422, (method, path, refused.text)
            problem = refused.json()
            assert problem["code"] == "invalid_input" and problem["errors"][0]["field"] == "body", problem
        assert (await client.get(f"/v1/memories/{memory_id}")).status_code == 200  # nothing was done
        assert (await client.delete(f"/v1/memories/{memory_id}")).status_code == 204
        assert (await client.get(f"/v1/memories/{memory_id}")).status_code == 404
