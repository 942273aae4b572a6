"""Who holds a role now: for a question that asks who holds a role as it stands ("who's my manager",
"dentist who"), a later memory with a clause that names someone new in that role and says so for good
("From today my manager is Idris Obi", "Dr Mbeki has retired, so Dr Osei is your dentist now") is
put just above an older memory naming another person in it ("my manager at Brightlane is Petra Novak").

The other update stages tie two memories by a shared name, their meaning as a whole, or a detail read
by its form (a day, an amount); a person asked is read by none of them (restated_details.py leaves
persons out: an event names the people of its day, not only the one in the role asked). Here the role
is read from one clause of the newer: the question's role word ("manager", "dentist": a word it names
beside "who", which the memory does not write as a name: "kibwezi" asked is the place of "the Kibwezi
clinics", no role), a name that the older does not write, and a word that says the name holds the role
from now on (`_HOLDS_NOW`: "now", "from today", "takes over", "acting" or "interim": the one who holds
it while its holder is away; or "new" before the role word), all in that clause. A clause that names
the role and another person beside a change tells whom the role went to; the same words spread over a
memory's clauses tell the people of a day ("Petra announced she's moving … our 1:1 with Idris").

The pair must:

- both be among the best `_BEST` events and statements, the older leading by less than the newer-first
  margin;
- the older name the role word too, someone the newer's clause does not (the role's other holder), and
  not every name that clause writes (the new holder is not in it; both may name the firm);
- be ordered in time (version_ties.is_newer).

Only a question that asks who, as it stands (not an earlier holder: version_ties.asks_a_value), moves
anything. Nothing else moves: the newer is put just above the older. A post-engine stage after the
version ties; `explain` shows it as `role_holder`.
"""

from __future__ import annotations

import re

from ...memtypes.language.facts import signature
from ...memtypes.types import SPECS
from ..options import RetrievalConfig
from .asked_changes import time_free_names
from .asked_values import asked_words
from .plan import ReadPlan
from .post import Adjustment, Hits, Phase, PostStage, StageInputs, lift, raise_to
from .version_ties import asks_a_value, content, is_newer, stems, versioned

_BEST = 10  # the hits a reader sees first
_WORD = re.compile(r"[^\W_]+")
_ABOVE = 1e-5  # just above the older: below anything that was above it
# A question that asks who (English usage; typed without its apostrophe too: "whos").
_ASKS_WHO = re.compile(r"\bwho(?:['’]?s|m|se)?\b", re.I)
# A clause's end: its stop, a semicolon or colon, a dash, or "so" / "and" opening the next one.
_CLAUSE = re.compile(r"[.!?](?:\s|$)|[;:]|\s[—–]\s|,?\s+(?:so|and|but)\s+", re.I)
# A word called new: "new" and the word after it (English usage).
_NEW = re.compile(r"\bnew\s+([^\W_]+)", re.I)
# Words that say someone holds a role from now on (English usage); "new" only before the role itself.
_HOLDS_NOW = re.compile(
    r"\b(?:now|from\s+(?:today|now\s+on|this\s+week|then)|tak(?:es|ing|en)\s+over|took\s+over"
    r"|replac(?:es|ed|ing)|becomes|became|has\s+become|acting|interim)\b",
    re.I,
)


class RoleHolders(PostStage):
    """A later memory naming someone new in the role a who-question asks put just above an older one
    naming another (the weight: the older's lead it may overtake, the newer-first margin; 0: off)."""

    name = "role_holder"
    phase = Phase.FINAL

    def weight(self, plan: ReadPlan, config: RetrievalConfig) -> float:
        question = plan.request.query
        return config.newer_first_margin if asks_who_holds(question) else 0.0

    async def apply(self, inputs: StageInputs, hits: Hits, weight: float) -> dict[str, Adjustment]:
        gap = inputs.plan.model.conversation_gap_s
        raised = order_role_holders(hits, inputs.plan.request.query, weight, gap)
        return {point_id: lift(self.name, amount) for point_id, amount in raised.items()}


def asks_who_holds(question: str) -> bool:
    """Whether a question asks who holds one thing as it stands (one "who": a question that asks who
    holds each of several roles names several, and a new holder of one is no answer to the others)."""
    return len(_ASKS_WHO.findall(question)) == 1 and asks_a_value(question)


def role_words(question: str) -> frozenset[str]:
    """The stems of the words a who-question names beside "who": the role it asks about."""
    return stems(" ".join(w for w in asked_words(question) if _ASKS_WHO.fullmatch(w) is None))


def order_role_holders(hits: Hits, question: str, reach: float, gap: float) -> dict[str, float]:
    """Put (in place) a later memory naming someone new in the asked role just above an older one
    naming another; answers the lifts, by id (`reach`: the older's lead it may overtake; `gap`: a
    conversation's span)."""
    roles = role_words(question)
    if reach <= 0.0 or not roles:
        return {}
    best = sorted(
        (h for t, found in hits.items() if versioned(t) and not SPECS[t].answers_how for h in found),
        key=lambda h: -h.score,
    )[:_BEST]
    floors: dict[str, float] = {}
    for place, newer in enumerate(best):
        holders = new_holders(content(newer), roles)
        if not holders:
            continue
        older = next(
            (
                o
                for o in best[:place]
                if o.score - newer.score < reach
                and _other_holder(content(o), roles, holders)
                and is_newer(newer.payload, o.payload, gap)
            ),
            None,
        )
        if older is not None:
            floors[newer.id] = older.score + _ABOVE
    return raise_to(hits, floors)


def new_holders(text: str, roles: frozenset[str]) -> frozenset[str]:
    """The names a text's clauses put in the role from now on: of a clause holding a role word, a
    name and a word that says it holds from now on, its names (none: no clause says so)."""
    names: set[str] = set()
    for clause in _CLAUSE.split(text):
        if roles.isdisjoint(_role_stems(clause)):
            continue
        if _HOLDS_NOW.search(clause) is None and roles.isdisjoint(_new_stems(clause)):
            continue
        names |= time_free_names(clause)
    return frozenset(names)


def _other_holder(older: str, roles: frozenset[str], holders: frozenset[str]) -> bool:
    """Whether an older text names the role and someone the newer clause does not, and not everyone
    that clause names: the role's other holder, the new one not yet in it (both may name the firm)."""
    if roles.isdisjoint(_role_stems(older)):
        return False
    named = time_free_names(older)
    return bool(named - holders) and bool(holders - named)


def _role_stems(text: str) -> frozenset[str]:
    """The stems of a text's words that it does not write as a name: a role ("officer", "dentist"), not
    the place or firm it is held at ("the Kibwezi clinics"), which a question may write in lower case."""
    names = signature(text).names
    return stems(" ".join(w for w in _WORD.findall(text) if w.casefold() not in names))


def _new_stems(clause: str) -> frozenset[str]:
    """The stems of the words a clause calls new ("our new dentist"): "new" before another word (the
    "2 new hires" of a list of goals) says nothing of the role."""
    return stems(" ".join(_NEW.findall(clause)))
