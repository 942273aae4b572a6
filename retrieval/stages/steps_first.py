"""For a request that asks for steps, the procedure nearest the question by meaning put first.

The how-to term lifts every procedure alike, so among procedures, and against a fact or an event
that shares more of the question's words by BM25 ("how do I fail over aurora?" beside a runbook on
slow Aurora queries and the "Aurora failover" runbook, which writes the word whole), hybrid
relevance can still put another first. And a request that names a situation without asking
anything ("boiler pressure's low", "setting up a memoQ project", "a client needs an apostille on a
sworn translation") asks for what to do about it in no words the term reads.

So where a request asks how, or asks nothing (no question word, no question mark), and is neither
about things to do nor asks leave or advice, the procedure that is the nearest by meaning of all the
best hits is placed just above the first hit, where it holds at least as much of the question's
information as that hit does (`evidence.overlap`): a procedure near by meaning that
shares only a word with the question ("File → Build" for "how do I file the BTW return?") stays
where it is. Where the question asks how in words ("Hafenkraft still hasn't paid - what's the
procedure?"), the steps may share none of its words ("Late payment: send a friendly reminder…") and
rank low on BM25 while other memories name the client: the procedure nearest by meaning, if among
the first few of the best hits by meaning, is kept among the first few hits, and put first where it
is among the very first by meaning and no other procedure is first (`StepsFirstModel`). A question
of how one usually does something ("how do I normally structure an escalation note?") is answered by
the steps where the writer keeps them, else by a statement of the habit: only the first rule serves it.

The best hits are those whose vectors the confidence reads anyway (`HEAD`, through the same cached
reads), so the stage adds no read of its own. A post-engine stage (stages/post.py): `explain` shows
it as `steps_first`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ...memtypes.language.questions import asks_in_words
from ...memtypes.queries import ScoredPoint
from ...memtypes.types import SPECS
from ..options import RetrievalConfig
from ..ranking.asked.evidence import QueryWords, overlap, query_words
from ..ranking.model import StepsFirstModel
from ..ranking.terms.how import asks_how, asks_usual_way
from ..ranking.terms.preference import asks_leave_or_advice
from ..ranking.times.due_windows import asks_about_tasks
from .plan import ReadPlan
from .post import Adjustment, Hits, Phase, PostStage, StageInputs, head_cosines, lift, raise_to

_ABOVE = 1e-4


def asks_for_steps(query: str, steps_phrasings: bool = True) -> bool:
    """Whether the request asks how to do something (or how one usually does it), or names a
    situation without asking anything, and is neither about things to do nor asks leave or advice."""
    if asks_about_tasks(query):
        return False
    if asks_usual_way(query):
        return True
    if asks_leave_or_advice(query):
        return False
    return asks_how(query, steps_phrasings) or not asks_in_words(query)


class StepsFirst(PostStage):
    name = "steps_first"
    phase = Phase.FINAL  # on the final hits, whose vectors the confidence then reads from the cache

    def weight(self, plan: ReadPlan, config: RetrievalConfig) -> float:
        return 1.0 if asks_for_steps(plan.request.query, plan.model.how_to.steps_phrasings) else 0.0

    async def apply(self, inputs: StageInputs, hits: Hits, weight: float) -> Mapping[str, Adjustment]:
        if inputs.query_vector is None:
            return {}
        best, cosines = await head_cosines(inputs, hits, inputs.query_vector)
        steps = frozenset(h.id for t, h in best if SPECS[t].answers_how)
        query = inputs.plan.request.query
        found = [h for _, h in best]
        fit = inputs.plan.model.steps_first
        # The usual way asked ("how do I usually handle a spike in failures?") names the situation
        # as the story of one such day does, in more of its words: the steps need hold only part.
        share = fit.first_share if asks_usual_way(query) else 1.0
        floors = steps_floor(found, cosines, steps, query_words(query), share)
        if not floors and asks_how(query, inputs.plan.model.how_to.steps_phrasings):
            floors = steps_placed(found, cosines, steps, query_words(query), fit)
        return {point_id: lift(self.name, amount) for point_id, amount in raise_to(hits, floors).items()}


def steps_floor(
    best: Sequence[ScoredPoint],
    cosines: Mapping[str, float],
    steps: frozenset[str],
    asked: QueryWords,
    share: float = 1.0,
) -> dict[str, float]:
    """The score the nearest hit by meaning is raised to, by id: just above the first hit's, where it
    is one of `steps` (a procedure), not first already, and holds at least `share` of the first hit's
    share of the `asked` information; else none."""
    near = [h for h in best if h.id in cosines]
    if not near:
        return {}
    nearest = max(near, key=lambda h: cosines[h.id])
    first = max(best, key=lambda h: h.score)
    if nearest.id not in steps or nearest.id == first.id:
        return {}
    if _share(asked, nearest) < share * _share(asked, first):
        return {}
    return {nearest.id: first.score + _ABOVE}


def steps_placed(
    best: Sequence[ScoredPoint],
    cosines: Mapping[str, float],
    steps: frozenset[str],
    asked: QueryWords,
    fit: StepsFirstModel,
) -> dict[str, float]:
    """The score the nearest of `steps` by meaning is raised to, by id, for a question that asks how
    in words: first where it is among the first `fit.first_ranks` of `best` by meaning, the first hit
    is no procedure (between procedures, relevance orders) and it holds at least `fit.first_share`
    of the first hit's share of the `asked` information (a procedure near by meaning that shares
    nothing with "could you remind me how I take my coffee?" is about something else); else among
    the first `fit.places` where it is among the first `fit.ranks` by meaning."""
    first = max(best, key=lambda h: h.score, default=None)
    if first is not None and first.id not in steps:
        floors = steps_kept_up(best, cosines, steps, fit.first_ranks, 1)
        nearest = next((h for h in best if h.id in floors), None)
        if nearest is not None and _share(asked, nearest) >= fit.first_share * _share(asked, first):
            return floors
    return steps_kept_up(best, cosines, steps, fit.ranks, fit.places)


def steps_kept_up(
    best: Sequence[ScoredPoint], cosines: Mapping[str, float], steps: frozenset[str], ranks: int, places: int
) -> dict[str, float]:
    """The score the nearest of `steps` by meaning is raised to, by id: just above the hit in place
    `places` (from 1), where it is among the first `ranks` of `best` by meaning and below that place."""
    by_meaning = sorted((h for h in best if h.id in cosines), key=lambda h: -cosines[h.id])
    nearest = next((h for h in by_meaning[:ranks] if h.id in steps), None)
    by_score = sorted(best, key=lambda h: -h.score)
    if nearest is None or places < 1 or len(by_score) < places:
        return {}
    if any(h.id == nearest.id for h in by_score[:places]):
        return {}
    return {nearest.id: by_score[places - 1].score + _ABOVE}


def _share(asked: QueryWords, hit: ScoredPoint) -> float:
    """The share of the question's information the hit's words hold."""
    return overlap(asked, str(hit.payload.get("content", "")))
