"""Coverage-aware order (part of the rank stage): a question whose answer is spread over several
memories ("How many hours of jogging and yoga did I do last week?") is answered by one memory per
part of it, and the engine's score ranks every memory alone: the best few all match "jogging", and
the one that tells of yoga waits below near-copies of the first.

So the best hits are re-ordered greedily: each next hit is the one with the best score plus
`weight` × the share of the query's terms that it matches and no hit before it did, each term
weighed by how rare it is among those hits (BM25's idf over the window; the engine's idf is not
read back). A hit that repeats what the hits above matched gains nothing; one that matches a part
of the query nothing above matched gains up to `weight`. Terms are the BM25 binding's (stemmed,
without stop words), so "jogging" and "jog" are one term. Only the best `window` hits are ordered;
a hit's gain is its lift, one more component of its explanation. Pure: no I/O.
"""

from __future__ import annotations

import heapq
import math
from collections import Counter
from collections.abc import Callable, Collection, Sequence
from dataclasses import replace

from ...memtypes.queries import ScoredPoint

COVERAGE_WINDOW = 64  # more than the top of any ranking, fewer than a budget of short lines
TermsOf = Callable[[ScoredPoint], Collection[int]]  # a hit's terms (its content's BM25 indices)


def cover_query(
    hits: Sequence[ScoredPoint],
    query_terms: Collection[int],
    terms_of: TermsOf,
    weight: float,
    window: int = COVERAGE_WINDOW,
) -> tuple[list[ScoredPoint], dict[str, float]]:
    """The hits best-first with each of the best `window` lifted by `weight` × the weighted share of
    the query's terms it covers first; and each lifted hit's lift, by id. Lifts only shrink as
    terms are covered, so a lazy greedy pass (each hit's gain recomputed only when it comes to the
    top) picks exactly what the full greedy would, in O(n log n)."""
    ranked = sorted(hits, key=lambda h: -h.score)
    wanted = frozenset(query_terms)
    if weight <= 0.0 or not wanted or len(ranked) < 2:
        return ranked, {}
    head, rest = ranked[:window], ranked[window:]
    matched = [wanted.intersection(terms_of(h)) for h in head]
    frequency = Counter(t for terms in matched for t in terms)
    n = len(head)
    idf = {t: math.log(1.0 + (n - f + 0.5) / (f + 0.5)) for t, f in frequency.items()}
    total = sum(idf.values())
    if total <= 0.0:
        return ranked, {}
    covered: set[int] = set()

    def lift(j: int) -> float:
        return weight * sum(idf[t] for t in matched[j] if t not in covered) / total

    # (-(score + lift), position, the lift it was computed with): ties keep the engine's order.
    queue = [(-(h.score + lift(j)), j, lift(j)) for j, h in enumerate(head)]
    heapq.heapify(queue)
    order: list[ScoredPoint] = []
    lifts: dict[str, float] = {}
    while queue:
        _, j, stale = heapq.heappop(queue)
        fresh = lift(j)
        if fresh < stale and queue and -(head[j].score + fresh) > queue[0][0]:
            heapq.heappush(queue, (-(head[j].score + fresh), j, fresh))
            continue
        covered.update(matched[j])
        if fresh > 0.0:
            lifts[head[j].id] = fresh
            order.append(replace(head[j], score=head[j].score + fresh))
        else:
            order.append(head[j])
    return sorted(order, key=lambda h: -h.score) + rest, lifts
