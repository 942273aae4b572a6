"""`mnemo export` / `mnemo import`: move the vector store of an embedded data dir to a Qdrant server
(or to another data dir) through a portable file, preserving ids, payloads and both vectors.

Redis is not part of it: working memory lives minutes and threads hours, and every thread turn is
also an episodic memory, which is exported.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import vendor_import_cmd

if TYPE_CHECKING:
    from ..api.http.engines import VectorStore
    from ..backends.transfer.export_file import Manifest
    from ..backends.transfer.migration import ImportSummary
    from ..memtypes.ports import DocumentStore

EXIT_OK, EXIT_DAMAGED, EXIT_CANNOT_START = 0, 1, 2


def _settings(**overrides: Any) -> Any:
    from ..api.config.settings import Settings

    return Settings(**{k: v for k, v in overrides.items() if v is not None})


def _fail(command: str, message: str, code: int = EXIT_CANNOT_START) -> int:
    print(f"mnemo {command}: {message}", file=sys.stderr)
    return code


# -- export ---------------------------------------------------------------------------------------


def run_export(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from ..backends.embedding.sparse import BM25_NAME
    from ..backends.transfer.export_file import ExportWriter, Manifest
    from ..backends.transfer.migration import EdgeDirReader, edge_dimension
    from ..memtypes.errors import Unavailable

    settings = _settings(data_dir=args.data_dir, collection_prefix=args.collection_prefix)
    qdrant_dir = settings.data_dir / "qdrant"
    dimension = edge_dimension(qdrant_dir, settings.collection_prefix)
    if dimension is None:
        return _fail("export", f"no mnemo collections '{settings.collection_prefix}_*' under {qdrant_dir}")
    out = Path(args.out)
    try:
        with EdgeDirReader(qdrant_dir, settings.collection_prefix) as reader:
            counts = reader.counts()
            manifest = Manifest(
                embedding_backend=settings.embedding.backend,
                embedding_model=settings.embedding.model,
                dimension=dimension,
                sparse_encoder=BM25_NAME,
                collection_prefix=settings.collection_prefix,
                counts=counts,
                created_at=datetime.now(UTC).isoformat(timespec="seconds"),
                id_key=_own_id_key(settings),
            )
            bar = tqdm(total=manifest.total, unit="pt", desc=f"export {out.name}", disable=None)
            with bar, ExportWriter(out, manifest) as writer:
                for memory_type in counts:
                    for point in reader.points(memory_type):
                        writer.write(point)
                        bar.update()
                for memory_id, payload in reader.histories():  # change history (no vectors)
                    writer.write_history(memory_id, payload)
    except Unavailable as exc:
        return _fail("export", exc.detail)
    summary = {
        "file": str(out),
        "points": sum(writer.written.values()),
        "histories": writer.histories,
        **{k: v for k, v in manifest.as_json().items() if k != "id_key"},  # a secret: never printed
    }
    print(json.dumps(summary) if args.json else _render_export(summary))
    return EXIT_OK


def _render_export(summary: dict[str, Any]) -> str:
    counts = ", ".join(f"{t} {n}" for t, n in summary["counts"].items())
    embedding = summary["embedding"]
    return (
        f"exported {summary['points']} points ({counts}) to {summary['file']}\n"
        f"embedding {embedding['model']} ({embedding['dimension']} dims), "
        f"collection prefix {summary['collection_prefix']}"
    )


def _own_id_key(settings: Any) -> bytes | None:
    """The id key of the data dir (or MNEMO_ID_KEY_FILE), when it has one (it has none until a
    service keyed its ids: its start migrates them)."""
    from ..backends.id_key import id_key_path, read_id_key

    path = id_key_path(settings.data_dir, settings.id_key_file)
    return read_id_key(path) if path.exists() else None


# -- import ---------------------------------------------------------------------------------------


def _check_compatible(manifest: Manifest, settings: Any) -> None:
    from ..backends.embedding.sparse import BM25_NAME
    from ..backends.transfer.migration import IncompatibleStore

    wanted = (settings.embedding.backend, settings.embedding.model)
    if (manifest.embedding_backend, manifest.embedding_model) != wanted:
        raise IncompatibleStore(
            f"the export holds vectors of {manifest.embedding_backend}:{manifest.embedding_model} "
            f"({manifest.dimension} dims) but this mnemo embeds with {wanted[0]}:{wanted[1]}; "
            "set MNEMO_EMBEDDING__BACKEND / MNEMO_EMBEDDING__MODEL to the export's model "
            "(vectors of two models cannot share a collection)"
        )
    if manifest.sparse_encoder != BM25_NAME:
        raise IncompatibleStore(
            f"the export's BM25 vectors were made by {manifest.sparse_encoder}, this mnemo uses {BM25_NAME}"
        )


async def _target(args: argparse.Namespace, settings: Any, dimension: int) -> tuple[VectorStore, str]:
    """The target store, built as the service builds its own, after checking its dimension."""
    from qdrant_client import AsyncQdrantClient

    from ..api.http.engines import VectorStore, vector_store
    from ..backends.qdrant.history_store import ClientDocumentStore
    from ..backends.qdrant_server.index import QdrantClientVectorIndex, _server_errors
    from ..backends.transfer.migration import IncompatibleStore, client_dimension, edge_dimension

    prefix = settings.collection_prefix
    if args.qdrant_path:  # qdrant-client's local mode: no server features, but the same client API
        client = AsyncQdrantClient(path=str(args.qdrant_path))
        index = QdrantClientVectorIndex(client, prefix, dimension)
        store = VectorStore(index, ClientDocumentStore(client, prefix), None, client)
        stored, where = await client_dimension(client, prefix), f"qdrant local mode at {args.qdrant_path}"
    elif settings.qdrant.url:
        store = vector_store(settings, dimension)
        assert store.client is not None  # a server's store keeps its client
        where = f"Qdrant at {settings.qdrant.url}"
        async with _server_errors():  # an unreachable server is a clear message, not a traceback
            stored = await client_dimension(store.client, prefix)
    else:
        store = vector_store(settings, dimension)
        stored, where = edge_dimension(settings.data_dir / "qdrant", prefix), f"data dir {settings.data_dir}"
    if stored is not None and stored != dimension:
        await store.index.close()
        raise IncompatibleStore(
            f"the collections '{prefix}_*' in {where} hold {stored}-dim vectors; "
            f"the export's are {dimension}-dim"
        )
    return store, where


async def _import(args: argparse.Namespace, manifest: Manifest, settings: Any) -> tuple[ImportSummary, str]:
    from tqdm import tqdm

    from ..api.http.maintenance import build_pending_indexes
    from ..backends.transfer.export_file import read_points
    from ..backends.transfer.migration import ImportSummary, batches_by_type, import_batch

    store, where = await _target(args, settings, manifest.dimension)
    index = store.index
    summary = ImportSummary()
    bar = tqdm(total=manifest.total, unit="pt", desc=f"import {Path(args.file).name}", disable=None)
    try:
        await _adopt_id_key(manifest, settings, store)
        await index.open()
        for memory_type, batch in batches_by_type(read_points(Path(args.file)), args.batch_size):
            written, unchanged = await import_batch(index, memory_type, batch)
            summary.add(memory_type, written, unchanged)
            bar.update(len(batch))
            bar.set_postfix(written=summary.total_written)
        await build_pending_indexes(index, min_backlog=1)  # an embedded target serves fast at once
        summary.histories = await _import_histories(Path(args.file), store.documents)
    finally:
        bar.close()
        await index.close()
    return summary, where


async def _adopt_id_key(manifest: Manifest, settings: Any, store: VectorStore) -> None:
    """The export's id key becomes the target's, so its ids stay what a re-write of the same words
    computes; refused where the target already holds memories keyed with another key. Either way the
    target's next start checks its ids (an export without a key holds the older, unkeyed ids)."""
    from ..backends.id_key import adopt_id_key, id_key_path
    from ..backends.transfer.migration import EdgeDirReader, IncompatibleStore
    from ..backends.transfer.rekey import marker_path
    from ..memtypes.types import MemoryType, collection_name

    marker_path(settings.data_dir, settings.collection_prefix).unlink(missing_ok=True)
    path = id_key_path(settings.data_dir, settings.id_key_file)
    if manifest.id_key is None or (path.exists() and path.read_bytes() == manifest.id_key):
        return
    if path.exists():
        prefix, held = settings.collection_prefix, 0
        if store.client is not None:
            for memory_type in MemoryType:
                name = collection_name(prefix, memory_type)
                if await store.client.collection_exists(name):
                    held += (await store.client.count(name, exact=True)).count
        else:
            with EdgeDirReader(settings.data_dir / "qdrant", prefix) as reader:
                held = sum(reader.counts().values())
        if held:
            raise IncompatibleStore(
                f"the export's ids are keyed with another id key than {path}'s, which keys the "
                f"{held} memories the target holds: import into an empty store (it adopts the export's key)"
            )
    adopt_id_key(settings.data_dir, settings.id_key_file, manifest.id_key, settings.collection_prefix)


async def _import_histories(path: Path, store: DocumentStore) -> int:
    """The change histories go beside the vectors, as the service stores them (idempotent: by id)."""
    from ..backends.transfer.export_file import read_histories

    await store.open()
    written = 0
    try:
        batch: dict[str, dict[str, Any]] = {}
        for memory_id, payload in read_histories(path):
            batch[memory_id] = payload
            if len(batch) >= 256:
                await store.put(batch)
                written, batch = written + len(batch), {}
        await store.put(batch)
        return written + len(batch)
    finally:
        await store.close()


def run_import(args: argparse.Namespace) -> int:
    from ..backends.transfer.export_file import ExportFormatError, read_manifest
    from ..backends.transfer.migration import IncompatibleStore
    from ..memtypes.errors import Unavailable

    if args.source is not None:  # another memory system's export, into a running mnemo
        from .vendor_import_cmd import run_vendor_import

        return run_vendor_import(args)
    path = Path(args.file)
    if not path.is_file():
        return _fail("import", f"no such file: {path}")
    try:
        manifest = read_manifest(path)
    except ExportFormatError as exc:
        return _fail("import", f"{path}: {exc}")
    # An explicit --data-dir means that dir, even when MNEMO_QDRANT__URL is set in the environment.
    qdrant = {"url": args.url or ("" if args.data_dir else None), "api_key": args.api_key}
    settings = _settings(
        data_dir=args.data_dir,
        qdrant={k: v for k, v in qdrant.items() if v is not None} or None,
        collection_prefix=args.collection_prefix,
    )
    try:
        _check_compatible(manifest, settings)
        summary, where = asyncio.run(_import(args, manifest, settings))
    except IncompatibleStore as exc:
        return _fail("import", f"refused: {exc}")
    except Unavailable as exc:
        return _fail("import", exc.detail)
    except ExportFormatError as exc:
        return _fail(
            "import", f"{path}: {exc} (the points before it are imported; fix the file and re-run)", 1
        )
    result = {"target": where, "collection_prefix": settings.collection_prefix, **summary.as_dict()}
    if args.json:
        print(json.dumps(result))
    else:
        print(
            f"imported into {where} (collections '{settings.collection_prefix}_*'): "
            f"{summary.total_written} written, {summary.total_unchanged} already there unchanged"
        )
    return EXIT_OK


def add_parsers(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    export = sub.add_parser("export", help="export the embedded data dir's memories to a portable file")
    export.add_argument("out", help="file to write (gzipped JSONL, e.g. mnemo-export.jsonl.gz)")
    export.add_argument("--data-dir", help="embedded data dir (default MNEMO_DATA_DIR or ./data)")
    export.add_argument("--collection-prefix", help="default MNEMO_COLLECTION_PREFIX or mnemo")
    export.add_argument("--json", action="store_true", help="print the summary as JSON")
    export.set_defaults(func=run_export)

    imp = sub.add_parser(
        "import", help="import an export (mnemo's, or mem0's, Letta's, AMS's, Zep's with --from; idempotent)"
    )
    imp.add_argument("file", help="a file written by `mnemo export` (or by the system --from names)")
    target = imp.add_mutually_exclusive_group()
    target.add_argument(
        "--url",
        help="Qdrant server URL (default MNEMO_QDRANT__URL; unset = the data dir); with --from: mnemo's",
    )
    target.add_argument("--data-dir", help="embedded data dir to import into (default MNEMO_DATA_DIR)")
    target.add_argument("--qdrant-path", type=Path, help="qdrant-client local mode on this path")
    imp.add_argument(
        "--api-key", help="API key of the Qdrant server (default MNEMO_QDRANT__API_KEY); with --from: mnemo's"
    )
    imp.add_argument("--collection-prefix", help="target prefix (default MNEMO_COLLECTION_PREFIX)")
    imp.add_argument("--batch-size", type=int, default=256, help="points per upsert (default 256)")
    imp.add_argument("--json", action="store_true", help="print the summary as JSON")
    vendor_import_cmd.add_arguments(imp)
    imp.set_defaults(func=run_import)
