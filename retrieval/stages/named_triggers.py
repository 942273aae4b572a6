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
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from functools import lru_cache

from ...memtypes.language.time_mentions import asks_when
from ...memtypes.queries import ScoredPoint
from ...memtypes.types import EVENT_TYPE, INTENTION_TYPE, MemoryType
from ..options import RetrievalConfig
from ..ranking.policy import RankingPolicy
from ..ranking.terms.intentions import DueTerm, DueWindowTerm, OverdueTerm, TriggerTerm
from ..ranking.times.task_questions import (
    TaskQuestion,
    asked_topics,
    asks_to_list,
    pending_past_due,
    topic_stems,
)
from .done_events import DoneByEvent, done_reminders
from .plan import ReadPlan
from .post import Adjustment, Hits, Phase, PostStage, StageInputs, lift
from .topic_names import opening_possessive, said_apart, topic_names

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


@lru_cache(maxsize=1024)  # one question, read against each reminder's trigger
def _stems(text: str) -> frozenset[str]:
    return frozenset(_stem(w) for w in _TOKEN.findall(text))


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
    return len(own) >= 2 and own <= _stems(query)


# Someone arriving or getting in touch now: "Jonno's just come in", "Sadie's on the phone", "Mr. Fitch
# just knocked on my door", "Ernesto is on his way over", "Rachel is calling", "Felix is in the office".
_ARRIVES = re.compile(
    r"\b(?:is|are|['’]s|['’]re)\s+(?:just\s+)?(?:here|outside|at\s+the\s+door|on\s+the\s+(?:phone|line)"
    r"|calling|ringing|phoning|on\s+(?:his|her|their|the|my)\s+way|coming\s+(?:over|round|around|by|in)"
    # At work where one meets them: "Felix is in the office today", "Kev's on site".
    r"|(?:in|at)\s+(?:the\s+)?(?:office|studio|lab|clinic|shop|yard|depot)|on\s+site"
    r"|(?:dropping|popping|stopping)\s+(?:by|in|round|over)|arriving|downstairs)\b"
    r"|\b(?:has|have|['’]s|['’]ve|just)\s+(?:just\s+)?(?:arrived|come\s+(?:in|over|round|by)|came\s+(?:in|over|round|by)"
    r"|walked\s+in|turned\s+up|shown\s+up|showed\s+up|got\s+here|knocked|rung|rang|called|phoned"
    r"|(?:dropped|popped|stopped)\s+(?:by|in|round|over)|pulled\s+(?:in|up))\b"
    r"|\b(?:i['’]m|i\s+am|we['’]re|we\s+are)\s+(?:meeting|seeing|with|talking\s+to|speaking\s+(?:to|with)"
    r"|on\s+(?:a\s+call|the\s+phone)\s+(?:to|with))\b",
    re.I,
)
# Words of a trigger that say how one meets whom it names ("next time I see Jonno", "when Sadie
# calls"), which news of their arrival says in other words; and the trigger's subject.
_MEETING = frozenset(
    (  # noqa: SIM905 (a word list reads best as words)
        "see meet speak talk call calls ring rings phone phones visit visits come comes by round over "
        "around drop drops pop pops in up i'm we're am"
    ).split()
)


def tells_arrival(query: str) -> bool:
    """Whether the query says someone is here or in touch now ("Jonno's just come in")."""
    return _ARRIVES.search(query) is not None


# Someone's home, which a possessive alone says: "over at dad's" is at dad's house.
_HOME_OF = re.compile(r"\b(\w+)['’]s\s+(house|home|place|flat|apartment)\b", re.I)


def _homes_said(query: str, trigger: str) -> set[str]:
    """The words of the trigger's homes ("house" of "dad's house") that the query says by the
    owner's possessive alone ("at dad's")."""
    return {
        _stem(m.group(2))
        for m in _HOME_OF.finditer(trigger)
        if re.search(rf"\b{re.escape(m.group(1))}['’]s\b", query, re.I)
    }


def says_occasion(query: str, trigger: str) -> bool:
    """Whether the query says every word of the trigger's occasion but those of time, grammar and of
    meeting ("next time I'm in a music shop": music, shop; "next time I see Jonno": Jonno), in any
    form (someone's home by the possessive alone: "at dad's" for "at dad's house"): read where the
    question asks what to do or tells that someone has come."""
    own = {_stem(w) for w in _TOKEN.findall(trigger) if w.casefold() not in _WHEN_WORDS | _MEETING}
    own -= _homes_said(query, trigger)
    return bool(own) and own <= _stems(query)


def asks_openly(plan: ReadPlan) -> bool:
    """Whether the plan's question is about what to do and names no time (the `due` term's signal)."""
    policy = plan.policies.get(INTENTION_TYPE)
    return policy is not None and bool(policy.signals.get(DueTerm.name))


def reads_trigger_names(plan: ReadPlan) -> bool:
    """Whether the plan's question reads the triggers' names and occasions: it asks what to do and
    names no time, or tells that someone has come ("Sadie's on the phone"); never where reminders are
    not searched."""
    if INTENTION_TYPE not in plan.policies:
        return False
    return asks_openly(plan) or tells_arrival(plan.request.query)


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
        openly = reads_trigger_names(inputs.plan)
        points = hits.get(INTENTION_TYPE, [])
        out: dict[str, Adjustment] = {}
        for k, p in enumerate(points):
            trigger = p.payload.get("trigger")
            if p.payload.get("status", "pending") != "pending" or not isinstance(trigger, str):
                continue
            if policy.contribution(TriggerTerm.name, p.payload) > 0.0:
                continue
            named = names_trigger(query, trigger) or says_occasion(query, trigger)
            if not ((openly and named) or says_trigger(query, trigger)):
                continue
            points[k] = replace(p, score=p.score + weight)
            out[p.id] = lift(self.name, weight)
        if out:
            points.sort(key=lambda p: -p.score)
        return out


def question_names(query: str) -> frozenset[str]:
    """Whom or what a question names, as a trigger's names, and a possessive it opens with ("Maya's
    deadlines": maya): a capital at the start hides a name, but a possessive there is one."""
    names = trigger_names(query)
    opening = opening_possessive(query)
    return names if opening is None else names | {opening}


def asks_about_whom(plan: ReadPlan) -> bool:
    """Whether the plan's question is about what to do, names no time, and names whom or what it is
    about, by a name or (where the reminders say it) a topic: `NamedDue` and `UnnamedDue` read it."""
    query = plan.request.query
    return asks_openly(plan) and bool(question_names(query) or asked_topics(query))


class _AboutWhomNamed(PostStage):
    """A stage for an open question about tasks that names whom or what it is about: where it names
    someone or something, weighted `full_weight`, each reminder moved by `moved_by`; else off.

    What a question names is a name (`question_names`), or a topic in any case ("what dad-related
    things do I still need to do?": dad, `asked_topics`) where the reminders read say it, some of
    them but not most: a word most reminders say ("remind") tells none of them apart, and one none
    says ("anything to do before I leave?") is no topic of theirs."""

    phase = Phase.ROUND

    def weight(self, plan: ReadPlan, config: RetrievalConfig) -> float:
        if plan.tuning is None or not plan.tuning.formula:
            return 0.0
        return self.full_weight(plan) if asks_about_whom(plan) else 0.0

    def full_weight(self, plan: ReadPlan) -> float:
        return 1.0

    def names(self, plan: ReadPlan) -> frozenset[str]:
        """Whom the question names."""
        return question_names(plan.request.query)

    def topics(self, plan: ReadPlan) -> frozenset[str]:
        """What the question names as its topic, before the reminders tell which words are one."""
        return asked_topics(plan.request.query)

    async def apply(self, inputs: StageInputs, hits: Hits, weight: float) -> Mapping[str, Adjustment]:
        names = self.names(inputs.plan)
        points = hits.get(INTENTION_TYPE, [])
        if not points:
            return {}
        said = [_said(p, trigger=True) for p in points]
        asked = self.topics(inputs.plan)
        topics = _told_apart(asked, said)
        if not names:  # asked by a kind of thing, not by its name: the names the store's facts give it
            facts = [_said(p) for p in hits.get(MemoryType.SEMANTIC, [])]
            names = _names_apart(topic_names(asked, facts), said)
        if not names and not topics:
            return {}

        def names_it(text: str) -> bool:
            return not names.isdisjoint(_tokens(text)) or not topics.isdisjoint(topic_stems(text))

        out: dict[str, Adjustment] = {}
        left = await self.left_alone(inputs, points, names_it)
        for k, p in enumerate(points):
            if p.id not in left and (by := self.moved_by(p, names_it, inputs.plan, weight)):
                points[k] = replace(p, score=p.score + by)
                out[p.id] = lift(self.name, by)
        if out:
            points.sort(key=lambda p: -p.score)
        return out

    async def left_alone(
        self, inputs: StageInputs, reminders: Sequence[ScoredPoint], names_it: Callable[[str], bool]
    ) -> set[str]:
        """The ids of the reminders this stage does not move, whatever they name."""
        return set()

    def moved_by(
        self, reminder: ScoredPoint, names_it: Callable[[str], bool], plan: ReadPlan, weight: float
    ) -> float:
        """How far a reminder's score moves (0: not at all); `names_it`: whether a text names what the
        question names."""
        raise NotImplementedError


def _said(reminder: ScoredPoint, trigger: bool = False) -> str:
    """A reminder's words (and its trigger's, with `trigger`)."""
    said = str(reminder.payload.get("content", ""))
    return f"{said} {reminder.payload.get('trigger') or ''}" if trigger else said


def _told_apart(topics: frozenset[str], reminders: list[str]) -> frozenset[str]:
    """The topics some of the reminders' words say, but not more than half of them."""
    if not topics or not reminders:
        return frozenset()
    return said_apart(topics, [topic_stems(text) for text in reminders])


def _names_apart(names: frozenset[str], reminders: list[str]) -> frozenset[str]:
    """The names some of the reminders say, but not more than half of them."""
    return said_apart(names, [frozenset(_tokens(text)) for text in reminders])


def _lifted_by_due_date(policy: RankingPolicy, reminder: ScoredPoint) -> float:
    return sum(policy.contribution(term, reminder.payload) for term in (OverdueTerm.name, DueTerm.name))


class UnnamedDue(_AboutWhomNamed):
    """For an open question about tasks that names whom or what it is about ("anything I need to sort
    for Pickle?", "talking to Helen soon, anything to raise?"), a pending reminder that names none of
    it, in its words or its trigger, loses what its due date lifted it by (the `overdue` and `due`
    terms): what is overdue elsewhere ("Book a damp survey") is not what such a question asks for.
    Names as a trigger's: a word written with a capital (not the first) or with letters and digits,
    and a possessive the question opens with ("Maya's deadlines")."""

    name = "unnamed_due"

    def moved_by(
        self, reminder: ScoredPoint, names_it: Callable[[str], bool], plan: ReadPlan, weight: float
    ) -> float:
        if names_it(_said(reminder, trigger=True)):
            return 0.0
        return -max(0.0, _lifted_by_due_date(plan.policies[INTENTION_TYPE], reminder))


def _window_asked(plan: ReadPlan) -> TaskQuestion | None:
    """The question about tasks whose window of due dates the plan's reminders are lifted by."""
    policy = plan.policies.get(INTENTION_TYPE)
    return None if policy is None else policy.signals.get(DueWindowTerm.name)


def _window_topics(plan: ReadPlan) -> frozenset[str]:
    """The topic of a question about tasks that names a window ("car stuff coming up", "uni stuff due
    in the next two months?"), the window's own words left out."""
    asked = _window_asked(plan)
    if asked is None or asked.window is None:
        return frozenset()
    return asked_topics(plan.request.query.replace(asked.window.phrase, " "))


def lists_topic_reminders(plan: ReadPlan) -> bool:
    """Whether the plan's question lists every pending reminder of whom or what it names, whatever
    its due date: an open question that names whom or what it is about, or one that asks what of a
    topic is ahead ("footy jobs coming up"), which one waiting for an occasion is."""
    if asks_about_whom(plan):
        return True
    asked = _window_asked(plan)
    return asked is not None and asked.all_ahead and bool(_window_topics(plan))


class NamedDue(_AboutWhomNamed):
    """For an open question about tasks that names whom or what it is about ("Maya's deadlines",
    "anything I need to sort for Pickle?"), a pending reminder that names it in its words gets the
    `due` term's whole weight, less what its due date already lifted it by; where the question asks
    what to do about a kind of thing (`lists_a_kind`: "netball stuff to sort"), the `due_window`
    weight, as one due in a window is, above the facts that say the topic (which its words reach as
    well); never one an event says was done. All of that one's reminders are what such a question
    lists, the one due next month as well as tomorrow's, and one that waits for an occasion, not a
    date ("next time you see Mrs Abrahams, ask about maths lessons for Zara"). For one that names a
    window and a topic ("car stuff coming up"), a reminder due in the window that says the topic gets
    the `due` term's weight above the window's others: every one of the window is listed, the
    topic's first; where the window is all that is ahead ("what's coming up for Fiadh?"), one of the
    topic's that waits for an occasion, not a date ("if Fiadh's ear infection comes back, …"), is
    ahead too, and is listed as the window's are."""

    name = "named_due"

    def weight(self, plan: ReadPlan, config: RetrievalConfig) -> float:
        if plan.tuning is None or not plan.tuning.formula or INTENTION_TYPE not in plan.policies:
            return 0.0
        if not asks_about_whom(plan) and not _window_topics(plan):
            return 0.0
        return plan.policies[INTENTION_TYPE].policy.w_due

    def names(self, plan: ReadPlan) -> frozenset[str]:
        return question_names(plan.request.query) if asks_openly(plan) else frozenset()

    def topics(self, plan: ReadPlan) -> frozenset[str]:
        return asked_topics(plan.request.query) if asks_openly(plan) else _window_topics(plan)

    async def left_alone(
        self, inputs: StageInputs, reminders: Sequence[ScoredPoint], names_it: Callable[[str], bool]
    ) -> set[str]:
        """The past-due reminders of the topic an event says were done (`DoneByEvent` took their due
        date's lift): not what is still to do about it."""
        plan = inputs.plan
        if plan.filters is None or EVENT_TYPE not in plan.filters:
            return set()
        if not plan.model.runs_stage(DoneByEvent.name):
            return set()
        now_ts = plan.resolved.now.timestamp()
        past_due = [p for p in reminders if pending_past_due(p.payload, now_ts) and names_it(_said(p))]
        return await done_reminders(inputs, past_due, now_ts)

    def moved_by(
        self, reminder: ScoredPoint, names_it: Callable[[str], bool], plan: ReadPlan, weight: float
    ) -> float:
        payload = reminder.payload
        if payload.get("status", "pending") != "pending" or not names_it(_said(reminder)):
            return 0.0
        policy = plan.policies[INTENTION_TYPE]
        if policy.contribution(DueWindowTerm.name, payload) > 0.0:
            return weight  # within the window every reminder has its lift: the topic's go first
        window_lift = plan.model.due_window.weight
        asked = _window_asked(plan)
        if asked is not None:  # outside the window asked for, unless it waits for an occasion ahead
            return window_lift + weight if asked.all_ahead and payload.get("due_ts") is None else 0.0
        full = window_lift if lists_a_kind(plan.request.query) else weight
        return max(0.0, full - _lifted_by_due_date(policy, reminder))


def lists_a_kind(query: str) -> bool:
    """Whether an open question about tasks asks what to do about a kind of thing ("netball stuff to
    sort", "medical aid admin outstanding"): the topic's reminders are all it lists. One that names
    whom it is about ("Ravi's calling me later, anything I wanted to ask him?") asks what was meant
    for the occasion, which the reminders waiting for it tell (`NamedTrigger`), not every one that
    names him; one of manner or leave lists nothing."""
    return asks_to_list(query) and not question_names(query)
