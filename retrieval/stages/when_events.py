"""For a question that asks when something happened ("when did Aoife move house?"), the events lifted
above the facts and reminders that mention the same thing: an event carries the time it happened (its
`occurred_at`, shown in the context), while a fact about it seldom states when, and a reminder tells
when it was due, not when it happened. An event tells its time whether or not its words state one:
one whose words do not is lifted as far as the `tells_time` term lifts a fact that states a date
(else such a fact, lifted by the term, stays above the event it is about). Not further: the fact that
says when the thing began ("since August …") answers as well as the event, and keeps its place
beside events that merely mention the thing. A question in the present or future tense ("when's the
call?", "when does the card run out?") asks for a time to come or one that holds, which no event
tells: the events are not lifted.

Only where a retrieval finds memories of other types beside its events: in a store of conversation
turns alone, every hit is an event and lifting all of them would change nothing but the scores' scale.
A post-engine stage (stages/post.py) because it reads the hits of every type at once; `explain` shows
it as `when_event`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from ...memtypes.language.time_mentions import asks_when_happened
from ...memtypes.types import SPECS, MemoryType
from ..options import RetrievalConfig
from ..ranking.terms.time import TellsTimeTerm
from .plan import ReadPlan
from .post import Adjustment, Hits, Phase, PostStage, StageInputs, lift


class WhenEvents(PostStage):
    name = "when_event"
    phase = Phase.FINAL

    def weight(self, plan: ReadPlan, config: RetrievalConfig) -> float:
        query = plan.request.query
        asked = plan.tuning is not None and plan.tuning.temporal and asks_when_happened(query)
        return plan.model.when_events.lift if asked else 0.0

    async def apply(self, inputs: StageInputs, hits: Hits, weight: float) -> Mapping[str, Adjustment]:
        policies = inputs.plan.policies
        told = {t: policies[t].weight_of(TellsTimeTerm.name) for t in hits if t in policies}
        lifted = lift_events(hits, weight, told)
        return {point_id: lift(self.name, amount) for point_id, amount in lifted.items()}


def lift_events(
    hits: Hits, weight: float, told: Mapping[MemoryType, float] | None = None
) -> dict[str, float]:
    """Every event hit lifted by `weight` (in place), where hits of other types are there too; one
    whose words state no time by its type's `told` weight where that is more (the `tells_time`
    term's, which lifted those whose words do); each lifted hit's lift, by id."""
    events = [t for t, found in hits.items() if found and SPECS[t].holds_events]
    if not events or not any(found for t, found in hits.items() if not SPECS[t].holds_events):
        return {}
    lifted: dict[str, float] = {}
    for memory_type in events:
        untold = (told or {}).get(memory_type, 0.0)
        raised = []
        for h in hits[memory_type]:
            amount = weight if h.payload.get("tells_time") is True else max(weight, untold)
            lifted[h.id] = amount
            raised.append(replace(h, score=h.score + amount))
        hits[memory_type] = sorted(raised, key=lambda h: -h.score)
    return lifted
