"""Both `VectorIndex` backends on real engines: Qdrant Edge on a temp dir, qdrant-client's `:memory:` mode."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from qdrant_client import AsyncQdrantClient

from mnemo.backends.embedding.embedder import SentenceTransformerEmbedder
from mnemo.backends.qdrant.config import QdrantConfig
from mnemo.backends.qdrant_edge.index import EdgeVectorIndex
from mnemo.backends.qdrant_edge.process import EdgeProcessIndex
from mnemo.backends.qdrant_server.index import QdrantClientVectorIndex
from mnemo.memtypes.ports import VectorIndex
from tests.backends.congruence import compare_indexes
from tests.conftest import copy_sparse

DIMENSION = 8
PREFIX = "test"
BACKENDS = ("edge", "client")
# Every scenario on each engine alone, and once more on both at once, their answers compared; and
# on Qdrant Edge in a process of its own (`backends/qdrant_edge/process.py`), where every call is pickled.
SCENARIO_RUNS = (*BACKENDS, "congruent", "edge_process")


@pytest.fixture(scope="module")
def embedder() -> Iterator[SentenceTransformerEmbedder]:
    """The packaged MiniLM model, loaded once per test module."""
    model = SentenceTransformerEmbedder()
    yield model
    model.close()


@pytest.fixture(scope="session")
async def edge_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty, closed Edge data dir with every shard and payload index in place.

    Creating the five shards and their payload indexes costs about a second (one fsync per index);
    loading a copy costs a tenth of that, which keeps the suite fast. The copy must stay sparse: Edge
    preallocates its WAL and storage pages, so the dir is ~870 MB apparent but ~2 MB on disk.
    """
    path = tmp_path_factory.mktemp("edge-template") / "data"
    index = EdgeVectorIndex(path, PREFIX, DIMENSION)
    await index.open()
    await index.close()
    return path


@pytest.fixture
def data_dir(tmp_path: Path, edge_template: Path) -> Path:
    """A fresh copy of the session's empty Edge data dir (creating one from scratch costs ~1 s)."""
    copy_sparse(edge_template, tmp_path / "data")
    return tmp_path / "data"


def make_index(
    kind: str, tmp_path: Path, template: Path
) -> EdgeVectorIndex | QdrantClientVectorIndex | EdgeProcessIndex:
    if kind == "edge_process":
        copy_sparse(template, tmp_path / "edge_process")
        cache = QdrantConfig().payload_cache
        return EdgeProcessIndex(tmp_path / "edge_process", PREFIX, DIMENSION, payload_cache=cache)
    if kind == "edge":
        copy_sparse(template, tmp_path / "edge")
        # With the payload cache the service runs with: every scenario checks it stays coherent.
        return EdgeVectorIndex(
            tmp_path / "edge", PREFIX, DIMENSION, payload_cache=QdrantConfig().payload_cache
        )
    return QdrantClientVectorIndex(AsyncQdrantClient(location=":memory:"), PREFIX, DIMENSION)


@pytest.fixture(params=SCENARIO_RUNS)
async def index(
    request: pytest.FixtureRequest, tmp_path: Path, edge_template: Path
) -> AsyncIterator[VectorIndex]:
    idx: VectorIndex
    if request.param == "congruent":
        idx = compare_indexes(
            make_index("edge", tmp_path, edge_template), make_index("client", tmp_path, edge_template)
        )
    else:
        idx = make_index(request.param, tmp_path, edge_template)
    await idx.open()
    yield idx
    await idx.close()


@pytest.fixture
async def both(tmp_path: Path, edge_template: Path) -> AsyncIterator[tuple[VectorIndex, VectorIndex]]:
    """One index of each kind, for checks that the two engines agree."""
    edge, client = make_index("edge", tmp_path, edge_template), make_index("client", tmp_path, edge_template)
    await edge.open()
    await client.open()
    yield edge, client
    await edge.close()
    await client.close()
