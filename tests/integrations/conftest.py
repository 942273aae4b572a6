"""One real `mnemo serve` process for the integration tests (client, MCP, hooks): a subprocess on a
free loopback port with two API keys (two tenants), the test Redis under its own key prefix, and an
MNEMO_CONFIG that registers a model with a tokenizer.json trained for the session."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis

from tests.conftest import served_redis_env
from tests.served import SERVE, free_port, served
from tests.unit.test_model_registry import train_byte_level_bpe

KEYS = {"a": "key-of-tenant-a", "b": "key-of-tenant-b"}


@dataclass(frozen=True)
class MnemoServer:
    url: str
    keys: dict[str, str]
    log: Path


def unused_url() -> str:
    """A loopback URL nothing listens on: mnemo is down."""
    return f"http://127.0.0.1:{free_port()}"


@pytest.fixture(scope="session")
def mnemo_server(tmp_path_factory: pytest.TempPathFactory, redis_url: str) -> Iterator[MnemoServer]:
    root = tmp_path_factory.mktemp("mnemo-serve")
    train_byte_level_bpe(root / "tiny-tokenizer.json")
    (root / "mnemo.yaml").write_text(
        "version: 1\nmodels:\n"
        "  - {name: tiny-llama, context_window: 2000, tokenizer: {huggingface: tiny-tokenizer.json}}\n"
        "  - {name: claude-like, context_window: 2000, tokenizer: {estimate: {chars_per_token: 3.5}}}\n"
    )
    port, prefix = free_port(), f"itest-{uuid.uuid4().hex[:10]}"
    env = dict(
        os.environ,
        HF_HUB_OFFLINE="1",
        MNEMO_DATA_DIR=str(root / "data"),
        MNEMO_HOST="127.0.0.1",
        MNEMO_PORT=str(port),
        MNEMO_API_KEYS=",".join(f"{key}:tenant-{name}" for name, key in KEYS.items()),
        **served_redis_env(redis_url),
        MNEMO_REDIS__KEY_PREFIX=prefix,
        MNEMO_CONFIG=str(root / "mnemo.yaml"),
    )
    try:
        with served(SERVE, env, port, root / "serve.log", timeout_s=180) as url:
            yield MnemoServer(url, KEYS, root / "serve.log")
    finally:
        on_cluster = served_redis_env(redis_url)["MNEMO_REDIS__CLUSTER"] == "true"
        client = redis.RedisCluster.from_url(redis_url) if on_cluster else redis.Redis.from_url(redis_url)
        for key in list(client.scan_iter(match=f"{prefix}:*", count=1000)):
            client.delete(key)  # one by one: on a cluster the keys lie in many slots
        client.close()
