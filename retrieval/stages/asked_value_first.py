"""For a question that asks for a value told by its form, a hit that holds it put above a first hit that
does not.

"what's the number for the crèche?", "frau lindners email pls", "shockwave lease how much": the
question names what it asks about and the kind of value it wants (a phone number, an e-mail, an
amount, a code, a percentage). Hybrid relevance weighs the names and the topic, which
a memory that tells of the thing without its value shares as much ("Fiadh moved up to the wobbler
room at crèche", "You started leasing the shockwave machine on 22 April"), and puts it first over the
one that holds the number.

The asked-detail check the confidence reads (ranking/asked/asked_detail.py) tells the two apart: a
hit holds what is asked where it names the question's names and holds a value of an asked kind stated
of what is asked, with at least part of the question's other words (`detail_gap` under
`AskedValueFirstModel.max_gap`). So where the first hit is checked and holds no value of a kind asked
at all, the first of the next `reach` hits that holds what is asked is placed just above it. A first
hit holding a value of the kind, though the check does not read it as stated of what is asked, stays:
a newer record often tells the value in other words ("renewed for 2026–27 at $15,600 a year" for
"what is the contract worth") than the older one the check reads as holding it.

Only the kinds a text holds as a value of its own form count as asked here: a count (any number) and
a person (any capitalized word) are held in passing by too many memories, and a date by every event
(its own time; stages/when_events.py orders those). A time of day neither: a plan holds the times of
its other steps ("check-in shuts 19:30, sails 21:00" for "what time does the ferry get in"). A first
hit the check does not read (a conversation turn) is left where it is.

It runs last of the final stages: a newer memory put above an older version of the same thing
(stages/version_ties.py) that holds no value of the kind asked ("paid the Term 1 school fees by
M-Pesa") does not tell the value as it stands ("the Term 1 invoice came in at KSh 112,000").

A post-engine stage (stages/post.py) on the final hits: `explain` shows it as `asked_value_first`.
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping, Sequence

from ...memtypes.queries import ScoredPoint
from ...memtypes.types import SPECS
from ..options import RetrievalConfig
from ..ranking.asked.asked_detail import DetailCheck, answers_kind, detail_check
from ..ranking.asked.asked_kinds import asked_kinds
from ..ranking.asked.evidence import ConfidenceFeaturesModel, query_words
from ..ranking.asked.value_forms import Kind
from ..ranking.model import AskedValueFirstModel
from .plan import ReadPlan
from .post import Adjustment, Hits, Phase, PostStage, StageInputs, lift, raise_to

_ABOVE = 1e-4
# The kinds of value a text holds only in a form of their own (digits as a phone number, an @, a
# currency, a code, a percentage).
FORMED_KINDS = frozenset({Kind.PHONE, Kind.EMAIL, Kind.MONEY, Kind.CODE, Kind.PERCENT})


def asks_formed_value(query: str, features: ConfidenceFeaturesModel) -> bool:
    """Whether the question asks for a value of a kind told by its own form (`FORMED_KINDS`)."""
    return bool(asked_kinds(query, features.asking_clause_kinds) & FORMED_KINDS)


class AskedValueFirst(PostStage):
    name = "asked_value_first"
    phase = Phase.FINAL  # on the final hits, as the confidence's detail check reads them

    def weight(self, plan: ReadPlan, config: RetrievalConfig) -> float:
        if not plan.model.asked_value_first.reach:
            return 0.0
        return 1.0 if asks_formed_value(plan.request.query, plan.model.confidence_features) else 0.0

    async def apply(self, inputs: StageInputs, hits: Hits, weight: float) -> Mapping[str, Adjustment]:
        model = inputs.plan.model
        fit = model.asked_value_first
        found = ((t, h) for t, typed in hits.items() for h in typed)
        best = heapq.nlargest(1 + fit.reach, found, key=lambda th: th[1].score)
        dated = [(h, SPECS[t].holds_events or "due_ts" in h.payload) for t, h in best]
        floors = value_holder_first(inputs.plan.request.query, dated, fit, model.confidence_features)
        return {point_id: lift(self.name, amount) for point_id, amount in raise_to(hits, floors).items()}


def value_holder_first(
    query: str,
    best: Sequence[tuple[ScoredPoint, bool]],
    fit: AskedValueFirstModel,
    features: ConfidenceFeaturesModel,
) -> dict[str, float]:
    """The score a hit is raised to, by id: of `best` (each hit with whether it carries a time of its
    own; best first), the first of the next `fit.reach` hits that holds what `query` asks, just above
    the first hit's, where the check reads the first hit and it holds no value of a kind asked (one
    that holds a value, though not stated of what is asked, may tell it in words the check misses);
    else none."""
    if len(best) < 2:
        return {}
    words = query_words(query)

    def check(hit: ScoredPoint, dated: bool) -> DetailCheck:
        return detail_check(query, words, [(str(hit.payload.get("content", "")), dated)], features)

    first, first_dated = best[0]
    kinds = asked_kinds(query, features.asking_clause_kinds)
    known = frozenset(words.weights)
    first_text = str(first.payload.get("content", ""))
    first_check = check(first, first_dated)
    if not first_check.checked or holds_asked(first_check, fit):
        return {}
    if answers_kind(kinds, first_text, features, first_dated, known):
        return {}
    for hit, dated in best[1 : 1 + fit.reach]:
        if holds_asked(check(hit, dated), fit):
            return {hit.id: first.score + _ABOVE}
    return {}


def holds_asked(check: DetailCheck, fit: AskedValueFirstModel) -> bool:
    """Whether a hit checked alone holds what is asked: a value of an asked kind with the question's
    names, and at least part of its other words."""
    return bool(check.checked) and not check.missing and check.gap < fit.max_gap
