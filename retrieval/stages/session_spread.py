"""Sessions spread (after expand, before the response): a question that asks for several things
(mnemo.memtypes.language.questions: "What activities does Melanie partake in?", "How many hours of
jogging and yoga did I do last week?") is answered by a turn from each of several conversations, but
every memory is scored alone, so the best hits are one conversation's turns about the first part,
their neighbours beside them, and the conversation that tells the second part waits below.

So the best conversation turns are re-ordered greedily: each next is the one with the best score
once lowered, where a session's first `free` turns placed keep their scores, the next loses
`weight`, the one after it twice that, and so on. A session is one scope's turns with no gap over
the ranking model's `conversation_gap_s` (an hour) between them. Only the best `window` are
re-ordered, and they keep the window's scores, dealt out again in the new order: nothing leaves the
window, so the budget holds what it held, in another order. A post-engine stage (`SessionSpread`,
stages/post.py): the change of a turn's score is one more component of its explanation
(`session_spread`). Questions for one thing are left as ranked:
their answer and its neighbours sit together. Pure: no I/O.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace

from ...memtypes.language.questions import asks_for_several
from ...memtypes.queries import ScoredPoint
from ...memtypes.records import SCOPE_FIELDS
from ...memtypes.types import EVENT_TYPE, MemoryType
from ..options import RetrievalConfig
from ..ranking.model import DEFAULT_MODEL, RankingModel
from .plan import ReadPlan
from .post import Adjustment, Hits, Phase, PostStage, StageInputs, lift


class SessionSpread(PostStage):
    """A question for several things: its best turns spread over their sessions (`session_spread`:
    how much each further turn of one session yields; 0: off)."""

    name = "session_spread"
    phase = Phase.FINAL  # after the neighbours: they spread with their turns

    def weight(self, plan: ReadPlan, config: RetrievalConfig) -> float:
        return config.session_spread

    async def apply(self, inputs: StageInputs, hits: Hits, weight: float) -> dict[str, Adjustment]:
        moved = spread_question(hits, inputs.plan.request.query, weight, inputs.plan.model)
        return {point_id: lift(self.name, change) for point_id, change in moved.items()}


def spread_question(
    hits: dict[MemoryType, list[ScoredPoint]],
    question: str,
    weight: float,
    model: RankingModel = DEFAULT_MODEL,
) -> dict[str, float]:
    """Spread the conversation turns in `hits` (in place) over their sessions if `question` asks
    for several things, as `model` says (`session_spread`, `conversation_gap_s`); answers the change
    of each moved turn's score, by id."""
    turns = hits.get(EVENT_TYPE)
    if not turns or weight <= 0.0:
        return {}
    if not asks_for_several(question):
        return {}
    fit = model.session_spread
    hits[EVENT_TYPE], moved = spread_sessions(turns, weight, fit.free, fit.window, model.conversation_gap_s)
    return moved


def spread_sessions(
    hits: Sequence[ScoredPoint],
    weight: float,
    free: int,
    window: int = DEFAULT_MODEL.session_spread.window,
    gap_s: float = DEFAULT_MODEL.conversation_gap_s,
) -> tuple[list[ScoredPoint], dict[str, float]]:
    """The hits best-first, the best `window` re-ordered so that a turn's session's later turns
    yield to other sessions' (each lowered by `weight` × the turns of its session placed above it
    past the first `free`), the window's scores dealt out again in that order; and the change of
    each moved hit's score, by id. Lowerings only grow as sessions fill, so a lazy greedy pass (a
    hit's lowering recomputed only when it comes to the top) places exactly what the full greedy
    would."""
    ranked = sorted(hits, key=lambda h: -h.score)
    head, rest = ranked[:window], ranked[window:]
    if weight <= 0.0 or len(head) <= free:
        return ranked, {}
    session = session_keys(head, gap_s)
    placed: Counter[object] = Counter()

    def lowering(j: int) -> float:
        return weight * max(0, placed[session[j]] - free + 1)

    # (-(score - lowering), position, the lowering it was computed with): ties keep the order.
    queue = [(-h.score, j, 0.0) for j, h in enumerate(head)]
    heapq.heapify(queue)
    order: list[int] = []
    while queue:
        _, j, used = heapq.heappop(queue)
        now = lowering(j)
        if now != used:
            heapq.heappush(queue, (-(head[j].score - now), j, now))
            continue
        order.append(j)
        placed[session[j]] += 1
    spread: list[ScoredPoint] = []
    moved: dict[str, float] = {}
    for place, j in enumerate(order):
        point, score = head[j], head[place].score
        if score != point.score:
            moved[point.id] = score - point.score
            point = replace(point, score=score)
        spread.append(point)
    return [*spread, *rest], moved


def session_keys(hits: Sequence[ScoredPoint], gap_s: float) -> list[object]:
    """Each hit's session: its scope and the run of that scope's turns, by time, with no gap over
    `gap_s`. A hit without a time is a session of its own."""
    keys: list[object] = [("alone", j) for j in range(len(hits))]
    timed = []
    for j, h in enumerate(hits):
        occurred = h.payload.get("occurred_ts")
        if isinstance(occurred, int | float):
            timed.append((tuple(str(h.payload.get(k, "")) for k in SCOPE_FIELDS), float(occurred), j))
    timed.sort()
    run = 0
    for i, (scope, occurred, j) in enumerate(timed):
        if i and (scope != timed[i - 1][0] or occurred - timed[i - 1][1] > gap_s):
            run += 1
        keys[j] = run
    return keys
