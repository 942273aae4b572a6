"""An event that tells a change outdates an older statement it means less alike than newer-first's bar
where it retells the value a better statement says replaced the older one (stages/changed_events.py):
not where the older statement has no time of its own, nor where no better statement says so."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from mnemo.memtypes.queries import ScoredPoint
from mnemo.memtypes.types import MemoryType
from mnemo.retrieval.ranking.model import DEFAULT_MODEL
from mnemo.retrieval.stages.asked_values import Question
from mnemo.retrieval.stages.changed_events import lift_changed_events
from mnemo.retrieval.stages.post import VectorsOf
from mnemo.retrieval.stages.rank import says_newer
from tests.unit.test_fact_rules import LOADED, written_hit
from tests.unit.verdicts import answer_test

DAY = 86_400.0  # LOADED is 1 January 2025


def vectors_of(vectors: Mapping[str, list[float]]) -> VectorsOf:
    async def read(memory_type: MemoryType, points: Sequence[ScoredPoint]) -> dict[str, list[float]]:
        return {p.id: vectors[p.id] for p in points if p.id in vectors}

    return read


async def test_an_event_that_retells_the_newer_statement_is_lifted_over_the_older() -> None:
    """ "Katrin → Staff Engineer" means less alike the old title than newer-first's bar, but restates the
    statement that says it is newer than the old title: it is lifted over the old one, not over the newer."""
    old = written_hit("old", 0.356, "Katrin = Platform tech lead since 1 May 2025.", LOADED)
    new = written_hit("new", 0.3564, "Katrin = Staff Engineer since 1 Jan 2026 (still tech lead).", LOADED)
    event = written_hit(
        "event",
        0.316,
        "Calibration done, Katrin → Staff Engineer effective 1 Jan.",
        LOADED,
        LOADED + 348 * DAY,
    )
    # cosines: old-new 0.8, new-event 0.81, old-event 0.3 (under the bar of 0.55)
    vectors = {"old": [1.0, 0.0], "new": [0.8, 0.6], "event": [0.3, 0.9539]}
    for statements, lifted in (([new, old], {"event"}), ([old], set())):
        hits = {MemoryType.EPISODIC: [event], MemoryType.SEMANTIC: list(statements)}
        lifts = await lift_changed_events(hits, 0.075, vectors_of(vectors), DEFAULT_MODEL)
        assert set(lifts) == lifted
        if lifted:
            assert old.score < hits[MemoryType.EPISODIC][0].score < new.score
    # Without a time of its own the old statement may be the value the event told: not lifted over.
    undated = written_hit("old", 0.356, "Katrin = Platform tech lead.", LOADED)
    hits = {MemoryType.EPISODIC: [event], MemoryType.SEMANTIC: [new, undated]}
    assert not await lift_changed_events(hits, 0.075, vectors_of(vectors), DEFAULT_MODEL)


async def test_a_newer_statement_that_does_not_restate_the_older_retells_nothing() -> None:
    """The better statement must restate the older one too (their cosine at the bar): a fact about
    another thing of the same person that says it changed replaced nothing the event outdates."""
    old = written_hit("old", 0.356, "Katrin's desk is on floor 2 since 1 May 2025.", LOADED)
    new = written_hit("new", 0.3564, "Katrin = Staff Engineer since 1 Jan 2026.", LOADED)
    event = written_hit(
        "event", 0.316, "Katrin → Staff Engineer effective 1 Jan.", LOADED, LOADED + 348 * DAY
    )
    # cosines: old-new 0 (another thing), new-event 0.81, old-event 0
    vectors = {"old": [0.0, 0.0, 1.0], "new": [0.8, 0.6, 0.0], "event": [0.3, 0.9539, 0.0]}
    hits = {MemoryType.EPISODIC: [event], MemoryType.SEMANTIC: [new, old]}
    assert not await lift_changed_events(hits, 0.075, vectors_of(vectors), DEFAULT_MODEL)


test_a_statement_says_it_is_newer_by_its_words = answer_test(
    says_newer,
    [
        ("Since 14 Sep 2026 Noor reports to Aoife.", "Noor reports to Marcus.", True),
        ("Katrin = Staff Engineer since 1 Jan 2027.", "Katrin = tech lead since 1 May 2026.", True),
        ("Katrin = tech lead since 1 May 2026.", "Katrin = Staff Engineer since 1 Jan 2027.", False),
        ("Noor reports to Marcus.", "Since 14 Sep 2026 Noor reports to Aoife.", False),
    ],
)


async def test_a_later_event_that_retells_a_step_of_a_chain_joins_it_above() -> None:
    """ "Stable on the 3.75 mg" says no change, but retells the step that reduced the dose to it, months
    later, and is near the question as the older fact is: it lands above that step over the fact. One
    that means less alike the fact than two values of a question must is tied to it by the step: it
    lands over the fact below the step. One as alike the step but far from the question stays below
    (every event of a store may share a name)."""
    fact = written_hit("fact", 0.467, "Gerry's tablets: bisoprolol 2.5 mg every morning.", LOADED)
    step = written_hit(
        "step", 0.45, "Dr Roche reduced Gerry's bisoprolol to 3.75 mg.", LOADED, LOADED + 30 * DAY
    )
    review = written_hit(
        "review", 0.44, "Gerry's review: stable on the 3.75 mg of bisoprolol.", LOADED, LOADED + 200 * DAY
    )
    question = Question("what dose of bisoprolol is Gerry on?", [1.0, 0.0, 0.0])
    # First axis: the question. fact-step 0.86; review-step 0.92, review-fact 0.6, review-question 0.75;
    # the unlike review: step 0.76, fact 0.38 (under 0.4), question 0.7;
    # the far review: step 0.88, fact 0.52, question 0.5 (under 0.85 of the best, 0.8).
    near, unlike, far = [0.75, 0.0, 0.6614], [0.7, -0.3, 0.6481], [0.5, 0.2, 0.8426]
    for review_vector, lifted, order in (
        (near, {"step", "review"}, ["review", "step"]),
        (unlike, {"step", "review"}, ["step", "review"]),
        (far, {"step"}, ["step", "review"]),
    ):
        vectors = {"fact": [0.8, 0.6, 0.0], "step": [0.8, 0.36, 0.48], "review": review_vector}
        hits = {MemoryType.EPISODIC: [step, review], MemoryType.SEMANTIC: [fact]}
        lifts = await lift_changed_events(hits, 0.075, vectors_of(vectors), DEFAULT_MODEL, question)
        assert set(lifts) == lifted
        assert [h.id for h in hits[MemoryType.EPISODIC]] == order
        if "review" in lifted:
            assert hits[MemoryType.EPISODIC][-1].score > fact.score
