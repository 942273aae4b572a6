"""The chains a change grows, for stages/changed_events.py: the readings of a pair of hits (a shared
name alike in meaning restates; a word the question names, shared, both near it, makes two values of
what it asks), the later events that retell a step of a chain an event started ("stable on the 3.75
mg of bisoprolol" after "reduced the bisoprolol from 5 mg to 3.75 mg"), and the better statements of a
shared name that say they are newer than one an event may outdate ("since 1 Jan 2027 Katrin is Staff
Engineer" over "Katrin is tech lead since 1 May 2026"), whose value an event may retell.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy.typing as npt

from ...memtypes.language.facts import FactSignature, signature
from ...memtypes.queries import ScoredPoint
from ...memtypes.types import SPECS
from ..ranking.model import RankingModel
from . import rank
from .asked_values import Asked, asked
from .post import Hits, SameMeaning, VectorsOf, same_meaning
from .statement_times import dated, happened

WINDOW = 32  # the best hits of each type compared, as for newer-first


def content(hit: ScoredPoint) -> str:
    return str(hit.payload.get("content", ""))


def said(hit: ScoredPoint) -> FactSignature:
    return signature(content(hit))


def restates(a: ScoredPoint, b: ScoredPoint, same: SameMeaning) -> bool:
    """Whether two hits say the same thing: a shared name, alike in meaning."""
    return not said(a).names.isdisjoint(said(b).names) and same(a.id, b.id)


def asked_values(older: ScoredPoint, newer: ScoredPoint, values: Asked) -> bool:
    """Whether two hits are two values of what the question asks: a word it names shared, both near
    it (stages/asked_values.py)."""
    return values.shares(said(newer).words, said(older).words) and values.values(older.id, newer.id)


@dataclass(frozen=True)
class Later:
    """What the later steps of a chain are judged by: the words the question names, its vector, and
    the vectors already read (each type's first hit among them)."""

    words: frozenset[str]
    query_vector: Sequence[float] | None
    read: Mapping[str, npt.ArrayLike]


async def add_later_steps(
    hits: Hits,
    over: dict[str, tuple[ScoredPoint, list[ScoredPoint]]],
    reach: float,
    vectors: VectorsOf,
    model: RankingModel,
    later_by: Later,
) -> set[str]:
    """Add to each chain of events lifted over a statement the later events that retell one of its
    steps (a shared name, alike in meaning, at least a conversation's span after it), trail the
    statement by less than `reach` and are, with it, values of what the question asks (its word
    shared, both near it: stages/asked_values.py): the latest news of the change, though it says no
    change ("stable on the 3.75 mg of bisoprolol" after "reduced the bisoprolol from 5 mg to 3.75 mg").
    In a store where every event names the same client, a shared name and a cosine alone join an
    unrelated email to the chain. Answers the ids of those that mean less alike the statement than
    two values must ("kitchen floor tiled" after "changed mind on the kitchen floor", over the floor
    first planned): the step ties them, and they follow the steps, as news of the change that may
    not be what the question asks of it (the tiling, asked what the floor cost)."""
    if not later_by.words or later_by.query_vector is None:
        return set()
    gap = model.conversation_gap_s
    steps = {e.id for _, events in over.values() for e in events}
    later: dict[str, list[ScoredPoint]] = {}
    for statement, events in over.values():
        first = min(happened(e.payload) or 0.0 for e in events)
        later[statement.id] = [
            h
            for t, found in hits.items()
            if SPECS[t].holds_events
            for h in found[:WINDOW]
            if h.id not in steps
            and 0.0 < statement.score - h.score < reach
            and (happened(h.payload) or 0.0) >= first + gap
        ]
    wanted = steps | {h.id for found in later.values() for h in found}
    if wanted == steps:
        return set()
    read: dict[str, npt.ArrayLike] = dict(later_by.read)
    for memory_type, found in hits.items():
        if SPECS[memory_type].holds_events and (
            compared := [h for h in found if h.id in wanted - read.keys()]
        ):
            read.update(await vectors(memory_type, compared))
    same = same_meaning(read, model.newer_first.min_cosine)
    values = asked(later_by.words, later_by.query_vector, read, model.newer_first)
    near = asked(later_by.words, later_by.query_vector, read, model.newer_first, restating=False)
    taken: set[str] = set()
    following: set[str] = set()
    for statement, events in over.values():
        for event in later[statement.id]:
            if event.id in taken or not asked_values(statement, event, near):
                continue
            if any(_retold_step(step, event, gap, same) for step in list(events)):
                events.append(event)
                taken.add(event.id)
                if not asked_values(statement, event, values):
                    following.add(event.id)
    return following


def _retold_step(step: ScoredPoint, event: ScoredPoint, gap: float, same: SameMeaning) -> bool:
    """Whether an event happened at least `gap` after a step of a chain and restates it."""
    at, then = happened(event.payload), happened(step.payload)
    if at is None or then is None or at < then + gap:
        return False
    return restates(step, event, same)


def newer_statements(
    statements: Sequence[ScoredPoint], pairs: Sequence[tuple[ScoredPoint, list[ScoredPoint]]]
) -> dict[str, list[ScoredPoint]]:
    """For each statement an event may outdate, the better statements of a shared name that say they
    are newer ("since 1 Jan 2027 Katrin is Staff Engineer" over "Katrin is tech lead since 1 May
    2026"): their values, if they mean the same (`_retells`). Only for a statement with a time of its
    own: one written with the event that names no start may be the value the event told ("Marco's
    weekly 1:1 with Ruth" beside "Ruth becomes principal supervisor from 1 February")."""
    older_ids = {s.id for _, older in pairs for s in older}
    newer: dict[str, list[ScoredPoint]] = {}
    for statement in statements:
        if statement.id not in older_ids or not dated(statement.payload):
            continue
        text = str(statement.payload.get("content", ""))
        names = signature(text).names
        for other in statements:
            if other.score <= statement.score:
                break
            said = str(other.payload.get("content", ""))
            if rank.says_newer(said, text) and not names.isdisjoint(signature(said).names):
                newer.setdefault(statement.id, []).append(other)
    return newer


def retells(
    event: ScoredPoint, statement: ScoredPoint, newer: Mapping[str, Sequence[ScoredPoint]], same: SameMeaning
) -> bool:
    """Whether an event retells a newer value of a statement: it restates (a shared name, alike in
    meaning) a better statement that says it is newer than this one and restates it. The event is
    newer than the statement by their times (`candidate_pairs`), so it tells the value that replaced it."""
    return any(restates(n, event, same) and same(statement.id, n.id) for n in newer.get(statement.id, ()))
