"""Every page the service serves works offline: the schema as JSON and YAML, the explorer from files
inside the package, and no viewer that loads its scripts from a public CDN (litestar's Swagger UI,
ReDoc, Stoplight Elements and RapiDoc do)."""

from __future__ import annotations

import re
from typing import Any

from litestar.testing import AsyncTestClient

EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", re.IGNORECASE)


async def test_the_schema_is_served_and_no_page_loads_from_another_host(client: AsyncTestClient[Any]) -> None:
    schema = await client.get("/schema/openapi.json")
    assert schema.status_code == 200 and "/v1/retrieve" in schema.json()["paths"]
    yaml = await client.get("/schema/openapi.yaml")
    assert yaml.status_code == 200 and "/v1/retrieve:" in yaml.text
    for viewer in ("swagger", "redoc", "elements", "rapidoc"):
        assert (await client.get(f"/schema/{viewer}")).status_code == 404, viewer
    for page in ("/ui", "/ui/explorer.js", "/ui/explorer.css", "/schema"):
        answer = await client.get(page)
        assert answer.status_code == 200, page
        assert not EXTERNAL.search(answer.text), f"{page} loads from another host"
