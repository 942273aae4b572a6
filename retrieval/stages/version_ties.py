"""Two versions of one fact, near-tied: for a question that asks a value ("how much does dad weigh
now?", "when is Finn's road test?"), not an earlier one ("what was it before?"), a newer memory that
restates what an older one says of the question's subject, scored about as high, is put just above it
("weighed dad at home … one sixty four" over "dad weighed one seventy one … the first week of december").

The lifts of knowledge updates (stages/rank.py, stages/changed_events.py) tie two memories by a shared
name or by words that say a value changed. A store written without capitals (dictated notes) names no
name, and a later record of a value often says no change: it just states the value again. Where the two
are nearly tied on the question, their order is a coin toss of the scores, and the question, asking
the value as it stands, tells which to put first. The pair must:

- both be among the best `_BEST` hits of every type, the newer within `_NEAR` places below the older
  and behind it by less than `_TIE_SHARE` of the newer-first margin: a near tie, not a lead;
- both restate one another (the cosine of their dense vectors at least `_ALIKE`, the bar two values of
  one question restate from) and the newer be about as near the question as the best hit (its cosine
  at least `_NEAR_QUESTION` of the best one's);
- be about the same subject: every word of the question the older holds (a word's first letters:
  "weigh" / "weighed"; a short word without its "s": "sends" / "send") the newer holds too, the
  question read as the plan reads it, typed ("whens stammtisch": "when's"), its words of now not among
  them;
- be ordered in time: the newer happened at least a conversation's span after the older, or after the
  date the older's words say it holds from; of two statements with no time of their own, the one
  written later.

A question in the past tense asks what held then ("how much did the new lock cost?"), unless it asks the
last value taken ("what did the renovation cost in the end?", "final", "latest"): that is the value as
it stands, as "now" says. A question that says neither ("now", "still", "these days", "in the end")
may ask what stayed true, so there the pair must also share two of the question's words (the subject,
not one word of it; a question that names one word beside what it asks, "who's my accountant?", names
its whole subject so),
the older must not itself say it changed ("from now on plumbing goes to …": it is the current value),
and the newer must hold a value of the kind the question asks, where it asks one (an amount, a date).

Nothing else moves: the newer is put just above the older. Events and statements only (a reminder or a
how-to is asked for what it says to do). A post-engine stage after the others; `explain` shows it as
`version_tie`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import numpy.typing as npt

from ...memtypes.language.time_mentions import holds_from
from ...memtypes.queries import ScoredPoint
from ...memtypes.types import SPECS, MemoryType
from ..options import RetrievalConfig
from ..ranking.asked.asked_kinds import asked_kinds, is_question
from ..ranking.asked.value_forms import Kind, holds_form
from .asked_values import asked_words, asks_now
from .plan import ReadPlan
from .post import (
    Adjustment,
    Hits,
    Phase,
    PostStage,
    StageInputs,
    VectorsOf,
    cosines_with,
    lift,
    raise_to,
    same_meaning,
)
from .rank import states_change
from .statement_times import event_is_newer, given_time, write_order

_NOT_FORMS = frozenset({Kind.PERSON, Kind.NAME})
_BEST = 10  # the hits a reader sees first: a tie further down changes nothing read
_NEAR = 2  # places the newer may sit below the older
_TIE_SHARE = 0.2  # of the newer-first margin: a lead smaller than this is a tie of the scores
_ALIKE = 0.45  # two texts that restate one another (two values of one question: 0.4 and up)
_NEAR_QUESTION = 0.8  # of the best hit's cosine with the question
_ABOVE = 1e-5  # just above the older: below anything that was above it
_STEM = 5  # a word's first letters, its stem ("weigh", "weighed", "weighs")
_WORD = re.compile(r"[^\W_]+")
# A question about an earlier value, what happened then ("how much did the lock cost?"), or the change
# itself (English usage).
_ASKS_BEFORE = re.compile(
    r"\b(?:originally|first|before|used\s+to|previous(?:ly)?|old|earlier|did|was|were|why|history"
    r"|last\s+year|chang(?:e|es|ed)|switch(?:ed)?)\b",
    re.I,
)
# A question that asks the last value something took ("what did the renovation cost in the end?", "the
# latest figure"): the value as it stands, whatever tense it is asked in (English usage).
_ASKS_LATEST = re.compile(r"\b(?:in\s+the\s+end|final(?:ly)?|ended\s+up|eventually|latest)\b", re.I)
_SHARED = 2  # words of the question two versions share where it does not say it asks about now
# Words of a question that ask about now or how much, not about a subject.
_NOT_SUBJECT = frozenset(
    {"now", "currently", "current", "still", "nowadays", "these", "days", "moment", "present", "right"}
    | {"much", "many", "got", "get", "end"}
)


class VersionTies(PostStage):
    """Of two near-tied versions of one fact, the newer put just above the older, for a question that
    asks a value as it stands (the weight: the newer-first margin, of which a tie is a share; 0: off)."""

    name = "version_tie"
    phase = Phase.FINAL

    def weight(self, plan: ReadPlan, config: RetrievalConfig) -> float:
        return config.newer_first_margin if asks_a_value(plan.request.query) else 0.0

    async def apply(self, inputs: StageInputs, hits: Hits, weight: float) -> dict[str, Adjustment]:
        if inputs.query_vector is None:
            return {}
        gap = inputs.plan.model.conversation_gap_s
        raised = await order_ties(
            hits, inputs.plan.request.query, inputs.query_vector, inputs.vectors, weight * _TIE_SHARE, gap
        )
        return {point_id: lift(self.name, amount) for point_id, amount in raised.items()}


def asks_a_value(question: str) -> bool:
    """Whether a question asks a value as it stands: one that asks about now or the last value taken,
    or any question but one about an earlier value, what held then or the change itself."""
    return asks_latest(question) or (is_question(question) and _ASKS_BEFORE.search(question) is None)


def asks_latest(question: str) -> bool:
    """Whether a question says it asks the value as it stands: by a word of now ("now", "these days"),
    or by asking the last value something took ("in the end", "final", "latest")."""
    return asks_now(question) or _ASKS_LATEST.search(question) is not None


async def order_ties(
    hits: Hits, question: str, query_vector: Sequence[float], vectors: VectorsOf, tie: float, gap: float
) -> dict[str, float]:
    """Put (in place) each newer version of a near-tied pair just above the older; answers the
    lifts, by id (`tie`: the largest lead that is a tie; `gap`: one conversation's span)."""
    versions = (h for t, found in hits.items() if versioned(t) for h in found)
    best = sorted(versions, key=lambda h: -h.score)[:_BEST]
    # The question as the plan reads it, typed ("whens stammtisch" as "when's"): "when" is no subject word.
    subject = stems(" ".join(w for w in asked_words(question) if w not in _NOT_SUBJECT))
    if len(best) < 2 or not subject:
        return {}
    strict = not asks_latest(question)
    # The subject, not one word of it: two words where the question names more, else its one.
    least = min(_SHARED, len(subject)) if strict else 1
    # A person or a name is read by the asked-detail check, not by a form a text holds.
    kinds = [k for k in asked_kinds(question) if k not in _NOT_FORMS] if strict else []
    read = await dense_vectors(hits, best, vectors)
    near = cosines_with(query_vector, read)
    if not near:
        return {}
    floor = _NEAR_QUESTION * max(near.values())
    alike = same_meaning(read, _ALIKE)
    floors: dict[str, float] = {}
    for place, newer in enumerate(best):
        if place == 0 or near.get(newer.id, -1.0) < floor:
            continue
        older = next(
            (
                o
                for o in best[max(0, place - _NEAR) : place]
                if o.score - newer.score < tie
                and alike(o.id, newer.id)
                and _same_subject(subject, o, newer, least)
                and is_newer(newer.payload, o.payload, gap)
                and not (strict and says_changed(o))
                and (not kinds or any(holds_form(k, content(newer)) for k in kinds))
            ),
            None,
        )
        if older is not None:
            floors[newer.id] = older.score + _ABOVE
    return raise_to(hits, floors)


def versioned(memory_type: MemoryType) -> bool:
    """Whether a type states values that a later one of it may restate: events and statements."""
    spec = SPECS[memory_type]
    return spec.newer_first_overlap is not None and not spec.answers_how


def stems(text: str) -> frozenset[str]:
    return frozenset(_stem(w) for w in _WORD.findall(text.casefold()) if len(w) >= 3)


def _stem(word: str) -> str:
    """A word's first letters; a short word without the "s" it takes as a plural or a verb ("sends" /
    "send", "fees" / "fee"), which a longer one loses with its cut ("weighs" / "weigh")."""
    if 3 < len(word) <= _STEM and word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]
    return word[:_STEM]


def _same_subject(subject: frozenset[str], older: ScoredPoint, newer: ScoredPoint, least: int) -> bool:
    """Whether the newer holds every word of the question's subject the older holds (at least `least`)."""
    held = subject & stems(content(older))
    return len(held) >= least and held <= stems(content(newer))


def says_changed(statement: ScoredPoint) -> bool:
    """Whether a memory says it holds from some time on without saying when ("from now on plumbing goes
    to …"): the current value, whatever was written after it."""
    text = content(statement)
    return holds_from(text) is None and states_change(text)


def _when(payload: Mapping[str, object]) -> float | None:
    """A memory's own time: the one its writer gave, else the end of the period its words say it
    holds from ("since March 2026")."""
    given = given_time(payload)
    if given is not None:
        return given
    said = holds_from(str(payload.get("content", "")))
    return None if said is None else said[1]


def is_newer(newer: Mapping[str, object], older: Mapping[str, object], gap: float) -> bool:
    """Whether one memory's payload is newer than another's: by their own times (at least `gap`
    apart), an event after a statement that names none, or of two with none, written later."""
    at, then = _when(newer), _when(older)
    if at is not None and then is not None:
        return at >= then + gap
    if at is not None:
        return event_is_newer(newer, older, gap)
    if then is not None:
        return False
    order, before = write_order(newer), write_order(older)
    return order is not None and before is not None and order > before


def content(hit: ScoredPoint) -> str:
    return str(hit.payload.get("content", ""))


async def dense_vectors(
    hits: Hits, wanted: Sequence[ScoredPoint], vectors: VectorsOf
) -> dict[str, npt.ArrayLike]:
    """The dense vectors of `wanted`, read in one batch per type."""
    ids = {h.id for h in wanted}
    read: dict[str, npt.ArrayLike] = {}
    for memory_type, found in hits.items():
        if compared := [h for h in found if h.id in ids]:
            read.update(await vectors(memory_type, compared))
    return read
