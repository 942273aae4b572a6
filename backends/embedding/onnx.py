"""The sentence-transformers model run by ONNX Runtime: the same vectors, in less time.

PyTorch eager mode spends most of a one-sentence query dispatching small operators; ONNX Runtime
runs the same graph in a fraction of the time, with the same vectors (tests allow 1e-5). The graph
is exported here, offline, from the model's own local weights (never downloaded) the first time a
model is used, and cached on disk under a key that changes with the
weights, the configuration and the exporter's versions.

Only models whose pipeline is transformer → mean pooling (→ normalize) are exported; any other
pipeline stays on PyTorch (see `SentenceTransformerEmbedder`).

Beside the graph goes the model's tokenizer as one `tokenizers` file, with the truncation and padding
the model applies, written only if it gives the model's own token ids on a set of probe texts. A
later start that finds both runs from them alone (`OnnxSentenceEncoder.from_cache`): it imports
neither PyTorch nor sentence-transformers nor transformers, whose imports were most of a restart
(benchmarks/README.md, engine notes).
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import threading
import warnings
from collections.abc import Callable
from functools import partial
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger("mnemo.embedder")
_OPSET = 17
TOKENIZER_SUFFIX = ".tokenizer.json"
# What a tokenizer snapshot must tokenize as the model does: case, accents, other scripts, emoji,
# invisible characters, whitespace around and inside, an empty text, one past the model's window.
_PROBES = [
    "hi",
    "  Caroline: I went to a LGBTQ support group yesterday!  ",
    "Ünïcödé naïve café — ÀÉÎ ß ﬁ",
    "東京で会議 📅 at 10:30, 회의는 서울에서",
    "tab\tand\nnewline\r\n zero\u200bwidth\u00a0space",
    "",
    "order #4471 shipped to 221B Baker St. on 2024-03-05 (ETA 3d) " * 30,
]
Tokens = tuple[np.ndarray, np.ndarray]  # input ids, attention mask: int64, padded to the longest text


def cache_dir(configured: Path | None = None) -> Path:
    """`configured` (MNEMO_EMBEDDING__ONNX_CACHE), else `$XDG_CACHE_HOME/mnemo/onnx`, else
    `~/.cache/mnemo/onnx`."""
    if configured is not None:
        return configured
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "mnemo" / "onnx"


def exportable(model: Any) -> bool:
    """True when the model is transformer → mean pooling (→ normalize), which the export reproduces.

    Modules are told by class name: their import paths moved between sentence-transformers versions."""
    names = [type(m).__name__ for m in model]
    if names[:2] != ["Transformer", "Pooling"] or any(n != "Normalize" for n in names[2:]):
        return False
    pooling = model[1]
    mode = getattr(pooling, "pooling_mode", None)
    if mode is None and hasattr(pooling, "get_pooling_mode_str"):
        mode = pooling.get_pooling_mode_str()
    return mode == "mean" and hasattr(model[0], "auto_model")


def _tokenizer(model: Any) -> Any:
    """The model's own tokenization (its lower-casing, stripping, truncation to max_seq_length):
    `preprocess` in sentence-transformers 6, `tokenize` before it."""
    preprocess = getattr(model, "preprocess", None)
    if preprocess is None:
        return model.tokenize
    return lambda texts: preprocess(inputs=texts)


def _model_tag(model_path: str) -> str:
    """The model's directory name and a hash of its path: two models never share cache files."""
    path = str(Path(model_path).resolve())
    return f"{Path(path).name}-{hashlib.sha256(path.encode()).hexdigest()[:8]}"


def _version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "absent"


def _cache_key(model_path: str) -> str:
    """Changes with the weights and configuration files and with the exporter's versions (read from
    the installed distributions: importing torch to ask would cost the seconds `from_cache` saves)."""
    digest = hashlib.sha256(f"{_version('torch')}|{_version('onnx')}|{_OPSET}".encode())
    root = Path(model_path)
    for file in sorted(p for p in root.rglob("*") if p.is_file()):
        stat = file.stat()
        digest.update(f"{file.relative_to(root)}|{stat.st_size}|{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:24]


def _export(model: Any, target: Path) -> None:
    import torch

    transformer = model[0].auto_model.eval()

    class MeanPooled(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.transformer = transformer

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            tokens = self.transformer(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(tokens.dtype)
            pooled = (tokens * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, dim=-1)

    sample = _tokenizer(model)(["an example sentence"])
    target.parent.mkdir(parents=True, exist_ok=True)
    # Written beside the target, then renamed: a crash or a concurrent export never leaves half a file.
    for stale in target.parent.glob(f"{target.stem.rsplit('-', 1)[0]}-*.*"):
        stale.unlink(missing_ok=True)  # this model's graphs (and tokenizers) of older weights or exporters
    with tempfile.NamedTemporaryFile(dir=target.parent, suffix=".tmp", delete=False) as tmp:
        staged = Path(tmp.name)
    try:
        # The tracer warns about every data-dependent branch of the model's Python code; the traced
        # graph is checked against PyTorch's output by the tests instead.
        with torch.inference_mode(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                MeanPooled(),
                (sample["input_ids"], sample["attention_mask"]),
                str(staged),
                input_names=["input_ids", "attention_mask"],
                output_names=["embedding"],
                dynamic_axes={
                    "input_ids": {0: "batch", 1: "tokens"},
                    "attention_mask": {0: "batch", 1: "tokens"},
                    "embedding": {0: "batch"},
                },
                opset_version=_OPSET,
                dynamo=False,  # the TorchScript exporter: no onnxscript needed
            )
        staged.replace(target)
    finally:
        staged.unlink(missing_ok=True)


def graph_path(model_path: str, cache: Path | None = None) -> Path:
    return cache_dir(cache) / f"{_model_tag(model_path)}-{_cache_key(model_path)}.onnx"


def _model_tokens(model: Any, texts: list[str]) -> Tokens:
    features = _tokenizer(model)(texts)
    return (
        features["input_ids"].numpy().astype(np.int64),
        features["attention_mask"].numpy().astype(np.int64),
    )


def _snapshot_tokens(tokenizer: Any, texts: list[str]) -> Tokens:
    encodings = tokenizer.encode_batch(texts)
    return (
        np.array([e.ids for e in encodings], dtype=np.int64),
        np.array([e.attention_mask for e in encodings], dtype=np.int64),
    )


def _save_tokenizer(model: Any, path: Path) -> None:
    """The model's tokenizer with the model's truncation and padding, as one `tokenizers` file, if it
    tokenizes the probes exactly as the model does (else nothing: each start then loads the model)."""
    from tokenizers import Tokenizer

    own: Any = getattr(model[0], "tokenizer", None)
    backend = getattr(own, "backend_tokenizer", None)
    if backend is None or own.pad_token_id is None:
        return
    snapshot = Tokenizer.from_str(backend.to_str())
    snapshot.enable_truncation(max_length=int(model.max_seq_length))
    snapshot.enable_padding(pad_id=int(own.pad_token_id), pad_token=str(own.pad_token))
    expected, got = _model_tokens(model, _PROBES), _snapshot_tokens(snapshot, _PROBES)
    if any(e.shape != g.shape or (e != g).any() for e, g in zip(expected, got, strict=True)):
        log.info("the tokenizer of %s does not reproduce alone: each start loads the model", path.stem)
        return
    with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".tmp", delete=False) as tmp:
        staged = Path(tmp.name)
    try:
        snapshot.save(str(staged))
        staged.replace(path)
    finally:
        staged.unlink(missing_ok=True)


class OnnxSentenceEncoder:
    """Encodes like `SentenceTransformer.encode(..., normalize_embeddings=True)` for an exportable model.

    `exported(model, ...)` from a loaded model (exported once, then cached); `from_cache(path)`
    from the cached graph and tokenizer alone."""

    def __init__(self, tokenize: Callable[[list[str]], Tokens], target: Path, export: Any = None) -> None:
        import onnxruntime

        self._tokenize = tokenize
        # The model's tokenizer sets its padding and truncation on every call: two threads at once
        # would collide ("Already borrowed"), so the two lanes take turns for this short step.
        self._tokenizing = threading.Lock()
        # A batch's activations come from ONNX Runtime's arena, which keeps its peak for good
        # (malloc_trim cannot take it back). Shrunk at the end of each bulk run, a large batch gives
        # its memory back and is no slower (benchmarks/README.md). Query runs (one text, tiny
        # buffers) keep their arena.
        self._give_back = onnxruntime.RunOptions()
        self._give_back.add_run_config_entry("memory.enable_memory_arena_shrinkage", "cpu:0")
        try:
            self._sessions = self._open_both(onnxruntime, target)
        except Exception:  # a damaged cache file (a crash after the rename): export it again, once
            if export is None:
                raise
            log.warning("the cached ONNX graph %s does not load: exporting it again", target)
            target.unlink(missing_ok=True)
            export()
            self._sessions = self._open_both(onnxruntime, target)
        width = self._sessions[0].get_outputs()[0].shape[-1]
        self.dimension: int | None = width if isinstance(width, int) else None

    @classmethod
    def exported(cls, model: Any, model_path: str, cache: Path | None = None) -> OnnxSentenceEncoder:
        target = graph_path(model_path, cache)
        export = partial(_export, model, target)
        if not target.exists():
            log.info("exporting the embedding model to ONNX (once): %s", target)
            export()
        encoder = cls(partial(_model_tokens, model), target, export)
        snapshot = target.with_suffix(TOKENIZER_SUFFIX)
        if not snapshot.exists():
            try:
                _save_tokenizer(model, snapshot)
            except Exception as exc:  # only later starts are slower for it: the model serves as it is
                log.warning("the tokenizer of %s was not saved beside its graph: %s", target.name, exc)
        return encoder

    @classmethod
    def from_cache(cls, model_path: str, cache: Path | None = None) -> OnnxSentenceEncoder | None:
        """Without loading the model: None unless the graph and the tokenizer are cached and load."""
        target = graph_path(model_path, cache)
        snapshot = target.with_suffix(TOKENIZER_SUFFIX)
        if not (target.is_file() and snapshot.is_file()):
            return None
        # As `load_model` sets it: a tokenizer that ran batches in parallel warns at every later
        # fork (the redis-server, index builders) and turns its parallelism off then anyway.
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        try:
            from tokenizers import Tokenizer

            encoder = cls(partial(_snapshot_tokens, Tokenizer.from_file(str(snapshot))), target)
        except Exception as exc:  # damaged files: the model is loaded, and exports them again
            log.warning("the cached ONNX graph %s does not load (%s): loading the model", target, exc)
            return None
        return encoder if encoder.dimension is not None else None

    @classmethod
    def _open_both(cls, onnxruntime: Any, target: Path) -> tuple[Any, Any]:
        """Batches run on every core (ONNX Runtime's own worker threads, made here: they inherit
        this thread's scheduling priority); single texts on the calling thread alone: on its own session
        a query never waits for a batch's run to end, and on one thread it costs less CPU for a
        little more latency, which leaves the other cores to concurrent work."""
        return cls._open(onnxruntime, target, threads=0), cls._open(onnxruntime, target, threads=1)

    @staticmethod
    def _open(onnxruntime: Any, target: Path, threads: int) -> Any:
        options = onnxruntime.SessionOptions()
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.log_severity_level = 3  # errors only: its warnings are about the graph, not the input
        options.intra_op_num_threads = threads  # 0: ONNX Runtime's default, one per core
        # Its worker threads would otherwise spin for a while after each run, taking the cores from
        # the vector search that follows every query embedding (a retrieval's tail many times worse).
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        return onnxruntime.InferenceSession(str(target), options, providers=["CPUExecutionProvider"])

    def encode(self, texts: list[str], *, single: bool = False) -> np.ndarray:
        """`single`: on the one-thread session (the query lane, see `SentenceTransformerEmbedder`);
        else on the session of every core (its workers at the bulk thread's priority)."""
        # Padded to the longest text of the batch; the mean pooling ignores the padding.
        with self._tokenizing:
            input_ids, attention_mask = self._tokenize(texts)
        inputs = {"input_ids": input_ids, "attention_mask": attention_mask}
        bulk, one_thread = self._sessions
        if single:
            [vectors] = one_thread.run(["embedding"], inputs)
        else:
            [vectors] = bulk.run(["embedding"], inputs, self._give_back)
        result: np.ndarray = vectors
        return result
