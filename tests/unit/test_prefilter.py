from __future__ import annotations

import pytest

from mnemo.ingest.prefilter import PrefilterConfig, SkipReason, prefilter
from mnemo.memtypes.records import MemoryIn
from mnemo.memtypes.types import MemoryType

CONFIG = PrefilterConfig()


def item(memory_type: str, content: str) -> MemoryIn:
    return MemoryIn(type=MemoryType(memory_type), content=content)


@pytest.mark.parametrize(
    ("memory_type", "content", "reason"),
    [
        # Short statements that carry information are kept, whatever their length.
        ("semantic", "Alice likes tea.", None),
        ("semantic", "Bob is allergic to peanuts.", None),
        ("semantic", "Eve's PIN is 4471.", None),
        ("semantic", "Frank is diabetic.", None),
        ("procedural", "Restart it.", None),
        ("prospective", "Call mom.", None),
        ("episodic", "Bob: no, I'm vegan.", None),
        ("episodic", "Bob: I moved to Berlin last week.", None),
        ("episodic", "Thanks, that fixed the login bug!", None),  # more than filler
        # Filler, alone, behind a speaker label, or as a run of filler words.
        ("episodic", "hmm", SkipReason.FILLER),
        ("episodic", "Thanks a lot!!", SkipReason.FILLER),
        ("episodic", "Bob: got it.", SkipReason.FILLER),
        ("episodic", "Bob: sure!", SkipReason.FILLER),
        ("semantic", "ok thanks", SkipReason.FILLER),
        ("episodic", "OK   THANKS", SkipReason.FILLER),
        ("episodic", "ok ok, thanks lol", SkipReason.FILLER),
        ("episodic", "Good morning!", SkipReason.FILLER),
        # Nothing a word is made of.
        ("semantic", "\u200b\u200b\u200b", SkipReason.NO_WORDS),
        ("semantic", "\u200b\u200c\u200d\ufeff", SkipReason.NO_WORDS),
        ("semantic", "\x00\x00", SkipReason.NO_WORDS),
        ("episodic", "\x01\x02 \x7f", SkipReason.NO_WORDS),
        ("episodic", "?!... --- :)", SkipReason.NO_WORDS),
        ("episodic", "___", SkipReason.NO_WORDS),
    ],
)
def test_rules(memory_type: str, content: str, reason: str | None) -> None:
    assert prefilter(item(memory_type, content), CONFIG) == reason


def test_minimums_and_fillers_are_configurable() -> None:
    strict = PrefilterConfig(min_chars={MemoryType.SEMANTIC: 50}, fillers=frozenset({"roger that"}))
    assert prefilter(item("semantic", "Alice likes tea."), strict) == SkipReason.TOO_SHORT
    assert prefilter(item("episodic", "Roger that!"), strict) == SkipReason.FILLER
    assert prefilter(item("episodic", "thanks"), strict) is None
