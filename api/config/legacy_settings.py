"""The flat MNEMO_* names of earlier releases, kept working as aliases of the grouped settings.

`MNEMO_REDIS_URL` is `MNEMO_REDIS__URL`, `MNEMO_FUSION` is `MNEMO_RETRIEVAL__FUSION`, and so on: no
user's environment, .env file or `Settings(redis_url=...)` call breaks. Where both are given in the
same place, the grouped name wins; a keyword argument wins over anything from the environment.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from dotenv import dotenv_values
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource

# flat name → (group, field)
LEGACY_NAMES: dict[str, tuple[str, str]] = {
    "qdrant_url": ("qdrant", "url"),
    "qdrant_api_key": ("qdrant", "api_key"),
    "qdrant_timeout_s": ("qdrant", "timeout_s"),
    "qdrant_breaker_failures": ("qdrant", "breaker_failures"),
    "qdrant_breaker_reset_s": ("qdrant", "breaker_reset_s"),
    "qdrant_sharding": ("qdrant", "sharding"),
    "qdrant_shard_keys": ("qdrant", "shard_keys"),
    "qdrant_replication_factor": ("qdrant", "replication_factor"),
    "optimize_threshold": ("qdrant", "optimize_threshold"),
    "durable_writes": ("qdrant", "durable_writes"),
    "redis_url": ("redis", "url"),
    "redis_key_prefix": ("redis", "key_prefix"),
    "redis_cluster": ("redis", "cluster"),
    "redis_failover_wait_s": ("redis", "failover_wait_s"),
    "redis_timeout_s": ("redis", "timeout_s"),
    "redis_breaker_failures": ("redis", "breaker_failures"),
    "redis_breaker_reset_s": ("redis", "breaker_reset_s"),
    "lock_ttl_s": ("redis", "lock_ttl_s"),
    "lock_wait_s": ("redis", "lock_wait_s"),
    "embedding_backend": ("embedding", "backend"),
    "embedding_model": ("embedding", "model"),
    "embedding_runtime": ("embedding", "runtime"),
    "onnx_cache": ("embedding", "onnx_cache"),
    "default_budget_tokens": ("retrieval", "default_budget_tokens"),
    "model_budget_share": ("retrieval", "model_budget_share"),
    "working_budget_tokens": ("retrieval", "default_working_budget_tokens"),
    "search": ("retrieval", "search"),
    "fusion": ("retrieval", "fusion"),
    "diversity": ("retrieval", "diversity"),
    "neighbours": ("retrieval", "neighbours"),
    "temporal": ("retrieval", "temporal"),
    "prefilter_min_chars": ("write", "prefilter_min_chars"),
    "filler_phrases": ("write", "filler_phrases"),
    "merge_thresholds": ("write", "merge_thresholds"),
    "review_timeout_s": ("write", "review_timeout_s"),
    "llm_reviewer_url": ("reviewer", "url"),
    "llm_reviewer_model": ("reviewer", "model"),
    "llm_reviewer_api_key": ("reviewer", "api_key"),
    "working_max_tokens": ("working", "max_tokens"),
    "working_ttl_s": ("working", "ttl_s"),
    "working_sweep_interval_s": ("working", "sweep_interval_s"),
    "thread_ttl_s": ("threads", "ttl_s"),
}
# Given as JSON in the environment, as the settings' own env source reads complex fields.
_JSON_VALUED = frozenset({"prefilter_min_chars", "filler_phrases", "merge_thresholds"})
_PREFIX = "mnemo_"


def nest_legacy(data: Mapping[str, Any]) -> dict[str, Any]:
    """`data` with each flat name moved into its group (over what the group already had there)."""
    out = dict(data)
    for flat, (group, name) in LEGACY_NAMES.items():
        if flat not in out:
            continue
        value = out.pop(flat)
        current = out.get(group)
        if current is None:
            out[group] = {name: value}
        elif isinstance(current, Mapping):
            out[group] = {**current, name: value}
        else:  # a config object given whole: the flat name still wins
            out[group] = current.model_copy(update={name: value})
    return out


def _from_strings(values: Mapping[str, str | None]) -> dict[str, Any]:
    lowered = {k.lower(): v for k, v in values.items()}
    flat: dict[str, Any] = {}
    for name in LEGACY_NAMES:
        raw = lowered.get(_PREFIX + name)
        if raw is None:
            continue
        flat[name] = json.loads(raw) if name in _JSON_VALUED else raw
    return nest_legacy(flat)


class _LegacySource(PydanticBaseSettingsSource):
    def __init__(self, settings_cls: type[BaseSettings], values: Callable[[], Mapping[str, str | None]]):
        super().__init__(settings_cls)
        self._values = values

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False  # __call__ reads the names itself

    def __call__(self) -> dict[str, Any]:
        return _from_strings(self._values())


class LegacyEnvSource:
    """The flat names in the process environment and in the .env file, as two settings sources."""

    def __init__(self, settings_cls: type[BaseSettings], env_file: Any) -> None:
        self.settings_cls = settings_cls
        self.env_file = env_file

    def from_environ(self) -> PydanticBaseSettingsSource:
        return _LegacySource(self.settings_cls, lambda: os.environ)

    def from_dotenv(self) -> PydanticBaseSettingsSource:
        def read() -> Mapping[str, str | None]:
            if not isinstance(self.env_file, str | Path) or not Path(self.env_file).is_file():
                return {}
            return dotenv_values(self.env_file)

        return _LegacySource(self.settings_cls, read)
