"""For a question about what to do that names no time ("talking to Helen soon, anything I wanted to
raise with her?", "going to Bristol for the on-site, anything to bring?"), a pending reminder whose
trigger names whom or where the question names ("next time I speak to Helen", "next on-site visit
to Bristol") gets the trigger's lift, as if its trigger phrase had been said: the question tells the
occasion in its own words, and what the person meant to do then is what it asks for.

A trigger's names are its words written with a capital (not its first word, nor "I") or with letters
and digits: people, places, firms, tickets ("when LL-SUP-51802 is fixed"), not a bare number. The
question's words are compared case-folded. A trigger without a name ("when the new passport
arrives") is left to its phrase (the `trigger` term).

Any question, about tasks or not, that tells the event a trigger clause ("when …", "if …") waits
for in all of the clause's own words (two or more, not counting those of time or grammar; any form:
"phil the inspector is calling back" for "when phil the inspector calls back") gives its reminder
the same lift: a store written in lower case has no names to read, and the event said whole is what
such a reminder waits for. A trigger that names an occasion ("at the next choir practice") is also
what questions ask about ("what night is choir practice?"), and is left to its names.

The pending reminders with a trigger come from a search of their own (stages/search_plan.py), so
one the question's words reach poorly is still a candidate; a post-engine stage (stages/post.py),
shown by `explain` as `named_trigger`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from functools import lru_cache

from ...memtypes.language.time_mentions import asks_when
from ...memtypes.types import INTENTION_TYPE
from ..options import RetrievalConfig
from ..ranking.terms.intentions import DueTerm, OverdueTerm, TriggerTerm
from .plan import ReadPlan
from .post import Adjustment, Hits, Phase, PostStage, StageInputs, lift

_TOKEN = re.compile(r"\w[\w'’-]*")
_POSSESSIVE = re.compile(r"['’]s?$")


def _tokens(text: str) -> list[str]:
    """Words as names are written, case-folded, a possessive dropped: "Pennine's" → pennine,
    "LL-SUP-51802" whole."""
    return [_POSSESSIVE.sub("", t).casefold() for t in _TOKEN.findall(text)]


@lru_cache(maxsize=4096)
def trigger_names(trigger: str) -> frozenset[str]:
    """The names a trigger phrase says, case-folded: "next time I speak to Helen" → {helen}."""
    found = _TOKEN.findall(trigger)
    return frozenset(
        _POSSESSIVE.sub("", word).casefold()
        for word in found[1:]
        if word != "I" and (word[0].isupper() or (any(c.isdigit() for c in word) and not word.isdigit()))
    )


def names_trigger(query: str, trigger: str) -> bool:
    """Whether the query names one of the trigger's names."""
    names = trigger_names(trigger)
    return bool(names) and not names.isdisjoint(_tokens(query))


# Words of a trigger that say when rather than what: the occasion is said by the others.
_WHEN_WORDS = frozenset(
    (  # noqa: SIM905 (a word list reads best as words)
        "next time when whenever if once at before after on the a an i we my our is are be it its to "
        "of for in from with again back"
    ).split()
)
_SUFFIX = re.compile(r"(?:ing|ed|es|s)$")


def _stem(word: str) -> str:
    """A word without a possessive or an ending of tense or number: "calls", "calling" → call."""
    word = _POSSESSIVE.sub("", word).casefold()
    return (_SUFFIX.sub("", word) if len(word) > 4 else word).rstrip("e")


# A trigger that is a clause ("when phil calls back", "if the letter comes") waits for an event; one
# that names an occasion ("at the next choir practice") is also what questions ask about.
_CLAUSE = re.compile(r"^\W*(?:when|whenever|if|once|as\s+soon\s+as)\b", re.I)


def says_trigger(query: str, trigger: str) -> bool:
    """Whether the query tells the event a trigger clause waits for in its own words: every word of
    the trigger that is not one of time or grammar, in any form ("phil the inspector is calling
    back" for "when phil the inspector calls back"), and at least two of them; not a question of
    when it happens ("when are Pat and Geoff getting here?"): that asks about the event."""
    if _CLAUSE.match(trigger) is None or asks_when(query):
        return False
    own = {_stem(w) for w in _TOKEN.findall(trigger) if w.casefold() not in _WHEN_WORDS}
    return len(own) >= 2 and own <= {_stem(w) for w in _TOKEN.findall(query)}


def asks_openly(plan: ReadPlan) -> bool:
    """Whether the plan's question is about what to do and names no time (the `due` term's signal)."""
    policy = plan.policies.get(INTENTION_TYPE)
    return policy is not None and bool(policy.signals.get(DueTerm.name))


class NamedTrigger(PostStage):
    """A pending reminder whose trigger names whom or where an open question about tasks names, or
    whose occasion any question tells in all the trigger's own words, gets the trigger term's
    weight, unless its phrase already gave it."""

    name = "named_trigger"
    phase = Phase.ROUND

    def weight(self, plan: ReadPlan, config: RetrievalConfig) -> float:
        if plan.tuning is None or not plan.tuning.formula or not plan.model.intentions.named_trigger_hits:
            return 0.0
        if INTENTION_TYPE not in plan.policies:
            return 0.0
        return plan.policies[INTENTION_TYPE].policy.w_trigger

    async def apply(self, inputs: StageInputs, hits: Hits, weight: float) -> Mapping[str, Adjustment]:
        query = inputs.plan.request.query
        policy = inputs.plan.policies[INTENTION_TYPE]
        openly = asks_openly(inputs.plan)
        points = hits.get(INTENTION_TYPE, [])
        out: dict[str, Adjustment] = {}
        for k, p in enumerate(points):
            trigger = p.payload.get("trigger")
            if p.payload.get("status", "pending") != "pending" or not isinstance(trigger, str):
                continue
            if policy.contribution(TriggerTerm.name, p.payload) > 0.0:
                continue
            if not ((openly and names_trigger(query, trigger)) or says_trigger(query, trigger)):
                continue
            points[k] = replace(p, score=p.score + weight)
            out[p.id] = lift(self.name, weight)
        if out:
            points.sort(key=lambda p: -p.score)
        return out


class UnnamedDue(PostStage):
    """For an open question about tasks that names whom or what it is about ("anything I need to sort
    for Pickle?", "talking to Helen soon, anything to raise?"), a pending reminder that names none of
    it, in its words or its trigger, loses what its due date lifted it by (the `overdue` and `due`
    terms): what is overdue elsewhere ("Book a damp survey") is not what such a question asks for.
    Names as a trigger's: a word written with a capital (not the first) or with letters and digits."""

    name = "unnamed_due"
    phase = Phase.ROUND

    def weight(self, plan: ReadPlan, config: RetrievalConfig) -> float:
        if plan.tuning is None or not plan.tuning.formula or not asks_openly(plan):
            return 0.0
        return 1.0 if trigger_names(plan.request.query) else 0.0

    async def apply(self, inputs: StageInputs, hits: Hits, weight: float) -> Mapping[str, Adjustment]:
        names = trigger_names(inputs.plan.request.query)
        policy = inputs.plan.policies[INTENTION_TYPE]
        points = hits.get(INTENTION_TYPE, [])
        out: dict[str, Adjustment] = {}
        for k, p in enumerate(points):
            said = f"{p.payload.get('content', '')} {p.payload.get('trigger') or ''}"
            if not names.isdisjoint(_tokens(said)):
                continue
            cut = sum(policy.contribution(term, p.payload) for term in (OverdueTerm.name, DueTerm.name))
            if cut > 0.0:
                points[k] = replace(p, score=p.score - cut)
                out[p.id] = lift(self.name, -cut)
        if out:
            points.sort(key=lambda p: -p.score)
        return out
