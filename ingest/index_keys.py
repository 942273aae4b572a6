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
from collections.abc import Sequence
from datetime import datetime

import numpy as np

from memtypes.ports import Embedder

# Words per passage. The model's window is 256 word pieces (254 after its two special tokens);
# English prose runs ~1.3 word pieces a word, so 160 words fit with room for names and numbers.
# Code and odd tokens run denser and may still be cut a little at a passage's end.
PASSAGE_WORDS = 160
# A text is split only past this many words (~ the window): below it nothing is lost to truncation.
SPLIT_ABOVE_WORDS = 190


def date_words(occurred_at: datetime) -> str:
    """The memory's own date in words: month name, year, weekday (English, as the BM25 stemmer)."""
    return occurred_at.strftime("%B %Y %A")


def sparse_text(content: str, occurred_at: datetime, with_date: bool) -> str:
    """What the BM25 vector of a memory is computed from."""
    return f"{content}\n{date_words(occurred_at)}" if with_date else content


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
