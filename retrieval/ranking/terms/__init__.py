"""The registry of ranking terms. A memory's score is Σ weight·term over these, in this order (the
order of `explain`'s components and of the engine's sum).

A new term is one module (a `RankingTerm`: its name, the signal it reads off the query once per
request, the types it applies to, its weight and its expression over a point's payload) and one line
here; the ranking policy, the engine's formula, `explain` and the explorer take it from here.
"""

from __future__ import annotations

from .base import QueryContext, RankingTerm, TermInputs
from .conversation import SpeakerTerm
from .how import HowToTerm
from .intentions import DueTerm, DueWindowTerm, OverdueTerm, PastDueTerm, TriggerTerm
from .past import PastEventsTerm
from .preference import PreferenceTerm
from .stored import ImportanceTerm, RecencyTerm, RelevanceTerm, UsageTerm
from .time import TellsTimeTerm, TimeTerm

TERMS: tuple[RankingTerm, ...] = (
    RelevanceTerm(),
    RecencyTerm(),
    ImportanceTerm(),
    UsageTerm(),
    DueWindowTerm(),
    DueTerm(),
    OverdueTerm(),
    PastDueTerm(),
    TriggerTerm(),
    TimeTerm(),
    TellsTimeTerm(),
    SpeakerTerm(),
    HowToTerm(),
    PreferenceTerm(),
    PastEventsTerm(),
)

__all__ = ["TERMS", "QueryContext", "RankingTerm", "TermInputs"]
