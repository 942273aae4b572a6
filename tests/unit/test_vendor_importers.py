"""The readers of other systems' exports (compat/importers/), on small realistic files of each
format: what becomes which memory, in which scope, at which time, with which caller id, and what is
skipped or refused, each named by its place in the file."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from mnemo.compat.importers import READERS, read_export
from mnemo.memtypes.types import MemoryType

EXPORTS = Path(__file__).resolve().parents[1] / "fixtures" / "vendor_exports"


def test_a_mem0_dump_keeps_ids_scopes_times_and_categories() -> None:
    entries = read_export("mem0", EXPORTS / "mem0_get_all.json")
    first, second, third, empty = entries
    assert first.memory is not None and first.memory.type is MemoryType.SEMANTIC
    assert first.memory.id == "mem0:3c90c3cc-0d44-4b50-8888-8dd25736052a"
    assert first.memory.occurred_at == datetime(2025, 3, 14, 16, 21, 7, 123456, tzinfo=UTC)
    assert first.memory.tags == ["food", "health"] and first.memory.metadata == {"source": "onboarding"}
    assert second.memory is not None
    assert second.memory.scope.model_dump(exclude_none=True) == {
        "user_id": "alice",
        "agent_id": "travel-assistant",
        "namespace": "app/companion",
    }
    assert third.memory is not None and third.memory.scope.thread_id == "trip-2025-06"
    assert (empty.where, empty.skipped) == ("memories[3]", "empty memory")


def test_a_letta_agent_file_gives_blocks_passages_and_what_was_said(tmp_path: Path) -> None:
    entries = read_export("letta", EXPORTS / "letta_agent.af")
    memories = [e.memory for e in entries if e.memory is not None]
    blocks = [m for m in memories if m.fact_key]
    assert [m.fact_key for m in blocks] == ["letta.Sam_Companion.persona", "letta.Sam_Companion.human"]
    turns = [m.content for m in memories if m.type is MemoryType.EPISODIC]
    assert turns == [
        "user: Hi Sam, my sister Maya is visiting from Toronto next week.",
        "assistant: How lovely! Do you have plans while Maya is in town?",
    ]
    assert {m.scope.agent_id for m in memories} == {"Sam_Companion"}
    skipped = sorted(e.skipped.split(" ")[0] for e in entries if e.skipped)
    assert skipped == ["event_message", "system_message", "tool_message"]
    passages = [m for m in memories if "letta-archival" in m.tags]
    assert passages[0].occurred_at == datetime(2025, 2, 1, 10, 2, tzinfo=UTC)


def test_an_ams_export_maps_types_sessions_and_names_what_it_cannot_take() -> None:
    entries = read_export("ams", EXPORTS / "ams_export.json")
    semantic, episodic, refused, *messages = entries
    assert semantic.memory is not None and semantic.memory.type is MemoryType.SEMANTIC
    assert semantic.memory.scope.namespace == "travel" and semantic.memory.tags == ["food", "preferences"]
    assert episodic.memory is not None and episodic.memory.type is MemoryType.EPISODIC
    assert episodic.memory.occurred_at == datetime(2024, 5, 18, 14, tzinfo=UTC)  # the event's date
    assert episodic.memory.scope.thread_id == "paris-trip"
    assert refused.where == "memories[2]" and refused.error is not None and "procedure" in refused.error
    assert [m.memory.content for m in messages if m.memory] == [
        "user: Can you book a table near the Louvre for Friday?",
        "assistant: I found a vegetarian bistro with a terrace two streets away.",
    ]


def test_a_zep_users_messages_are_turns_of_their_threads() -> None:
    entries = read_export("zep", EXPORTS / "zep_user_messages.json")
    memories = [e.memory for e in entries if e.memory is not None]
    assert [m.content for m in memories][:2] == [
        "Jane: My order #4411 arrived with a cracked screen.",
        "SupportBot: Sorry to hear that, Jane. I have started a replacement for order #4411.",
    ]
    assert {(m.scope.user_id, m.scope.thread_id) for m in memories} == {
        ("jane-doe", "support-2025-08-12"),
        ("jane-doe", "support-2025-09-01"),
    }
    assert memories[0].id == "zep:5f0c8a9e-1b2c-4d3e-8f9a-0b1c2d3e4f50"
    assert [e.skipped for e in entries if e.skipped] == ["empty message"]


def test_reading_twice_gives_the_same_caller_ids(tmp_path: Path) -> None:
    """Ids derived from the vendor's ids, or from the entry where there is none: a rerun's ids match."""
    no_ids = tmp_path / "mem0.json"
    no_ids.write_text(json.dumps([{"memory": "Likes jazz", "user_id": "u"}, {"memory": "Hates olives"}]))
    first = [e.memory.id for e in read_export("mem0", no_ids) if e.memory]
    assert first == [e.memory.id for e in read_export("mem0", no_ids) if e.memory]
    assert len(set(first)) == 2


def test_json_lines_with_a_bad_line_name_it_and_keep_the_rest(tmp_path: Path) -> None:
    lines = tmp_path / "dump.jsonl"
    lines.write_text(
        '{"id": "a", "memory": "Owns a red bicycle"}\n{not json\n{"id": "b", "memory": "Sings in a choir"}\n'
    )
    entries = read_export("mem0", lines)
    assert [e.where for e in entries if e.error] == ["line 2"]
    assert [e.memory.content for e in entries if e.memory] == ["Owns a red bicycle", "Sings in a choir"]


def test_an_unusable_scope_id_is_made_safe_and_a_bad_field_fails_its_entry(tmp_path: Path) -> None:
    dump = tmp_path / "mem0.json"
    dump.write_text(
        json.dumps(
            {
                "results": [
                    {"id": "1", "memory": "x", "user_id": "Ada Lovelace"},
                    {"id": "2", "memory": "y", "metadata": {"k": "v" * 2_200_000}},
                ]
            }
        )
    )
    ok, too_big = read_export("mem0", dump)
    assert ok.memory is not None and ok.memory.scope.user_id == "Ada_Lovelace"
    assert too_big.memory is None and too_big.error is not None and too_big.error.startswith("metadata")


@pytest.mark.parametrize(
    ("vendor", "export", "where"),
    [
        ("mem0", {"results": ["a string", {"memory": "  "}]}, "memories"),
        ("ams", {"memories": ["a string", {"text": "  "}]}, "memories"),
        ("letta", {"passages": ["a string", {"text": "  "}]}, "passages"),
        ("zep", {"messages": ["a string", {"content": "  "}]}, "threads[0].messages"),
    ],
)
def test_an_item_that_is_not_an_object_fails_and_a_blank_one_is_skipped(
    vendor: str, export: dict[str, Any], where: str
) -> None:
    not_an_object, blank = READERS[vendor](export)
    assert (not_an_object.where, not_an_object.error) == (f"{where}[0]", "not an object")
    assert blank.where == f"{where}[1]" and blank.skipped is not None and blank.skipped.startswith("empty ")
