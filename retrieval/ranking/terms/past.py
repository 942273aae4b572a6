"""The past-events term: 1 for a memory of a type that holds events (what happened), weighted only
for a question asked in the past tense ("how did Tyler do at tryouts?", "what did Helen say at the
last QBR?", "how much did I gross on the Memphis run?"). What happened is
told by the event; a standing fact about the same people and things ("Tyler plays squirt hockey for
the Jaguars") reads as near by its words and meaning, but says what holds, not what was done or said.

The tense is the asking clause's (memtypes/language/questions.py `asking_clauses`): its first auxiliary
("did", "was", "were", "had", "how'd") against one of the present or the future ("does", "is",
"what's", "will"); "Lisa said she was moving, what's her new address?" asks in the present. A question
of what one meant to do ("what did I want to ask them?", "was there something they're bringing?") is
answered by a reminder, and one about things to do by what is due: neither is lifted for. Nor is one
that asks when something happened ("when did they switch off the connector?"): the when-events stage
lifts events for it already, and a second lift would put events that merely mention the thing above
the fact that states its date."""

from __future__ import annotations

import re

from ....memtypes.formula import Const, Expr
from ....memtypes.language.questions import asking_clauses
from ....memtypes.language.time_mentions import asks_when_happened
from ....memtypes.types import SPECS, MemoryType
from ..times.due_windows import asks_about_tasks
from .base import QueryContext, RankingTerm, TermInputs

# The first auxiliary of the asking clause; the named group `past` when it is one of the past tense.
# A contraction counts after a question word or a pronoun ("what's", "how'd", "there's"), not after a
# name ("Juno's groomer": an owner).
_AUXILIARY = re.compile(
    r"\b(?P<past>did|was|were|had|didn['’]t|wasn['’]t|weren['’]t|hadn['’]t"
    r"|(?:how|what|where|who|when|why)['’]d)\b"
    r"|\b(?:does|do|is|are|am|has|have|will|shall|can|could|would|should|may|might|must|gonna"
    r"|doesn['’]t|don['’]t|isn['’]t|aren['’]t|hasn['’]t|haven['’]t|won['’]t|can['’]t"
    r"|(?:how|what|where|who|when|why|there|that|it|he|she|they|we|i|you)['’](?:s|re|ll|ve|m))\b",
    re.IGNORECASE,
)
# What one meant or had to do, asked in the past: "what did I want to ask em?", "was I going to bring
# anything?", "was there something they're bringing?". A reminder answers it.
_MEANT_TO = re.compile(
    r"\b(?:did|was|were|had)\s+(?:i|we|you)\s+(?:want|wanted|mean|meant|plan|planned|intend|going"
    r"|supposed|need|have\s+to|promise)\b"
    r"|\b(?:i|we)\s+(?:was|were)\s+(?:supposed|going|meant)\s+to\b|\b(?:was|were)\s+(?:i|we)\s+\w+ing\b"
    r"|\b(?:was|were)\s+there\s+(?:something|anything)\b",
    re.IGNORECASE,
)


def asks_in_past_tense(query: str) -> bool:
    """Whether the query asks, in the past tense, what happened: its asking clause's first auxiliary
    is one of the past, and it asks neither what one meant to do nor about things to do."""
    auxiliary = _AUXILIARY.search(asking_clauses(query))
    if auxiliary is None or auxiliary.group("past") is None:
        return False
    return _MEANT_TO.search(query) is None and not asks_about_tasks(query)


class PastEventsTerm(RankingTerm):
    name = "past_events"

    def signal(self, query: QueryContext) -> bool:
        return asks_in_past_tense(query.query) and not asks_when_happened(query.query)

    def applies_to(self, memory_type: MemoryType) -> bool:
        return SPECS[memory_type].holds_events

    def weight(self, inputs: TermInputs) -> float:
        return inputs.model.past_events.weight if inputs.signal else 0.0

    def expr(self, inputs: TermInputs) -> Expr:
        return Const(1.0)
