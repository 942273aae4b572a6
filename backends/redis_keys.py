"""Every Redis key mnemo uses, built in one place: `<prefix>:<tenant>:<kind>:<id>…`.

Callers validate ids with strict patterns first; here every variable component is percent-encoded
as well (everything but `[A-Za-z0-9._~-]`), so no component can contain the `:` separator, a glob
character or a newline, and two different (tenant, id) pairs can never produce the same key. Keys
that do not belong to a tenant start with `<prefix>:_`, which no tenant name can (they start with a
letter or digit).
"""

from __future__ import annotations

import re
from urllib.parse import quote, unquote

MAX_COMPONENT_CHARS = 1_024
_PREFIX = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")


def encode(component: str) -> str:
    if not component or len(component) > MAX_COMPONENT_CHARS:
        raise ValueError(f"a key component is 1..{MAX_COMPONENT_CHARS} characters")
    return quote(component, safe="")


class KeySpace:
    def __init__(self, prefix: str = "mnemo") -> None:
        if not _PREFIX.fullmatch(prefix):
            raise ValueError(f"invalid Redis key prefix {prefix!r}")
        self.prefix = prefix

    def _key(self, tenant: str, kind: str, *parts: str) -> str:
        return ":".join((self.prefix, encode(tenant), kind, *(encode(p) for p in parts)))

    def working(self, tenant: str, task_id: str) -> str:
        return self._key(tenant, "wm", task_id)

    def thread(self, tenant: str, thread_id: str) -> str:
        return self._key(tenant, "thread", thread_id)

    def thread_turns(self, tenant: str, thread_id: str) -> str:
        return self._key(tenant, "turns", thread_id)

    def by_scope(self, tenant: str, kind: str, field: str, value: str) -> str:
        """A set of the ids of `kind` ("wm" tasks, "thread"s) whose scope has `field` = `value`."""
        return self._key(tenant, f"{kind}-by-{field}", value)

    def lock(self, tenant: str, resource: str, name: str) -> str:
        return self._key(tenant, "lock", resource, name)

    def rate(self, tenant: str, bucket: str) -> str:
        """A tenant's rate-limit bucket (GCRA state: one timestamp)."""
        return self._key(tenant, "rate", bucket)

    @property
    def working_deadlines(self) -> str:
        """Sorted set of every task's expiry time, which the sweeper reads."""
        return f"{self.prefix}:_deadlines:wm"

    @staticmethod
    def deadline_member(tenant: str, task_id: str) -> str:
        return f"{encode(tenant)}:{encode(task_id)}"

    @staticmethod
    def parse_deadline_member(member: str) -> tuple[str, str]:
        tenant, _, task_id = member.partition(":")
        return unquote(tenant), unquote(task_id)
