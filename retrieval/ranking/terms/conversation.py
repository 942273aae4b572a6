"""The speaker term: 1 when a conversation turn was said by someone the query names, or by the user
for a first-person query (mnemo.memtypes.language.speakers). A neighbour offered beside a turn
carries its own (mnemo.retrieval.stages.expand)."""

from __future__ import annotations

from dataclasses import dataclass

from ....memtypes.formula import AllOf, Expr, FieldIn
from ....memtypes.language.speakers import speakers_asked_about
from ....memtypes.types import SPECS, MemoryType
from .base import QueryContext, RankingTerm, TermInputs

SPEAKER = "speaker"


@dataclass(frozen=True)
class SpeakerSignal:
    keys: tuple[str, ...]  # the speakers the query names
    weight: float


class SpeakerTerm(RankingTerm):
    name = SPEAKER

    def signal(self, query: QueryContext) -> SpeakerSignal:
        weight = query.config.speaker_weight
        return SpeakerSignal(speakers_asked_about(query.query) if weight else (), weight)

    def applies_to(self, memory_type: MemoryType) -> bool:
        # Only conversation turns (a type that holds events) have speakers (mnemo.memtypes.records).
        return SPECS[memory_type].holds_events

    def weight(self, inputs: TermInputs) -> float:
        signal: SpeakerSignal | None = inputs.signal
        return signal.weight if signal and signal.keys else 0.0

    def expr(self, inputs: TermInputs) -> Expr:
        signal: SpeakerSignal | None = inputs.signal
        return AllOf((FieldIn(SPEAKER, signal.keys if signal else ()),))
