"""The one settings root: every knob is an `MNEMO_*` environment variable (or a .env file)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from ...backends.qdrant.config import QdrantConfig
from ...backends.redis.client import RedisConfig
from ...ingest.erasure import ErasureConfig
from ...ingest.write_options import WriteConfig
from ...memtypes.jsontypes import SettingsGroup
from ...memtypes.limits import MAX_ITEMS_PER_REQUEST
from ...retrieval.options import RetrievalConfig
from ...sessions.thread_writes import ThreadConfig
from ...sessions.working_memory import WorkingConfig

# The rate limit a server with API keys gets unless MNEMO_RATE_LIMIT_PER_MINUTE says otherwise: 50
# requests a second per tenant, bursts of 600; far above one agent's pace, far below a flood.
MULTI_TENANT_RATE_PER_MINUTE = 3_000
MULTI_TENANT_RATE_BURST = 600


class EmbeddingConfig(SettingsGroup):
    """The embedding model: the `embedding` group (MNEMO_EMBEDDING__*)."""

    backend: Literal["sentence-transformers", "static"] = Field(
        default="sentence-transformers",
        description="`static`: a model2vec model made by `mnemo distill` (MNEMO_EMBEDDING__MODEL = its dir)",
    )
    model: str = Field(
        default="all-MiniLM-L6-v2",
        description="a sentence-transformers model name or directory (with `static`: the model dir); "
        "a model of another dimension needs its own data dir or collection prefix",
    )
    runtime: Literal["onnx", "torch"] = Field(
        default="onnx",
        description="how a sentence-transformers model runs: `onnx` (ONNX Runtime, the same vectors ~3x "
        "faster on CPU; exported once into MNEMO_EMBEDDING__ONNX_CACHE) or `torch`",
    )
    onnx_cache: Path | None = Field(
        default=None,
        description="where the exported ONNX graph is kept; unset = $XDG_CACHE_HOME/mnemo/onnx or "
        "~/.cache/mnemo/onnx",
    )
    bulk_niceness: int = Field(
        default=10,
        ge=0,
        le=19,
        description="how much nicer than the service batch embedding runs (Linux, per thread): "
        "retrievals get the cores first while a large write embeds; 0 = same priority",
    )


class ReviewerConfig(SettingsGroup):
    """An optional LLM importance reviewer: the `reviewer` group (MNEMO_REVIEWER__*)."""

    url: str | None = Field(default=None, description="OpenAI-compatible endpoint; unset = off")
    model: str = Field(default="gpt-4o-mini", description="the model named in each review request")
    api_key: SecretStr | None = Field(
        default=None, description="bearer key of the endpoint; unset = none sent"
    )


class Settings(BaseSettings):
    """Server-wide knobs at the top; each component's own config is a group whose model is the very
    config object that component takes (`settings.retrieval` is the Retriever's `RetrievalConfig`).

    A group's field is set as MNEMO_<GROUP>__<FIELD> (MNEMO_REDIS__URL), in the environment or the
    .env file; as a keyword argument, the group takes a dict or its config object
    (`Settings(redis={"url": ...})`).
    """

    model_config = SettingsConfigDict(
        env_prefix="MNEMO_", env_file=".env", env_nested_delimiter="__", extra="ignore"
    )

    data_dir: Path = Field(default=Path("./data"), description="where the embedded engines keep their data")
    # Below this much free space on the data dir's filesystem, writes are refused with
    # 507 before they reach a memory-mapped file (where a full disk is a SIGBUS): backends/storage_reserve.py.
    storage_reserve_mb: float = Field(
        default=256.0,
        ge=0.0,
        description="free MiB kept on the data dir's filesystem: writes get 507 below it; 0 = no check",
    )
    host: str = Field(
        default="127.0.0.1",
        description="address `mnemo serve` listens on; without API keys it stays on 127.0.0.1 whatever "
        "this says",
    )
    port: int = Field(default=8080, ge=1, le=65535, description="port `mnemo serve` listens on")
    api_keys: SecretStr | None = Field(
        default=None,
        description="comma-separated `key:tenant` pairs; unset = single-tenant mode on 127.0.0.1 only",
    )
    admin_key: SecretStr | None = Field(
        default=None,
        description="bearer key of the admin calls (online backup, /v1/admin/…) when API keys are set; "
        "in single-tenant mode they need none",
    )
    signing_key_file: Path | None = Field(
        default=None,
        description="the Ed25519 private key (PEM) that signs forget receipts and backup manifests; "
        "unset = one created in the data dir on first start (`signing-key.pem`)",
    )
    id_key_file: Path | None = Field(
        default=None,
        description="the 32-byte secret that keys memory ids and content digests per tenant (an id "
        "then cannot confirm a guessed text); unset = one created in the data dir on first start "
        "(`id-key`). Replicas sharing a Qdrant server must share one file; back it up with the data",
    )
    collection_prefix: str = Field(
        default="mnemo",
        pattern=r"^[a-z][a-z0-9_]{0,31}$",
        description="names the vector collections (`<prefix>_<type>`): services sharing one Qdrant server "
        "each take their own",
    )
    default_encoding: str = Field(
        default="cl100k_base",
        pattern=r"^(cl100k_base|o200k_base)$",
        description="tiktoken encoding that counts token budgets when a request names neither a model nor "
        "an encoding",
    )
    max_request_bytes: int = Field(
        default=8 * 1024 * 1024, ge=1024, description="largest request body accepted; a larger one is a 413"
    )
    max_items_per_request: int = Field(
        default=1_000,
        ge=1,
        le=MAX_ITEMS_PER_REQUEST,
        description="most memories one `POST /v1/memories` may carry; more is a 422",
    )
    access_flush_interval_s: float = Field(
        default=30.0,
        gt=0.0,
        le=3600.0,
        description="how often access counts of retrieved memories are written",
    )
    log_level: str = Field(
        default="INFO",
        pattern=r"^(DEBUG|INFO|WARNING|ERROR)$",
        description="least severe log record written (`mnemo serve --debug` forces DEBUG)",
    )
    # Observability: structured logs (metrics need no settings; /metrics is always served).
    log_format: Literal["json", "text", "auto"] = Field(
        default="auto", description="json lines, readable text, or auto: text at a terminal, else json"
    )

    # The components' groups.
    qdrant: QdrantConfig = Field(default_factory=QdrantConfig)
    redis: RedisConfig = Field(default_factory=RedisConfig)
    embedding: EmbeddingConfig = Field(default_factory=EmbeddingConfig)
    retrieval: RetrievalConfig = Field(default_factory=RetrievalConfig)
    write: WriteConfig = Field(default_factory=WriteConfig)
    reviewer: ReviewerConfig = Field(default_factory=ReviewerConfig)
    working: WorkingConfig = Field(default_factory=WorkingConfig)
    threads: ThreadConfig = Field(default_factory=ThreadConfig)
    forget: ErasureConfig = Field(default_factory=ErasureConfig)  # when a forget's text leaves the files

    # Memory resources and agent bindings: a YAML file read and validated when the app is created.
    config: Path | None = Field(
        default=None, description="MNEMO_CONFIG: YAML of memory resources and agents; unset = no agents"
    )
    # Resilience, rate limits and replicas (api/guards/rate_limit.py,
    # api/guards/resilience.py).
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
    # Hardening: browsers, fair sharing between tenants (api/guards/request_gate.py,
    # api/guards/fairness.py).
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
    # The CPU scheduler in front of retrievals and memory writes (api/guards/scheduler.py).
    cpu_slots: int = Field(
        default=0, ge=0, le=1_024, description="heavy requests running at once; 0 = the usable cores"
    )
    cpu_queue_per_tenant: int = Field(
        default=64, ge=1, le=100_000, description="a tenant's heavy requests waiting for a slot, then 429"
    )
    cpu_queue_s: float = Field(
        default=30.0, ge=0.0, le=600.0, description="longest wait for a CPU slot, then 503"
    )
    embed_chars_per_s: float = Field(
        default=500_000.0, gt=0.0, description="characters a tenant's writes may embed per second"
    )
    embed_chars_burst: int = Field(
        default=8_000_000, ge=1_000, description="the most one request (or a burst) may embed"
    )
    # Idle and slow clients, at the connection (api/guards/connections.py; `mnemo serve`).
    header_timeout_s: float = Field(
        default=10.0,
        gt=0.0,
        le=600.0,
        description="a client sends a request's headers within this (from connecting, or from its "
        "last response), else its connection is closed",
    )
    body_timeout_s: float = Field(
        default=60.0,
        gt=0.0,
        le=3600.0,
        description="a client sends a request's whole body within this after its headers, else its "
        "connection is closed (a 400)",
    )
    max_connections: int = Field(
        default=0,
        ge=0,
        le=1_000_000,
        description="open HTTP connections at once; past it the longest idle one is closed, or the "
        "new one refused (503); 0 = what the process's descriptor limit leaves room for",
    )
    # `GET /mcp` event streams (api/mcp/streams.py)
    mcp_streams_per_tenant: int = Field(
        default=4, ge=1, le=10_000, description="a tenant's open `GET /mcp` event streams; one more is a 429"
    )
    mcp_stream_idle_s: float = Field(
        default=300.0, gt=0.0, le=86_400.0, description="idle `GET /mcp` streams close after this"
    )
    mcp_mask_sensitive: bool = Field(
        default=False,
        description="the `/mcp` tools return secrets and personal data as typed placeholders (`[CARD]`); "
        "the stored memories keep them",
    )

    @classmethod
    def env_names(cls) -> frozenset[str]:
        """Every environment variable that sets something: top-level and grouped (MNEMO_REDIS__URL)."""
        names: set[str] = set()
        for name, info in cls.model_fields.items():
            group = info.annotation
            if isinstance(group, type) and issubclass(group, BaseModel):
                names.update(f"MNEMO_{name}__{field}".upper() for field in group.model_fields)
            else:
                names.add(f"MNEMO_{name.upper()}")
        return frozenset(names)

    @model_validator(mode="after")
    def _acknowledgement_needs_replicas(self) -> Settings:
        if self.working.ack_replicas and self.redis.url is None:
            raise ValueError(
                "MNEMO_WORKING__ACK_REPLICAS needs a Redis with replicas (MNEMO_REDIS__URL): the "
                "embedded redis-server has none, so no write could ever be acknowledged"
            )
        return self

    @property
    def storage_reserve_bytes(self) -> int:
        return int(self.storage_reserve_mb * 1024 * 1024)

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
