"""Between the plan and the search, for a query that times its question by an event ("what have we
done since we moved to Porto?", "which incidents did we have before Marcus left?"): the event,
found among the request scope's events, and the window it gives (ranking/event_anchors.py), which
the time term then reads like a named time.

The event is the one nearest in meaning to the clause's words, by the request's embedder, among the
events the request may see (its tenant, scope, namespaces and view) that occurred before its `now`;
of the few nearest, the nearest that says the clause's own words ("moved" for "since we moved") is
the one named from a low cosine, else the nearest from a higher one (the ranking model's
`event_anchor`). Otherwise, or where the events cannot be read, the query is ranked as if it named
no time. A query without such a clause costs one search of its text and nothing else; one with it,
the clause's embedding and one search of the events for their nearest.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from ...memtypes.errors import Unavailable
from ...memtypes.ports import Embedder, VectorIndex
from ...memtypes.queries import ScoredPoint, SearchRequest
from ...memtypes.types import EVENT_TYPE
from ..ranking.event_anchors import AnchorClause, EventAnchor, anchor_clause, anchored_window, says_clause
from ..ranking.model import EventAnchorModel
from ..ranking.terms.time import TimeTerm
from .plan import ReadPlan

log = logging.getLogger("mnemo.retrieval")


def asks_by_event(plan: ReadPlan) -> AnchorClause | None:
    """The clause naming the event the query times its question by, where the time term reads
    one for this request (its time parser on, the term run, events among the types asked for)."""
    events = (plan.filters or {}).get(EVENT_TYPE)
    if events is None or plan.tuning is None or not plan.tuning.temporal:
        return None
    if not plan.tuning.formula or not plan.model.runs_term(TimeTerm.name):
        return None
    return anchor_clause(plan.request.query)


async def find_anchor(
    plan: ReadPlan, clause: AnchorClause, index: VectorIndex, embedder: Embedder
) -> EventAnchor | None:
    """The event `clause` names among those `plan`'s request may see, and its window; None when no
    event is near enough in meaning (or the events cannot be read)."""
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
        return None
    chosen = _named(clause, sorted(hits, key=lambda h: -h.score), model)
    if chosen is None:
        return None
    best, by_words = chosen
    occurred_at = _occurred_at(best.payload)
    window = None if occurred_at is None else anchored_window(clause, occurred_at, now)
    if occurred_at is None or window is None:
        return None
    content = str(best.payload.get("content", ""))
    return EventAnchor(clause, best.id, content, occurred_at, best.score, window, by_words)


def _named(
    clause: AnchorClause, nearest: list[ScoredPoint], model: EventAnchorModel
) -> tuple[ScoredPoint, bool] | None:
    """The event `clause` names among the `nearest` (best first), and whether it says its words."""
    for hit in nearest:
        content = str(hit.payload.get("content", ""))
        if hit.score >= model.min_cosine_with_words and says_clause(clause, content):
            return hit, True
    if nearest and nearest[0].score >= model.min_cosine:
        return nearest[0], False
    return None


def _occurred_at(payload: Mapping[str, Any]) -> datetime | None:
    ts = payload.get("occurred_ts")
    return datetime.fromtimestamp(float(ts), UTC) if isinstance(ts, int | float) else None
