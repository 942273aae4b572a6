"""A memory type is declared in one place: the registry in mnemo/memtypes/types.py holds
every type's defaults and traits, and hardly any other module of the package names a type."""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import ValidationError

from mnemo.ingest.lifecycle import Lifecycle
from mnemo.memtypes.errors import Conflict
from mnemo.memtypes.records import MemoryIn, MemoryRecord, Scope
from mnemo.memtypes.rendering import memory_line, section_header
from mnemo.memtypes.types import (
    DEFAULT_RETRIEVAL_TYPES,
    EVENT_TYPE,
    FACT_TYPE,
    INTENTION_TYPE,
    POLICIES,
    SCRATCHPAD_TYPE,
    SECTION_ORDER,
    SPECS,
    MemoryType,
)

ROOT = Path(__file__).resolve().parents[2]
# The package's modules outside the benchmarks (which build data sets of each type); the client,
# the tests and the examples are users of the API and may name what they write; so are the other
# servers' protocols (compat/), which map each vendor's kinds of memory onto particular types.
NOT_CHECKED = {"tests", "client", "benchmarks", "deploy", "docs", "examples", "build", "compat"}
MAX_MODULES_NAMING_A_TYPE = 5
NAMES_A_TYPE = re.compile(
    r"MemoryType\.(EPISODIC|SEMANTIC|PROCEDURAL|PROSPECTIVE|WORKING)"
    r"|[\"'](episodic|semantic|procedural|prospective|working)[\"']"
)


def _package_modules() -> list[Path]:
    modules = sorted(ROOT.glob("*.py"))
    for folder in sorted(p for p in ROOT.iterdir() if p.is_dir()):
        if folder.name not in NOT_CHECKED and not folder.name.startswith("."):
            modules += sorted(folder.rglob("*.py"))
    return modules


def test_at_most_five_modules_outside_the_benchmarks_name_a_memory_type() -> None:
    naming = [str(m.relative_to(ROOT)) for m in _package_modules() if NAMES_A_TYPE.search(m.read_text())]
    assert "memtypes/types.py" in naming  # the registry itself: the rule is looking at the right tree
    assert len(naming) <= MAX_MODULES_NAMING_A_TYPE, naming


def test_every_type_has_one_spec_with_its_own_policy_and_collection() -> None:
    assert list(SPECS) == list(MemoryType)
    for memory_type, spec in SPECS.items():
        assert spec.memory_type is memory_type and POLICIES[memory_type] is spec.policy
    collections = {spec.collection("mnemo") for spec in SPECS.values()}
    assert len(collections) == len(MemoryType)
    assert SPECS[MemoryType.EPISODIC].collection("mnemo") == "mnemo_episodic"  # stored data's names


def test_budget_shares_of_the_types_searched_by_default_sum_to_one() -> None:
    shares = [POLICIES[t].budget_share for t in DEFAULT_RETRIEVAL_TYPES]
    assert all(share > 0 for share in shares)
    assert math.isclose(sum(shares), 1.0)
    # A type left out by default has no share of the budget (the scratchpad has a budget of its own).
    assert all(POLICIES[t].budget_share == 0 for t in MemoryType if t not in DEFAULT_RETRIEVAL_TYPES)


def test_sections_cover_every_type_once_and_the_live_scratchpad_comes_first() -> None:
    assert sorted(SECTION_ORDER) == sorted(MemoryType)
    assert len({spec.section for spec in SPECS.values()}) == len(MemoryType)
    assert SECTION_ORDER[0] is SCRATCHPAD_TYPE
    assert len({spec.title for spec in SPECS.values()}) == len(MemoryType)
    assert section_header(FACT_TYPE) == "## Semantic memory (facts and preferences)\n"


def test_each_trait_that_belongs_to_one_type_names_a_consistent_one() -> None:
    assert SPECS[EVENT_TYPE].holds_events and SPECS[INTENTION_TYPE].due_dated
    assert SPECS[SCRATCHPAD_TYPE].task_scratchpad and "fact_key" in SPECS[FACT_TYPE].own_fields
    # The trigger search and the due list read pending intentions: a new one starts pending.
    assert SPECS[INTENTION_TYPE].statuses[0] == "pending"
    # The live scratchpad is read from Redis; its collection (the archive) only when asked for.
    assert SCRATCHPAD_TYPE not in DEFAULT_RETRIEVAL_TYPES
    assert SPECS[SCRATCHPAD_TYPE].merge_threshold > 1.0  # an archive is kept as it was


def test_defaults_lie_in_their_ranges() -> None:
    for spec in SPECS.values():
        assert 0.0 < spec.merge_threshold <= 1.01
        assert 0.0 <= spec.importance_base <= 1.0
        assert spec.newer_first_overlap is None or 0.0 <= spec.newer_first_overlap <= 1.0
        assert spec.policy.w_similarity > 0 and spec.policy.half_life_days > 0


def test_a_type_own_fields_are_fields_of_a_memory_and_no_other_type_may_carry_them() -> None:
    owners: dict[str, MemoryType] = {}
    for memory_type, spec in SPECS.items():
        for name in spec.own_fields:
            assert name in MemoryIn.model_fields
            assert owners.setdefault(name, memory_type) is memory_type
    due = datetime(2030, 1, 2, 3, 4, tzinfo=UTC)
    for name, owner in owners.items():
        value = due.isoformat() if name == "due_at" else "x"
        assert MemoryIn.model_validate({"type": owner, "content": "c", name: value})
        for other in (t for t in MemoryType if t is not owner):
            with pytest.raises(ValidationError):
                MemoryIn.model_validate({"type": other, "content": "c", name: value})


@pytest.mark.parametrize(
    ("memory", "message"),
    [
        ({"type": "episodic", "fact_key": "a.b"}, "fact_key is for semantic memories"),
        ({"type": "semantic", "trigger": "deploy"}, "due_at and trigger are for prospective memories"),
        # Both wrong: the first rule in the registry's order answers, as it always did.
        ({"type": "working", "fact_key": "a.b", "trigger": "x"}, "fact_key is for semantic memories"),
    ],
)
def test_the_field_rules_read_as_before(memory: dict[str, str], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        MemoryIn.model_validate({"content": "c", **memory})


def test_only_intentions_render_a_due_prefix() -> None:
    due = datetime(2030, 1, 2, 3, 4, tzinfo=UTC)
    assert memory_line(INTENTION_TYPE, "call Bob", due) == "- [due 2030-01-02 03:04] call Bob\n"
    others = [t for t in MemoryType if t is not INTENTION_TYPE]
    assert all(memory_line(t, "call Bob", due) == "- call Bob\n" for t in others)


def _record(memory_type: MemoryType) -> MemoryRecord:
    now = datetime(2030, 1, 1, tzinfo=UTC)
    return MemoryRecord(
        id="m1",
        type=memory_type,
        tenant="t",
        scope=Scope(),
        content="c",
        content_hash="h",
        token_count=1,
        token_counts={},
        importance=0.5,
        occurred_at=now,
        created_at=now,
    )


async def test_lifecycle_routes_refuse_other_types_with_the_same_words() -> None:
    # Refused before any engine is reached: the lifecycle needs none for these answers.
    lifecycle = Lifecycle(index=None, writer=None)  # type: ignore[arg-type]
    with pytest.raises(Conflict, match="memory m1 is semantic; only prospective memories have a status"):
        await lifecycle.set_status(_record(MemoryType.SEMANTIC), "done")
    with pytest.raises(Conflict, match="memory m1 is episodic; only procedural memories count uses"):
        await lifecycle.mark_used(_record(MemoryType.EPISODIC))
