"""The portable export of a mnemo vector store: one gzipped JSONL stream.

Line 1 is the manifest (format version, embedding model and dimension, sparse encoder, collection
prefix, point counts per type, the service's id key); then one line per point (type, id, payload,
dense vector, sparse BM25 vector), then one line per memory's change history (`{"history": id,
"payload": …}`, no vectors; a file without them reads as before); the last line is a trailer
repeating the counts, so a truncated file (a disk that filled up, a copy cut short) is noticed
instead of being imported as if it were whole.

Why not a Qdrant snapshot: Qdrant Edge can *apply* a server's shard snapshot (`unpack_snapshot`,
`update_from_snapshot`) but cannot *make* one, and qdrant-client's local mode has no snapshots at
all, so a point stream is the only path from an embedded data dir to a server. The stream keeps
everything a snapshot would for mnemo: ids, payloads and both vectors; the server rebuilds the HNSW
and payload indexes itself.
"""

from __future__ import annotations

import base64
import gzip
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from ...memtypes.queries import SparseVector
from ...memtypes.types import MemoryType

FORMAT = "mnemo-export"
FORMAT_VERSION = 1


class ExportFormatError(ValueError):
    """The file is not a mnemo export this version can read, or it is damaged."""


@dataclass(frozen=True)
class Manifest:
    embedding_backend: str
    embedding_model: str
    dimension: int
    sparse_encoder: str  # stored BM25 vectors are only meaningful with the same encoder config
    collection_prefix: str
    counts: dict[MemoryType, int]
    created_at: str
    source: str = "qdrant-edge"
    version: int = FORMAT_VERSION
    # The id key the ids and digests were keyed with (memtypes/ids.py): an import adopts it, so the
    # ids stay what a re-write of the same words computes. None: written before ids were keyed.
    id_key: bytes | None = field(default=None, repr=False)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def as_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "version": self.version,
            "created_at": self.created_at,
            "source": self.source,
            "embedding": {
                "backend": self.embedding_backend,
                "model": self.embedding_model,
                "dimension": self.dimension,
            },
            "sparse": {"encoder": self.sparse_encoder},
            "collection_prefix": self.collection_prefix,
            "counts": {t.value: n for t, n in self.counts.items()},
            **({"id_key": base64.b64encode(self.id_key).decode()} if self.id_key else {}),
        }

    @classmethod
    def from_json(cls, data: object) -> Manifest:
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ExportFormatError("not a mnemo export (the first line is not its manifest)")
        if data.get("version") != FORMAT_VERSION:
            raise ExportFormatError(
                f"export format version {data.get('version')!r}; this mnemo reads version {FORMAT_VERSION}"
            )
        try:
            embedding = data["embedding"]
            return cls(
                embedding_backend=str(embedding["backend"]),
                embedding_model=str(embedding["model"]),
                dimension=int(embedding["dimension"]),
                sparse_encoder=str(data["sparse"]["encoder"]),
                collection_prefix=str(data["collection_prefix"]),
                counts={MemoryType(t): int(n) for t, n in data["counts"].items()},
                created_at=str(data["created_at"]),
                source=str(data.get("source", "")),
                id_key=base64.b64decode(data["id_key"]) if data.get("id_key") else None,
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ExportFormatError(f"the manifest is incomplete or malformed: {exc}") from exc


@dataclass(frozen=True)
class ExportedPoint:
    memory_type: MemoryType
    id: str
    payload: dict[str, Any]
    dense: list[float]
    sparse: SparseVector | None = None

    def as_json(self) -> dict[str, Any]:
        line: dict[str, Any] = {
            "type": self.memory_type.value,
            "id": self.id,
            "payload": self.payload,
            "dense": self.dense,
        }
        if self.sparse is not None:
            line["sparse"] = {"indices": list(self.sparse.indices), "values": list(self.sparse.values)}
        return line

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ExportedPoint:
        sparse = data.get("sparse")
        return cls(
            memory_type=MemoryType(data["type"]),
            id=str(data["id"]),
            payload=dict(data["payload"]),
            dense=[float(x) for x in data["dense"]],
            sparse=None
            if sparse is None
            else SparseVector(
                tuple(int(i) for i in sparse["indices"]), tuple(float(v) for v in sparse["values"])
            ),
        )


@dataclass
class ExportWriter:
    """Writes the manifest first, the points as they come, and the trailer on `close()`."""

    path: Path
    manifest: Manifest
    written: dict[MemoryType, int] = field(default_factory=dict)
    histories: int = 0
    _out: IO[str] | None = None

    def __enter__(self) -> ExportWriter:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._out = gzip.open(self.path, "wt", encoding="utf-8")
        self._line(self.manifest.as_json())
        return self

    def write(self, point: ExportedPoint) -> None:
        self._line(point.as_json())
        self.written[point.memory_type] = self.written.get(point.memory_type, 0) + 1

    def write_history(self, memory_id: str, payload: dict[str, Any]) -> None:
        self._line({"history": memory_id, "payload": payload})
        self.histories += 1

    def __exit__(self, exc_type: object, *_: object) -> None:
        assert self._out is not None
        if exc_type is None:
            counts = {t.value: n for t, n in self.written.items()}
            self._line({"end": True, "counts": counts, "histories": self.histories})
        self._out.close()

    def _line(self, data: dict[str, Any]) -> None:
        assert self._out is not None
        self._out.write(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n")


def read_manifest(path: Path) -> Manifest:
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        return _manifest_line(lines)


def _manifest_line(lines: IO[str]) -> Manifest:
    try:
        first = lines.readline()
        return Manifest.from_json(json.loads(first))
    except (OSError, EOFError, json.JSONDecodeError) as exc:
        raise ExportFormatError(f"cannot read the manifest: {exc}") from exc


def read_histories(path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    """The change-history documents of an export (memory id, payload); `read_points` checks the file."""
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        _manifest_line(lines)
        for raw in lines:
            if raw.startswith('{"history":'):
                data = json.loads(raw)
                yield str(data["history"]), dict(data["payload"])


def read_points(path: Path) -> Iterator[ExportedPoint]:
    """Every point of the export, in file order; raises `ExportFormatError` at a damaged line or a
    missing trailer (after yielding every good point before it: imports are idempotent, so a fixed
    file can simply be imported again)."""
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        _manifest_line(lines)
        seen: dict[str, int] = {}
        histories = 0
        number = 1
        try:
            for number, raw in enumerate(lines, start=2):  # noqa: B007 (reported after the loop)
                data = json.loads(raw)
                if "history" in data:
                    histories += 1
                    continue
                if data.get("end") is True:
                    if data.get("counts", {}) != seen or data.get("histories", 0) != histories:
                        raise ExportFormatError(
                            f"the trailer counts {data.get('counts')} and {data.get('histories', 0)} "
                            f"histories but the file has {seen} and {histories}"
                        )
                    return
                point = ExportedPoint.from_json(data)
                seen[point.memory_type.value] = seen.get(point.memory_type.value, 0) + 1
                yield point
        except (OSError, EOFError, json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
            if isinstance(exc, ExportFormatError):
                raise
            raise ExportFormatError(f"line {number} is damaged: {exc}") from exc
    raise ExportFormatError(f"the export ends after line {number} without its trailer: it is truncated")
