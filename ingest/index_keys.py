"""What a memory is indexed under besides its words: the text its vectors are computed from.

The displayed text never changes; these only change what the dense and sparse (BM25) vectors see.

- **Date words** (sparse only): the memory's own date as words, "May 2023 Sunday", so a query that
  names a month, a year or a weekday in words the time parser does not read still matches lexically.
  BM25's IDF keeps them mild: every memory of a month shares its month's word.
- **Passages** (dense only): MiniLM reads the first 256 word pieces of a text and drops the rest, so
  a long turn's vector says nothing of what it says later. A text longer than that is cut into
  near-equal passages that each fit, every passage is embedded, and the memory's vector is their
  normalized mean. Shorter texts are embedded exactly as before.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from datetime import datetime, timedelta

import numpy as np

from memtypes.ports import Embedder

# Words per passage. The model's window is 256 word pieces (254 after its two special tokens);
# English prose runs ~1.3 word pieces a word, so 160 words fit with room for names and numbers.
# Code and odd tokens run denser and may still be cut a little at a passage's end.
PASSAGE_WORDS = 160
# A text is split only past this many words (~ the window): below it nothing is lost to truncation.
SPLIT_ABOVE_WORDS = 190


_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "a": 1, "an": 1}
# Days a memory tells of relative to its own date: "yesterday", "last night", "last Saturday",
# "on Friday", "this past Sunday", "three days ago". Spans ("last week") are left to the words.
_TOLD_DAY = re.compile(
    r"\b(?:(?P<yesterday>yesterday|last\s+night)"
    r"|(?:last|on|this\s+past|past)\s+(?P<weekday>" + "|".join(_WEEKDAYS) + r")"
    r"|(?P<count>\d|" + "|".join(_NUMBERS) + r")\s+days?\s+ago)\b",
    re.I,
)


def date_words(day: datetime) -> str:
    """A date in words: month name, day, year, weekday ("May 7 2023 Sunday")."""
    return f"{day:%B} {day.day} {day:%Y %A}"


def told_days(content: str, occurred_at: datetime) -> list[datetime]:
    """The days the text names relative to its own date, resolved (at most a few)."""
    days: list[datetime] = []
    for match in _TOLD_DAY.finditer(content):
        if match["yesterday"]:
            back = 1
        elif match["weekday"]:  # the latest such weekday strictly before the memory's own day
            back = (occurred_at.weekday() - _WEEKDAYS.index(match["weekday"].lower()) - 1) % 7 + 1
        else:
            count = match["count"].lower()
            back = int(count) if count.isdigit() else _NUMBERS[count]
        day = occurred_at - timedelta(days=back)
        if day not in days:
            days.append(day)
    return days[:3]


def sparse_text(content: str, occurred_at: datetime, with_date: bool, with_told: bool = False) -> str:
    """What the BM25 vector of a memory is computed from."""
    days = ([occurred_at] if with_date else []) + (told_days(content, occurred_at) if with_told else [])
    return "\n".join([content, *(date_words(d) for d in days)])


def passages(text: str) -> list[str]:
    """The text itself if the model reads all of it, else near-equal passages of whole words."""
    words = text.split()
    if len(words) <= SPLIT_ABOVE_WORDS:
        return [text]
    count = math.ceil(len(words) / PASSAGE_WORDS)
    size = math.ceil(len(words) / count)
    return [" ".join(words[start : start + size]) for start in range(0, len(words), size)]


async def embed_documents(embedder: Embedder, texts: Sequence[str], split_long: bool) -> list[list[float]]:
    """One vector per text, in one embedder call; long texts pooled over their passages."""
    if not split_long:
        return await embedder.embed(list(texts))
    pieces = [passages(text) for text in texts]
    flat = [p for group in pieces for p in group]
    vectors = await embedder.embed(flat) if flat else []
    out: list[list[float]] = []
    start = 0
    for group in pieces:
        chunk = vectors[start : start + len(group)]
        start += len(group)
        if len(chunk) == 1:
            out.append(list(chunk[0]))
            continue
        mean = np.mean(np.asarray(chunk, dtype=np.float64), axis=0)
        norm = float(np.linalg.norm(mean))
        out.append((mean / norm if norm > 0 else mean).tolist())
    return out
