"""What a memory's vectors are computed from (`ingest/index_keys.py`): date words for BM25, and
long texts embedded as passages that each fit the model's window, pooled into one vector."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import numpy as np
import pytest

from ingest.index_keys import (
    PASSAGE_WORDS,
    SPLIT_ABOVE_WORDS,
    date_words,
    embed_documents,
    passages,
    sparse_text,
    told_days,
)

WHEN = datetime(2023, 5, 7, 18, 30, tzinfo=UTC)


def test_date_words_name_month_day_year_and_weekday() -> None:
    assert date_words(WHEN) == "May 7 2023 Sunday"
    assert sparse_text("I went hiking.", WHEN, with_date=True) == "I went hiking.\nMay 7 2023 Sunday"
    assert sparse_text("I went hiking.", WHEN, with_date=False) == "I went hiking."


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("I went to a support group yesterday.", ["May 6 2023 Saturday"]),
        ("We had a blast last night!", ["May 6 2023 Saturday"]),
        ("I ran a charity race last Saturday.", ["May 6 2023 Saturday"]),
        ("Last Sunday was fun.", ["April 30 2023 Sunday"]),  # never the memory's own day
        ("On Friday we went camping.", ["May 5 2023 Friday"]),
        ("this past Monday I started.", ["May 1 2023 Monday"]),
        ("I started three days ago, or 2 days ago.", ["May 4 2023 Thursday", "May 5 2023 Friday"]),
        ("Friday we went; on Friday again.", ["May 5 2023 Friday"]),  # one day once
        ("Last week was busy and next Friday too.", []),  # spans and the future are not resolved
    ],
)
def test_told_days_are_resolved_against_the_memory_date(text: str, days: list[str]) -> None:
    assert [date_words(d) for d in told_days(text, WHEN)] == days
    assert sparse_text(text, WHEN, with_date=False, with_told=True).split("\n")[1:] == days


def test_short_texts_are_one_passage_unchanged() -> None:
    text = "user: " + " ".join(["word"] * (SPLIT_ABOVE_WORDS - 1))
    assert passages(text) == [text]


def test_long_texts_split_into_near_equal_passages_of_every_word_in_order() -> None:
    words = [f"w{i}" for i in range(3 * PASSAGE_WORDS + 7)]
    parts = passages(" ".join(words))
    assert len(parts) == 4
    assert " ".join(parts).split() == words  # nothing lost, nothing repeated
    sizes = [len(p.split()) for p in parts]
    assert max(sizes) <= PASSAGE_WORDS and max(sizes) - min(sizes) <= 4


class _Recording:
    """An embedder whose vector of a text is its one-hot bucket, and that records each call."""

    dimension = 4
    model_name = "recording"

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    async def embed(self, texts: Sequence[str]) -> list[list[float]]:
        self.calls.append(list(texts))
        return [[1.0 if i == hash(t) % 4 else 0.0 for i in range(4)] for t in texts]


async def test_long_texts_get_the_normalized_mean_of_their_passages_in_one_call() -> None:
    embedder = _Recording()
    long = " ".join(f"w{i}" for i in range(2 * PASSAGE_WORDS + 1))
    short = "user: a short turn"
    vectors = await embed_documents(embedder, [short, long], split_long=True)  # type: ignore[arg-type]
    assert len(embedder.calls) == 1 and embedder.calls[0][0] == short
    parts = passages(long)
    assert embedder.calls[0][1:] == parts
    expected = np.mean([(await _Recording().embed([p]))[0] for p in parts], axis=0)
    assert vectors[1] == pytest.approx((expected / np.linalg.norm(expected)).tolist())
    assert vectors[0] == (await _Recording().embed([short]))[0]
    assert np.linalg.norm(vectors[1]) == pytest.approx(1.0)


async def test_without_passages_texts_are_embedded_whole() -> None:
    embedder = _Recording()
    long = " ".join(f"w{i}" for i in range(2 * PASSAGE_WORDS + 1))
    await embed_documents(embedder, [long], split_long=False)  # type: ignore[arg-type]
    assert embedder.calls == [[long]]
