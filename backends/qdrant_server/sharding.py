"""Tenant-aware sharding of a Qdrant server's collections.

`auto` (the default): Qdrant spreads points over the collection's shards by id; a tenant's points
are still stored together within each shard, because the `tenant` payload index is declared
`is_tenant=True` (see `backends/qdrant_server/index.py`).

`custom`: Qdrant's user-defined sharding. Each collection gets `shard_keys` shard keys
(`tenant-00` …); a tenant's points all go to the key its name hashes to, and every read of a tenant
(they are all filtered by tenant) asks only that key's shards. A search then touches one shard out
of N instead of all of them, and the cluster can place keys on nodes. The bucket is a stable hash
(BLAKE2b, not Python's per-process `hash`), so every replica and every restart agrees on it.

The number of keys is fixed when the collections are created and recorded in their metadata: with
another number a tenant would hash elsewhere and its memories would seem gone, so a mismatch is
refused at start-up rather than served. qdrant-client's local mode has no sharding at all (it
refuses `create_shard_key`); custom sharding needs a server.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from qdrant_client import models

ShardingMode = Literal["auto", "custom"]
METADATA_KEY = "mnemo_sharding"  # collection metadata: {"mode": …, "shard_keys": …}


class ShardingMismatch(RuntimeError):
    """Existing collections were created with another sharding than the one configured."""


def tenant_bucket(tenant: str, buckets: int) -> int:
    """A stable bucket in [0, buckets) for a tenant name, the same in every process."""
    digest = hashlib.blake2b(tenant.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") % buckets


@dataclass(frozen=True)
class QdrantSharding:
    mode: ShardingMode = "auto"
    shard_keys: int = 8  # custom mode: shard keys per collection (fixed once created)
    replication_factor: int | None = None  # None: the server's default

    def __post_init__(self) -> None:
        if self.shard_keys < 1:
            raise ValueError("shard_keys must be at least 1")

    @property
    def custom(self) -> bool:
        return self.mode == "custom"

    def all_keys(self) -> list[str]:
        width = len(str(self.shard_keys - 1))
        return [f"tenant-{i:0{width}d}" for i in range(self.shard_keys)]

    def key_for(self, tenant: str) -> str:
        return self.all_keys()[tenant_bucket(tenant, self.shard_keys)]

    def selector(self, tenants: Iterable[str]) -> models.ShardKeySelector | None:
        """The shard keys that hold these tenants' points; None (all shards) in auto mode."""
        if not self.custom:
            return None
        keys: list[models.ShardKey] = sorted({self.key_for(t) for t in tenants})
        return keys[0] if len(keys) == 1 else keys

    def every_key(self) -> models.ShardKeySelector | None:
        """For writes by id, whose tenant is not known: applied on every key (ids are unique)."""
        if not self.custom:
            return None
        keys: list[models.ShardKey] = list(self.all_keys())
        return keys

    def metadata(self) -> dict[str, Any]:
        return {METADATA_KEY: {"mode": self.mode, "shard_keys": self.shard_keys if self.custom else None}}

    def collection_params(self) -> dict[str, Any]:
        """Extra `create_collection` arguments."""
        params: dict[str, Any] = {"metadata": self.metadata()}
        if self.custom:
            params["sharding_method"] = models.ShardingMethod.CUSTOM
        if self.replication_factor is not None:
            params["replication_factor"] = self.replication_factor
        return params

    def check(self, name: str, metadata: dict[str, Any] | None) -> None:
        """Refuse collections created with another sharding (collections made before this
        setting existed count as `auto`)."""
        stored = (metadata or {}).get(METADATA_KEY) or {"mode": "auto", "shard_keys": None}
        if stored != self.metadata()[METADATA_KEY]:
            raise ShardingMismatch(
                f"collection {name} was created with sharding {stored}, but MNEMO_QDRANT__SHARDING="
                f"{self.mode}"
                + (f" with {self.shard_keys} keys" if self.custom else "")
                + "; use the collections' setting, or import into a new collection prefix"
            )
