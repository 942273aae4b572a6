"""A memory near the top by meaning that shares no word with the question, kept near the top.

Hybrid relevance is half BM25: a memory that says the asked thing in other words ("Marco is lactose
intolerant" for "what dietary requirements do I tell Lorna?", "Cartão de Cidadão" for "citizen card")
scores half its cosine and falls below memories that share only a name. Lifting every such memory's
relevance (a heavier dense side, or the cosine filling the missing BM25) lifts the many that share
no word and mean little along with the few, and costs the first place of other questions. So only a
memory that meaning alone ranks among the first `ranks` of the best hits is lifted, and only as far
as a floor from its place there: the score of the hit `places` below it (the first by meaning is
kept among the first 1 + `places`, the second among the first 2 + `places`). The first places stay
what both sides agree on.

The best hits are those whose vectors the confidence reads anyway (`HEAD`, through the same cached
reads), so the stage adds no read of its own. A post-engine stage (stages/post.py): `explain` shows
it as `dense_floor`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ...memtypes.queries import ScoredPoint
from ..options import RetrievalConfig
from ..ranking.asked.evidence import memory_words, query_words
from ..ranking.matter_state import asks_matter_state
from ..ranking.model import DenseFloorModel
from ..ranking.times.due_windows import asks_about_tasks
from ..ranking.times.task_questions import pending_past_due
from .plan import ReadPlan
from .post import Adjustment, Hits, Phase, PostStage, StageInputs, head_cosines, lift, raise_to

_ABOVE = 1e-4


class DenseFloor(PostStage):
    name = "dense_floor"
    phase = Phase.FINAL  # on the final hits, whose vectors the confidence then reads from the cache

    def weight(self, plan: ReadPlan, config: RetrievalConfig) -> float:
        return float(plan.model.dense_floor.ranks)

    async def apply(self, inputs: StageInputs, hits: Hits, weight: float) -> Mapping[str, Adjustment]:
        if inputs.query_vector is None:
            return {}
        best, cosines = await head_cosines(inputs, hits, inputs.query_vector)
        model = inputs.plan.model
        asked = informative_words(inputs.plan.request.query, model.dense_floor, model.due_window.leave_rule)
        now_ts = inputs.plan.resolved.now.timestamp()
        # A reminder nobody closed keeps part of its relevance on purpose (`past_due`): not lifted back,
        # but where the question asks how a matter stands, which keeps it whole.
        whole = asks_matter_state(inputs.plan.request.query)
        kept_down = frozenset(h.id for _, h in best if not whole and pending_past_due(h.payload, now_ts))
        fit = model.dense_floor
        floors = dense_floors([h for _, h in best], cosines, asked, int(weight), fit.places, kept_down)
        return {point_id: lift(self.name, amount) for point_id, amount in raise_to(hits, floors).items()}


def informative_words(query: str, fit: DenseFloorModel, leave_rule: bool = True) -> frozenset[str]:
    """The query's word keys that say what it asks (the commonest words say nothing); none where
    fewer than `fit.min_asked` do (a memory without a word or two may be about anything), or where
    it asks about things to do (ranked by their due dates, which its words do not say)."""
    if asks_about_tasks(query, leave_rule):
        return frozenset()
    asked = frozenset(k for k, w in query_words(query).weights.items() if w >= fit.min_information)
    return asked if len(asked) >= fit.min_asked else frozenset()


def dense_floors(
    best: Sequence[ScoredPoint],
    cosines: Mapping[str, float],
    asked: frozenset[str],
    ranks: int,
    places: int,
    kept_down: frozenset[str] = frozenset(),
) -> dict[str, float]:
    """The score each hit is raised to, by id: of the first `ranks` of `best` by cosine, each that
    shares none of the `asked` words and ranks below the hit `places` under its place by cosine
    (none of `kept_down`, whose place under their meaning's is meant)."""
    if not asked:
        return {}
    by_score = sorted(best, key=lambda h: -h.score)
    by_meaning = sorted((h for h in best if h.id in cosines), key=lambda h: -cosines[h.id])
    floors: dict[str, float] = {}
    for place, hit in enumerate(by_meaning[:ranks]):
        below = place + places
        if hit.id in kept_down or below >= len(by_score) or hit.score > by_score[below].score:
            continue
        if asked & memory_words(str(hit.payload.get("content", ""))):
            continue  # BM25 found it: relevance has both sides' say
        floors[hit.id] = by_score[below].score + _ABOVE
    return floors
