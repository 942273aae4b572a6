"""Memory ids and content digests keyed with a per-tenant secret.

An id derived from a memory's words (and a digest of them, the payload's `content_hash`) must not
let whoever holds it (a forget receipt, the erasure ledger, a log, a backup) confirm a guessed text
offline: both are HMAC-SHA256 under a key derived from the service's id key and the tenant, so they
cannot be recomputed without the key, and two tenants writing the same words get unrelated ids.

A keyed id is the HMAC of the unkeyed uuid5 (`records.memory_id`, what every id was before ids were
keyed), so a stored id of the older scheme maps to its keyed id from the tenant alone
(`rekeyed`): a store is migrated without re-deriving anything from the content. The two schemes are
told apart by the UUID's version: the unkeyed ids are version 5, the keyed ones version 8.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from functools import lru_cache

from .records import Scope, memory_id, normalize_content
from .types import MemoryType

ID_KEY_BYTES = 32
KEYED_VERSION = 8
UNKEYED_VERSION = 5


class IdKeys:
    """The service's id key, and the tenants' keys derived from it. No I/O: the key is handed in."""

    def __init__(self, service_key: bytes) -> None:
        if len(service_key) < 16:
            raise ValueError("an id key is at least 16 bytes")
        self.service_key = service_key
        self._tenant_key = lru_cache(maxsize=4096)(self._derive)

    @classmethod
    def ephemeral(cls) -> IdKeys:
        """A key of this process alone: for records that are never stored (tools, tests)."""
        return cls(secrets.token_bytes(ID_KEY_BYTES))

    def _derive(self, tenant: str) -> bytes:
        return hmac.new(
            self.service_key, b"mnemo-tenant\x1f" + tenant.encode("utf-8"), hashlib.sha256
        ).digest()

    def tenant_key(self, tenant: str) -> bytes:
        return self._tenant_key(tenant)

    def memory_id(
        self,
        tenant: str,
        memory_type: MemoryType,
        scope: Scope,
        external_id: str | None,
        content: str,
        distinct_by: str | None = None,
    ) -> str:
        """The deterministic, keyed id: the same input in one tenant always maps to the same record."""
        unkeyed = memory_id(tenant, memory_type, scope, external_id, unkeyed_digest(content), distinct_by)
        return self.rekeyed(tenant, unkeyed)

    def rekeyed(self, tenant: str, unkeyed_id: str) -> str:
        """The keyed id of an id of the older, unkeyed scheme."""
        mac = hmac.new(self.tenant_key(tenant), b"id\x1f" + unkeyed_id.encode(), hashlib.sha256).digest()
        raw = bytearray(mac[:16])
        raw[6] = (raw[6] & 0x0F) | (KEYED_VERSION << 4)
        raw[8] = (raw[8] & 0x3F) | 0x80  # the RFC 4122 variant
        return str(uuid.UUID(bytes=bytes(raw)))

    def content_hash(self, tenant: str, content: str) -> str:
        """The keyed digest of the whitespace-normalized content, for exact-duplicate detection."""
        text = normalize_content(content).encode("utf-8")
        return hmac.new(self.tenant_key(tenant), b"content\x1f" + text, hashlib.sha256).hexdigest()


def unkeyed_digest(content: str) -> str:
    """The bare sha256 the unkeyed ids were derived from; never stored or shown."""
    return hashlib.sha256(normalize_content(content).encode("utf-8")).hexdigest()


def is_unkeyed(point_id: str) -> bool:
    """Whether an id is of the older, unkeyed scheme (a version-5 UUID)."""
    try:
        return uuid.UUID(point_id).version == UNKEYED_VERSION
    except ValueError:
        return False
