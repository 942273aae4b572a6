"""How a memory appears in a rendered context, shared by the write path (which counts its tokens
once) and the read path (which renders it).

Every rendered chunk (a section header or one memory line) starts with a non-space character and
ends with a newline. For cl100k_base and o200k_base that boundary is always a pre-tokenizer split,
so the token count of a context is exactly the sum of its chunks' counts: a line's count can be
stored at write time and budget packing is exact without re-tokenizing anything at read time.
"""

from __future__ import annotations

from datetime import datetime

from memtypes.types import MemoryType

SECTION_TITLES: dict[MemoryType, str] = {
    MemoryType.WORKING: "Working memory",
    MemoryType.SEMANTIC: "Semantic memory (facts and preferences)",
    MemoryType.PROCEDURAL: "Procedural memory (how to do things)",
    MemoryType.PROSPECTIVE: "Prospective memory (to do later)",
    MemoryType.EPISODIC: "Episodic memory (what happened)",
}


def section_header(memory_type: MemoryType) -> str:
    return f"## {SECTION_TITLES[memory_type]}\n"


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M")


def memory_line(
    memory_type: MemoryType, content: str, occurred_at: datetime | None = None, due_at: datetime | None = None
) -> str:
    """One memory as a context line; depends only on fields fixed at write time."""
    if memory_type is MemoryType.EPISODIC and occurred_at is not None:
        prefix = f"[{_stamp(occurred_at)}] "
    elif memory_type is MemoryType.PROSPECTIVE and due_at is not None:
        prefix = f"[due {_stamp(due_at)}] "
    else:
        prefix = ""
    return f"- {prefix}{content}\n"


# Thread histories follow the same chunk rule: headers and lines start with a non-space character
# and end with a newline, so a history's token count is the sum of its chunks' counts.
HISTORY_FILES_HEADER = "## Files\n"
HISTORY_TURNS_HEADER = "## Conversation\n"


def turn_line(role: str, content: str) -> str:
    return f"{role}: {content}\n"


def file_line(path: str) -> str:
    return f"- {path}\n"
