"""The packaged MiniLM on ONNX Runtime gives PyTorch's vectors; the export is cached on disk."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import numpy as np
import pytest

from backends.embedder import SentenceTransformerEmbedder, _onnx_encoder, resolve_model_path
from backends.embedder_onnx import exportable

TEXTS = [
    "hi",
    "Caroline: I went to a LGBTQ support group yesterday and it was so powerful.",
    "order 4471 shipped",
    "a much longer memory " * 40,  # padded beside the short ones, and cut at the model's 256 tokens
]


@pytest.fixture(scope="module")
def torch_embedder() -> SentenceTransformerEmbedder:
    return SentenceTransformerEmbedder(runtime="torch")


def vectors(embedder: SentenceTransformerEmbedder, texts: list[str]) -> np.ndarray:
    return np.array(asyncio.run(embedder.embed(texts)))


def test_onnx_vectors_equal_pytorch_ones_in_batches_and_alone(
    tmp_path: Path, torch_embedder: SentenceTransformerEmbedder
) -> None:
    onnx = SentenceTransformerEmbedder(runtime="onnx", onnx_cache=tmp_path)
    assert (onnx.runtime, torch_embedder.runtime) == ("onnx", "torch")
    [exported] = tmp_path.glob("*.onnx")
    expected = vectors(torch_embedder, TEXTS)
    assert np.abs(vectors(onnx, TEXTS) - expected).max() < 1e-5
    alone = [vectors(onnx, [t])[0] for t in TEXTS]
    assert np.abs(np.array(alone) - expected).max() < 1e-5
    assert np.linalg.norm(alone, axis=1) == pytest.approx([1.0] * len(TEXTS), abs=1e-5)

    # A second embedder (another process, another start) loads the cached graph, exports nothing.
    written = exported.stat().st_mtime_ns
    again = SentenceTransformerEmbedder(runtime="onnx", onnx_cache=tmp_path)
    assert again.runtime == "onnx"
    assert [p.name for p in tmp_path.iterdir()] == [exported.name]  # no leftover partial file either
    assert exported.stat().st_mtime_ns == written
    assert np.abs(vectors(again, TEXTS) - expected).max() < 1e-5

    # A damaged cache file (say a crash right after the rename) is exported again, not fatal.
    exported.write_bytes(b"not a graph")
    repaired = SentenceTransformerEmbedder(runtime="onnx", onnx_cache=tmp_path)
    assert repaired.runtime == "onnx"
    assert np.abs(vectors(repaired, TEXTS) - expected).max() < 1e-5
    for embedder in (onnx, again, repaired):
        embedder.close()


def test_a_model_the_export_cannot_reproduce_stays_on_pytorch(caplog: pytest.LogCaptureFixture) -> None:
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.models import Pooling, Transformer

    transformer = Transformer(resolve_model_path("all-MiniLM-L6-v2"))
    cls_pooled = SentenceTransformer(modules=[transformer, Pooling(384, pooling_mode="cls")], device="cpu")
    assert not exportable(cls_pooled)
    with caplog.at_level(logging.WARNING, logger="mnemo.embedder"):
        assert _onnx_encoder(cls_pooled, "cls-pooled") is None
    assert "runs on PyTorch" in caplog.text


async def test_concurrent_queries_share_model_runs_and_get_their_own_vectors(tmp_path: Path) -> None:
    embedder = SentenceTransformerEmbedder(runtime="onnx", onnx_cache=tmp_path)
    try:
        queries = [f"what did Caroline say about the trip on day {i}?" for i in range(12)]
        alone = [(await embedder.embed([q]))[0] for q in queries]  # one after the other: a run each
        runs = embedder._queries.batches
        together = await asyncio.gather(*(embedder.embed([q]) for q in queries))
        assert embedder._queries.batches - runs < len(queries)  # queued ones shared a run
        np.testing.assert_allclose(np.array([v[0] for v in together]), np.array(alone), atol=1e-5)
    finally:
        embedder.close()
