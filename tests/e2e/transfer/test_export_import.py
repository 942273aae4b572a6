"""`mnemo export` / `mnemo import` on real engines: an Edge data dir written through the real write
path, exported, imported into a fresh Edge dir and into qdrant-client's local mode, keeps every id,
payload and both vectors; retrieval answers the same; a re-import writes nothing; incompatible
exports and targets are refused."""

from __future__ import annotations

import asyncio
import gzip
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from qdrant_client import AsyncQdrantClient

from mnemo.backends.qdrant.history_store import ClientDocumentStore
from mnemo.backends.qdrant_edge.index import EdgeVectorIndex
from mnemo.backends.qdrant_server.index import QdrantClientVectorIndex
from mnemo.backends.transfer.export_file import read_manifest, read_points
from mnemo.backends.transfer.migration import EdgeDirReader
from mnemo.cli.main import main
from mnemo.memtypes.queries import MemoryFilter, SearchRequest, SparseVector, VectorPoint
from mnemo.memtypes.records import TIE_BREAK_FIELD, tie_break
from mnemo.memtypes.types import MemoryType
from tests.e2e.conftest import AppFactory

NOW = "2025-06-01T12:00:00Z"
MEMORIES = [
    {"type": "semantic", "content": "Alice prefers green tea over coffee, especially in the morning.",
     "scope": {"user_id": "alice"}, "importance": 0.8},
    {"type": "semantic", "content": "Bob is allergic to peanuts and carries an epinephrine pen at all times.",
     "scope": {"user_id": "bob"}},
    {"type": "episodic", "content": "Alice asked about flights to Lisbon for the spring holiday.",
     "scope": {"user_id": "alice"}, "occurred_at": "2025-03-01T10:00:00Z"},
    {"type": "episodic", "content": "Bob booked a table for four at the harbour restaurant.",
     "scope": {"user_id": "bob"}, "occurred_at": "2025-03-02T19:00:00Z"},
    {"type": "procedural", "content": "To reset the router: hold the back button for ten seconds, wait for "
     "the amber light, then reconnect.", "scope": {"user_id": "alice"}},
    {"type": "prospective", "content": "Remind Alice to renew her passport before the trip.",
     "scope": {"user_id": "alice"}, "due_at": "2025-07-01T09:00:00Z"},
]  # fmt: skip
QUERIES = ["What should I offer Alice to drink?", "Is there anything Bob cannot eat?", "router reset"]


async def cli(*args: str) -> tuple[int, str, str]:
    """Run `mnemo …` in a worker thread (it runs its own event loop), capturing its output."""
    import contextlib
    import io

    out, err = io.StringIO(), io.StringIO()

    def run() -> int:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            return main(list(args))

    code = await asyncio.to_thread(run)
    return code, out.getvalue(), err.getvalue()


def edge_histories(qdrant_dir: Path) -> dict[str, Any]:
    with EdgeDirReader(qdrant_dir, "mnemo") as reader:
        return dict(reader.histories())


def edge_points(qdrant_dir: Path) -> dict[str, Any]:
    with EdgeDirReader(qdrant_dir, "mnemo") as reader:
        return {p.id: p for mt in MemoryType for p in reader.points(mt)}


async def retrieve_ids(app_client: AppFactory, data_dir: Path) -> list[list[str]]:
    async with app_client(data_dir=data_dir) as client:
        out = []
        for query in QUERIES:
            body = {"query": query, "budget_tokens": 300, "now": NOW}
            response = await client.post("/v1/retrieve", json=body)
            assert response.status_code == 200, response.text
            out.append([m["id"] for m in response.json()["memories"]])
        return out


async def test_export_then_import_into_edge_and_local_client(app_client: AppFactory, tmp_path: Path) -> None:
    source = tmp_path / "data"
    async with app_client() as client:  # the real write path, on a fresh copy at tmp_path/data
        response = await client.post("/v1/memories", json={"memories": MEMORIES})
        assert response.status_code == 201, response.text
        for content in ("Alice wants a window seat on the Lisbon flight.", "Budget is 400 euros."):
            response = await client.post("/v1/working/trip-1/items", json={"content": content})
            assert response.status_code == 201, response.text
        assert (await client.delete("/v1/working/trip-1")).status_code == 200  # archived: `working`

    export = tmp_path / "export.jsonl.gz"
    code, out, err = await cli("export", str(export), "--data-dir", str(source), "--json")
    assert code == 0, err
    manifest = read_manifest(export)
    assert manifest.dimension == 384 and manifest.embedding_model == "all-MiniLM-L6-v2"
    assert set(manifest.counts) == set(MemoryType)  # all five collections, empty ones too
    original = edge_points(source / "qdrant")
    assert manifest.total == len(original) == json.loads(out)["points"] >= len(MEMORIES) + 2
    assert manifest.counts[MemoryType.WORKING] == 2
    assert all(p.sparse is not None for p in original.values())
    histories = edge_histories(source / "qdrant")  # the change history travels with the points
    assert json.loads(out)["histories"] == len(histories) == len(original)

    # -- into a fresh embedded data dir, through the CLI --------------------------------------------
    target = tmp_path / "imported"
    code, out, err = await cli("import", str(export), "--data-dir", str(target), "--json")
    assert code == 0, err
    assert json.loads(out)["written"] == len(original)
    assert edge_points(target / "qdrant") == original  # same ids, payloads, dense and sparse vectors
    assert edge_histories(target / "qdrant") == histories
    code, out, err = await cli("import", str(export), "--data-dir", str(target), "--json")
    assert code == 0, err
    assert json.loads(out) | {"target": None} == {
        "target": None, "collection_prefix": "mnemo", "written": 0, "unchanged": len(original),
        "per_type": json.loads(out)["per_type"], "histories": len(histories),  # stored again, by id
    }  # fmt: skip

    # -- into qdrant-client's local mode (the client API a server speaks) ---------------------------
    local = tmp_path / "qdrant-local"
    code, out, err = await cli("import", str(export), "--qdrant-path", str(local), "--json")
    assert code == 0, err
    assert json.loads(out)["written"] == len(original)
    code, out, err = await cli("import", str(export), "--qdrant-path", str(local), "--json")
    assert (code, json.loads(out)["written"]) == (0, 0)
    await _check_client_copy(local, source, original)
    store = ClientDocumentStore(AsyncQdrantClient(path=str(local)), "mnemo", owns_client=True)
    assert await store.get(list(histories)) == histories
    await store.close()

    # -- retrieval answers the same on the source and on its imported copy --------------------------
    from_source = await retrieve_ids(app_client, source)
    assert all(from_source) and from_source == await retrieve_ids(app_client, target)


async def _check_client_copy(local: Path, source: Path, original: dict[str, Any]) -> None:
    client = AsyncQdrantClient(path=str(local))
    index = QdrantClientVectorIndex(client, "mnemo", 384)
    edge = EdgeVectorIndex(source / "qdrant", "mnemo", 384)
    await edge.open()
    try:
        for memory_type in MemoryType:
            wanted = {i: p for i, p in original.items() if p.memory_type is memory_type}
            records = await client.retrieve(
                f"mnemo_{memory_type.value}", list(wanted), with_payload=True, with_vectors=True
            )
            assert len(records) == len(wanted)
            for record in records:
                point = wanted[str(record.id)]
                assert record.payload == point.payload
                vectors: Any = record.vector
                assert vectors["dense"] == pytest.approx(point.dense, abs=1e-6)
                assert (vectors["bm25"].indices, vectors["bm25"].values) == (
                    list(point.sparse.indices),
                    pytest.approx(list(point.sparse.values)),
                )
        # The same nearest neighbours on both engines, for a query taken from a stored memory.
        probe = next(p for p in original.values() if p.memory_type is MemoryType.SEMANTIC)
        request = SearchRequest(
            MemoryType.SEMANTIC, probe.dense, MemoryFilter(tenant="default"), limit=5, prefetch_limit=20
        )
        [from_edge] = await edge.search([request])
        [from_client] = await index.search([request])
        assert [p.id for p in from_edge] == [p.id for p in from_client]
        assert from_edge[0].id == probe.id
    finally:
        await edge.close()
        await index.close()


# -- refusals -----------------------------------------------------------------------------------------


@pytest.fixture
async def small_export(tmp_path: Path) -> Path:
    """An export of an 8-dim Edge dir written through the backend (no model needed)."""
    index = EdgeVectorIndex(tmp_path / "small" / "qdrant", "mnemo", 8)
    await index.open()
    points = [
        VectorPoint(f"00000000-0000-4000-8000-00000000000{i}", [float(i + 1)] + [0.5] * 7,
                    {"tenant": "default", "content": f"fact {i}"}, SparseVector((1, i + 2), (0.5, 1.0)))
        for i in range(3)
    ]  # fmt: skip
    await index.upsert(MemoryType.SEMANTIC, points)
    await index.close()
    out = tmp_path / "small.jsonl.gz"
    code, _, err = await cli("export", str(out), "--data-dir", str(tmp_path / "small"))
    assert code == 0, err
    return out


async def test_an_export_without_tie_break_numbers_is_imported_with_them(
    tmp_path: Path, small_export: Path
) -> None:
    # Written by a version that stored none: the import gives each point the write path's number.
    assert all(TIE_BREAK_FIELD not in p.payload for p in read_points(small_export))
    target = tmp_path / "imported"
    for written in (3, 0):  # a second import writes nothing
        code, out, err = await cli("import", str(small_export), "--data-dir", str(target), "--json")
        assert (code, json.loads(out)["written"]) == (0, written), err
    imported = edge_points(target / "qdrant")
    assert len(imported) == 3
    assert all(p.payload[TIE_BREAK_FIELD] == tie_break(point_id) for point_id, p in imported.items())


async def test_export_refuses_a_data_dir_held_by_a_service(tmp_path: Path, small_export: Path) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c",
        "import sys, time; from qdrant_edge import EdgeShard; "
        "s = EdgeShard.load(sys.argv[1]); print('held', flush=True); time.sleep(60)",
        str(tmp_path / "small" / "qdrant" / "mnemo_semantic"),
        stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        assert (await process.stdout.readline()).strip() == b"held"
        code, _, err = await cli(
            "export", str(tmp_path / "again.jsonl.gz"), "--data-dir", str(tmp_path / "small")
        )
        assert code == 2
        assert "in use by a running mnemo service; stop it first" in err
    finally:
        process.kill()
        await process.wait()


async def test_import_refuses_another_embedding_model(
    tmp_path: Path, small_export: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MNEMO_EMBEDDING__MODEL", "/models/another-model")
    code, _, err = await cli("import", str(small_export), "--data-dir", str(tmp_path / "target"))
    assert code == 2
    assert "refused" in err and "all-MiniLM-L6-v2" in err and "/models/another-model" in err
    assert not (tmp_path / "target").exists()  # nothing was created


async def test_import_refuses_a_target_of_another_dimension(tmp_path: Path, small_export: Path) -> None:
    index = EdgeVectorIndex(tmp_path / "target" / "qdrant", "mnemo", 16)
    await index.open()
    await index.close()
    code, _, err = await cli("import", str(small_export), "--data-dir", str(tmp_path / "target"))
    assert code == 2
    assert "hold 16-dim vectors; the export's are 8-dim" in err


async def test_import_refuses_an_unknown_format_and_reports_truncation(
    tmp_path: Path, small_export: Path
) -> None:
    lines = gzip.decompress(await asyncio.to_thread(small_export.read_bytes)).decode().splitlines()
    future = tmp_path / "future.jsonl.gz"
    manifest = json.loads(lines[0]) | {"version": 99}
    future.write_bytes(gzip.compress("\n".join([json.dumps(manifest), *lines[1:]]).encode()))
    code, _, err = await cli("import", str(future), "--data-dir", str(tmp_path / "t1"))
    assert code == 2 and "format version 99" in err

    truncated = tmp_path / "truncated.jsonl.gz"
    truncated.write_bytes(gzip.compress("\n".join(lines[:-1]).encode()))  # the trailer is lost
    code, _, err = await cli("import", str(truncated), "--data-dir", str(tmp_path / "t2"))
    assert code == 1 and "truncated" in err
    assert len(list(read_points(small_export))) == 3
