"""Configuration in one place: each settings group is the config object its component takes, and
every flat MNEMO_* name of earlier releases still sets it (environment, .env, keyword argument)."""

from __future__ import annotations

from pathlib import Path

import pytest

from mnemo.api.config.settings import Settings
from mnemo.backends.redis.client import RedisConfig
from mnemo.ingest.working import WorkingConfig
from mnemo.ingest.write_options import WriteConfig
from mnemo.memtypes.queries import Fusion
from mnemo.memtypes.types import MemoryType
from mnemo.retrieval.options import RetrievalConfig


def test_groups_are_the_components_config_objects() -> None:
    settings = Settings()
    assert isinstance(settings.retrieval, RetrievalConfig)
    assert isinstance(settings.write, WriteConfig)
    assert isinstance(settings.redis, RedisConfig)
    assert isinstance(settings.working, WorkingConfig)
    # One source of truth for the defaults: the component's own.
    assert settings.retrieval == RetrievalConfig()
    assert settings.write.dedup == WriteConfig().dedup


def test_flat_env_names_still_work(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MNEMO_FUSION", "rrf")
    monkeypatch.setenv("MNEMO_REDIS_URL", "redis://example:6380/0")
    monkeypatch.setenv("MNEMO_WORKING_BUDGET_TOKENS", "321")
    monkeypatch.setenv("MNEMO_MERGE_THRESHOLDS", '{"semantic": 0.5}')
    monkeypatch.setenv("MNEMO_THREAD_TTL_S", "60")
    settings = Settings()
    assert settings.retrieval.fusion is Fusion.RRF
    assert settings.redis.url is not None
    assert settings.redis.url.get_secret_value() == "redis://example:6380/0"
    assert settings.retrieval.default_working_budget_tokens == 321
    assert settings.write.dedup.thresholds[MemoryType.SEMANTIC] == 0.5
    assert settings.threads.ttl_s == 60.0


def test_grouped_env_name_wins_over_its_flat_alias(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MNEMO_NEIGHBOURS", "1")
    monkeypatch.setenv("MNEMO_RETRIEVAL__NEIGHBOURS", "3")
    assert Settings().retrieval.neighbours == 3


def test_flat_keyword_arguments_go_to_their_groups(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MNEMO_QDRANT__URL", "http://from-env:6333")
    settings = Settings(qdrant_url="http://kwarg:6333", working_max_tokens=7, redis={"key_prefix": "zz"})
    assert settings.qdrant.url == "http://kwarg:6333"  # an argument wins over the environment
    assert settings.working.max_tokens == 7
    assert settings.redis.key_prefix == "zz"


def test_flat_names_in_a_dotenv_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("MNEMO_DEFAULT_BUDGET_TOKENS=1234\nMNEMO_LOCK_WAIT_S=0.5\n")
    settings = Settings()
    assert settings.retrieval.default_budget_tokens == 1234
    assert settings.redis.lock_wait_s == 0.5


def test_a_bad_value_under_a_flat_name_is_still_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MNEMO_DIVERSITY", "1.5")
    with pytest.raises(ValueError, match="diversity"):
        Settings()


def test_replica_acknowledgement_is_refused_with_the_embedded_redis() -> None:
    """The embedded redis-server has no replicas: no write could ever be acknowledged."""
    with pytest.raises(ValueError, match="embedded redis-server has none"):
        Settings(working={"ack_replicas": 1})
    assert Settings(working={"ack_replicas": 0}).working.ack_replicas == 0
    acked = Settings(redis_url="redis://127.0.0.1:6379/0", working={"ack_replicas": 1})
    assert (acked.working.ack_replicas, acked.working.ack_timeout_ms) == (1, 100)
    with pytest.raises(ValueError, match="ack_timeout_ms"):
        Settings(redis_url="redis://127.0.0.1:6379/0", working={"ack_replicas": 1, "ack_timeout_ms": 0})
