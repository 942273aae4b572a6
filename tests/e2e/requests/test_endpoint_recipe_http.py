"""The "Add an endpoint" recipe holds: a throwaway endpoint written as ARCHITECTURE.md says (a request
model that forbids unknown fields arriving as `data: JSONBody[Model]`, a handler that declares the
tenant and a component by name, a domain error, `responses={**COMMON_PROBLEMS, ...}`) and added to
the app's route list (`app.route_handlers`) is served with nothing else edited: its body checked
apart from the dependencies (a 422 naming the field), the tenant and the component provided, its
domain error a problem, tenants kept apart, and its route and problems in the OpenAPI schema.
"""

from __future__ import annotations

from typing import Any

import pytest
from litestar import post
from litestar.di import NamedDependency
from litestar.params import JSONBody
from litestar.types import ControllerRouterHandler
from pydantic import BaseModel, ConfigDict, Field

from mnemo.api.http import app as app_module
from mnemo.api.http.problems import COMMON_PROBLEMS, NOT_FOUND
from mnemo.api.mcp.http import McpEndpoint
from mnemo.retrieval.catalog import Catalog
from tests.e2e.conftest import AppFactory, write_results

KEYS = "key-a:alpha,key-b:beta"
FACT = {"type": "semantic", "content": "The office plants are watered on Mondays by Noor."}


class WordsRequest(BaseModel):
    """Recipe step 1: unknown fields are refused."""

    model_config = ConfigDict(extra="forbid")
    id: str = Field(min_length=1, max_length=64, description="the memory")
    first: int = Field(default=3, ge=1, le=20, description="how many of its words")


class Words(BaseModel):
    tenant: str
    words: list[str]


@post(
    "/v1/memories/words",
    status_code=200,
    summary="A memory's first words",
    responses={**COMMON_PROBLEMS, **NOT_FOUND},
)
async def memory_words(
    data: JSONBody[WordsRequest], catalog: NamedDependency[Catalog], tenant: NamedDependency[str]
) -> Words:
    """Recipe step 2: what it uses, declared by name; `catalog.find` raises the domain error."""
    record = await catalog.find(tenant, data.id)
    return Words(tenant=tenant, words=record.content.split()[: data.first])


@pytest.fixture
def with_the_endpoint(monkeypatch: pytest.MonkeyPatch) -> None:
    served = app_module.route_handlers

    def route_handlers(mcp: McpEndpoint) -> list[ControllerRouterHandler]:
        return [*served(mcp), memory_words]  # registered beside the app's own

    monkeypatch.setattr(app_module, "route_handlers", route_handlers)


@pytest.mark.usefixtures("with_the_endpoint")
async def test_an_endpoint_added_as_the_recipe_says_is_served(app_client: AppFactory) -> None:
    async with app_client(api_keys=KEYS) as client:
        alpha: dict[str, Any] = {"Authorization": "Bearer key-a"}
        beta: dict[str, Any] = {"Authorization": "Bearer key-b"}
        client.headers.update(alpha)
        memory_id = (await write_results(client, [FACT]))[0]["id"]

        found = await client.post("/v1/memories/words", json={"id": memory_id, "first": 2})
        assert found.status_code == 200, found.text
        assert found.json() == {"tenant": "alpha", "words": ["The", "office"]}

        for body, field in (
            ({"id": memory_id, "tenant": "beta"}, "tenant"),
            ({"id": memory_id, "first": 0}, "first"),
        ):
            refused = await client.post("/v1/memories/words", json=body)
            assert refused.status_code == 422, refused.text
            assert [e["field"] for e in refused.json()["errors"]] == [field]

        other = await client.post("/v1/memories/words", json={"id": memory_id}, headers=beta)
        assert other.status_code == 404 and other.headers["content-type"].startswith(
            "application/problem+json"
        )
        assert (
            await client.post("/v1/memories/words", json={"id": memory_id}, headers={"Authorization": ""})
        ).status_code == 401

        schema = (await client.get("/schema/openapi.json")).json()
    operation = schema["paths"]["/v1/memories/words"]["post"]
    assert {"401", "404", "422"} <= set(operation["responses"])
    assert set(schema["components"]["schemas"]["WordsRequest"]["properties"]) == {"id", "first"}
