"""API keys → tenants. Keys are kept only as SHA-256 digests and compared in constant time."""

from __future__ import annotations

import hashlib
import hmac
import re

from ...memtypes.errors import Unauthorized

SINGLE_TENANT = "default"
_TENANT_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def _digest(key: str) -> bytes:
    return hashlib.sha256(key.encode("utf-8")).digest()


class KeyRing:
    def __init__(self, spec: str | None) -> None:
        self._tenants: list[tuple[bytes, str]] = []
        for pair in (spec or "").split(","):
            if not pair.strip():
                continue
            key, sep, tenant = pair.strip().rpartition(":")
            if not sep or not key or not _TENANT_PATTERN.match(tenant):
                raise ValueError(
                    "MNEMO_API_KEYS must be comma-separated key:tenant pairs (tenant: [A-Za-z0-9_.-])"
                )
            self._tenants.append((_digest(key), tenant))

    @property
    def tenants(self) -> set[str]:
        """Every tenant a request can be of (single-tenant mode: the one)."""
        return {name for _, name in self._tenants} or {SINGLE_TENANT}

    @property
    def single_tenant(self) -> bool:
        return not self._tenants

    def tenant_for(self, authorization: str | None) -> str:
        if self.single_tenant:
            return SINGLE_TENANT
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthorized("send `Authorization: Bearer <api key>`")
        presented = _digest(token.strip())
        tenant = None
        for digest, name in self._tenants:  # no early exit: time does not depend on which key matched
            if hmac.compare_digest(digest, presented):
                tenant = name
        if tenant is None:
            raise Unauthorized("unknown API key")
        return tenant


def is_admin(keys: KeyRing, admin_key: str | None, authorization: str | None) -> bool:
    """Admin calls (a backup holds every tenant's data): open in single-tenant mode, as every call
    is; with API keys, only to the bearer of `MNEMO_ADMIN_KEY` (none set: nobody)."""
    if keys.single_tenant:
        return True
    scheme, _, token = (authorization or "").partition(" ")
    if admin_key is None or scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(_digest(token.strip()), _digest(admin_key))
