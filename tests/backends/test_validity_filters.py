"""Validity on both engines: a current read leaves out what is superseded, expired or not yet valid,
`as_of` reads either view at another time, `outdated` finds what a current read leaves out, and a
pending-at-a-time read keeps what was closed only later. Each filter's answer on the engine is the
one the formula's own evaluation gives on the payloads (`Excludes` and `Missing` rendered as
Qdrant's `must_not` and `is_empty`)."""

from __future__ import annotations

from typing import Any

import numpy as np

from mnemo.memtypes.formula import AllOf, evaluate
from mnemo.memtypes.ports import VectorIndex
from mnemo.memtypes.queries import AsOf, MemoryFilter, Outdated, View
from tests.backends.test_vector_index import NOW, SEMANTIC, payload, points, request, unit_vectors

DAY = 86_400.0
HISTORY: dict[str, dict[str, Any]] = {
    # Superseded: held until a day ago, known as current until an hour ago.
    "leeds": payload(superseded=True, occurred_ts=NOW - 300 * DAY, valid_until_ts=NOW - DAY,
                     created_ts=NOW - 300 * DAY, superseded_ts=NOW - 3_600),
    "york": payload(occurred_ts=NOW - 3_600, valid_from_ts=NOW - DAY, created_ts=NOW - 3_600),
    "promo": payload(occurred_ts=NOW - 60 * DAY, valid_until_ts=NOW - 30 * DAY, created_ts=NOW - 60 * DAY),
    "future": payload(occurred_ts=NOW - DAY, valid_from_ts=NOW + 30 * DAY, created_ts=NOW - DAY),
    "plain": payload(occurred_ts=NOW - 10 * DAY, created_ts=NOW - 10 * DAY),
    "legacy_superseded": payload(superseded=True, occurred_ts=NOW - 400 * DAY, created_ts=NOW - 400 * DAY),
}  # fmt: skip
FIVE_DAYS_AGO = {"created_ts": NOW - 5 * DAY, "occurred_ts": NOW - 5 * DAY}
REMINDERS: dict[str, dict[str, Any]] = {
    "open": payload(status="pending", **FIVE_DAYS_AGO),
    "done_later": payload(status="done", closed_ts=NOW - DAY, **FIVE_DAYS_AGO),
    "done_early": payload(status="done", closed_ts=NOW - 4 * DAY, **FIVE_DAYS_AGO),
    "done_before_closed_ts": payload(status="done", **FIVE_DAYS_AGO),
}


def expected(history: dict[str, dict[str, Any]], flt: MemoryFilter) -> set[str]:
    return {name for name, p in history.items() if evaluate(AllOf(tuple(flt.conditions())), p, 0.0)}


async def test_validity_views_on_the_engine(index: VectorIndex) -> None:
    names = list(HISTORY)
    pts = points(unit_vectors(len(names), seed=11), [HISTORY[n] for n in names])
    await index.upsert(SEMANTIC, pts)
    name_of = {p.id: n for p, n in zip(pts, names, strict=True)}
    views = {
        "current": (MemoryFilter("acme", now=NOW), {"york", "plain"}),
        "true two days ago": (MemoryFilter("acme", as_of=AsOf(NOW - 2 * DAY)), {"leeds", "plain"}),
        "true 45 days ago": (MemoryFilter("acme", as_of=AsOf(NOW - 45 * DAY)), {"leeds", "promo"}),
        "known two hours ago": (
            MemoryFilter("acme", as_of=AsOf(NOW - 7_200, View.KNOWN)),
            {"leeds", "promo", "future", "plain"},
        ),
        "superseded": (
            MemoryFilter("acme", now=NOW, outdated=Outdated.SUPERSEDED),
            {"leeds", "legacy_superseded"},
        ),
        "expired": (MemoryFilter("acme", now=NOW, outdated=Outdated.EXPIRED), {"promo"}),
        "not yet valid": (MemoryFilter("acme", now=NOW, outdated=Outdated.NOT_YET_VALID), {"future"}),
    }  # fmt: skip
    for view, (flt, wanted) in views.items():
        assert expected(HISTORY, flt) == wanted, view
        [hits] = await index.search([request(np.ones(8) / np.sqrt(8), flt, SEMANTIC)])
        assert {name_of[h.id] for h in hits} == wanted, view
        assert await index.count(SEMANTIC, flt) == len(wanted), view


async def test_pending_then_on_the_engine(index: VectorIndex) -> None:
    names = list(REMINDERS)
    pts = points(unit_vectors(len(names), seed=12), [REMINDERS[n] for n in names])
    await index.upsert(SEMANTIC, pts)
    name_of = {p.id: n for p, n in zip(pts, names, strict=True)}
    then = MemoryFilter("acme", status="pending", as_of=AsOf(NOW - 2 * DAY))
    now = MemoryFilter("acme", status="pending", now=NOW)
    for flt, wanted in ((then, {"open", "done_later"}), (now, {"open"})):
        assert expected(REMINDERS, flt) == wanted
        scrolled, _ = await index.scroll(SEMANTIC, flt, limit=10)
        assert {name_of[p.id] for p in scrolled} == wanted
