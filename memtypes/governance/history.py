"""Per-memory change history: who changed a memory, when, what and why, never its text.

The history outlives the memory (a deletion is recorded too), so it must not keep what a deletion
or a forget removed: an entry names changed *fields* (`content_hash` among them when the text
changed), never the text, the tags, the metadata values or a digest of the text (with a digest, a
guessed text could be confirmed after its forget). Entries written by earlier releases carried the
digest; it is dropped when they are read, and from the store when the memory's history is next
written (a forget writes it).
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from enum import StrEnum

from pydantic import BaseModel, Field

# The newest entries a memory keeps; older ones are dropped (counted in `dropped`), the first one
# ("created") is always kept so that the history still says where the memory came from.
MAX_HISTORY_ENTRIES = 50


class HistoryAction(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    SUPERSEDED = "superseded"  # merged into a newer memory (reason says by which)
    RESTORED = "restored"
    INVALIDATED = "invalidated"  # its validity ended by the caller (reason says why)
    CONFIRMED = "confirmed"  # stale, reviewed and still true (reason: what had made it stale)
    DELETED = "deleted"
    FORGOTTEN = "forgotten"


class HistoryEntry(BaseModel):
    at: datetime
    action: HistoryAction
    tenant: str
    agent: str | None = Field(default=None, description="the agent the request acted as, if any")
    changed: list[str] = Field(default_factory=list, description="names of the fields that changed")
    reason: str | None = Field(default=None, description="why, e.g. the merge: `superseded by <id>`")
    receipt: str | None = Field(default=None, description="a forget's receipt digest")


class MemoryHistory(BaseModel):
    memory_id: str
    entries: list[HistoryEntry] = Field(description="oldest first")
    dropped: int = Field(default=0, description=f"older entries dropped (at most {MAX_HISTORY_ENTRIES} kept)")


def capped(entries: list[HistoryEntry], dropped: int) -> tuple[list[HistoryEntry], int]:
    """At most MAX_HISTORY_ENTRIES: the first entry and the newest others."""
    if len(entries) <= MAX_HISTORY_ENTRIES:
        return entries, dropped
    keep_newest = MAX_HISTORY_ENTRIES - 1
    cut = len(entries) - 1 - keep_newest
    return [entries[0], *entries[-keep_newest:]], dropped + cut


def receipt_time(at: datetime) -> str:
    """`at` as a receipt prints it and its digest reads it: UTC, microseconds, `Z`
    (`2026-11-25T09:00:00.000000Z`)."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def receipt_digest(tenant: str, at: str, ids: list[str]) -> str:
    """sha256 (hex) over the lines: the tenant, `at` exactly as the receipt prints it, then the sorted
    removed ids. Anyone holding the receipt recomputes it from its fields (`mnemo forget --verify`)."""
    text = "\n".join([tenant, at, *sorted(ids)])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
