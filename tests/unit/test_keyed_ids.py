"""Memory ids and content digests are keyed per tenant: nothing about a text can be confirmed from
them without the service's id key."""

from __future__ import annotations

import hashlib
import os
import stat
import uuid
from pathlib import Path

import pytest

from mnemo.backends.id_key import KEY_FILE, open_id_keys
from mnemo.memtypes.ids import IdKeys, is_unkeyed, unkeyed_digest
from mnemo.memtypes.records import Scope, memory_id
from mnemo.memtypes.types import MemoryType

TEXT = "Dana tested positive for HIV in March."
SCOPE = Scope(user_id="dana")


def test_an_id_cannot_be_recomputed_without_the_key() -> None:
    one, other = IdKeys(b"1" * 32), IdKeys(b"2" * 32)
    keyed = one.memory_id("t", MemoryType.SEMANTIC, SCOPE, None, TEXT)
    bare = memory_id("t", MemoryType.SEMANTIC, SCOPE, None, hashlib.sha256(TEXT.encode()).hexdigest())
    assert keyed != bare and keyed != other.memory_id("t", MemoryType.SEMANTIC, SCOPE, None, TEXT)
    assert uuid.UUID(keyed).version == 8 and not is_unkeyed(keyed) and is_unkeyed(bare)
    # Deterministic under one key: re-writes of the same words are idempotent.
    assert keyed == one.memory_id("t", MemoryType.SEMANTIC, SCOPE, None, f"  {TEXT}\n")
    # The older scheme's id maps to the keyed one from the tenant alone (how a store migrates).
    assert one.rekeyed("t", bare) == keyed


def test_two_tenants_get_unrelated_ids_and_digests() -> None:
    ids = IdKeys(b"1" * 32)
    assert ids.memory_id("a", MemoryType.SEMANTIC, SCOPE, None, TEXT) != ids.memory_id(
        "b", MemoryType.SEMANTIC, SCOPE, None, TEXT
    )
    assert ids.content_hash("a", TEXT) != ids.content_hash("b", TEXT)
    assert ids.content_hash("a", TEXT) != unkeyed_digest(TEXT)


def test_the_data_dirs_key_is_made_once_and_only_its_owner_reads_it(tmp_path: Path) -> None:
    first = open_id_keys(tmp_path)
    mode = stat.S_IMODE(os.stat(tmp_path / KEY_FILE).st_mode)
    assert mode == 0o600
    again = open_id_keys(tmp_path)
    assert again.service_key == first.service_key
    assert again.memory_id("t", MemoryType.SEMANTIC, SCOPE, None, TEXT) == first.memory_id(
        "t", MemoryType.SEMANTIC, SCOPE, None, TEXT
    )


def test_an_operators_key_file_is_used_and_must_be_a_key(tmp_path: Path) -> None:
    shared = tmp_path / "shared-id-key"
    shared.write_bytes(b"s" * 32)
    assert open_id_keys(tmp_path / "a", shared).service_key == b"s" * 32
    assert not (tmp_path / "a" / KEY_FILE).exists()
    shared.write_bytes(b"short")
    with pytest.raises(ValueError, match="not an id key"):
        open_id_keys(tmp_path / "a", shared)
    with pytest.raises(FileNotFoundError):
        open_id_keys(tmp_path / "a", tmp_path / "missing")


def test_a_forget_in_the_ledger_reaches_a_backup_across_the_rekeying(tmp_path: Path) -> None:
    """A backup of unkeyed ids restored with a ledger of keyed ids (a forget after the migration), and
    the other way round: the restore leaves the forgotten memory out either way."""
    from mnemo.backends.transfer.ledger_replay import Forgotten
    from mnemo.memtypes.governance.forget import LedgerEntry
    from mnemo.memtypes.queries import VectorPoint

    ids = IdKeys(b"1" * 32)
    unkeyed = memory_id("t", MemoryType.SEMANTIC, SCOPE, None, unkeyed_digest(TEXT))
    keyed = ids.rekeyed("t", unkeyed)
    payload = {"tenant": "t", "created_ts": 0.0}

    def ledger(name: str, forgotten_id: str) -> Path:
        entry = LedgerEntry(
            tenant="t", at="2026-01-01T00:00:00+00:00", digest=name, scope=None,
            memories={"semantic": [forgotten_id]}, task_ids=[], thread_ids=[],
        )  # fmt: skip
        path = tmp_path / f"{name}.jsonl"
        path.write_text(entry.model_dump_json() + "\n")
        return path

    for backup_id, ledger_id in ((unkeyed, keyed), (keyed, unkeyed)):
        replay = Forgotten([ledger(f"{backup_id[:8]}", ledger_id)], ids)
        assert replay.keep([VectorPoint(backup_id, [0.0], payload)]) == []
        unaware = Forgotten([ledger(f"{backup_id[:8]}-plain", ledger_id)])
        assert len(unaware.keep([VectorPoint(backup_id, [0.0], payload)])) == 1  # what the key adds


def test_the_ledger_is_rewritten_with_keyed_ids_and_keeps_a_line_cut_short(tmp_path: Path) -> None:
    from mnemo.backends.transfer.rekey import _rekey_ledger
    from mnemo.memtypes.governance.forget import LEDGER_FILE, LedgerEntry

    ids = IdKeys(b"1" * 32)
    unkeyed = memory_id("t", MemoryType.SEMANTIC, SCOPE, None, unkeyed_digest(TEXT))
    entry = LedgerEntry(
        tenant="t", at="2026-01-01T00:00:00+00:00", digest="d", scope=None,
        memories={"semantic": [unkeyed]}, task_ids=[], thread_ids=[],
    )  # fmt: skip
    ledger = tmp_path / LEDGER_FILE
    cut_short = entry.model_dump_json()[:40]
    ledger.write_text(f"{entry.model_dump_json()}\n{cut_short}\n")
    assert _rekey_ledger(ledger, ids) == 1
    first, second = ledger.read_text().splitlines()
    assert LedgerEntry.model_validate_json(first).memories == {"semantic": [ids.rekeyed("t", unkeyed)]}
    assert unkeyed not in ledger.read_text() and second == cut_short
    assert _rekey_ledger(ledger, ids) == 0  # once: a keyed id is never mapped again
