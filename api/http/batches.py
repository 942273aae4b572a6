"""A big write runs as a sequence of smaller ones, so that it cannot hold the event loop.

The write pipeline does some work on the event loop per item (token counts in every encoding, BM25
vectors, payloads) and hands the engine one upsert per type: for 1,000 items of 7.6 KB that is
seconds at a stretch during which no other request (another tenant's retrieval) is served. Slices
of at most SLICE_CHARS characters are written one after another, yielding in between.

What a slice boundary changes: the same memory twice in one request is then written twice, the
later one winning (as it does within a slice, where the earlier one is reported `skipped`); an
exact duplicate of an item of an earlier slice is found in the store and skipped, as within one.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from ...ingest.pipeline import MemoryWriter, WriteOptions, WriteResult
from ...memtypes.records import MemoryIn

SLICE_CHARS = 256_000


def slices(memories: Sequence[MemoryIn], max_chars: int = SLICE_CHARS) -> list[list[MemoryIn]]:
    out: list[list[MemoryIn]] = [[]]
    chars = 0
    for memory in memories:
        if out[-1] and chars + len(memory.content) > max_chars:
            out.append([])
            chars = 0
        out[-1].append(memory)
        chars += len(memory.content)
    return out


async def write_in_slices(
    writer: MemoryWriter, tenant: str, memories: Sequence[MemoryIn], options: WriteOptions
) -> list[WriteResult]:
    results: list[WriteResult] = []
    for n, part in enumerate(slices(memories)):
        if n:
            await asyncio.sleep(0)  # let waiting requests run between slices
        results.extend(await writer.write(tenant, part, options))
    return results
