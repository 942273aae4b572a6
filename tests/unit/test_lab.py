"""mnemo.lab, the benchmark harness's one door into the server: every name it lists is there, and
importing it loads nothing of the service until a name is used (the harness's parser names some of
them, and `mnemo bench … --help` must answer without the service). And the work behind the door, as
the server's own code: a search split into the parts the engine answers alone, a bulk-loaded point
the service reads back."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime

import mnemo.lab
from mnemo.lab.app import search_parts
from mnemo.lab.engine import point_maker
from mnemo.memtypes.formula import Var
from mnemo.memtypes.queries import Fusion, MemoryFilter, SearchRequest, SparseVector
from mnemo.memtypes.records import MemoryRecord
from mnemo.memtypes.types import MemoryType

NOW = datetime(2025, 1, 1, tzinfo=UTC)

IMPORT_THE_DOOR = """
import json, sys
import mnemo.lab
print(json.dumps(sorted(m for m in sys.modules if m.startswith("mnemo."))))
"""


def test_every_name_of_the_door_resolves() -> None:
    missing = [name for name in mnemo.lab.__all__ if getattr(mnemo.lab, name, None) is None]
    assert not missing


def test_an_unknown_name_is_an_attribute_error() -> None:
    assert not hasattr(mnemo.lab, "MemoryWriterr")


def test_importing_the_door_loads_nothing_of_the_service() -> None:
    done = subprocess.run(
        [sys.executable, "-c", IMPORT_THE_DOOR], capture_output=True, text=True, timeout=60, check=True
    )
    assert json.loads(done.stdout) == ["mnemo.lab"]


def test_a_search_is_asked_whole_and_by_each_part_the_engine_answers_alone() -> None:
    # What the repeatability benchmark asks the app's index again (`searched_by_part`).
    search = SearchRequest(
        MemoryType.EPISODIC, [0.1] * 4, MemoryFilter(tenant="t"), limit=5, prefetch_limit=40,
        formula=Var("$score"), sparse=SparseVector((1,), (1.0,)), fusion=Fusion.LINEAR,
        stage_formula=Var("$score[0]"), stage_limit=20,
    )  # fmt: skip
    parts = search_parts(search)
    assert set(parts) == {"search", "dense", "bm25", "stage"} and parts["search"] is search
    assert parts["dense"].sparse is None and parts["dense"].limit == 40 and parts["dense"].formula is None
    assert parts["bm25"].vector is None and parts["bm25"].limit == 40
    assert parts["stage"].formula == Var("$score[0]") and parts["stage"].limit == 20
    assert parts["stage"].stage_formula is None
    dense_only = replace(search, sparse=None, stage_formula=None, stage_limit=None)
    assert set(search_parts(dense_only)) == {"search", "dense"}


def test_a_bulk_loaded_point_is_a_record_the_service_reads_back() -> None:
    make_point = point_maker(None)
    row = {"type": "prospective", "content": "Call Ann back.", "due_at": "2025-02-01T09:00:00Z"}
    first, second = (make_point("default", row, [0.5] * 4, NOW) for _ in range(2))
    record = MemoryRecord.from_payload(first.id, first.payload)
    assert record.type is MemoryType.PROSPECTIVE and record.tenant == "default"
    assert record.content == "Call Ann back." and record.due_at is not None
    assert first.vector == [0.5] * 4 and first.sparse is not None  # BM25 too, as the write path stores it
    assert second.payload["seq"] > first.payload["seq"]  # each after the one made before it
