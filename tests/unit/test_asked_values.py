"""Two values of what a question asks (stages/asked_values.py): of two statements that both answer the
question and share a word it names, the newer ranks first, though the pair alone means less alike
than newer-first's bar; a distinct fact about the same person, far from the question, is not lifted."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from mnemo.memtypes.queries import ScoredPoint
from mnemo.memtypes.types import MemoryType
from mnemo.retrieval.ranking.model import DEFAULT_MODEL, varied
from mnemo.retrieval.stages.asked_values import NO_QUESTION, Question, asked, asked_words, asks_now
from mnemo.retrieval.stages.changed_events import lift_changed_events
from mnemo.retrieval.stages.post import VectorsOf
from mnemo.retrieval.stages.rank import lift_newer
from tests.unit.test_fact_rules import LOADED, hit, written_hit
from tests.unit.verdicts import answer_test

FIT = DEFAULT_MODEL.newer_first
QUERY = [1.0, 0.0, 0.0]
# Unit vectors by their cosine with the question (first axis) and with each other: `old` and `new`
# both near the question (0.8, 0.75), alike by 0.42 only (under `min_cosine` 0.55, over
# `asked_min_cosine` 0.4); `far` a distinct fact as alike with `old` (0.5) but far from the question (0.3).
VECTORS: dict[str, list[float]] = {
    "old": [0.8, 0.6, 0.0],
    "new": [0.75, -0.3, 0.5895],
    "far": [0.3, 0.4333, -0.8498],
}


def read_from(vectors: Mapping[str, list[float]], asked_for: list[str]) -> VectorsOf:
    """Reads `vectors` as the index would, noting the ids asked for in `asked_for`."""

    async def read(memory_type: MemoryType, points: Sequence[ScoredPoint]) -> dict[str, list[float]]:
        asked_for.extend(p.id for p in points)
        return {p.id: vectors[p.id] for p in points if p.id in vectors}

    return read


def test_a_question_names_the_words_a_statement_is_about() -> None:
    # Not the names, which every fact of a person's store holds; unless it asks for the value now.
    assert asked_words("What is Alice allergic to?") == {"allergic"}
    assert asked_words("where's Kasia from?") == frozenset()
    assert asked_words("what's Imran's title now?") == {"imran", "title"}
    assert asked_words("who are we with for electricity?") == {"electricity"}
    assert asked_words("when's my weekly supervisor meeting?") == {"weekly", "supervisor", "meeting"}
    assert Question("who are we with for electricity?").words(FIT) == frozenset()  # no vector: off
    off = varied(DEFAULT_MODEL, {"newer_first.asked_min_cosine": 0.0}).newer_first
    assert Question("who are we with for electricity?", QUERY).words(off) == frozenset()


test_a_question_asks_for_the_value_as_it_is_now = answer_test(
    asks_now,
    [
        ("who's the sparky now", True),
        ("what's the mortgage payment these days", True),
        ("What is my current hourly rate?", True),
        ("Is Karen still our PM?", True),
        ("Who is my health insurer at the moment?", True),
        ("How much is the rent?", False),
        ("When did we move the standup?", False),
        ("What did the nurse say about the current medication plan last week?", True),
        ("Who knows the dispatcher?", False),  # "know" holds "now" only inside a word
    ],
)


def test_two_values_are_both_near_the_question_and_alike_enough() -> None:
    values = asked(frozenset({"electricity"}), QUERY, VECTORS, FIT)
    assert values.values("old", "new")
    assert not values.values("old", "far")  # far from the question, however alike
    assert not values.values("old", "unread")  # no vector, no judgement
    assert not asked(frozenset({"electricity"}), None, VECTORS, FIT).values("old", "new")
    assert values.shares(frozenset({"electricity", "ireland"}), frozenset({"electricity", "flogas"}))
    assert not values.shares(frozenset({"meter"}), frozenset({"meter", "flogas"}))


async def test_the_newer_value_of_the_asked_thing_is_lifted() -> None:
    """Cosine 0.42: newer-first alone leaves the older first; the question's word and vector lift the
    newer."""
    old = hit("old", "Electricity is with Electric Ireland, billed every two months.", 0.60, 0)
    new = hit("new", "Electricity: Flogas, 31.5c a unit on a twelve-month fixed rate.", 0.55, 30)
    question = Question("who are we with for electricity?", QUERY)
    for asking, first in ((NO_QUESTION, "old"), (question, "new")):
        hits = {MemoryType.SEMANTIC: [old, new]}
        read: list[str] = []
        lifts = await lift_newer(hits, 0.15, read_from(VECTORS, read), FIT, question=asking)
        assert hits[MemoryType.SEMANTIC][0].id == first and set(lifts) == (
            {"new"} if first == "new" else set()
        )
    assert not await lift_newer(
        {MemoryType.SEMANTIC: [old, new]},
        0.15,
        read_from(VECTORS, []),
        FIT,
        question=Question("what about it?", QUERY),
    )  # a question naming no word of theirs asks about neither


async def test_a_distinct_fact_far_from_the_question_is_not_lifted() -> None:
    """ "Alice started a new job" shares the name a question about now asks of with "Alice is
    allergic to peanuts", alike enough for the question's bar, but far from "What is Alice allergic
    to now?": left below."""
    top = hit("old", "Alice is allergic to peanuts.", 0.60, 0)
    job = hit("far", "Alice started a new job at the bakery.", 0.55, 60)
    hits = {MemoryType.SEMANTIC: [top, job]}
    read: list[str] = []
    question = Question("What is Alice allergic to now?", QUERY)
    assert not await lift_newer(hits, 0.15, read_from(VECTORS, read), FIT, question=question)
    assert [h.id for h in hits[MemoryType.SEMANTIC]] == ["old", "far"] and set(read) == {"old", "far"}


async def test_an_event_that_tells_a_new_value_of_the_asked_thing_is_lifted() -> None:
    fact = written_hit("old", 0.60, "Electricity is with Electric Ireland.", LOADED)
    event = written_hit("new", 0.57, "We switched to Flogas for the electricity.", LOADED + 86_400.0)
    question = Question("who are we with for electricity?", QUERY)
    for asking, lifted in ((NO_QUESTION, set()), (question, {"new"})):
        hits = {MemoryType.EPISODIC: [event], MemoryType.SEMANTIC: [fact]}
        read: list[str] = []
        lifts = await lift_changed_events(hits, 0.075, read_from(VECTORS, read), DEFAULT_MODEL, asking)
        assert set(lifts) == lifted


async def test_a_question_about_now_lets_an_event_that_tells_a_change_overtake_further() -> None:
    """An event that says the value changed is what a question about the value now asks for: it may
    overtake the statement it outdates by the whole margin (here 0.11), not half of it."""
    fact = written_hit("old", 0.60, "Electricity is with Electric Ireland.", LOADED)
    event = written_hit("new", 0.49, "We switched to Flogas for the electricity.", LOADED + 86_400.0)
    for asking, lifted in (
        ("who are we with for electricity?", set()),
        ("who are we with for electricity now?", {"new"}),
    ):
        hits = {MemoryType.EPISODIC: [event], MemoryType.SEMANTIC: [fact]}
        question = Question(asking, QUERY)
        lifts = await lift_changed_events(
            hits, 0.075, read_from(VECTORS, []), DEFAULT_MODEL, question, left_reach=0.15
        )
        assert set(lifts) == lifted
