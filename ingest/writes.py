"""Writing memories: the one use case every protocol's write calls (`POST /v1/memories`, and the
writes of the other servers' protocols in compat/, each translated into a `WriteRequest`).

`MemoryWrites.write` is everything between a request and the write pipeline: the service's item
limit, the tenant's embedding allowance, an agent's memories translated into their namespaces, the
whole request screened for secrets and personal data, the batch written in slices, and a big
batch's heap given back to the OS.

Slices: the write pipeline does some work on the event loop per item (token counts in every
encoding, BM25 vectors, payloads) and hands the engine one upsert per type: for 1,000 items of
7.6 KB that is seconds at a stretch during which no other request (another tenant's retrieval) is
served. Slices of at most SLICE_CHARS characters are written one after another, yielding in
between. What a slice boundary changes: the same memory twice in one request is then written
twice, the later one winning (as it does within a slice, where the earlier one is reported
`skipped`); an exact duplicate of an item of an earlier slice is found in the store and skipped, as
within one.

The heap: a 7.5 MB batch tokenizes, embeds and encodes a thousand long texts; glibc keeps the freed
arenas for reuse, so the process's RSS stays at its peak for good. `malloc_trim(0)` returns the free
top and whole free pages of every arena. Other C libraries (musl, macOS) have no such call: a no-op.
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from ..memtypes.agents.resolution import Bindings, writes_as_agent
from ..memtypes.errors import FieldProblem, InvalidInput
from ..memtypes.requests import WriteRequest
from ..memtypes.slices import bounded_slices
from .pipeline import MemoryWriter, WriteOptions, WriteResult
from .prefilter import screen

log = logging.getLogger("mnemo.memory")
SLICE_CHARS = 256_000
# Requests that embed at least this many characters are followed by a trim (a few ms of a thread).
TRIM_AFTER_CHARS = 1_000_000


class Allowance(Protocol):
    """The tenant's embedding allowance (api/guards/fairness.py): refuses (429, or 422 past what one
    request may embed) what it cannot grant."""

    def spend(self, tenant: str, chars: int) -> None: ...


@dataclass(frozen=True)
class MemoryWrites:
    """The write use case, built once by the service from its parts (api/http/services.py)."""

    writer: MemoryWriter
    bindings: Bindings
    embed: Allowance  # embedding is the costly part of a write: charged to the tenant's allowance
    max_items: int  # MNEMO_MAX_ITEMS_PER_REQUEST

    async def write(self, tenant: str, request: WriteRequest) -> list[WriteResult]:
        """One result per memory of the request, in order."""
        if len(request.memories) > self.max_items:
            raise InvalidInput(
                f"at most {self.max_items} memories per request",
                problems=[FieldProblem("memories", f"more than {self.max_items} items")],
            )
        chars = sum(len(m.content) for m in request.memories)
        self.embed.spend(tenant, chars)
        memories = writes_as_agent(
            self.bindings, tenant, request.agent, request.context, request.memory, request.memories
        )
        # The whole request screened before its first slice is written: a refusal (422) stores none of it.
        memories = screen(self.writer.privacy, tenant, memories, refuse=True)
        options = WriteOptions(prefilter=request.prefilter, dedup=request.dedup, agent=request.agent)
        results: list[WriteResult] = []
        for n, part in enumerate(bounded_slices(memories, lambda m: len(m.content), SLICE_CHARS)):
            if n:
                await asyncio.sleep(0)  # let waiting requests run between slices
            results.extend(await self.writer.write(tenant, part, options))
        await release_memory(chars)  # a big batch's peak heap goes back to the OS
        return results


def _load_malloc_trim() -> Callable[[int], int] | None:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        trim: Callable[[int], int] = libc.malloc_trim
    except (OSError, AttributeError):
        return None
    return trim


_malloc_trim = _load_malloc_trim()


async def release_memory(chars: int) -> None:
    """After a request that embedded `chars` characters: trim the heap when it was a big one."""
    if _malloc_trim is None or chars < TRIM_AFTER_CHARS:
        return
    trim = _malloc_trim
    await asyncio.to_thread(trim, 0)
    log.debug("heap trimmed after a request embedding %d characters", chars)
