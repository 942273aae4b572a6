"""Every Redis key mnemo uses, built in one place: `<prefix>:<tenant>:<kind>:<id>…`.

Callers validate ids with strict patterns first; here every variable component is percent-encoded
as well (everything but `[A-Za-z0-9._~-]`), so no component can contain the `:` separator, a glob
character or a newline, and two different (tenant, id) pairs can never produce the same key. Keys
that do not belong to a tenant start with `<prefix>:_`, which no tenant name can (they start with a
letter or digit).

On a Redis Cluster (`cluster=True`) keys carry a hash tag, `{…}` at their end, so that every
multi-key operation stays in one slot: a working-memory task shares its slot with its shard of the
deadline index (one of DEADLINE_SHARDS sorted sets, so the sweeper's index is not one hot key), a
thread with its turns, and a tenant's scope-index sets with each other (they are intersected). A
tag names no user text (encoded components hold no brace; shards and digests are ours). A single
Redis gets the same keys without tags, as before.
"""

from __future__ import annotations

import hashlib
import re
from urllib.parse import quote, unquote

MAX_COMPONENT_CHARS = 1_024
_PREFIX = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")
# Shards of the deadline index on a cluster. Fixed: a task's shard is part of its key. 128 tags
# spread working memory over 128 slots, plenty for any number of masters a tenant's tasks need.
DEADLINE_SHARDS = 128


def encode(component: str) -> str:
    if not component or len(component) > MAX_COMPONENT_CHARS:
        raise ValueError(f"a key component is 1..{MAX_COMPONENT_CHARS} characters")
    return quote(component, safe="")


def _digest(*parts: str) -> str:
    return hashlib.blake2b("\0".join(parts).encode(), digest_size=8).hexdigest()


def deadline_shard(tenant: str, task_id: str) -> int:
    return int(_digest(tenant, task_id), 16) % DEADLINE_SHARDS


class KeySpace:
    def __init__(self, prefix: str = "mnemo", cluster: bool = False) -> None:
        if not _PREFIX.fullmatch(prefix):
            raise ValueError(f"invalid Redis key prefix {prefix!r}")
        self.prefix = prefix
        self.cluster = cluster

    def _key(self, tenant: str, kind: str, *parts: str) -> str:
        return ":".join((self.prefix, encode(tenant), kind, *(encode(p) for p in parts)))

    def _tagged(self, key: str, tag: str) -> str:
        return f"{key}{{{tag}}}" if self.cluster else key

    def working(self, tenant: str, task_id: str) -> str:
        return self._tagged(self._key(tenant, "wm", task_id), f"wm.{deadline_shard(tenant, task_id)}")

    def thread(self, tenant: str, thread_id: str) -> str:
        return self._tagged(self._key(tenant, "thread", thread_id), f"th.{_digest(tenant, thread_id)}")

    def thread_turns(self, tenant: str, thread_id: str) -> str:
        return self._tagged(self._key(tenant, "turns", thread_id), f"th.{_digest(tenant, thread_id)}")

    def by_scope(self, tenant: str, kind: str, field: str, value: str) -> str:
        """A set of the ids of `kind` ("wm" tasks, "thread"s) whose scope has `field` = `value`."""
        return self._tagged(self._key(tenant, f"{kind}-by-{field}", value), f"sc.{_digest(tenant)}")

    def by_scope_pattern(self, tenant: str, kind: str) -> str:
        """A glob over every scope-index set of `kind` of one tenant (encoded components hold no
        glob character)."""
        return f"{self.prefix}:{encode(tenant)}:{kind}-by-*"

    def parse_by_scope(self, key: str) -> tuple[str, str]:
        """The (field, value) of a scope-index set's key."""
        untagged = key.split("{", 1)[0] if self.cluster else key
        kind_field, value = untagged.split(":", 3)[2:]
        return kind_field.partition("-by-")[2], unquote(value)

    def access(self, tenant: str, memory_type: str) -> str:
        """A hash of the type's access statistics: `n:<id>` → times returned, `t:<id>` → when last."""
        return self._key(tenant, "access", memory_type)

    def lock(self, tenant: str, resource: str, name: str) -> str:
        return self._key(tenant, "lock", resource, name)

    def rate(self, tenant: str, bucket: str) -> str:
        """A tenant's rate-limit bucket (GCRA state: one timestamp)."""
        return self._key(tenant, "rate", bucket)

    @property
    def working_deadlines(self) -> str:
        """Sorted set of every task's expiry time, which the sweeper reads (a single Redis)."""
        return f"{self.prefix}:_deadlines:wm"

    @property
    def working_quarantine(self) -> str:
        """Hash of the tasks the sweeper failed to archive: deadline member → failures so far."""
        return f"{self.prefix}:_quarantine:wm"

    def working_deadlines_of(self, tenant: str, task_id: str) -> str:
        """The deadline index that holds this task: the one set, or on a cluster its task's shard."""
        if not self.cluster:
            return self.working_deadlines
        return self._deadline_shard(deadline_shard(tenant, task_id))

    def _deadline_shard(self, shard: int) -> str:
        return f"{self.working_deadlines}:{{wm.{shard}}}"

    @property
    def all_working_deadlines(self) -> list[str]:
        if not self.cluster:
            return [self.working_deadlines]
        return [self._deadline_shard(shard) for shard in range(DEADLINE_SHARDS)]

    @staticmethod
    def deadline_member(tenant: str, task_id: str) -> str:
        return f"{encode(tenant)}:{encode(task_id)}"

    @staticmethod
    def parse_deadline_member(member: str) -> tuple[str, str]:
        tenant, _, task_id = member.partition(":")
        return unquote(tenant), unquote(task_id)
