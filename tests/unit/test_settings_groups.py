"""Configuration in one place: each settings group is the config object its component takes, set as
MNEMO_<GROUP>__<FIELD> (environment, .env) or as a keyword argument naming the group."""

from __future__ import annotations

from pathlib import Path

import pytest

from mnemo.api.config.settings import Settings
from mnemo.backends.redis.client import RedisConfig
from mnemo.ingest.write_options import WriteConfig
from mnemo.memtypes.queries import Fusion
from mnemo.memtypes.types import MemoryType
from mnemo.retrieval.options import RetrievalConfig
from mnemo.sessions.working_memory import WorkingConfig


def test_groups_are_the_components_config_objects() -> None:
    settings = Settings()
    assert isinstance(settings.retrieval, RetrievalConfig)
    assert isinstance(settings.write, WriteConfig)
    assert isinstance(settings.redis, RedisConfig)
    assert isinstance(settings.working, WorkingConfig)
    # One source of truth for the defaults: the component's own.
    assert settings.retrieval == RetrievalConfig()
    assert settings.write.dedup == WriteConfig().dedup


def test_grouped_env_names_set_their_groups(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MNEMO_RETRIEVAL__FUSION", "rrf")
    monkeypatch.setenv("MNEMO_REDIS__URL", "redis://example:6380/0")
    monkeypatch.setenv("MNEMO_RETRIEVAL__DEFAULT_WORKING_BUDGET_TOKENS", "321")
    monkeypatch.setenv("MNEMO_WRITE__MERGE_THRESHOLDS", '{"semantic": 0.5}')
    monkeypatch.setenv("MNEMO_THREADS__TTL_S", "60")
    settings = Settings()
    assert settings.retrieval.fusion is Fusion.RRF
    assert settings.redis.url is not None
    assert settings.redis.url.get_secret_value() == "redis://example:6380/0"
    assert settings.retrieval.default_working_budget_tokens == 321
    assert settings.write.dedup.thresholds[MemoryType.SEMANTIC] == 0.5
    assert settings.threads.ttl_s == 60.0


def test_flat_names_set_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    """The one name of a grouped setting is MNEMO_<GROUP>__<FIELD>; no flat alias reads beside it."""
    monkeypatch.setenv("MNEMO_REDIS_URL", "redis://example:6380/0")
    monkeypatch.setenv("MNEMO_NEIGHBOURS", "1")
    settings = Settings()
    assert settings.redis.url is None
    assert settings.retrieval.neighbours == RetrievalConfig().neighbours
    assert "MNEMO_REDIS_URL" not in Settings.env_names()
    assert "MNEMO_REDIS__URL" in Settings.env_names()


def test_keyword_arguments_merge_with_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MNEMO_QDRANT__URL", "http://from-env:6333")
    monkeypatch.setenv("MNEMO_QDRANT__SHARD_KEYS", "12")
    settings = Settings(qdrant={"url": "http://kwarg:6333"}, working={"max_tokens": 7})
    assert settings.qdrant.url == "http://kwarg:6333"  # an argument wins over the environment
    assert settings.qdrant.shard_keys == 12  # and the group's other fields still come from it
    assert settings.working.max_tokens == 7


def test_grouped_names_in_a_dotenv_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text(
        "MNEMO_RETRIEVAL__DEFAULT_BUDGET_TOKENS=1234\nMNEMO_REDIS__LOCK_WAIT_S=0.5\n"
    )
    settings = Settings()
    assert settings.retrieval.default_budget_tokens == 1234
    assert settings.redis.lock_wait_s == 0.5


def test_a_bad_value_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MNEMO_RETRIEVAL__DIVERSITY", "1.5")
    with pytest.raises(ValueError, match="diversity"):
        Settings()


def test_replica_acknowledgement_is_refused_with_the_embedded_redis() -> None:
    """The embedded redis-server has no replicas: no write could ever be acknowledged."""
    with pytest.raises(ValueError, match="embedded redis-server has none"):
        Settings(working={"ack_replicas": 1})
    assert Settings(working={"ack_replicas": 0}).working.ack_replicas == 0
    acked = Settings(redis={"url": "redis://127.0.0.1:6379/0"}, working={"ack_replicas": 1})
    assert (acked.working.ack_replicas, acked.working.ack_timeout_ms) == (1, 100)
    with pytest.raises(ValueError, match="ack_timeout_ms"):
        Settings(redis={"url": "redis://127.0.0.1:6379/0"}, working={"ack_replicas": 1, "ack_timeout_ms": 0})


def test_a_task_idle_through_a_lunch_break_is_still_there() -> None:
    # A coding session's todo list is a task: archiving it after minutes of idleness loses the
    # session's state to a coffee break.
    assert Settings().working.ttl_s >= 3600
