"""The pre-filter: drop what is not worth remembering before anything is embedded.

Rules, in order: too short for its type; filler ("ok", "thanks", …, also behind a speaker label
such as "Bob: thanks!"). Exact duplicates by content hash need the index, so the writer checks them.
Every drop carries a reason that the caller sees.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from memtypes.records import MemoryIn, normalize_content
from memtypes.types import MemoryType

DEFAULT_MIN_CHARS: dict[MemoryType, int] = {
    MemoryType.SEMANTIC: 50,
    MemoryType.PROCEDURAL: 50,
    MemoryType.PROSPECTIVE: 15,
    MemoryType.EPISODIC: 8,
    MemoryType.WORKING: 1,
}
DEFAULT_FILLERS: frozenset[str] = frozenset(
    {
        "ok", "okay", "k", "kk", "thanks", "thank you", "thx", "ty", "got it", "sure", "yes", "yep", "yeah",
        "no", "nope", "cool", "great", "nice", "lol", "haha", "hmm", "noted", "sounds good", "alright",
        "all right", "fine", "good", "perfect", "awesome", "bye", "hi", "hello", "hey", "ok thanks",
        "thanks a lot", "thank you so much", "will do", "makes sense", "understood", "np", "no problem",
    }
)  # fmt: skip
_SPEAKER = re.compile(r"^[\w][\w .'-]{0,40}:\s+")
_NOT_WORD = re.compile(r"[^\w\s]+")


class SkipReason:
    TOO_SHORT = "too_short"
    FILLER = "filler"
    DUPLICATE = "duplicate"
    REPEATED_IN_REQUEST = "repeated_in_request"


@dataclass(frozen=True)
class PrefilterConfig:
    min_chars: Mapping[MemoryType, int] = field(default_factory=lambda: dict(DEFAULT_MIN_CHARS))
    fillers: frozenset[str] = DEFAULT_FILLERS


def filler_form(content: str) -> str:
    """The content as compared against the filler list: no speaker label, punctuation or case."""
    text = _SPEAKER.sub("", normalize_content(content))
    return " ".join(_NOT_WORD.sub(" ", text).casefold().split())


def prefilter(item: MemoryIn, config: PrefilterConfig) -> str | None:
    """Why `item` should be dropped, or None to keep it."""
    if len(normalize_content(item.content)) < config.min_chars.get(item.type, 1):
        return SkipReason.TOO_SHORT
    if filler_form(item.content) in config.fillers:
        return SkipReason.FILLER
    return None
