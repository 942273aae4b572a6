"""The text rules behind merging (mnemo.ingest.dedup) and newer-first ranking (stages/rank.py), and
the times and words by which an event outdates a fact (stages/changed_events.py)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from mnemo.ingest.dedup import is_negation_update, may_merge, same_identity
from mnemo.memtypes.language.facts import signature
from mnemo.memtypes.queries import ScoredPoint
from mnemo.memtypes.records import MemoryRecord, Scope
from mnemo.memtypes.types import MemoryType
from mnemo.retrieval.ranking.model import DEFAULT_MODEL
from mnemo.retrieval.stages.changed_events import candidate_pairs, lift_changed_events, tells_change
from mnemo.retrieval.stages.post import same_meaning
from mnemo.retrieval.stages.rank import NewerPairs, continues, newer_first
from mnemo.retrieval.stages.search import VectorCache
from mnemo.retrieval.stages.statement_times import event_is_newer
from tests.unit.verdicts import answer_test

T0 = datetime(2025, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("a", "b", "agree"),
    [
        ("Alice prefers green tea over coffee.", "Alice likes green tea more than coffee.", True),
        ("Eve's PIN is 4471.", "The PIN of Eve is 4471.", True),
        ("Pay invoice #1003", "Remember to pay invoice #1003", True),  # a capitalised verb is no name
        ("Remind Alice to renew her passport.", "Don't forget: Alice should renew her passport.", True),
        ("Fact 17: the customer account 17 uses SSO.", "Fact 42: the customer account 42 uses SSO.", False),
        ("Pay invoice #1003", "Pay invoice #1007", False),
        ("User logged in from IP 10.0.0.3 at 09:03", "User logged in from IP 10.0.0.4 at 09:03", False),
        ("Alice is allergic to peanuts.", "Bob is allergic to peanuts.", False),
        ("Alice and Bob like tea.", "Alice likes tea.", False),
        ("Alice's manager is Bob.", "Bob's manager is Alice.", False),
        ("Alice's manager is Bob.", "The manager of Alice is Bob.", True),
        ("Bob is allergic to peanuts.", "Bob is not allergic to peanuts.", False),
        ("Bob isn't allergic to peanuts.", "Bob is allergic to peanuts.", False),
        ("The meeting is on Monday.", "The meeting is on Tuesday.", False),
        ("Payment of $120.00 received.", "Payment of $12.00 received.", False),
    ],
)
def test_signatures_agree_only_on_the_same_fact(a: str, b: str, agree: bool) -> None:
    assert signature(a).agrees_with(signature(b)) is agree
    assert signature(b).agrees_with(signature(a)) is agree


def test_a_capitalised_name_with_a_number_is_a_name_and_a_code_is_not() -> None:
    said = signature("CX5 is insured with AAMI, policy AAM5520931; the U12s train Mondays.")
    assert {"cx5", "u12s", "aami"} <= said.names
    assert "aam5520931" not in said.names
    assert {"cx5", "aam5520931"} <= said.numbers  # still figures, for what two facts agree on


def record(content: str, memory_type: MemoryType = MemoryType.SEMANTIC, **fields: object) -> MemoryRecord:
    values: dict[str, object] = {
        "id": "x", "type": memory_type, "tenant": "t", "scope": Scope(), "content": content,
        "content_hash": "h", "token_count": 1, "token_counts": {}, "importance": 0.5,
        "occurred_at": T0, "created_at": T0, **fields,
    }  # fmt: skip
    return MemoryRecord.model_validate(values)


def test_identity_rules() -> None:
    tea = "Alice prefers green tea over coffee."
    assert may_merge(record(tea), record(tea))
    assert not same_identity(record(tea, external_id="a"), record(tea, external_id="b"))
    assert not same_identity(record(tea, external_id="a"), record(tea))
    due = {"due_at": T0}
    prospective = MemoryType.PROSPECTIVE
    assert not may_merge(
        record("Water the plants.", prospective, **due), record("Water the plants.", prospective)
    )
    assert not may_merge(
        record("Water the plants.", prospective, trigger="garden"), record("Water the plants.", prospective)
    )
    ran, episodic = "Alice went for a run.", MemoryType.EPISODIC
    assert may_merge(record(ran, episodic), record(ran, episodic, occurred_at=T0 + timedelta(seconds=30)))
    assert not may_merge(record(ran, episodic), record(ran, episodic, occurred_at=T0 + timedelta(days=1)))


def test_a_flipped_negation_is_an_update() -> None:
    assert is_negation_update(
        record("Bob is allergic to peanuts."), record("Bob is not allergic to peanuts.")
    )
    assert is_negation_update(record("Bob can swim."), record("Bob cannot swim."))
    assert not is_negation_update(
        record("Bob is allergic to peanuts."), record("Bob is not allergic to kiwi.")
    )
    assert not is_negation_update(
        record("Bob is allergic to peanuts."), record("Bob is allergic to peanuts.")
    )


def hit(point_id: str, content: str, score: float, days: int) -> ScoredPoint:
    return ScoredPoint(
        point_id, score, {"content": content, "occurred_ts": (T0 + timedelta(days=days)).timestamp()}
    )


def lifted_ids(*hits: ScoredPoint) -> set[str]:
    """The hits `newer_first` lifts, at the margin these tests rank by."""
    return set(newer_first(hits, 0.15)[1])


def test_a_newer_statement_about_the_same_subject_is_lifted_just_above() -> None:
    old = hit("old", "Grace lives in Boston.", 0.60, 0)
    new = hit("new", "Grace moved to Denver.", 0.50, 30)
    other = hit("other", "Heidi moved to Lisbon.", 0.55, 40)  # another subject: not lifted
    ranked, lifts = newer_first([old, new, other], margin=0.15)
    assert [h.id for h in ranked] == ["new", "old", "other"]
    assert set(lifts) == {"new"} and ranked[0].score == pytest.approx(0.6001)
    # Too far behind, written at the same time without saying it changed, or older: left where it was.
    assert lifted_ids(old, hit("new", "Grace moved to Denver.", 0.40, 30)) == set()
    assert lifted_ids(old, hit("new", "Grace lives in Denver.", 0.55, 0)) == set()
    ahead = hit("new", "Grace moved to Denver.", 0.6, 30)
    assert lifted_ids(ahead, hit("old", "Grace lives in Boston.", 0.5, 0)) == set()
    # Written at the same time (one batch, an import): the statement that says it changed is the newer.
    for changed in (
        "Grace moved to Denver.",
        "Grace now lives in Denver.",
        "Since May Grace lives in Denver.",
    ):
        lifted, lifts = newer_first([old, hit("new", changed, 0.55, 0)], 0.15)
        assert [h.id for h in lifted] == ["new", "old"] and set(lifts) == {"new"}
    # Both say it changed: neither is the newer.
    also_changed = hit("old", "Grace now lives in Boston.", 0.6, 0)
    assert lifted_ids(also_changed, hit("new", "Grace moved to Denver.", 0.55, 0)) == set()
    # Events must also share their words.
    turns = [
        hit("a", "Caroline: I went to a support group.", 0.6, 0),
        hit("b", "Caroline: I love painting.", 0.55, 9),
    ]
    assert newer_first(turns, 0.15, min_overlap=0.35)[1] == {}


def test_an_event_whose_change_starts_where_another_ended_is_the_next_step() -> None:
    """Events are corrections by their numbers, mostly in the same words; one whose change starts
    from the value another's change ended at is the next step of that value, in whatever words."""
    first = hit("first", "EKS 1.29 → 1.30 upgrade done (Kwame), no incidents. 1.31 planned for Q3.", 0.39, 0)
    second = hit("second", "EKS 1.30 → 1.31 upgrade done (Kwame + Meera). A CoreDNS issue, fixed.", 0.35, 200)
    assert set(newer_first([first, second], 0.15, min_overlap=0.35)[1]) == {"second"}
    assert continues("increased bisoprolol from 2.5 mg to 5 mg", "reduced it from 5 mg to 3.75 mg")
    # Another value's change, the earlier step, or times of day: no next step.
    assert not continues("EKS 1.29 → 1.30 upgrade done.", "Postgres 14 → 15 upgrade done.")
    assert not continues("EKS 1.30 → 1.31 upgrade done.", "EKS 1.29 → 1.30 upgrade done.")
    assert not continues("Standup moved 9:00 to 9:30.", "Standup moved 9:30 to 10:00.")
    assert not continues("Runs of 15 to 20 minutes.", "Runs of 20 to 30 minutes.")  # ranges, no change


def test_an_event_that_names_an_older_events_value_as_left_is_the_newer() -> None:
    """A later event that moves a date "now … instead of" the one an older event gave, in other words."""
    place = hit("place", "Nursery called: a place for Tomi starting 1 April. Signed.", 0.59, 0)
    moved = hit("moved", "Email: Tomi's settling-in now starts Monday 12 April instead of 1 April.", 0.50, 60)
    assert set(newer_first([place, moved], 0.15, min_overlap=0.35)[1]) == {"moved"}
    # Past the margin, or a later event that leaves another value: left where it was.
    behind = hit("moved", str(moved.payload["content"]), 0.43, 60)
    assert not newer_first([place, behind], 0.15, min_overlap=0.35)[1]
    other = hit("other", "Tomi's swimming now starts 12 April instead of 5 April.", 0.50, 60)
    assert not newer_first([place, other], 0.15, min_overlap=0.35)[1]


def test_a_newer_statement_is_lifted_only_where_it_means_the_same() -> None:
    """A shared name is not a shared subject; the meaning check decides, and only the
    pairs that pass the word, time and score checks are asked about (their vectors are read)."""
    old = hit("old", "Alice is allergic to peanuts.", 0.60, 0)
    home = hit("home", "Alice lives in Denver with her two cats.", 0.50, 30)
    job = hit("job", "Alice started a new job at the bakery.", 0.30, 60)  # too far behind to be lifted
    fit, gap_s = DEFAULT_MODEL.newer_first, DEFAULT_MODEL.conversation_gap_s
    pairs = NewerPairs.of([old, home, job], 0.15, 0.0, fit, gap_s, frozenset())
    assert pairs.compared_ids() == {"old", "home"}
    off = NewerPairs.of([old, home, job], 0.0, 0.0, fit, gap_s, frozenset())
    assert off.compared_ids() == set()  # the lift off: nothing to read
    vectors = {"old": [1.0, 0.0], "home": [0.5, 0.866], "job": [0.0, 1.0]}  # cosine(old, home) 0.5
    kept, lifts = newer_first([old, home, job], 0.15, same=same_meaning(vectors, 0.55))
    assert [h.id for h in kept] == ["old", "home", "job"] and lifts == {}
    lifted, lifts = newer_first([old, home, job], 0.15, same=same_meaning(vectors, 0.45))
    assert [h.id for h in lifted] == ["home", "old", "job"] and set(lifts) == {"home"}
    # A hit whose vector could not be read is never lifted; an unnormalised vector is normalised.
    assert not same_meaning({"old": [1.0, 0.0]}, 0.1)("old", "home")
    assert same_meaning({"a": [3.0, 0.0], "b": [2.0, 0.1]}, 0.99)("a", "b")
    assert not same_meaning({}, 0.1)("a", "b")


def test_the_lift_vector_cache_is_bounded_and_keyed_by_content() -> None:
    cache = VectorCache(size=2)
    a = (MemoryType.SEMANTIC, "a", "Alice is allergic to peanuts.")
    b, c = (MemoryType.SEMANTIC, "b", "x"), (MemoryType.SEMANTIC, "c", "y")
    cache.put(a, [1.0, 0.0])
    cache.put(b, [0.0, 1.0])
    assert cache.get(a) is not None  # a used last: b goes first
    cache.put(c, [1.0, 1.0])
    assert cache.get(b) is None and cache.get(a) is not None and cache.get(c) is not None
    # The same memory edited (another content) is another key: its old vector is not used.
    assert cache.get((MemoryType.SEMANTIC, "a", "Alice is allergic to shellfish.")) is None


def test_a_statement_that_only_says_it_changed_overtakes_a_smaller_lead() -> None:
    # Written together: "since …" alone says it is the newer, and such words also open statements that
    # update nothing, so it overtakes half the lead a newer time may.
    old = hit("old", "Inês's home policy with Maré Seguros is 44-1187-22.", 0.60, 0)
    near = hit("new", "Since January Inês has worked for Maré Seguros.", 0.55, 0)
    far = hit("new", "Since January Inês has worked for Maré Seguros.", 0.50, 0)
    assert lifted_ids(old, near) == {"new"}
    assert lifted_ids(old, far) == set()
    # A month between them: the whole margin.
    assert lifted_ids(old, hit("new", "Inês works for Maré Seguros.", 0.50, 30)) == {"new"}


HOUR = 3600.0
LOADED = T0.timestamp()  # when an import wrote every memory


def written(at: float, occurred: float | None = None, valid_from: float | None = None) -> dict[str, float]:
    """A payload's times: written at `at`, occurred then unless its writer said when."""
    times = {"created_ts": at, "occurred_ts": at if occurred is None else occurred}
    return times | ({} if valid_from is None else {"valid_from_ts": valid_from})


def written_hit(
    point_id: str, score: float, content: str, at: float, occurred: float | None = None
) -> ScoredPoint:
    """A hit whose payload holds `content`, written at `at` (see `written`)."""
    return ScoredPoint(point_id, score, {"content": content, **written(at, occurred)})


@pytest.mark.parametrize(
    ("event", "statement", "newer"),
    [
        # One import: the fact has no time of its own, the dated event is the newer.
        (written(LOADED, occurred=LOADED - 90 * 24 * HOUR), written(LOADED + 5.0), True),
        # The fact written months after the event was: it may already tell the change.
        (written(LOADED, occurred=LOADED - HOUR), written(LOADED + 60 * 24 * HOUR), False),
        # The event happened after the fact was written.
        (written(LOADED + 30 * 24 * HOUR), written(LOADED), True),
        # A fact its writer dated: the event must come at least an hour after it.
        (
            written(LOADED, occurred=LOADED - 90 * 24 * HOUR),
            written(LOADED, occurred=LOADED - 30 * 24 * HOUR),
            False,
        ),
        (
            written(LOADED, occurred=LOADED - 30 * 24 * HOUR),
            written(LOADED, occurred=LOADED - 90 * 24 * HOUR),
            True,
        ),
        (
            written(LOADED, occurred=LOADED - 30 * 24 * HOUR),
            written(LOADED, valid_from=LOADED - 10 * 24 * HOUR),
            False,
        ),
    ],
)
def test_an_event_is_newer_than_a_fact_as_far_as_their_times_tell(
    event: dict[str, float], statement: dict[str, float], newer: bool
) -> None:
    assert event_is_newer(event, statement, DEFAULT_MODEL.conversation_gap_s) is newer


test_an_event_tells_a_change_by_its_words = answer_test(
    tells_change,
    [
        ("We switched electricity from Electric Ireland to Flogas.", True),
        ("Dr Mulvey has increased her levothyroxine from 75 to 88 micrograms.", True),
        ("Imran Qadir promoted to Finance Director, reporting to Helen.", True),
        ("EKS 1.29 → 1.30 upgrade done (Kwame), no incidents.", True),
        ("Gerry cleaned out the hens' coop and put down fresh straw.", False),
        ("Datadog QBR: log volume up 40% since July.", False),  # a while, not a value's start
        ("Armando sent the final renovation account: €15,060 is left to pay.", False),
        ("Sanne phoned from Lexis: their rate goes up to 0,12 EUR per word.", True),
        ("Signed the refi, payment goes down to twenty one fifty a month.", True),
        ("Sanne has left Lexis; her projects were handed to Daan Visser.", True),
        ("Standup moves to 9:30 on Mondays.", True),
        ("The launch was pushed back a week.", True),
        ("Steel started going up today, first columns on grid A.", False),  # construction, no value
        ("The rent went up at the end of the lane.", False),  # a place, no value gone up to
        ("Handed the keys to the cleaner.", False),  # a thing handed, no holder changed
    ],
)


def test_of_two_statements_that_say_they_changed_the_later_named_start_is_the_newer() -> None:
    lead = hit("old", "Katrin Vogt = Platform tech lead since 1 May 2026.", 0.60, 0)
    staff = hit("new", "Katrin Vogt = Staff Engineer since 1 Jan 2027.", 0.55, 0)
    assert set(newer_first([lead, staff], 0.15)[1]) == {"new"}
    # Its start named first: not the newer; a start without a year tells nothing; the rule off.
    assert newer_first([staff, replace(lead, score=0.55)], 0.15)[1] == {}
    assert (
        newer_first([lead, hit("new", "Katrin Vogt = Staff Engineer since January.", 0.55, 0)], 0.15)[1] == {}
    )
    off = dataclasses.replace(DEFAULT_MODEL.newer_first, said_periods=False)
    assert newer_first([lead, staff], 0.15, fit=off)[1] == {}


DAY = 24 * HOUR
SEPTEMBER = datetime(2026, 9, 1, tzinfo=UTC).timestamp()
OPENING = "From 1 September 2026 Nuala's shop is open Tuesday to Sunday."


@pytest.mark.parametrize(
    ("statement", "happened", "outdated", "undated"),
    [
        # It names when it started: an event after that year, month or day is the newer.
        ("Nuala: levothyroxine 75 micrograms (for an underactive thyroid since 2009).", 0.0, True, False),
        (
            "From 1 September 2026 Nuala's shop is open Tuesday to Sunday.",
            -5 * DAY,
            False,
            False,
        ),  # announced
        ("From 1 September 2026 Nuala's shop is open Tuesday to Sunday.", 2 * HOUR, False, False),  # that day
        ("From 1 September 2026 Nuala's shop is open Tuesday to Sunday.", 3 * DAY, True, False),
        # It says it changed, not when: the current value, whatever the event.
        ("Since the Bluebelles came Nuala's flock is seven.", 0.0, False, False),
        # It says nothing of its start: one import wrote it, the dated event is the newer.
        ("Nuala's electricity is with Electric Ireland.", 0.0, True, True),
    ],
)
def test_a_statement_naming_its_start_is_outdated_only_by_a_later_event(
    statement: str, happened: float, outdated: bool, undated: bool
) -> None:
    """`undated`: the same with the start a statement names not read (`said_periods` off)."""
    event = written_hit("e", 0.50, "Nuala switched it, now it changed.", LOADED, SEPTEMBER + happened)
    fact = written_hit("f", 0.55, statement, LOADED)
    hits = {MemoryType.EPISODIC: [event], MemoryType.SEMANTIC: [fact]}
    assert bool(candidate_pairs(hits, 0.1, HOUR)) is outdated
    assert bool(candidate_pairs(hits, 0.1, HOUR, said_periods=False)) is undated


async def test_events_lifted_over_one_fact_rank_by_when_they_happened() -> None:
    """Two events that each tell a change of one older fact are steps of one chain: the later above."""
    fact = written_hit("fact", 0.55, "Gerry takes bisoprolol 5 mg.", LOADED)
    later = written_hit("later", 0.52, "Gerry's bisoprolol reduced to 2.5 mg.", LOADED, 60 * DAY)
    earlier = written_hit(
        "earlier", 0.53, "Gerry's bisoprolol reduced from 5 mg to 3.75 mg.", LOADED, 9 * DAY
    )
    hits = {MemoryType.EPISODIC: [earlier, later], MemoryType.SEMANTIC: [fact]}

    async def alike(memory_type: MemoryType, points: Sequence[ScoredPoint]) -> dict[str, list[float]]:
        return {p.id: [1.0, 0.0] for p in points}

    lifts = await lift_changed_events(hits, 0.075, alike, DEFAULT_MODEL)
    assert set(lifts) == {"earlier", "later"}
    assert [h.id for h in hits[MemoryType.EPISODIC]] == ["later", "earlier"]
    assert all(h.score > fact.score for h in hits[MemoryType.EPISODIC])


def undated(point_id: str, content: str, score: float, seq: int) -> ScoredPoint:
    """A statement whose only time is when one batch wrote it, `seq`-th."""
    return ScoredPoint(point_id, score, {"content": content, "seq": seq, **written(LOADED)})


def test_of_two_undated_statements_the_later_written_is_the_newer() -> None:
    """One batch gives two statements one time; the order they were written in tells the newer."""
    old = undated("old", "Maya has her violin lesson on Wednesdays at 4.15 with Ms Brennan.", 0.66, 9)
    new = undated("new", "Maya's violin lesson with Ms Brennan: Fridays, 4.30.", 0.56, 97)
    assert lifted_ids(old, new) == {"new"}  # the whole margin, as for a time between them
    assert lifted_ids(old, replace(new, score=0.50)) == set()  # a lead over the margin
    assert lifted_ids(replace(old, payload={**old.payload, "seq": 98}), new) == set()  # written first
    # Another fact of the subject, in its template or not, or a statement its writer dated: the order
    # written in tells nothing.
    contact = undated("old", "Contact: Gail Emmerson. Role: Head of Procurement at Brightwater.", 0.6, 16)
    other = undated("new", "Contact: Helen Marsh. Role: Chief Financial Officer at Brightwater.", 0.55, 17)
    assert lifted_ids(contact, other) == set()
    assert lifted_ids(old, undated("new", "Maya's swimming: Tuesdays and Thursdays, 6pm.", 0.56, 97)) == set()
    dated = {**new.payload, **written(LOADED, occurred=LOADED - 30 * DAY)}
    assert lifted_ids(old, replace(new, payload=dated)) == set()
    told = {**new.payload, "valid_from_ts": LOADED}
    assert lifted_ids(old, replace(new, payload=told)) == set()
