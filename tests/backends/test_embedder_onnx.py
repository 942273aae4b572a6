"""The packaged MiniLM on ONNX Runtime gives PyTorch's vectors; the export is cached on disk."""

from __future__ import annotations

import asyncio
import logging
import os
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from mnemo.backends.embedding.embedder import SentenceTransformerEmbedder, _onnx_encoder, resolve_model_path
from mnemo.backends.embedding.onnx import _PROBES, TOKENIZER_SUFFIX, exportable

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

    # A second embedder (another process, another start) runs from the cached graph and tokenizer
    # alone, without loading the model; it exports nothing.
    written = exported.stat().st_mtime_ns
    tokenizer = exported.with_suffix(TOKENIZER_SUFFIX)
    again = SentenceTransformerEmbedder(runtime="onnx", onnx_cache=tmp_path)
    assert (again.runtime, again._model, again.dimension) == ("onnx", None, 384)
    # No leftover partial file either.
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([exported.name, tokenizer.name])
    assert exported.stat().st_mtime_ns == written
    assert np.abs(vectors(again, TEXTS) - expected).max() < 1e-5
    assert np.abs(vectors(again, _PROBES) - vectors(torch_embedder, _PROBES)).max() < 1e-5

    # A damaged cache file (say a crash right after the rename) is exported again, not fatal.
    exported.write_bytes(b"not a graph")
    repaired = SentenceTransformerEmbedder(runtime="onnx", onnx_cache=tmp_path)
    assert repaired.runtime == "onnx"
    assert repaired._model is not None  # the cached files did not load: from the model
    assert np.abs(vectors(repaired, TEXTS) - expected).max() < 1e-5
    assert tokenizer.is_file()  # written again beside the new graph
    for embedder in (onnx, again, repaired):
        embedder.close()


def test_a_start_from_the_cache_imports_neither_pytorch_nor_the_model_libraries(tmp_path: Path) -> None:
    """What makes a restart fast (benchmarks/JOURNAL.md, crash loops): a fresh process that finds the
    graph and the tokenizer cached imports none of torch, transformers, sentence-transformers."""
    SentenceTransformerEmbedder(runtime="onnx", onnx_cache=tmp_path).close()  # exports both
    probe = (
        "import asyncio, sys; from pathlib import Path\n"
        "from mnemo.backends.embedding.embedder import SentenceTransformerEmbedder\n"
        f"e = SentenceTransformerEmbedder(runtime='onnx', onnx_cache=Path({str(tmp_path)!r}))\n"
        "assert len(asyncio.run(e.embed(['hello'])) [0]) == 384\n"
        "print(sorted(m for m in ('torch', 'transformers', 'sentence_transformers') if m in sys.modules))"
    )
    command = [sys.executable, "-c", probe]
    out = subprocess.run(command, capture_output=True, text=True, check=True, timeout=300)
    assert out.stdout.strip() == "[]"


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


def _niceness_of_threads() -> dict[int, int]:
    """Each thread of this process: its niceness (Linux: /proc/self/task/<tid>/stat, field 19)."""
    out = {}
    for task in Path("/proc/self/task").iterdir():
        try:
            stat = (task / "stat").read_text()
        except (FileNotFoundError, ProcessLookupError):  # the thread ended since it was listed
            continue
        fields = stat.rsplit(")", 1)[1].split()
        out[int(task.name)] = int(fields[16])
    return out


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="per-thread niceness is Linux's")
async def test_a_query_never_waits_behind_a_batch_and_the_batch_yields_the_cores(tmp_path: Path) -> None:
    earlier = set(_niceness_of_threads())  # other tests' embedders have threads of their own
    embedder = SentenceTransformerEmbedder(runtime="onnx", onnx_cache=tmp_path, bulk_niceness=7)
    gate = threading.Event()
    try:
        query, long_text = "when did Caroline go to the support group?", "a memory about the lake " * 60
        [alone] = await embedder.embed([query])
        [long_alone] = await embedder.embed([long_text])  # one text: the single lane
        # The bulk lane busy (as with a slice of a large write) until the gate opens: a query and a
        # short write still get their vectors meanwhile.
        busy = asyncio.get_running_loop().run_in_executor(embedder._executor, gate.wait)
        batch = asyncio.ensure_future(embedder.embed([long_text, query, long_text]))
        [during] = await asyncio.wait_for(embedder.embed([query]), timeout=60)
        assert not batch.done()
        gate.set()
        await busy
        np.testing.assert_allclose(during, alone, atol=1e-6)
        np.testing.assert_allclose(await batch, [long_alone, alone, long_alone], atol=1e-5)  # lanes agree
        # The bulk lane's thread and the ONNX Runtime workers it started run at the lower priority;
        # the event loop's thread and the single lane's do not.
        niceness = _niceness_of_threads()
        base = os.getpriority(os.PRIO_PROCESS, 0)  # a test run under `nice` starts above 0
        assert niceness[threading.get_native_id()] == base
        assert sorted({n for tid, n in niceness.items() if tid not in earlier}) == [base, min(19, base + 7)]
    finally:
        gate.set()
        embedder.close()


async def test_a_query_alone_runs_right_away_on_every_core_unless_the_lanes_are_busy(tmp_path: Path) -> None:
    embedder = SentenceTransformerEmbedder(runtime="onnx", onnx_cache=tmp_path)
    gate = threading.Event()
    try:
        query, long_text = "when did Caroline go to the support group?", "a memory about the lake " * 60
        [shared] = await embedder.embed([query])
        batches = embedder._queries.batches
        [alone] = await embedder.embed([query], alone=True)
        assert embedder._queries.batches == batches  # not handed to the single lane
        np.testing.assert_allclose(alone, shared, atol=1e-5)

        # A batch in the bulk lane has the cores: a query alone waits its turn in the single lane.
        busy = asyncio.get_running_loop().run_in_executor(embedder._executor, gate.wait)
        batch = asyncio.ensure_future(embedder.embed([long_text, query, long_text]))
        await asyncio.sleep(0)  # the batch starts
        [during] = await asyncio.wait_for(embedder.embed([query], alone=True), timeout=60)
        assert embedder._queries.batches == batches + 1
        np.testing.assert_allclose(during, shared, atol=1e-5)
        gate.set()
        await busy
        await batch
    finally:
        gate.set()
        embedder.close()
