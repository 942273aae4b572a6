"""Between the plan and the search, for a query that times its question by an event ("what have we
done since we moved to Porto?", "which incidents did we have before Marcus left?"): the event,
found among the request scope's events, and the window it gives (ranking/times/event_anchors.py), which
the time term then reads like a named time.

The event is the one nearest in meaning to the clause's words, by the request's embedder, among the
events the request may see (its tenant, scope, namespaces and view) that occurred before its `now`;
of the few nearest, the nearest that says the clause's own words ("moved" for "since we moved") is
the one named from a low cosine, else the nearest from a higher one (the ranking model's
`event_anchor`). Otherwise, or where the events cannot be read, the query is ranked as if it named
no time. A query without such a clause costs one search of its text and nothing else; one with it,
the clause's embedding and one search of the events for their nearest.

A question about what is due that names no time of the calendar ("what do I need to do before the
move?") is timed by an event ahead, by the same rule (of several that say its words, the soonest:
"before the QBR" is the next one), among the events that occur after `now`, else among the pending
reminders due after it (a move planned is often only a reminder, "the
move on 12 March"; a deadline is the due time of the reminder that names its other words, "before
the BTW deadline", and that reminder is in the window); its window holds due dates
(ranking/times/event_anchors.py), which the `due_window` term reads as the question's own. Without such an
event it keeps today's reading.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, NamedTuple

from ...memtypes.errors import Unavailable
from ...memtypes.ports import Embedder, VectorIndex
from ...memtypes.queries import MemoryFilter, ScoredPoint, SearchRequest
from ...memtypes.types import EVENT_TYPE, INTENTION_TYPE, MemoryType
from ..ranking.asked.turns import mostly_turns
from ..ranking.model import EventAnchorModel
from ..ranking.terms.time import TimeTerm
from ..ranking.times.event_anchors import (
    AnchorClause,
    EventAnchor,
    anchor_clause,
    anchored_window,
    due_anchored_window,
    names_deadline,
    names_itself,
    names_itself_alone,
    says_clause,
)
from ..ranking.times.task_questions import task_question
from .plan import ReadPlan

log = logging.getLogger("mnemo.retrieval")
_DUE = "due_ts"


def asks_by_event(plan: ReadPlan) -> AnchorClause | None:
    """The clause naming the event the query times its question by, where the time term reads
    one for this request (its time parser on, the term run, events among the types asked for); for
    a question about what is due that names no time, one ahead (events or reminders asked for)."""
    filters = plan.filters or {}
    if plan.tuning is None or not plan.tuning.temporal or not plan.tuning.formula:
        return None
    query, model = plan.request.query, plan.model
    asked = task_question(query, plan.resolved.now, model.due_window.leave_rule)
    if asked is not None and model.event_anchor.ahead:
        if asked.window is not None or not (EVENT_TYPE in filters or INTENTION_TYPE in filters):
            return None
        return anchor_clause(query, ahead=True)
    if EVENT_TYPE not in filters or not model.runs_term(TimeTerm.name):
        return None
    return anchor_clause(query)


class AnchorSearch(NamedTuple):
    """What the search for a clause's event found: the event and its window (None when no event is
    near enough in meaning, or the events cannot be read); `transcript`, when the events nearest the
    clause are mostly conversation turns."""

    anchor: EventAnchor | None
    transcript: bool = False


async def find_anchor(
    plan: ReadPlan, clause: AnchorClause, index: VectorIndex, embedder: Embedder
) -> AnchorSearch:
    """The event `clause` names among those `plan`'s request may see, and its window.

    In a transcript the clause is none: a turn that says "since I started going to the gym" is
    itself what the question asks about, its words the question's topic, not its time."""
    if clause.ahead:
        return AnchorSearch(await _find_ahead(plan, clause, index, embedder))
    events = (plan.filters or {})[EVENT_TYPE]
    now = plan.resolved.now
    [vector] = await embedder.embed([clause.clause])
    before_now = replace(events, occurred_until=now.timestamp())
    model = plan.model.event_anchor
    limit = model.candidates
    try:
        [hits] = await index.search([SearchRequest(EVENT_TYPE, vector, before_now, limit, limit)])
    except Unavailable as exc:
        log.debug("no event anchor: %s", exc.detail)
        return AnchorSearch(None)
    if mostly_turns([(str(h.payload.get("content", "")), True) for h in hits]):
        return AnchorSearch(None, transcript=True)
    chosen = _named(clause, sorted(hits, key=lambda h: -h.score), model)
    if chosen is None:
        return AnchorSearch(None)
    best, by_words = chosen
    occurred_at = _instant(best.payload, "occurred_ts")
    window = None if occurred_at is None else anchored_window(clause, occurred_at, now)
    if occurred_at is None or window is None:
        return AnchorSearch(None)
    content = str(best.payload.get("content", ""))
    return AnchorSearch(EventAnchor(clause, best.id, content, occurred_at, best.score, window, by_words))


async def _find_ahead(
    plan: ReadPlan, clause: AnchorClause, index: VectorIndex, embedder: Embedder
) -> EventAnchor | None:
    """The event ahead `clause` names: among the events after now, else the pending reminders due
    after it; its window of due dates."""
    filters, now = plan.filters or {}, plan.resolved.now
    [vector] = await embedder.embed([clause.clause])
    limit = plan.model.event_anchor.candidates
    kinds = [t for t in (EVENT_TYPE, INTENTION_TYPE) if t in filters]
    searches = [SearchRequest(t, vector, _ahead_of(t, filters[t], now), limit, limit) for t in kinds]
    try:
        found = await index.search(searches)
    except Unavailable as exc:
        log.debug("no event anchor: %s", exc.detail)
        return None
    for memory_type, hits in zip(kinds, found, strict=True):
        field = "occurred_ts" if memory_type is EVENT_TYPE else "due_ts"
        chosen = _named(clause, sorted(hits, key=lambda h: -h.score), plan.model.event_anchor, field)
        at = None if chosen is None else _instant(chosen[0].payload, field)
        deadline = chosen is not None and memory_type is INTENTION_TYPE and _is_deadline(clause, chosen[0])
        window = None if at is None else due_anchored_window(clause, at, now, including=deadline)
        if chosen is not None and at is not None and window is not None:
            best, by_words = chosen
            content = str(best.payload.get("content", ""))
            return EventAnchor(clause, best.id, content, at, best.score, window, by_words, memory_type.value)
    return None


def _ahead_of(memory_type: MemoryType, scope: MemoryFilter, now: datetime) -> MemoryFilter:
    """What of `memory_type` is ahead of `now`: events that occur after it, pending reminders due."""
    if memory_type is EVENT_TYPE:
        return replace(scope, occurred_from=now.timestamp())
    return replace(scope, status="pending", due_from=now.timestamp())


def _named(
    clause: AnchorClause, nearest: list[ScoredPoint], model: EventAnchorModel, soonest: str = ""
) -> tuple[ScoredPoint, bool] | None:
    """The event `clause` names among the `nearest` (best first), and whether it says its words;
    `soonest`: of those that say them, the one first by this time field (an event ahead: "before the
    QBR" is the next one)."""
    # An event ahead is named by what it is, not by a reminder of what it is for; a deadline, by the
    # reminder due then.
    says = names_itself if clause.ahead else says_clause

    def named_by(hit: ScoredPoint) -> bool:
        if says(clause, str(hit.payload.get("content", ""))):
            return True
        return soonest == _DUE and _is_deadline(clause, hit)

    named = [hit for hit in nearest if hit.score >= model.min_cosine_with_words and named_by(hit)]
    if clause.ahead:  # the event itself before what merely names it ("science fair check-in forms")
        named = [h for h in named if names_itself_alone(clause, str(h.payload.get("content", "")))] or named
    if named and soonest:
        return min(named, key=lambda h: float(h.payload.get(soonest) or float("inf"))), True
    if named:
        return named[0], True
    if nearest and nearest[0].score >= model.min_cosine:
        return nearest[0], False
    return None


def _is_deadline(clause: AnchorClause, reminder: ScoredPoint) -> bool:
    return clause.ahead and names_deadline(clause, str(reminder.payload.get("content", "")))


def _instant(payload: Mapping[str, Any], field: str) -> datetime | None:
    ts = payload.get(field)
    return datetime.fromtimestamp(float(ts), UTC) if isinstance(ts, int | float) else None
