from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from mnemo.api.guards.auth import SINGLE_TENANT, KeyRing
from mnemo.memtypes.errors import Unauthorized
from mnemo.memtypes.ids import IdKeys
from mnemo.memtypes.records import TIE_BREAK_FIELD, MemoryIn, MemoryRecord, Scope, same_stored, tie_break
from mnemo.memtypes.types import MemoryType


def test_ids_are_deterministic_and_tenant_scoped() -> None:
    scope = Scope(user_id="u1")
    ids = IdKeys(b"k" * 32)
    memory_id = ids.memory_id
    assert memory_id("a", MemoryType.SEMANTIC, scope, None, "Likes tea") == memory_id(
        "a", MemoryType.SEMANTIC, scope, None, "Likes tea"
    )
    assert memory_id("a", MemoryType.SEMANTIC, scope, None, "Likes tea") != memory_id(
        "b", MemoryType.SEMANTIC, scope, None, "Likes tea"
    )
    assert memory_id("a", MemoryType.SEMANTIC, scope, "x1", "Likes tea") == memory_id(
        "a", MemoryType.SEMANTIC, scope, "x1", "other"
    )


def test_content_hash_ignores_whitespace_layout() -> None:
    ids = IdKeys(b"k" * 32)
    assert ids.content_hash("a", "Likes  tea\n") == ids.content_hash("a", "Likes tea")


WRITTEN = datetime(2025, 5, 1, 12, tzinfo=UTC)


def _record(memory_type: MemoryType, content: str, **fields: Any) -> MemoryRecord:
    """A record of `content` written at `WRITTEN`, with the other fields given (`due_at`, `status`)."""
    return MemoryRecord(
        id="i",
        type=memory_type,
        tenant="t",
        scope=Scope(user_id="u"),
        content=content,
        content_hash="h",
        token_count=1,
        token_counts={"cl100k_base": 1},
        importance=0.5,
        occurred_at=WRITTEN,
        created_at=WRITTEN,
        **fields,
    )


def test_payload_round_trip() -> None:
    record = _record(MemoryType.PROSPECTIVE, "c", due_at=WRITTEN, status="pending")
    payload = record.to_payload()
    assert payload["due_ts"] == WRITTEN.timestamp() and payload["superseded"] is False
    assert MemoryRecord.from_payload("i", payload) == record
    # The number that orders tied candidates: fixed by the id, so the same in every process.
    assert payload[TIE_BREAK_FIELD] == tie_break(record.id)
    spread = [tie_break(f"{n:032x}") for n in range(1000)]
    assert all(0 <= t <= 1 for t in spread) and len(set(spread)) > 990 and 0.45 < sum(spread) / 1000 < 0.55


def _payload(memory_type: MemoryType, content: str) -> dict[str, object]:
    return _record(memory_type, content).to_payload()


def test_a_schedule_is_flagged_in_a_note_not_in_a_conversation_turn() -> None:
    assert _payload(MemoryType.SEMANTIC, "calls with my parents: Sundays at 17:00")["tells_schedule"] is True
    assert _payload(MemoryType.EPISODIC, "Caroline: Sundays are for hiking")["tells_schedule"] is False
    assert _payload(MemoryType.EPISODIC, "Caroline: I went hiking last Sunday")["tells_time"] is True


def test_a_stored_value_is_the_written_one_within_a_few_units_in_the_last_place() -> None:
    written = {"scores": [0.9745270667453553, 2], "note": "x", "nested": {"p": 0.1}}
    assert same_stored(written, {"scores": [0.9745270667453552, 2], "note": "x", "nested": {"p": 0.1}})
    for other in (
        {"scores": [0.9745270667453, 2], "note": "x", "nested": {"p": 0.1}},  # a real change
        {"scores": [0.9745270667453553], "note": "x", "nested": {"p": 0.1}},
        {"scores": [0.9745270667453553, 2], "note": "y", "nested": {"p": 0.1}},
        {"scores": [0.9745270667453553, 2], "note": "x", "nested": {"p": 0.1, "q": 1}},
        {"scores": [0.9745270667453553, 2], "note": "x"},
    ):
        assert not same_stored(written, other), other
    assert same_stored(None, None) and not same_stored(0.5, None) and same_stored(1, 1.0)


@pytest.mark.parametrize(
    "bad",
    [
        {"type": "nope", "content": "x"},
        {"type": "semantic", "content": ""},
        {"type": "semantic", "content": "   "},
        {"type": "semantic", "content": "x" * 40_000},
        {"type": "semantic", "content": "x", "occurred_at": "yesterday"},
        {"type": "semantic", "content": "x", "occurred_at": "2025-01-01T00:00:00"},  # naive
        {"type": "semantic", "content": "x", "importance": 2},
        {"type": "semantic", "content": "x", "scope": {"user_id": "a b\n"}},
        {"type": "semantic", "content": "x", "surprise": 1},
    ],
)
def test_bad_memories_are_rejected(bad: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        MemoryIn.model_validate(bad)


def test_keyring_maps_keys_to_tenants() -> None:
    ring = KeyRing("k1:alpha, k2:beta")
    assert ring.tenant_for("Bearer k1") == "alpha"
    assert ring.tenant_for("bearer k2") == "beta"
    for header in [None, "", "Bearer", "Bearer nope", "Basic k1", "k1"]:
        with pytest.raises(Unauthorized):
            ring.tenant_for(header)
    assert KeyRing(None).tenant_for(None) == SINGLE_TENANT


def test_keyring_keeps_only_digests() -> None:
    ring = KeyRing("supersecret:alpha")
    assert "supersecret" not in repr(ring.__dict__)


@pytest.mark.parametrize("spec", ["nokey", "k:", ":tenant", "k:bad tenant"])
def test_keyring_rejects_bad_specs(spec: str) -> None:
    with pytest.raises(ValueError):
        KeyRing(spec)
