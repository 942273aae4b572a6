"""Stage 3 of a retrieval, rank: what reorders a round's hits after the engine scored them.

- Near-duplicate suppression: a hit whose words overlap a better hit's of the same type by
  `threshold` or more (Jaccard) is dropped, so the budget is not spent on copies of one fact.
- Knowledge updates: a newer statement about the same subject ranks above an older one.

"Grace lives in Boston" (May) and "Grace moved to Denver" (June) are both kept by the write path:
without a `fact_key` it cannot tell an update from a second fact ("Alice is allergic to peanuts",
later "Alice is allergic to shellfish"), and hiding a fact is data loss. Retrieval can order them
without hiding anything: when a semantic or procedural hit is at least `conversation_gap_s` newer
than a better-scored hit of the same type that names the same subject (a shared name) and the older
one leads by less than `margin`, the newer one is lifted just above it (an episodic hit only when it
is a correction, see `SAME_SUBJECT_OVERLAP`, the next step of a value's change, `continues`, or names
the older's value as the one it left: "now starts 12 April instead of 1 April" of "starting 1 April"). Of
two whose only time is when they were written (one batch gives both the same), the one written later
is the newer (`write_order`). Both stay candidates; a question about the fact now
reads the current statement first. Measured by `mnemo bench write` (updates resolved) and `mnemo
bench quality` (locomo-dev, all episodic turns: every metric equal or better).

A shared name is not a shared subject in a personal store, where every fact names its person:
"Alice lives in Denver" (June) is no update of "Alice is allergic to peanuts" (May). So a newer
statement is lifted only if it also *means* nearly the same as the older one: the cosine of their
dense vectors is at least `min_cosine` (an update restates the attribute with another value). No
word signal separates the two ("Grace lives in Boston" → "Grace moved to Denver" shares only the
name too); the vectors do (MiniLM: restated updates 0.57–0.80, distinct facts about one person
0.30–0.65, benchmarks/README.md). The vectors are read from the index only for the few hits that
pass the word checks, in one batch per type (`VectorsOf`), not with every candidate of the search.
The lift is a post-engine stage (`NewerFirst`, stages/post.py): `explain` shows it as `newer_statement`.

Size: the rules that pair an older and a newer statement (a shared name, a near meaning, the time
between, a correction, a value left) are one decision, read and changed together; split, each part
would import the other's word checks.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

from ...memtypes.language.changes import FROM_ON, MONTH, NUMERIC_START, leaves
from ...memtypes.language.facts import FactSignature, signature
from ...memtypes.language.time_mentions import holds_from
from ...memtypes.queries import ScoredPoint
from ...memtypes.types import SPECS, MemoryType, types_where
from ..options import RetrievalConfig
from ..ranking.model import DEFAULT_MODEL, NewerFirstModel
from .asked_values import NO_QUESTION, NOTHING_ASKED, Asked, Question, asked
from .plan import ReadPlan
from .post import (
    Adjustment,
    Hits,
    Phase,
    PostStage,
    SameMeaning,
    StageInputs,
    VectorsOf,
    lift,
    never,
    same_meaning,
)
from .statement_times import write_order

NEWER_FIRST_TYPES = types_where(lambda s: s.newer_first_overlap is not None)
# The types where a newer statement must also share this much of its words (Jaccard) with an older
# one and change a number to be a correction of it (`newer_first_overlap` in the registry says why).
SAME_SUBJECT_OVERLAP = {t: o for t in NEWER_FIRST_TYPES if (o := SPECS[t].newer_first_overlap)}
_WINDOW = 32  # only the best hits are compared; more than a budget holds of one subject
_ABOVE = 1e-4
_WORD = re.compile(r"\w+")
_DIVERSITY_WINDOW = 64
# What a statement says when its value changed or holds from some time on (English usage; a ranking
# model may leave it out: `NewerFirstModel.change_marker`).
_STATES_CHANGE = re.compile(
    r"\b(?:now|since|no\s+longer|any\s*more|instead\s+of|rather\s+than|moved|switched|changed"
    r"|replaced|took\s+over|these\s+days|nowadays|as\s+of"
    r"|(?:goes|going|went|gone)\s+(?:up|down)\s+(?:to|by))\b"
    r"|\bfrom\s+(?:\d{1,2}\s+)?" + MONTH + r"|\bfrom\s+(?:19|20)\d\d\b|" + NUMERIC_START + "|" + FROM_ON,
    re.I,
)

# A value changed from one number to another: "from 5 mg to 3.75 mg", "1.29 → 1.30", "£80 -> £95"
# (a unit or currency on either side); not a range ("15 to 20 minutes") nor a time of day ("10:00").
_NUMBER = r"[£$€]?(?P<{}>\d+(?:\.\d+)?)(?![\d:])\s*"
_UNIT = r"(?:[a-zµ%]{1,11}\s*)?"
_STEP = re.compile(
    r"(?<![\d:.,])(?:\bfrom\s+"
    + _NUMBER.format("start")
    + _UNIT
    + r"to\s+"
    + _NUMBER.format("end")
    + r"|"
    + _NUMBER.format("first")
    + _UNIT
    + r"(?:→|->)\s*"
    + _NUMBER.format("then")
    + r")",
    re.I,
)


@dataclass(frozen=True)
class Duplicate:
    """A hit dropped as a near-duplicate: the better hit it repeats, and their word overlap."""

    point: ScoredPoint
    of: str
    overlap: float


def drop_copies(
    hits: Hits,
    found: Mapping[MemoryType, Sequence[ScoredPoint]],
    diversity: float,
    duplicates: dict[MemoryType, list[Duplicate]] | None = None,
) -> None:
    """Each type in `found` replaces its hits (in place) by its found points without
    near-duplicates (those dropped go to `duplicates`, for `explain`)."""
    for memory_type, points in found.items():
        dropped: list[Duplicate] = []
        hits[memory_type] = suppress_near_duplicates(points, diversity, dropped)
        if duplicates is not None:
            duplicates[memory_type] = dropped


class NewerFirst(PostStage):
    """Knowledge updates: a newer statement of the same subject and meaning lifted just above the
    older one (`newer_first_margin`: the older one's lead it may overtake; 0: off)."""

    name = "newer_statement"
    phase = Phase.ROUND  # before the trial packing, which decides the neighbours and a deeper round

    def weight(self, plan: ReadPlan, config: RetrievalConfig) -> float:
        return config.newer_first_margin

    async def apply(self, inputs: StageInputs, hits: Hits, weight: float) -> dict[str, Adjustment]:
        model = inputs.plan.model
        question = Question(inputs.plan.request.query, inputs.query_vector)
        lifts = await lift_newer(
            hits, weight, inputs.vectors, model.newer_first, model.conversation_gap_s, question
        )
        return {point_id: lift(self.name, amount) for point_id, amount in lifts.items()}


async def lift_newer(
    hits: Hits,
    margin: float,
    vectors: VectorsOf | None = None,
    fit: NewerFirstModel = DEFAULT_MODEL.newer_first,
    gap_s: float = DEFAULT_MODEL.conversation_gap_s,
    question: Question = NO_QUESTION,
) -> dict[str, float]:
    """Lift every type's newer statements of the same subject and meaning (in place; a type an
    earlier round left is lifted again), or two values of what `question` asks (facts and how-tos).
    `fit.min_cosine` > 0 needs `vectors`, which is asked only for the hits a lift would compare and
    the first hit of their type (nothing is read where no lift is possible). Answers the newer
    statements' lifts, by id."""
    min_cosine = fit.min_cosine
    lifting = [t for t in NEWER_FIRST_TYPES if t in hits]
    # Events are corrections by their numbers (`SAME_SUBJECT_OVERLAP`), not values of a question.
    words = {t: question.words(fit) if t not in SAME_SUBJECT_OVERLAP else frozenset() for t in lifting}
    pairs = {
        t: NewerPairs.of(hits[t], margin, SAME_SUBJECT_OVERLAP.get(t, 0.0), fit, gap_s, words[t])
        for t in lifting
    }
    meanings: dict[MemoryType, SameMeaning | None] = dict.fromkeys(lifting)
    values: dict[MemoryType, Asked] = dict.fromkeys(lifting, NOTHING_ASKED)
    if min_cosine > 0.0 and vectors is not None and margin > 0.0:
        asked_ids = {t: pairs[t].compared_ids() for t in lifting}
        wanted = [t for t in lifting if asked_ids[t]]
        for t in wanted:
            if words[t]:  # how near the question the best hit is: the first's cosine with it
                asked_ids[t].add(hits[t][0].id)
        read = await asyncio.gather(
            *(vectors(t, [h for h in hits[t] if h.id in asked_ids[t]]) for t in wanted)
        )
        for memory_type, found_vectors in zip(wanted, read, strict=True):
            meanings[memory_type] = same_meaning(found_vectors, min_cosine)
            values[memory_type] = asked(words[memory_type], question.vector, found_vectors, fit)
        meanings.update({t: never for t in lifting if not asked_ids[t]})
    lifts: dict[str, float] = {}
    for memory_type in lifting:
        hits[memory_type], lifted = pairs[memory_type].lifted(
            meanings[memory_type], values[memory_type].values
        )
        lifts.update(lifted)
    return lifts


def suppress_near_duplicates(
    hits: Sequence[ScoredPoint], threshold: float, dropped: list[Duplicate] | None = None
) -> list[ScoredPoint]:
    """Keep hits best-first, dropping any whose words overlap a better kept hit's by at least
    `threshold` (Jaccard, 0..1). A threshold of 0 keeps everything.

    Words, not vectors: fetching every candidate's vector from the engine tripled the search time
    (measured on locomo-dev), and copies of one fact share their words. Only the first
    `_DIVERSITY_WINDOW` hits are compared, which is more than a usual budget holds; the rest are kept.
    Each hit dropped is added to `dropped` with the first better hit it repeats.
    """
    if threshold <= 0.0 or len(hits) < 2:
        return list(hits)
    ranked = sorted(hits, key=lambda h: -h.score)
    kept: list[ScoredPoint] = []
    kept_words: list[frozenset[str]] = []
    for hit in ranked[:_DIVERSITY_WINDOW]:
        words = _content_words(str(hit.payload.get("content", "")))
        if words:
            better = _first_overlapping(words, kept_words, threshold)
            if better is not None:
                if dropped is not None:
                    other = kept_words[better]
                    dropped.append(Duplicate(hit, kept[better].id, len(words & other) / len(words | other)))
                continue
        kept.append(hit)
        kept_words.append(words)
    return kept + ranked[_DIVERSITY_WINDOW:]


def _first_overlapping(words: frozenset[str], kept: Sequence[frozenset[str]], threshold: float) -> int | None:
    """The index of the first word set whose Jaccard overlap with `words` is at least `threshold`.

    The same test as `|a ∩ b| >= threshold · |a ∪ b|`, with the union's size counted instead of
    built (|a| + |b| - |a ∩ b|), and no intersection at all where the sizes alone rule it out
    (the overlap is at most min/max): this loop is a retrieval's hottest Python (up to 64 × 64 pairs)."""
    size = len(words)
    for i, other in enumerate(kept):
        other_size = len(other)
        if min(size, other_size) < threshold * max(size, other_size):
            continue
        shared = len(words & other)
        if shared >= threshold * (size + other_size - shared):
            return i
    return None


@lru_cache(maxsize=32_768)  # the same best hits recur request after request; word sets are immutable
def _content_words(text: str) -> frozenset[str]:
    return frozenset(w for w in _WORD.findall(text.lower()) if len(w) > 2)


def newer_first(
    hits: Sequence[ScoredPoint],
    margin: float,
    min_overlap: float = 0.0,
    same: SameMeaning | None = None,
    fit: NewerFirstModel = DEFAULT_MODEL.newer_first,
    gap_s: float = DEFAULT_MODEL.conversation_gap_s,
    asked: Asked = NOTHING_ASKED,
) -> tuple[list[ScoredPoint], dict[str, float]]:
    """The hits with newer same-subject statements lifted; and each lifted hit's lift (for explain).
    `same(older id, newer id)`: whether the two mean the same (None: a shared name suffices);
    `fit`: the ranking model's constants of the lift; `gap_s`: one conversation's span; `asked`: what
    the question asks, two values of which are also a newer statement and an older one."""
    return NewerPairs.of(hits, margin, min_overlap, fit, gap_s, asked.words).lifted(same, asked.values)


@dataclass(frozen=True)
class _Pair:
    """An older and a newer statement of the best hits (their places in the window) that the word and
    time checks let the newer overtake where the older leads it by less than `reach`."""

    older: int
    newer: int
    reach: float
    named: bool  # they share a name
    shared: bool  # they share a word the question names


@dataclass(frozen=True)
class NewerPairs:
    """The pairs of a type's best hits that a lift may reorder, read once from their words and times,
    then lifted as the meanings read for them say (`lifted`). Lifts only raise scores, so the pairs
    of the unlifted order are all the pairs the lifts can meet."""

    ranked: list[ScoredPoint]
    pairs: list[_Pair]  # by newer statement, then older

    @classmethod
    def of(
        cls,
        hits: Sequence[ScoredPoint],
        margin: float,
        min_overlap: float,
        fit: NewerFirstModel,
        gap_s: float,
        asked_words: frozenset[str],
    ) -> NewerPairs:
        if margin <= 0.0 or len(hits) < 2:
            return cls(list(hits), [])
        ranked = sorted(hits, key=lambda h: -h.score)
        window = ranked[:_WINDOW]
        return cls(ranked, list(_candidate_pairs(window, margin, min_overlap, fit, gap_s, asked_words)))

    def compared_ids(self) -> set[str]:
        """The ids of every statement of a pair: the ones whose meanings a lift asks."""
        return {self.ranked[i].id for pair in self.pairs for i in (pair.older, pair.newer)}

    def lifted(
        self, same: SameMeaning | None, values: SameMeaning
    ) -> tuple[list[ScoredPoint], dict[str, float]]:
        """The hits with each pair's newer statement lifted just above the best-ranked older one it
        overtakes where the two mean the same (`same`; None: a shared name suffices) or are two values
        of what the question asks (`values`), and each lifted hit's lift."""
        window = self.ranked[:_WINDOW]
        lifts: dict[str, float] = {}
        for pair in self.pairs:
            older, newer = window[pair.older], window[pair.newer]
            lead = older.score - newer.score
            if newer.id in lifts or lead >= pair.reach:
                continue
            restated = pair.named and (same is None or same(older.id, newer.id))
            if not restated and not (pair.shared and values(older.id, newer.id)):
                continue
            lifts[newer.id] = lead + _ABOVE
            window[pair.newer] = replace(newer, score=older.score + _ABOVE)
        if not lifts:
            return self.ranked, {}
        return sorted(window, key=lambda h: -h.score) + self.ranked[_WINDOW:], lifts


@dataclass(frozen=True)
class _Readings:
    """What the pairing reads of each hit of a window, once (the pairs compare every two)."""

    texts: list[str]
    signatures: list[FactSignature]
    times: list[float]
    orders: list[float | None]
    changed: list[bool]
    said: list[tuple[float, float] | None]
    topics: list[frozenset[str]]
    told: list[frozenset[str]]
    marker: bool


def _read_window(
    window: list[ScoredPoint], min_overlap: float, fit: NewerFirstModel, asked_words: frozenset[str]
) -> _Readings:
    texts = [str(h.payload.get("content", "")) for h in window]
    signatures = [signature(text) for text in texts]
    words = [s.words for s in signatures]
    # Of two statements whose only time is when they were written, the one written later is the newer
    # (an agent writes what it learns as it learns it, though one batch gives both the same time),
    # where it tells mostly in the older's words: one import also writes distinct facts alike.
    orders = [write_order(h.payload) for h in window]
    # Without a time between them, a statement that says it changed ("now", "since May") is the newer
    # (facts and procedures only: an event is a correction by its numbers, `min_overlap`); of two
    # that both say so, the one whose named start follows the other's ("since 1 Jan 2027" after
    # "since 1 May 2026").
    marker = fit.change_marker and not min_overlap
    changed = [marker and states_change(text) for text in texts]
    return _Readings(
        texts=texts,
        signatures=signatures,
        times=[float(h.payload.get("occurred_ts", 0.0)) for h in window],
        orders=orders,
        changed=changed,
        said=[holds_from(t) if c and fit.said_periods else None for t, c in zip(texts, changed, strict=True)],
        topics=[w & asked_words for w in words],
        told=[_told(w) if order is not None else w for w, order in zip(words, orders, strict=True)],
        marker=marker,
    )


def _newer_and_reach(
    r: _Readings, i: int, j: int, margin: float, fit: NewerFirstModel, gap_s: float
) -> tuple[bool, float]:
    """Whether hit `j` is the newer statement of the two, and the lead over it that it may overtake."""
    order = r.orders[j]
    if order is not None and _rewrites(
        r.orders[i], order, r.signatures[i].words, r.told[j], fit.rewritten_share
    ):
        return True, margin
    if r.times[j] >= r.times[i] + gap_s:
        return True, margin
    if r.marker and r.times[j] > r.times[i] - gap_s and leaves(r.texts[j], r.texts[i]):
        # It names the other's value as the one it left: that tells which is the newer, as a time
        # between them would.
        return True, margin
    said_newer = not r.changed[i] or _later(r.said[j], r.said[i])
    newer = r.changed[j] and said_newer and r.times[j] > r.times[i] - gap_s
    return newer, margin * fit.changed_only_share


def _candidate_pairs(
    window: list[ScoredPoint],
    margin: float,
    min_overlap: float,
    fit: NewerFirstModel,
    gap_s: float,
    asked_words: frozenset[str],
) -> Iterator[_Pair]:
    """Each pair of `window` (best first) whose newer statement the words and times let overtake the
    older, with the lead it may overtake (`NewerPairs`)."""
    r = _read_window(window, min_overlap, fit, asked_words)
    # An older statement that leads by this much stays above whatever the times say (the widest reach
    # below): many pairs end at this one comparison. Then the words, then the times.
    widest = margin * max(1.0, fit.changed_only_share)
    for j in range(1, len(window)):
        for i in range(j):
            lead = window[i].score - window[j].score
            if lead >= widest:
                continue
            named = not r.signatures[i].names.isdisjoint(r.signatures[j].names)
            # `asked.shares`: the question's words of each, read once
            shared = not r.topics[i].isdisjoint(r.topics[j])
            if not (named or shared):
                continue
            newer, reach = _newer_and_reach(r, i, j, margin, fit, gap_s)
            if lead >= reach or not newer:
                continue
            if min_overlap and not (
                _corrects(r.signatures[i], r.signatures[j], min_overlap)
                or continues(r.texts[i], r.texts[j])
                or leaves(r.texts[j], r.texts[i])
            ):
                continue
            yield _Pair(i, j, reach, named, shared)


def _rewrites(
    older: float | None, newer: float | None, older_words: frozenset[str], told: frozenset[str], share: float
) -> bool:
    """Whether a statement was written after another (`write_order`s) and at least `share` of the words
    it tells (`_told`) are the other's: the same attribute told again."""
    if older is None or newer is None or newer <= older:
        return False
    return bool(told) and len(told & older_words) >= share * len(told)


def _told(words: frozenset[str]) -> frozenset[str]:
    """A statement's words of three letters or more."""
    return frozenset(w for w in words if len(w) > 2)


def _later(newer: tuple[float, float] | None, older: tuple[float, float] | None) -> bool:
    """Whether the period one statement says it holds from begins after the other's has ended."""
    return newer is not None and older is not None and newer[0] >= older[1]


def says_newer(text: str, than: str) -> bool:
    """Whether a statement's words say it is newer than another's: it says its value changed ("now",
    "since March") and the other does not, or the period it holds from begins after the other's."""
    if not states_change(text):
        return False
    return not states_change(than) or _later(holds_from(text), holds_from(than))


@lru_cache(maxsize=32_768)  # asked of the same hits by each newer-first pass and request after request
def states_change(text: str) -> bool:
    """Whether a statement says its value changed or holds from some time on: "is now", "since
    March", "from 1 May", "no longer", "moved", "instead of"."""
    return _STATES_CHANGE.search(text) is not None


def continues(older: str, newer: str) -> bool:
    """Whether an event tells a change that starts from the value another's change ended at: the next
    step of one value ("EKS 1.30 → 1.31" after "EKS 1.29 → 1.30", "reduced from 5 mg to 3.75 mg" after
    "increased from 2.5 mg to 5 mg"), though the two share few words and the same numbers."""
    reached = {step[1] for step in _steps(older)}
    return any(start in reached for start, _ in _steps(newer))


@lru_cache(maxsize=32_768)  # asked of the same best events by each pass
def _steps(text: str) -> frozenset[tuple[str, str]]:
    """The changes of a value a text tells, each (from, to): "1.29 → 1.30", "from 75 to 88 mg"."""
    found = ((m["start"], m["end"]) if m["start"] else (m["first"], m["then"]) for m in _STEP.finditer(text))
    return frozenset((start, end) for start, end in found if start != end)


def _corrects(older: FactSignature, newer: FactSignature, min_overlap: float) -> bool:
    """An event told again with another number: the same words mostly, the numbers changed."""
    if not older.numbers or not newer.numbers or older.numbers == newer.numbers:
        return False
    a, b = (frozenset(w for w in s.words if len(w) > 2) for s in (older, newer))
    return len(a & b) >= min_overlap * len(a | b)
