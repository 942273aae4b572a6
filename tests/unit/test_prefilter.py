from __future__ import annotations

import pytest

from ingest.prefilter import PrefilterConfig, SkipReason, prefilter
from memtypes.records import MemoryIn
from memtypes.types import MemoryType

CONFIG = PrefilterConfig()


def item(memory_type: str, content: str) -> MemoryIn:
    return MemoryIn(type=MemoryType(memory_type), content=content)


@pytest.mark.parametrize(
    ("memory_type", "content", "reason"),
    [
        ("semantic", "Alice likes tea.", SkipReason.TOO_SHORT),  # < 50 characters
        ("procedural", "Restart it.", SkipReason.TOO_SHORT),
        ("episodic", "hmm", SkipReason.TOO_SHORT),
        ("episodic", "Thanks a lot!!", SkipReason.FILLER),
        ("episodic", "Bob: got it.", SkipReason.FILLER),  # behind a speaker label
        ("episodic", "OK   THANKS", SkipReason.FILLER),
        ("semantic", "Alice prefers green tea over coffee and drinks it unsweetened.", None),
        ("episodic", "Bob: I moved to Berlin last week.", None),
        ("episodic", "Thanks, that fixed the login bug!", None),  # more than filler
    ],
)
def test_rules(memory_type: str, content: str, reason: str | None) -> None:
    assert prefilter(item(memory_type, content), CONFIG) == reason


def test_thresholds_and_fillers_are_configurable() -> None:
    lenient = PrefilterConfig(min_chars={MemoryType.SEMANTIC: 5}, fillers=frozenset({"roger that"}))
    assert prefilter(item("semantic", "Alice likes tea."), lenient) is None
    assert prefilter(item("episodic", "Roger that!"), lenient) == SkipReason.FILLER
    assert prefilter(item("episodic", "thanks"), lenient) is None
