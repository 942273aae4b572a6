"""The pre-filter: drop what carries no information before anything is embedded.

It judges information, not length: a short statement ("Frank is diabetic.", "Eve's PIN is 4471.")
is often the most valuable thing a user says, so it is always kept. Dropped are content with no
word character at all (zero-width or control characters, punctuation, whitespace) and filler:
greetings and acknowledgements ("ok", "thanks", "got it", also behind a speaker label such as
"Bob: sure!", and runs of them such as "ok ok thanks lol"). A per-type minimum length is still a
knob (`MNEMO_WRITE__PREFILTER_MIN_CHARS`), off by default. Exact duplicates by content hash need the
index, so the writer checks them. Every drop carries a reason that the caller sees.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from ..memtypes.records import MemoryIn, normalize_content
from ..memtypes.types import MemoryType

# No built-in minimum: length says nothing about information. Configurable per type.
DEFAULT_MIN_CHARS: dict[MemoryType, int] = {}
DEFAULT_FILLERS: frozenset[str] = frozenset(
    {
        "ok", "okay", "k", "kk", "thanks", "thank you", "thx", "ty", "got it", "sure", "yes", "yep", "yeah",
        "no", "nope", "cool", "great", "nice", "lol", "haha", "hmm", "noted", "sounds good", "alright",
        "all right", "fine", "good", "perfect", "awesome", "bye", "hi", "hello", "hey", "ok thanks",
        "thanks a lot", "thank you so much", "will do", "makes sense", "understood", "np", "no problem",
        "good morning", "good night", "good evening", "good afternoon", "see you", "see ya", "cheers",
        "welcome", "you re welcome", "yw", "right", "indeed", "oh", "ah", "wow", "oops", "mhm", "uh huh",
        "hahaha", "lmao", "ha", "yup", "sure thing", "of course", "ok cool", "bye bye", "goodbye",
        "hi there", "hello there", "hey there", "morning", "night", "thank u", "thanks so much",
        "much appreciated", "appreciate it", "no worries", "okey", "okie", "k thx", "great thanks",
    }
)  # fmt: skip
_SPEAKER = re.compile(r"^[\w][\w .'-]{0,40}:\s+")
_NOT_WORD = re.compile(r"[^\w\s]+")
# A word character that is not a zero-width or formatting one (str.isalnum is false for those).
_WORD_CHAR = re.compile(r"[^\W_]")


class SkipReason:
    TOO_SHORT = "too_short"
    NO_WORDS = "no_words"
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


def _is_filler(content: str, fillers: frozenset[str]) -> bool:
    """The whole text is one filler phrase, or a run of filler words ("ok ok thanks lol")."""
    form = filler_form(content)
    if form in fillers:
        return True
    words = form.split()
    return bool(words) and len(words) <= 6 and all(w in fillers for w in words)


def prefilter(item: MemoryIn, config: PrefilterConfig) -> str | None:
    """Why `item` should be dropped, or None to keep it."""
    if _WORD_CHAR.search(item.content) is None:
        return SkipReason.NO_WORDS
    if len(normalize_content(item.content)) < config.min_chars.get(item.type, 0):
        return SkipReason.TOO_SHORT
    if _is_filler(item.content, config.fillers):
        return SkipReason.FILLER
    return None
