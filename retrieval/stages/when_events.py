"""For a question that asks when ("when did Aoife move house?"), the events lifted above the facts and
reminders that mention the same thing: an event carries the time it happened (its `occurred_at`,
shown in the context), while a fact about it seldom states when, and a reminder tells when it was due,
not when it happened.

Only where a retrieval finds memories of other types beside its events: in a store of conversation
turns alone, every hit is an event and lifting all of them would change nothing but the scores' scale.
A post-engine stage (stages/post.py) because it reads the hits of every type at once; `explain` shows
it as `when_event`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from ...memtypes.language.time_mentions import asks_when
from ...memtypes.types import SPECS
from ..options import RetrievalConfig
from .plan import ReadPlan
from .post import Adjustment, Hits, Phase, PostStage, StageInputs, lift


class WhenEvents(PostStage):
    name = "when_event"
    phase = Phase.FINAL

    def weight(self, plan: ReadPlan, config: RetrievalConfig) -> float:
        asked = plan.tuning is not None and plan.tuning.temporal and asks_when(plan.request.query)
        return plan.model.when_events.lift if asked else 0.0

    async def apply(self, inputs: StageInputs, hits: Hits, weight: float) -> Mapping[str, Adjustment]:
        return {point_id: lift(self.name, amount) for point_id, amount in lift_events(hits, weight).items()}


def lift_events(hits: Hits, weight: float) -> dict[str, float]:
    """Every event hit lifted by `weight` (in place), where hits of other types are there too; each
    lifted hit's lift, by id."""
    events = [t for t, found in hits.items() if found and SPECS[t].holds_events]
    if not events or not any(found for t, found in hits.items() if not SPECS[t].holds_events):
        return {}
    lifted: dict[str, float] = {}
    for memory_type in events:
        hits[memory_type] = [replace(h, score=h.score + weight) for h in hits[memory_type]]
        lifted.update(dict.fromkeys((h.id for h in hits[memory_type]), weight))
    return lifted
