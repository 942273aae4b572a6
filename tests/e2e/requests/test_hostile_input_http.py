"""Hostile input on every endpoint that takes it: a 4xx problem naming the field, never a 5xx.

Recursion (a body nested 10,000 deep), encoding (invalid UTF-8), date-times no UTC conversion can
hold, ranking knobs out of range, duplicate keys, NaN, unknown top-level fields, metadata past the
engine limits (memtypes/limits.py). Afterwards the store still serves every type.
"""

from __future__ import annotations

import json
from typing import Any

from mnemo.memtypes.limits import MAX_METADATA_DEPTH, MAX_METADATA_NODES
from tests.e2e.requests.test_bad_input_http import assert_problem

JSON = {"content-type": "application/json"}
OK = {
    "type": "semantic",
    "content": "The deploy key of the billing service rotates every ninety days, on the first Monday.",
}
EARLY, LATE = "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"


def nested(depth: int) -> dict[str, Any]:
    """A dict `depth` levels deep: {"a": {"a": … {"a": 1}}}."""
    value: Any = 1
    for _ in range(depth):
        value = {"a": value}
    return dict(value)


def deep_text(levels: int) -> str:
    """Metadata JSON text `levels` deep, without building it (json.dumps would recurse)."""
    return '{"a":' * levels + "1" + "}" * levels


async def _thread(client: Any) -> str:
    response = await client.post("/v1/threads", json={})
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def _bodies(client: Any) -> dict[str, tuple[str, str]]:
    """Each body endpoint: (path, a template whose {meta} is where metadata or a value goes)."""
    thread = await _thread(client)
    return {
        "memories": (
            "/v1/memories",
            '{"memories": [{"type": "semantic", "content": "x y z", "metadata": {meta}}]}',
        ),
        "working": ("/v1/working/task-1/items", '{"content": "a working note", "metadata": {meta}}'),
        "threads": ("/v1/threads", '{"metadata": {meta}}'),
        "turns": (f"/v1/threads/{thread}/turns", '{"role": "user", "content": "hi", "files": [{meta}]}'),
        "retrieve": ("/v1/retrieve", '{"query": "deploy key", "scope": {meta}}'),
    }


async def test_deep_nesting_on_every_body_endpoint(client: Any) -> None:
    for name, (path, template) in (await _bodies(client)).items():
        body = template.replace("{meta}", deep_text(10_000))
        response = await client.post(path, content=body.encode(), headers=JSON)
        assert_problem(response, 422)
        field = response.json()["errors"][0]["field"]
        assert field.split(".")[0] in {"memories", "metadata", "files", "scope"}, (name, field)


async def test_invalid_utf8_duplicate_keys_and_nan_on_every_body_endpoint(client: Any) -> None:
    for path, template in (await _bodies(client)).values():
        bad_utf8 = template.replace("{meta}", '{"k": "\x00"}').encode().replace(b"\x00", b"\xff\xfe")
        assert_problem(await client.post(path, content=bad_utf8, headers=JSON), 400, "body")
        twice = template.replace("{meta}", '{"k": 1, "k": 2}').encode()
        assert_problem(await client.post(path, content=twice, headers=JSON), 422, "k")
        nan = template.replace("{meta}", '{"k": NaN}').encode()
        assert_problem(await client.post(path, content=nan, headers=JSON), 422, "body")


FIELD_CASES = [
    ("/v1/memories", {"memories": [{**OK, "occurred_at": EARLY}]}, "occurred_at"),
    ("/v1/memories", {"memories": [{**OK, "occurred_at": LATE}]}, "occurred_at"),
    ("/v1/memories", {"memories": [{**OK, "type": "prospective", "due_at": EARLY}]}, "due_at"),
    ("/v1/memories", {"memories": [{**OK, "type": "prospective", "due_at": LATE}]}, "due_at"),
    ("/v1/memories", {"memories": [{**OK, "occurred_at": "1899-12-31T23:59:59Z"}]}, "occurred_at"),
    ("/v1/retrieve", {"query": "q", "now": EARLY}, "now"),
    ("/v1/retrieve", {"query": "q", "now": LATE}, "now"),
    ("/v1/memories", {"memories": [OK], "surprise": 1}, "surprise"),
    ("/v1/memories", {"memories": [{**OK, "metadata": nested(MAX_METADATA_DEPTH + 1)}]}, "metadata"),
    ("/v1/memories", {"memories": [{**OK, "metadata": {"k": 2**63}}]}, "metadata"),
    ("/v1/memories", {"memories": [{**OK, "metadata": {"": 1}}]}, "metadata"),
    ("/v1/memories", {"memories": [{**OK, "metadata": {"a\u0000b": 1}}]}, "metadata"),
    (
        "/v1/memories",
        {"memories": [{**OK, "metadata": {"n": list(range(MAX_METADATA_NODES + 1))}}]},
        "metadata",
    ),
    ("/v1/working/t/items", {"content": "x", "metadata": nested(MAX_METADATA_DEPTH + 1)}, "metadata"),
    ("/v1/threads", {"metadata": nested(MAX_METADATA_DEPTH + 1)}, "metadata"),
    # Every ranking knob out of its range (1e-300 days made Qdrant refuse the decay: a 500).
    *(
        ("/v1/retrieve", {"query": "q", "ranking": {"weights": {"semantic": {knob: value}}}}, knob)
        for knob, value in [
            ("half_life_days", 1e-300),
            ("half_life_days", 0),
            ("half_life_days", 1e300),
            ("relevance", -1),
            ("recency", 1e308),
            ("importance", -0.0001),
        ]
    ),
    *(
        ("/v1/retrieve", {"query": "q", "ranking": {name: value}}, name)
        for name, value in [("diversity", 2), ("diversity", -1), ("neighbours", 99)]
    ),
]


async def test_dates_limits_fields_and_ranking_knobs(client: Any) -> None:
    """One app for every case (each would cost an app start-up): a 422 naming the field."""
    for path, body, field in FIELD_CASES:
        response = await client.post(path, json=body)
        assert response.status_code == 422, (path, field, response.text)
        assert_problem(response, 422, field)
    for now in [EARLY, LATE, "1800-01-01T00:00:00Z"]:
        assert_problem(await client.get("/v1/prospective/due", params={"now": now}), 422, "now")


async def test_the_smallest_half_life_allowed_serves(client: Any) -> None:
    assert (await client.post("/v1/memories", json={"memories": [OK]})).status_code == 201
    ranking = {"weights": {t: {"half_life_days": 0.01} for t in ("semantic", "episodic")}}
    response = await client.post("/v1/retrieve", json={"query": "deploy key", "ranking": ranking})
    assert response.status_code == 200, response.text
    assert response.json()["memories"]


async def test_dates_at_the_bounds_are_accepted(client: Any) -> None:
    memories = [
        {**OK, "content": "The first bound.", "occurred_at": "1900-01-01T00:00:00Z"},
        {**OK, "content": "The last bound.", "occurred_at": "2200-12-31T23:59:59Z"},
    ]
    response = await client.post("/v1/memories", json={"memories": memories})
    assert response.status_code == 201, response.text
    response = await client.post("/v1/retrieve", json={"query": "bound", "now": "2200-12-31T00:00:00Z"})
    assert response.status_code == 200, response.text


async def test_no_5xx_anywhere_and_the_store_still_serves(client: Any) -> None:
    """Every hostile body above on every body endpoint, then every type still reads and writes."""
    hostile = [deep_text(10_000), deep_text(130), '{"k": NaN}', '{"k": 1, "k": 1}', '"\udcff"']
    for path, template in (await _bodies(client)).values():
        for meta in hostile:
            body = template.replace("{meta}", meta).encode("utf-8", "surrogateescape")
            response = await client.post(path, content=body, headers=JSON)
            assert 400 <= response.status_code < 500, (path, meta[:20], response.text)
            assert response.headers["content-type"].startswith("application/problem+json")
    types = ["episodic", "semantic", "procedural", "prospective"]
    writes = [
        {"type": t, "content": f"A {t} memory written after the storm of hostile requests had passed."}
        for t in types
    ]
    assert (await client.post("/v1/memories", json={"memories": writes})).status_code == 201
    response = await client.post("/v1/retrieve", json={"query": "after the storm", "types": types})
    assert response.status_code == 200, response.text
    assert {m["type"] for m in response.json()["memories"]} == set(types)
    assert (await client.get("/v1/memories")).status_code == 200
    assert json.loads((await client.get("/health")).text) == {"status": "ok"}
