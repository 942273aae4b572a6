"""Where the vectors live and how calls to them are guarded: the `qdrant` group of the settings."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr

from ...memtypes.jsontypes import SettingsGroup
from ..circuit import BreakerFailures, BreakerResetS


class QdrantConfig(SettingsGroup):
    """The `qdrant` group of the settings (MNEMO_QDRANT__*)."""

    url: str | None = Field(default=None, description="a Qdrant server; unset = embedded Qdrant Edge")
    api_key: SecretStr | None = Field(
        default=None, description="the Qdrant server's API key; unset = none sent"
    )
    timeout_s: float = Field(default=5.0, gt=0.0, le=300.0, description="Qdrant server call timeout")
    breaker_failures: BreakerFailures = Field(
        default=3,
        description="Qdrant server: failed calls in a row that open the circuit breaker (calls then fail "
        "at once with 503)",
    )
    breaker_reset_s: BreakerResetS = Field(
        default=5.0, description="Qdrant server: how long an open breaker waits before a trial call"
    )
    # Scale-out (ops): tenant-aware sharding of a Qdrant server's collections
    # (backends/qdrant_server/sharding.py).
    sharding: Literal["auto", "custom"] = Field(
        default="auto",
        description="custom: Qdrant user-defined sharding, one shard key per tenant bucket (server only)",
    )
    shard_keys: int = Field(
        default=8, ge=1, le=1024, description="custom sharding: shard keys per collection, fixed once created"
    )
    replication_factor: int | None = Field(
        default=None,
        ge=1,
        le=16,
        description="replicas of each shard of new collections; unset = server default",
    )
    # Qdrant Edge (embedded) only.
    optimize_threshold: int = Field(
        default=50_000,
        ge=1_000,
        description="unindexed vectors per type that trigger a background HNSW build (Qdrant Edge)",
    )
    engine_process: bool = Field(
        default=False,
        description="Qdrant Edge: run the engine in a child process of its own (its calls hold the GIL, "
        "so in the serving process they keep every other request waiting); each call then pays a "
        "pickled round trip between the processes",
    )
    payload_cache: int = Field(
        default=20_000,
        ge=0,
        le=10_000_000,
        description="Qdrant Edge: payloads of recently returned memories kept in memory (~3 KiB each)",
    )
    durable_writes: bool = Field(
        default=True,
        description="Qdrant Edge: fsync a write's log before acknowledging it (the shard is flushed "
        "whole at most once a minute, and at shutdown)",
    )
