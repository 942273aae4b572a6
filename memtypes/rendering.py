"""How a memory appears in a rendered context, shared by the write path (which counts its tokens
once) and the read path (which renders it).

Every rendered chunk (a section header, a time header or one memory line) starts with a non-space
character and ends with a newline. For cl100k_base and o200k_base that boundary is always a
pre-tokenizer split, so the token count of a context is exactly the sum of its chunks' counts: a
line's count can be stored at write time and budget packing is exact without re-tokenizing anything
at read time.
"""

from __future__ import annotations

from datetime import UTC, datetime

from .types import SPECS, MemoryType


def section_header(memory_type: MemoryType) -> str:
    return f"## {SPECS[memory_type].title}\n"


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M")


# Version of the line format that stored token counts (payload `line_tokens`) were taken of; counts
# stored under another version are not trusted, the line is counted again at read time.
LINE_FORMAT = 2


def memory_line(memory_type: MemoryType, content: str, due_at: datetime | None = None) -> str:
    """One memory as a context line; depends only on fields fixed at write time. An event's time is
    not on its line but on the time header above it (see `time_header`)."""
    prefix = f"[due {_stamp(due_at)}] " if SPECS[memory_type].due_dated and due_at else ""
    return f"- {prefix}{content}\n"


def time_header(occurred_ts: float) -> str:
    """The header over the episodic memories of one minute (UTC). Turns of one conversation session
    often share a time: a stamp on every line cost a quarter of a LoCoMo turn's tokens, a header per
    distinct time costs it once. Rendered in UTC so that headers follow the chronological order."""
    return f"[{_stamp(datetime.fromtimestamp(occurred_ts, UTC))}]\n"


# Thread histories follow the same chunk rule: headers and lines start with a non-space character
# and end with a newline, so a history's token count is the sum of its chunks' counts.
HISTORY_FILES_HEADER = "## Files\n"
HISTORY_TURNS_HEADER = "## Conversation\n"


def turn_line(role: str, content: str) -> str:
    return f"{role}: {content}\n"


def file_line(path: str) -> str:
    return f"- {path}\n"
