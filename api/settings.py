"""The one settings root: every knob is an `MNEMO_*` environment variable (or a .env file)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from memtypes.queries import Fusion
from memtypes.requests import SearchMode
from memtypes.types import MemoryType

# The rate limit a server with API keys gets unless MNEMO_RATE_LIMIT_PER_MINUTE says otherwise: 50
# requests a second per tenant, bursts of 600; far above one agent's pace, far below a flood.
MULTI_TENANT_RATE_PER_MINUTE = 3_000
MULTI_TENANT_RATE_BURST = 600


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MNEMO_", env_file=".env", extra="ignore")

    data_dir: Path = Field(default=Path("./data"), description="where the embedded engines keep their data")
    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=1, le=65535)
    api_keys: SecretStr | None = Field(
        default=None,
        description="comma-separated `key:tenant` pairs; unset = single-tenant mode on 127.0.0.1 only",
    )
    qdrant_url: str | None = Field(default=None, description="a Qdrant server; unset = embedded Qdrant Edge")
    qdrant_api_key: SecretStr | None = None
    collection_prefix: str = Field(default="mnemo", pattern=r"^[a-z][a-z0-9_]{0,31}$")
    embedding_backend: Literal["sentence-transformers", "static"] = Field(
        default="sentence-transformers",
        description="`static`: a model2vec model made by `mnemo distill` (MNEMO_EMBEDDING_MODEL = its dir)",
    )
    embedding_model: str = "all-MiniLM-L6-v2"
    embedding_runtime: Literal["onnx", "torch"] = Field(
        default="onnx",
        description="how a sentence-transformers model runs: `onnx` (ONNX Runtime, the same vectors ~3x "
        "faster on CPU; exported once into MNEMO_ONNX_CACHE) or `torch`",
    )
    onnx_cache: Path | None = Field(
        default=None,
        description="where the exported ONNX graph is kept; unset = $XDG_CACHE_HOME/mnemo/onnx or "
        "~/.cache/mnemo/onnx",
    )
    default_encoding: str = Field(default="cl100k_base", pattern=r"^(cl100k_base|o200k_base)$")
    default_budget_tokens: int = Field(default=2_000, ge=1, le=200_000)
    model_budget_share: float = Field(default=0.10, gt=0.0, le=1.0)
    max_request_bytes: int = Field(default=8 * 1024 * 1024, ge=1024)
    max_items_per_request: int = Field(default=1_000, ge=1, le=10_000)
    optimize_threshold: int = Field(
        default=50_000,
        ge=1_000,
        description="unindexed vectors per type that trigger an HNSW build while serving (Qdrant Edge)",
    )
    prefilter_min_chars: dict[MemoryType, int] = Field(
        default_factory=dict,
        description='per-type minimum lengths, JSON: {"semantic": 10}; none by default: short facts are kept',
    )
    filler_phrases: list[str] | None = Field(default=None, description="replaces the built-in filler list")
    merge_thresholds: dict[MemoryType, float] = Field(
        default_factory=dict, description='per-type near-duplicate cosine thresholds, JSON: {"semantic": 0.9}'
    )
    review_timeout_s: float = Field(default=2.0, gt=0.0, le=60.0)
    llm_reviewer_url: str | None = Field(default=None, description="OpenAI-compatible endpoint; unset = off")
    llm_reviewer_model: str = "gpt-4o-mini"
    llm_reviewer_api_key: SecretStr | None = None
    search: SearchMode = Field(
        default=SearchMode.HYBRID, description="default search: hybrid | dense | sparse"
    )
    fusion: Fusion = Field(
        default=Fusion.LINEAR, description="how hybrid search fuses dense and BM25: linear | rrf | dbsf"
    )
    diversity: float = Field(
        default=0.8,
        ge=0.0,
        le=1.0,
        description="drop candidates whose words overlap a better one's this much",
    )
    neighbours: int = Field(
        default=2, ge=0, le=5, description="turns offered beside a selected episodic turn"
    )
    temporal: bool = Field(default=True, description="boost memories from a time the query names")
    access_flush_interval_s: float = Field(
        default=2.0,
        gt=0.0,
        le=3600.0,
        description="how often access counts of retrieved memories are written",
    )
    log_level: str = Field(default="INFO", pattern=r"^(DEBUG|INFO|WARNING|ERROR)$")
    # Observability: structured logs (metrics need no settings; /metrics is always served).
    log_format: Literal["json", "text", "auto"] = Field(
        default="auto", description="json lines, readable text, or auto: text at a terminal, else json"
    )

    # Redis: working memory, threads, locks.
    redis_url: SecretStr | None = Field(
        default=None,
        description="redis://, rediss:// or unix:// URL of any Redis server; unset = an embedded "
        "redis-server on a unix socket under the data dir",
    )
    redis_cluster: bool = Field(
        default=False,
        description="MNEMO_REDIS_URL names one node of a Redis Cluster (keys carry hash tags)",
    )
    redis_failover_wait_s: float = Field(
        default=10.0,
        ge=0.0,
        le=120.0,
        description="Redis Cluster: how long a command is retried, with backoff, through a failover",
    )
    redis_key_prefix: str = Field(default="mnemo", pattern=r"^[a-z][a-z0-9_-]{0,31}$")
    redis_timeout_s: float = Field(default=1.0, gt=0.0, le=30.0, description="connect and command timeout")
    redis_breaker_failures: int = Field(default=3, ge=1, le=100, description="failures in a row that open it")
    redis_breaker_reset_s: float = Field(default=5.0, gt=0.0, le=300.0, description="open → trial call after")
    lock_ttl_s: float = Field(default=10.0, gt=0.0, le=300.0, description="a lock frees itself after this")
    lock_wait_s: float = Field(default=5.0, ge=0.0, le=60.0, description="longest wait for a lock, then 409")
    working_ttl_s: float = Field(
        default=300.0, gt=0.0, description="idle time after which a task is archived"
    )
    working_max_tokens: int = Field(default=4_000, ge=1, le=1_000_000, description="per task")
    working_budget_tokens: int = Field(default=500, ge=1, le=200_000, description="retrieval default")
    working_sweep_interval_s: float = Field(default=5.0, gt=0.0, le=3600.0)
    thread_ttl_s: float = Field(default=3 * 3600.0, gt=0.0, description="refreshed on every turn")

    # Scale-out (ops): tenant-aware sharding of a Qdrant server's collections (backends/qdrant_sharding.py).
    qdrant_sharding: Literal["auto", "custom"] = Field(
        default="auto",
        description="custom: Qdrant user-defined sharding, one shard key per tenant bucket (server only)",
    )
    qdrant_shard_keys: int = Field(
        default=8, ge=1, le=1024, description="custom sharding: shard keys per collection, fixed once created"
    )
    qdrant_replication_factor: int | None = Field(
        default=None,
        ge=1,
        le=16,
        description="replicas of each shard of new collections; unset = server default",
    )
    # Memory resources and agent bindings: a YAML file read and validated when the app is created.
    config: Path | None = Field(
        default=None, description="MNEMO_CONFIG: YAML of memory resources and agents; unset = no agents"
    )
    # Resilience, rate limits and replicas (issue 6, scale: api/rate_limit.py, api/resilience.py).
    rate_limit_per_minute: int | None = Field(
        default=None,
        ge=0,
        le=1_000_000,
        description="requests per tenant per minute, over all replicas; 0 = off; unset = "
        f"{MULTI_TENANT_RATE_PER_MINUTE} with API keys, off without",
    )
    rate_limit_burst: int = Field(
        default=0, ge=0, le=1_000_000, description="requests a tenant may send at once; 0 = a minute's worth"
    )
    shutdown_grace_s: float = Field(
        default=10.0, ge=0.0, le=600.0, description="how long shutdown waits for in-flight writes"
    )
    durable_writes: bool = Field(
        default=True, description="Qdrant Edge: fsync a write (flush its shard) before acknowledging it"
    )
    qdrant_timeout_s: float = Field(default=5.0, gt=0.0, le=300.0, description="Qdrant server call timeout")
    qdrant_breaker_failures: int = Field(default=3, ge=1, le=100, description="failures that open it")
    qdrant_breaker_reset_s: float = Field(
        default=5.0, gt=0.0, le=300.0, description="open → trial call after"
    )
    # Hardening (issue 17): browsers, fair sharing between tenants (api/request_gate.py, api/fairness.py).
    allowed_hosts: str = Field(
        default="",
        description="comma-separated Host names a keyless server answers besides loopback ones",
    )
    cors_origins: str = Field(
        default="", description="comma-separated origins allowed cross-site (CORS); unset = none"
    )
    tenant_concurrency: int = Field(
        default=32, ge=1, le=10_000, description="a tenant's /v1 requests at once"
    )
    tenant_write_concurrency: int = Field(
        default=1, ge=1, le=1_000, description="with API keys: a tenant's memory writes at once"
    )
    tenant_retrieval_concurrency: int = Field(
        default=4, ge=1, le=1_000, description="with API keys: a tenant's retrievals at once"
    )
    tenant_queue_s: float = Field(
        default=5.0, ge=0.0, le=120.0, description="longest wait for a tenant's slot, then 429"
    )
    embed_chars_per_s: float = Field(
        default=500_000.0, gt=0.0, description="characters a tenant's writes may embed per second"
    )
    embed_chars_burst: int = Field(
        default=8_000_000, ge=1_000, description="the most one request (or a burst) may embed"
    )

    @field_validator("data_dir")
    @classmethod
    def _absolute(cls, value: Path) -> Path:
        return value.expanduser().resolve()

    @property
    def allowed_host_names(self) -> frozenset[str] | None:
        """The Host names a keyless server answers besides loopback; None: any (API keys are on)."""
        if not self.single_tenant:
            return None
        return frozenset(h.strip().lower() for h in self.allowed_hosts.split(",") if h.strip())

    @property
    def cors_origin_list(self) -> list[str]:
        return [o.strip() for o in self.cors_origins.split(",") if o.strip()]

    @property
    def single_tenant(self) -> bool:
        return self.api_keys is None or not self.api_keys.get_secret_value().strip()
