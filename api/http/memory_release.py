"""Give freed heap back to the OS after a big request.

A 7.5 MB batch tokenizes, embeds and encodes a thousand long texts; glibc keeps the freed arenas
for reuse, so the process's RSS stays at its peak for good. `malloc_trim(0)` returns the free top
and whole free pages of every arena. Other C libraries (musl, macOS) have no such call: a no-op.
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import logging
from collections.abc import Callable

log = logging.getLogger("mnemo.memory")
# Requests that embed at least this many characters are followed by a trim (a few ms of a thread).
TRIM_AFTER_CHARS = 1_000_000


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
