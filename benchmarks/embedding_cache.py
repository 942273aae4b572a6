"""An on-disk embedding cache for the quality harness: a rerun embeds nothing it embedded before.

Embedding longmemeval-dev (~15k turns, long assistant turns) costs ~8 minutes on 2 CPU cores;
every ranking experiment reloads the same texts. The cache keys each vector by the *model's
identity* (its class, name, runtime, dimension and a fingerprint of its files) and the SHA-256 of
the text, so a changed model (other weights, other runtime) misses everything and embeds it all
again, and a changed text misses only itself. One SQLite file per model identity under the cache
directory (`.cache/embeddings/` by default, ignored by git); a missing directory is created, so a
fresh clone (CI) simply starts cold. Only the benchmarks use it: the service never caches vectors.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from mnemo.lab import Embedder

_LOOKUP_CHUNK = 500  # ids per `IN (...)`: under SQLite's default bound-parameter limit


def _files_fingerprint(path: Path) -> str:
    """SHA-256 over every file of a model directory (relative name, size, content).

    Content, not modification times: a copied model is the same model, and retrained weights of the
    same size are not. Hashing MiniLM's files takes a fraction of a second, once per run."""
    digest = hashlib.sha256()
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
    for file in files:
        digest.update(str(file.relative_to(path) if path.is_dir() else file.name).encode())
        digest.update(str(file.stat().st_size).encode())
        with file.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def model_identity(embedder: Embedder) -> str:
    """What decides the vectors: class, runtime, dimension and the fingerprint of the model's files
    (a local path or a packaged model), or its name where it has no local files."""
    from mnemo.lab import resolve_model_path

    name = embedder.model_name
    runtime = getattr(embedder, "runtime", "")
    path = Path(resolve_model_path(name))
    # Local files: their content names the model (a copy elsewhere is the same model); else the name.
    what = _files_fingerprint(path) if path.exists() else name
    return "|".join([type(embedder).__name__, str(runtime), str(embedder.dimension), what])


def text_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class EmbeddingCache:
    """Vectors of one model identity, by text hash, in one SQLite file (float32 blobs)."""

    def __init__(self, directory: Path, identity: str) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.identity = identity
        self.path = directory / f"{hashlib.sha256(identity.encode()).hexdigest()[:24]}.sqlite"
        # The in-process app runs on the test client's portal thread, opened here on another: one
        # connection, shared, every use under a lock.
        self._db = sqlite3.connect(self.path, check_same_thread=False)
        self._lock = threading.Lock()
        self._db.execute("CREATE TABLE IF NOT EXISTS meta (identity TEXT NOT NULL)")
        self._db.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vector BLOB NOT NULL)")
        if self._db.execute("SELECT count(*) FROM meta").fetchone()[0] == 0:
            self._db.execute("INSERT INTO meta VALUES (?)", (identity,))
        self._db.commit()

    def get(self, keys: Sequence[str]) -> dict[str, list[float]]:
        found: dict[str, list[float]] = {}
        unique = list(dict.fromkeys(keys))
        with self._lock:
            for start in range(0, len(unique), _LOOKUP_CHUNK):
                chunk = unique[start : start + _LOOKUP_CHUNK]
                marks = ",".join("?" * len(chunk))
                query = f"SELECT key, vector FROM vectors WHERE key IN ({marks})"  # noqa: S608 (placeholders only)
                for key, blob in self._db.execute(query, chunk):
                    found[key] = np.frombuffer(blob, dtype=np.float32).tolist()
        return found

    def put(self, items: dict[str, list[float]]) -> None:
        rows = [(k, np.asarray(v, dtype=np.float32).tobytes()) for k, v in items.items()]
        with self._lock:
            self._db.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?)", rows)
            self._db.commit()

    def __len__(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT count(*) FROM vectors").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            self._db.close()


class CachedEmbedder:
    """An `Embedder` that asks the cache first and embeds only the texts it misses (each once).

    `embedded` counts the texts that reached the model, `served` those answered from disk. Vectors
    are stored as float32, which is what the model computes, so a cached vector is the same vector."""

    def __init__(self, inner: Embedder, directory: Path) -> None:
        self.inner = inner
        self.model_name = inner.model_name
        self.dimension = inner.dimension
        self.cache = EmbeddingCache(directory, model_identity(inner))
        self.embedded = 0
        self.served = 0

    async def embed(self, texts: Sequence[str], *, alone: bool = False) -> list[list[float]]:
        keys = [text_key(t) for t in texts]
        found = self.cache.get(keys)
        missing = {k: t for k, t in zip(keys, texts, strict=True) if k not in found}
        if missing:
            vectors = await self.inner.embed(list(missing.values()), alone=alone)
            fresh = dict(zip(missing, vectors, strict=True))
            self.cache.put(fresh)
            found.update(self.cache.get(list(fresh)))  # as stored (float32), like every later run
        self.embedded += len(missing)
        self.served += len(texts) - len(missing)
        return [found[k] for k in keys]

    def close(self) -> None:
        self.inner.close()
        self.cache.close()
