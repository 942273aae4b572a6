"""A body key named like a dependency (`tenant`, `settings`, `services`, …) or a reserved handler
parameter (`request`, `state`, …) is an unknown field like any other: a 422 naming it, never a 500,
on every endpoint that takes a body. Litestar took such a body error for the dependency's own failure
(api/http/problems.py, `RequestBodies`)."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Litestar
from litestar.constants import RESERVED_KWARGS
from litestar.routes import HTTPRoute
from pydantic import BaseModel

from tests.e2e.requests.test_bad_input_http import assert_problem

UNKNOWN_FIELD = "Extra inputs are not permitted"
SCOPE = {"user_id": "dependency-names"}
# Each endpoint that takes a body (its path template) → a path to it and a body it accepts.
VALID_BODIES: dict[str, tuple[str, dict[str, Any]]] = {
    "/v1/memories": (
        "/v1/memories",
        {"memories": [{"type": "semantic", "content": "Alice prefers green tea.", "scope": SCOPE}]},
    ),
    "/v1/retrieve": ("/v1/retrieve", {"query": "what does Alice drink?", "scope": SCOPE}),
    "/v1/forget": ("/v1/forget", {"scope": SCOPE, "dry_run": True}),
    "/v1/forget/preview": ("/v1/forget/preview", {"query": "green tea", "scope": SCOPE, "min_confidence": 0}),
    # A token only a preview gives: the previous entry's, fetched when its turn comes.
    "/v1/forget/previewed": ("/v1/forget/previewed", {"preview_token": "from the preview"}),
    "/v1/threads": ("/v1/threads", {}),
    "/v1/threads/{thread_id:uuid}/turns": (
        f"/v1/threads/{uuid.uuid4()}/turns",
        {"role": "user", "content": "hi"},
    ),
    "/v1/working/{task_id:str}/items": ("/v1/working/task-1/items", {"content": "a working note"}),
    "/v1/memories/rank": (
        "/v1/memories/rank",
        {"query": "tea", "type": "semantic", "ids": [str(uuid.uuid4())]},
    ),
    "/v1/memories/{memory_id:uuid}/invalidate": (
        f"/v1/memories/{uuid.uuid4()}/invalidate",
        {"reason": "no longer true"},
    ),
}


def body_models(app: Litestar) -> dict[tuple[str, str], type[BaseModel]]:
    """(method, path template) → body model, of every handler that binds a request body (the others
    read none)."""
    return {
        (method, route.path): parameters["data"].annotation
        for route in app.routes
        if isinstance(route, HTTPRoute)
        for handler in route.route_handlers
        if "data" in (parameters := handler.parsed_fn_signature.parameters)
        for method in handler.http_methods
        # Other servers' protocols (compat/) take their vendor's bodies, fields mnemo has no use for
        # ignored; tests/e2e/surfaces/test_compat_http.py shows such a key is never taken for a dependency.
        if not route.path.startswith(("/mem0/", "/ams/", "/zep/"))
    }


def dependency_names(app: Litestar) -> set[str]:
    """Every name a handler could be given something by: the app's dependencies, each handler's
    resolved dependencies (app, router, controller and its own layers), each handler's own parameter
    names (path and query parameters, `data` too) and Litestar's reserved keyword arguments."""
    names = set(app.dependencies) | set(RESERVED_KWARGS)
    for route in app.routes:
        if isinstance(route, HTTPRoute):
            for handler in route.route_handlers:
                names |= set(handler.resolve_dependencies())
                names |= set(handler.parsed_fn_signature.parameters)
    return names


# Names no handler knows: an unknown key is a 422 whatever it is called.
ARBITRARY_NAMES = ("x", "_private", "__class__", "self", "kwargs", "body", "scope ", "tenant_id", "🙂")


async def test_every_body_endpoint_refuses_a_key_named_like_a_dependency(client: Any) -> None:
    app: Litestar = client.app
    models = body_models(app)
    assert set(models) == {("POST", path) for path in VALID_BODIES}  # a new one: add a body it accepts
    names = dependency_names(app)
    services = {"tenant", "catalog", "retriever", "working", "threads", "forgetter", "changes", "writer"}
    assert services | {"settings", "history", "services", "bindings", "fairness", "request", "state"} <= names
    assert {"data", "memory_id", "thread_id", "task_id"} <= names  # handler parameters, path ones too
    for template, (path, body) in VALID_BODIES.items():
        if "preview_token" in body:
            shown = await client.post("/v1/forget/preview", json=VALID_BODIES["/v1/forget/preview"][1])
            body = {"preview_token": shown.json()["preview_token"]}
        accepted = await client.post(path, json=body)
        assert accepted.status_code != 422, f"{path}: {accepted.text}"  # the body alone is valid
        unknown = (names | set(ARBITRARY_NAMES)) - set(models["POST", template].model_fields)
        for name in sorted(unknown):  # `query` is retrieve's own field, `thread_id` forget's
            response = await client.post(path, json={**body, name: "x"})
            assert_problem(response, 422)
            assert response.json()["errors"] == [{"field": name, "message": UNKNOWN_FIELD}], path


async def test_a_key_named_like_a_dependency_is_named_beside_other_errors(client: Any) -> None:
    """Litestar dropped such an error when the body had others too."""
    response = await client.post("/v1/memories", json={"memories": [{"content": "no type"}], "tenant": "x"})
    assert_problem(response, 422)
    fields = [e["field"] for e in response.json()["errors"]]
    assert fields == ["memories.0.type", "tenant"]
