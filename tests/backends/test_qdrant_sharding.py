"""Tenant-aware sharding of the qdrant-client backend.

What a test can see here: the bucket function, the collection parameters, that every call carries
its tenant's shard key, and that the backend still works. qdrant-client's local mode ignores shard
keys, refuses `create_shard_key` and does not build payload indexes, so the calls are recorded by a
subclass of the real client that then lets the local engine run them. Whether a Qdrant cluster
routes the keys to the right nodes cannot be tested without a cluster (none can be pulled here).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from qdrant_client import AsyncQdrantClient, models

from mnemo.backends.qdrant_server.index import QdrantClientVectorIndex
from mnemo.backends.qdrant_server.sharding import QdrantSharding, ShardingMismatch, tenant_bucket
from mnemo.memtypes.queries import MemoryFilter, SearchRequest, VectorPoint
from mnemo.memtypes.types import MemoryType

DIMENSION = 4


def test_tenant_bucket_is_stable_and_spreads_tenants() -> None:
    # Pinned: a bucket that changed between versions would hide every tenant's memories.
    assert [tenant_bucket(t, 8) for t in ("default", "acme", "globex", "initech")] == [2, 1, 2, 0]
    assert tenant_bucket("acme", 1024) == 641
    spread = Counter(tenant_bucket(f"tenant-{i}", 8) for i in range(4000))
    assert set(spread) == set(range(8))
    assert max(spread.values()) < 1.15 * 500 and min(spread.values()) > 0.85 * 500


def test_keys_and_selectors() -> None:
    custom = QdrantSharding("custom", shard_keys=12)
    assert custom.all_keys()[:3] == ["tenant-00", "tenant-01", "tenant-02"] and len(custom.all_keys()) == 12
    assert custom.key_for("acme") == custom.all_keys()[tenant_bucket("acme", 12)]
    assert custom.selector(["acme", "acme"]) == custom.key_for("acme")
    assert custom.selector(["acme", "globex"]) == sorted({custom.key_for("acme"), custom.key_for("globex")})
    assert custom.every_key() == custom.all_keys()
    auto = QdrantSharding()
    assert auto.selector(["acme"]) is None and auto.every_key() is None


def test_collection_parameters() -> None:
    custom = QdrantSharding("custom", shard_keys=4, replication_factor=2)
    assert custom.collection_params() == {
        "metadata": {"mnemo_sharding": {"mode": "custom", "shard_keys": 4}},
        "sharding_method": models.ShardingMethod.CUSTOM,
        "replication_factor": 2,
    }
    assert QdrantSharding().collection_params() == {
        "metadata": {"mnemo_sharding": {"mode": "auto", "shard_keys": None}}
    }
    QdrantSharding().check("c", None)  # collections made before the setting existed are `auto`
    with pytest.raises(ShardingMismatch, match="created with sharding"):
        custom.check("c", None)
    with pytest.raises(ShardingMismatch):
        QdrantSharding("custom", shard_keys=8).check("c", custom.metadata())  # another number of keys


class RecordingClient(AsyncQdrantClient):
    """The real local-mode client, recording what mnemo asks of it (shard keys, index params)."""

    def __init__(self) -> None:
        super().__init__(location=":memory:")
        self.calls: list[tuple[str, Any]] = []

    async def create_shard_key(self, collection_name: str, shard_key: Any, **kwargs: Any) -> bool:
        self.calls.append(("create_shard_key", (collection_name, shard_key)))
        return True  # local mode has no shards to create

    async def create_payload_index(self, collection_name: str, field_name: str, **kwargs: Any) -> Any:
        self.calls.append(("create_payload_index", (field_name, kwargs.get("field_schema"))))
        return await super().create_payload_index(collection_name, field_name, **kwargs)

    async def upsert(self, collection_name: str, points: Any, **kwargs: Any) -> Any:
        tenants = {p.payload["tenant"] for p in points}
        self.calls.append(("upsert", (tenants, kwargs.get("shard_key_selector"))))
        return await super().upsert(collection_name, points, **kwargs)

    async def query_batch_points(self, collection_name: str, requests: Any, **kwargs: Any) -> Any:
        self.calls.append(("query", [r.shard_key for r in requests]))
        return await super().query_batch_points(collection_name, requests, **kwargs)

    async def retrieve(self, collection_name: str, ids: Any, **kwargs: Any) -> Any:
        self.calls.append(("retrieve", kwargs.get("shard_key_selector")))
        return await super().retrieve(collection_name, ids, **kwargs)

    async def count(self, collection_name: str, **kwargs: Any) -> Any:
        self.calls.append(("count", kwargs.get("shard_key_selector")))
        return await super().count(collection_name, **kwargs)

    def of(self, kind: str) -> list[Any]:
        return [args for name, args in self.calls if name == kind]


def point(i: int, tenant: str) -> VectorPoint:
    vector = [1.0 if j == i % DIMENSION else 0.1 for j in range(DIMENSION)]
    return VectorPoint(f"00000000-0000-4000-8000-{i:012d}", vector, {"tenant": tenant, "superseded": False})


async def test_custom_sharding_sends_each_tenants_key_and_still_answers() -> None:
    client = RecordingClient()
    sharding = QdrantSharding("custom", shard_keys=8)
    index = QdrantClientVectorIndex(client, "shard", DIMENSION, sharding)
    await index.open()
    try:
        assert len(client.of("create_shard_key")) == 5 * 8  # every key of every collection
        tenant_index = [schema for field, schema in client.of("create_payload_index") if field == "tenant"]
        assert tenant_index and all(s.is_tenant is True for s in tenant_index)

        await index.upsert(MemoryType.SEMANTIC, [point(i, t) for i, t in enumerate(["acme", "globex"] * 3)])
        upserts = client.of("upsert")
        assert sorted((sorted(t), key) for t, key in upserts) == sorted(
            [(["acme"], sharding.key_for("acme")), (["globex"], sharding.key_for("globex"))]
        )

        flt = MemoryFilter(tenant="acme")
        [hits] = await index.search([SearchRequest(MemoryType.SEMANTIC, point(0, "acme").vector, flt, 3, 10)])
        assert hits[0].id == point(0, "acme").id and {h.payload["tenant"] for h in hits} == {"acme"}
        assert client.of("query")[-1] == [sharding.key_for("acme")]
        assert await index.count(MemoryType.SEMANTIC, flt) == 3
        assert client.of("count")[-1] == sharding.key_for("acme")
        assert len(await index.get(MemoryType.SEMANTIC, [point(1, "globex").id])) == 1
        assert client.of("retrieve")[-1] == sharding.all_keys()  # by id: the tenant is not known
    finally:
        await index.close()


async def test_auto_mode_sends_no_shard_keys_and_refuses_a_custom_collection() -> None:
    client = RecordingClient()
    index = QdrantClientVectorIndex(client, "auto", DIMENSION)
    await index.open()
    await index.upsert(MemoryType.EPISODIC, [point(1, "acme")])
    [hits] = await index.search(
        [SearchRequest(MemoryType.EPISODIC, point(1, "acme").vector, MemoryFilter(tenant="acme"), 3, 10)]
    )
    assert [h.id for h in hits] == [point(1, "acme").id]
    assert client.of("create_shard_key") == [] and client.of("upsert")[-1][1] is None
    assert client.of("query")[-1] == [None]
    # The same collections opened with custom sharding would hash tenants to keys they are not in.
    with pytest.raises(ShardingMismatch):
        await QdrantClientVectorIndex(client, "auto", DIMENSION, QdrantSharding("custom")).open()
    await index.close()


async def test_settings_reach_the_servers_index() -> None:
    from mnemo.api.config.settings import Settings
    from mnemo.api.http.engines import vector_store
    from mnemo.backends.qdrant_server.breaker import BreakerGuardedIndex

    settings = Settings(
        qdrant={
            "url": "http://127.0.0.1:9",  # a closed port: only the client's version check tries it
            "sharding": "custom",
            "shard_keys": 4,
            "replication_factor": 2,
        }
    )
    guarded = vector_store(settings, DIMENSION).index
    assert isinstance(guarded, BreakerGuardedIndex)  # a server's calls go through a circuit breaker
    index = guarded.inner
    assert isinstance(index, QdrantClientVectorIndex)
    assert index.sharding == QdrantSharding("custom", shard_keys=4, replication_factor=2)
    await index.client.close()
