"""Knowledge updates an event tells: an event that says a value changed ("we switched electricity from
Electric Ireland to Flogas", "Imran promoted to Finance Director from 1 January") ranked just above a
fact about the same thing that it outdates ("Electricity is with Electric Ireland").

Newer-first (stages/rank.py) compares statements of one type; an update is as often told as an event
beside an older fact. An event is lifted above a better-scored fact (`STATEMENT_TYPES`) when:

- it says a change (`EVENT_STATES_CHANGE`: "switched", "from 1 September", "increased from 75 to 88",
  "promoted", "becomes", "goes up to"), or it gives one of the statement's numbers anew: another of the
  same form told in the same words, the old one missing ("gave the driver the gate code, 5820" of
  "gate code for the north gate is 4471", memtypes/language/changes.py), a later record of the new
  value, which ties the two as a value left does (alike from `asked_min_cosine`, below); an event
  that only mentions the subject updates nothing. "Instead of" alone tells a one-off ("4 cases of
  butter instead of 6") as often as a change: no lasting change (`tells_lasting_change`);
- it is about the same subject: a shared name, and the cosine of their dense vectors at least the
  ranking model's `newer_first.min_cosine`, as for two statements (where the question asks the value
  as it is now and neither names a name, a word it names that both share ties them as a name would:
  "payment" in "what's the mortgage payment these days", in a store written without capitals); or
  both are values of what the
  question asks (stages/asked_values.py); or it names the statement's value as the one it left
  ("moves from Tuesday to Wednesday" of "bin day is Tuesday", memtypes/language/changes.py) and the
  two are alike from the lower bar two values of a question restate from (`asked_min_cosine`), as
  where the question asks the value as it stands by a word of time and the event tells for good a
  change of the thing it asks, which the statement names (stages/asked_changes.py): then
  the statement's lead may be the whole newer-first margin, as a time between two statements may,
  the left value telling which is the newer as well; or, where the statement has a time of its own,
  it retells the value that replaced the statement's: it restates so (a shared name, that cosine) a
  better statement that says it is the newer ("since 1 Jan 2027", where the older names no start or
  an earlier one) and restates the older one (`newer_statements`: "Katrin → Staff Engineer effective
  1 Jan" means less alike "Katrin = tech lead since 1 May 2026" than the bar, but retells "Katrin =
  Staff Engineer since 1 Jan 2027");
- the statement does not itself say it holds from some time on without saying when ("since Ruth
  took over, Marco's supervisor is Ruth"): that is the current value the event announced;
- it is the newer as far as the two records tell. A statement with a time of its own (`valid_from`,
  or an `occurred_at` its writer gave) is older if the event happened at least a conversation's span
  (the model's `conversation_gap_s`) after it. A statement that names the date it holds from ("since
  1 February 2026 Ruth is Marco's supervisor", "levothyroxine … since 2009") is older if the event
  happened after the day, month or year it names (the model's `changed_events.said_periods`): an
  event that announced it, before or on that day, stays below. A statement whose only time is when it
  was written is older if the event happened after it was written, or if both were written together
  (one import, one conversation hour): then nothing dates the statement, and the dated event that
  says the value changed is the newer. A statement written after the event was is the newer: it may
  already tell the change;
- the statement leads by less than the model's `changed_events.share` of the newer-first margin: as
  for a statement that only its words say is newer, those words also open events that update nothing;
  by less than the whole margin where the question asks the value as it is now ("who's the sparky
  now?", asked_values.py): the change an event tells is then what it asks for; or where it names the
  statement's value as the one it left, or says a lasting change and gives the statement's number
  anew ("their rate goes up to 0,12 EUR per new word" of "0,11 EUR per new word"): two readings of
  its own words agree on which value is the newer, as a time between two statements does.

Events lifted over one statement are steps of one chain ("reduced from 5 mg to 3.75 mg", later "reduced
to 2.5 mg"): the one that happened later lands above. A later event that retells a step (a shared name,
alike in meaning) joins the chain though it says no change ("stable on the 3.75 mg of bisoprolol"
months after "reduced from 5 mg to 3.75 mg"): it is the latest news of that change, where it trails
the statement by as little (the chains' readings: stages/change_chains.py). All stay candidates. A
post-engine stage (stages/post.py) after `NewerFirst`; `explain` shows it as `changed_event`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import lru_cache

import numpy.typing as npt

from ...memtypes.language.changes import FROM_ON, MONTH, NUMERIC_START, leaves, retells_with_another_value
from ...memtypes.language.facts import FactSignature, signature
from ...memtypes.language.time_mentions import holds_from
from ...memtypes.queries import ScoredPoint
from ...memtypes.types import SPECS
from ..options import RetrievalConfig
from ..ranking.model import RankingModel
from . import rank
from .asked_changes import NOTHING_ASKED_NOW, AskedChange
from .asked_values import NO_QUESTION, NOTHING_ASKED, Asked, Question, asked, asks_now
from .change_chains import (
    WINDOW,
    Later,
    add_later_steps,
    asked_values,
    content,
    newer_statements,
    restates,
    retells,
    said,
)
from .plan import ReadPlan
from .post import (
    Adjustment,
    Hits,
    Phase,
    PostStage,
    SameMeaning,
    StageInputs,
    VectorsOf,
    lift,
    raise_to,
    same_meaning,
)
from .statement_times import event_is_newer, happened

# How an event tells that a value changed (English usage): a verb of change, a date a value holds
# from, a value "from" one thing "to" another, an arrow. Not a statement's "since" ("log volume up 40%
# since July": in an event it measures a while) nor "these days". A pattern, not a compiled one, so
# that `mnemo bench folds` can vary it. "From then" opening a clause tells a value that holds from a
# point on ("she starts her leave on the 18th. From then Tom is my contact"); after a span it is a time
# ("two hours from then"). "The new rate is" names the value that replaced one ("new UKRI rate is
# £20,780/yr"). "Move to" / "moving from" a place or a holder ("Wes's taxes move to Ron Ellis"); a sum
# "bumped" or "revised" to another ("bump federal estimates to $6,200"); "from this week" a value
# holds from ("from this week U16A trains Mondays"); an arrow typed as two characters between spaces
# ("PG 15 -> host …"), not inside a word ("2.3->2.4", a version's name). A date "pushed" to another
# ("pushed Remit go-live to 6 May"), not a change "pushed to prod"; something "dropped" to another
# number ("dropping PT to once a week"), not a reading that dropped ("the boiler dropped to 0.6 bar").
EVENT_STATES_CHANGE = (
    r"\b(?:now|no\s+longer|any\s*more|instead\s+of|mov(?:ed|es)|mov(?:e|ing)\s+(?:to|from)|switch(?:ed|es)"
    r"|chang(?:ed|es)|replac(?:ed|es)|took\s+over|takes\s+over|taken\s+over|handed\s+(?:over\s+)?to"
    r"|transferr(?:ed|s)\s+(?:over\s+)?to|(?:goes|go|going|went|gone)\s+(?:up|down)\s+(?:to|by)"
    r"|postponed|rescheduled|shifted|pushed\s+(?:back|out)"
    r"|as\s+of|increased|decreased|reduced|lowered|raised|promoted|renewed|became|becomes|joins|joined|upgraded"
    r"|migrated|effective)\b"
    r"|\bfrom\s+(?:\d{1,2}\s+)?" + MONTH + r"|\bfrom\s+(?:19|20)\d\d\b"
    r"|" + NUMERIC_START + "|" + FROM_ON + r"|\bfrom\s+[^\s.;:,]+(?:\s+[^\s.;:,]+){0,3}\s+to\s+[$€£]?\w"
    r"|(?:^|[.;:!?,—–-]\s*)from\s+then\b|\bnew\s+(?:[\w'’/-]+\s+){0,2}?(?:is|are)\s|→|\s->\s"
    r"|\b(?:bump|revis)(?:e|es|ed|s)?\b(?:\s+[\w'’/-]+){0,3}?\s+(?:up\s+|down\s+)?to\s+[$€£₹]?\d"
    r"|\bfrom\s+this\s+(?:week|month|term|season|year)\b"
    r"|\bpush(?:ed|es|ing)?\b(?:\s+[\w'’/-]+){0,4}?\s+(?:back\s+)?to\s+(?:\d|"
    + MONTH
    + r")|\bdropp(?:ed|ing)\b(?:\s+[\w'’/-]+){1,4}?\s+to\s+(?:[$€£₹]?\d|once\b|twice\b)"
)
# The statements an event may outdate: newer-first's types but events and how-tos (a how-to is asked
# for its steps, which an event about the same task seldom restates).
STATEMENT_TYPES = tuple(
    t for t in rank.NEWER_FIRST_TYPES if not SPECS[t].holds_events and not SPECS[t].answers_how
)
# Half newer-first's step: an event lifted over an older fact lands below a newer fact that
# newer-first lifted over the same one (that fact states the current value the event announced).
_ABOVE = 0.5e-4


class EventsOverStatements(PostStage):
    """An event that tells a change of a statement of another type lifted just above it (the weight:
    the statement's lead it may overtake; 0: off)."""

    name = "changed_event"
    phase = Phase.ROUND

    def weight(self, plan: ReadPlan, config: RetrievalConfig) -> float:
        return config.newer_first_margin * plan.model.changed_events.share

    async def apply(self, inputs: StageInputs, hits: Hits, weight: float) -> dict[str, Adjustment]:
        question = Question(inputs.plan.request.query, inputs.query_vector)
        margin = inputs.config.newer_first_margin
        lifts = await lift_changed_events(hits, weight, inputs.vectors, inputs.plan.model, question, margin)
        return {point_id: lift(self.name, amount) for point_id, amount in lifts.items()}


# A one-off told as a change of what was usual ("4 cases of butter instead of 6", "delivered Extra Strong
# instead of Strong White"): no lasting value.
_ONE_OFF = re.compile(r"\binstead\s+of\b", re.I)


@lru_cache(maxsize=32_768)  # asked of the same best events request after request
def tells_lasting_change(text: str) -> bool:
    """Whether an event says a value changed by other words than a one-off's "instead of"."""
    return tells_change(_ONE_OFF.sub(" ", text))


def tells_change(text: str) -> bool:
    """Whether an event says a value changed: "switched to", "from 1 May", "from 75 to 88"."""
    return _says(EVENT_STATES_CHANGE, text)


# Asked of the same best events request after request; by the pattern too, which a variant may change.
def _statements(hits: Hits) -> list[ScoredPoint]:
    """The statements an event may outdate among the best hits, best first."""
    return sorted((h for t in STATEMENT_TYPES for h in hits.get(t, [])[:WINDOW]), key=lambda h: -h.score)


@lru_cache(maxsize=32_768)
def _says(pattern: str, text: str) -> bool:
    return re.search(pattern, text, re.I) is not None


def candidate_pairs(
    hits: Hits,
    reach: float,
    gap: float,
    said_periods: bool = True,
    asked: Asked = NOTHING_ASKED,
    left_reach: float = 0.0,
    asked_now: AskedChange = NOTHING_ASKED_NOW,
) -> list[tuple[ScoredPoint, list[ScoredPoint]]]:
    """Each event that tells a change, with the better-scored statements (best first) it may be
    newer than by the word, time and score checks (an event that says no change, only those whose
    value it gives anew; `said_periods`: a statement's words naming the date it holds from count as
    its time; `asked`: a word the question names, shared, is a shared subject too; `left_reach`: the
    lead a statement may have over an event that names its value as the one it left, where that is
    more than `reach`; `asked_now`: an event that tells a change of what a question about now asks,
    and a statement naming the thing asked, share their subject too)."""
    events = [h for t, found in hits.items() if SPECS[t].holds_events for h in found[:WINDOW]]
    statements = _statements(hits)
    if not events or not statements:
        return []
    pairs: list[tuple[ScoredPoint, list[ScoredPoint]]] = []
    for event in events:
        text = str(event.payload.get("content", ""))
        changed = tells_change(text)
        lasting = changed and tells_lasting_change(text)
        told = signature(text)
        told_now = asked_now.told_by(text, lasting)
        older = [
            s
            for s in statements
            if 0.0
            < s.score - event.score
            < max(reach, left_reach if _tells_newer(event, s, lasting) else 0.0)
            and (changed or _gives_anew(event, s))
            and _outdated_by(event, s, gap, said_periods)
            and (_same_subject(told, s, asked) or (told_now and asked_now.ties(text, content(s))))
        ]
        if older:
            pairs.append((event, older))
    return pairs


def _same_subject(told: FactSignature, statement: ScoredPoint, asked: Asked) -> bool:
    """Whether an event (its signature) and a statement share a name, or a word the question names."""
    stated = said(statement)
    return not told.names.isdisjoint(stated.names) or asked.shares(told.words, stated.words)


def _outdates(
    event: ScoredPoint, statement: ScoredPoint, same: SameMeaning, values: Asked, now: bool
) -> bool:
    """Whether an event restates a statement (a shared name, alike in meaning), both are values of
    what the question asks, or (`now`: the question asks the value as it is now) neither names a name
    and they share a word it names, alike in meaning: where nothing is written with capitals, the
    thing asked ties them as a shared name would ("payment" in "what's the mortgage payment these
    days"); where names are written and none is shared, the two are about different things."""
    told, stated = said(event), said(statement)
    return (
        restates(statement, event, same)
        or asked_values(statement, event, values)
        or (
            now
            and not told.names
            and not stated.names
            and values.shares(told.words, stated.words)
            and same(statement.id, event.id)
        )
    )


def _leaves(event: ScoredPoint, statement: ScoredPoint) -> bool:
    """Whether an event tells a change away from the value a statement states ("moves from Tuesday to
    Wednesday" of "bin day is Tuesday"): the statement is its old value, however alike the two read."""
    return leaves(str(event.payload.get("content", "")), str(statement.payload.get("content", "")))


def _tells_value(event: ScoredPoint, statement: ScoredPoint) -> bool:
    """Whether an event names a statement's value as the one it left, or gives one of its numbers anew
    in the same words (a later record of the value)."""
    return _leaves(event, statement) or _gives_anew(event, statement)


def _tells_asked(event: ScoredPoint, statement: ScoredPoint, asked_now: AskedChange) -> bool:
    """Whether an event tells for good a change of what a question about now asks, which a statement
    about the same thing names (asked_changes.py)."""
    text = content(event)
    return asked_now.told_by(text, tells_lasting_change(text)) and asked_now.ties(text, content(statement))


def _tells_newer(event: ScoredPoint, statement: ScoredPoint, lasting: bool) -> bool:
    """Whether an event's words tell that its value replaced a statement's: it names the statement's
    value as the one it left, or it says a lasting change (`lasting`) and gives the statement's number
    anew in the same words ("their rate goes up to 0,12 EUR per new word" of "0,11 EUR per new word"):
    two readings that agree on which value is the newer, as a time between them would."""
    return _leaves(event, statement) or (lasting and _gives_anew(event, statement))


def _gives_anew(event: ScoredPoint, statement: ScoredPoint) -> bool:
    """Whether an event gives a value of a statement anew: a number of the same form in the same
    words, the statement's own missing ("gave the driver the gate code, 5820" of "gate code for the
    north gate is 4471"): a later record of the new value, though it says no change."""
    return retells_with_another_value(
        str(statement.payload.get("content", "")), str(event.payload.get("content", ""))
    )


def _outdated_by(event: ScoredPoint, statement: ScoredPoint, gap: float, said_periods: bool) -> bool:
    """Whether a statement is older than an event by their times and by what it says of its own."""
    text = str(statement.payload.get("content", ""))
    said = holds_from(text) if said_periods else None
    if said is None and rank.states_change(text):
        return False  # it holds from some time on, unsaid when: the current value
    return event_is_newer(event.payload, statement.payload, gap, said)


async def lift_changed_events(
    hits: Hits,
    reach: float,
    vectors: VectorsOf,
    model: RankingModel,
    question: Question = NO_QUESTION,
    left_reach: float = 0.0,
) -> dict[str, float]:
    """Lift (in place) each event that tells a change of a better statement of another type just
    above the best such statement (or of one that is another value of what `question` asks);
    answers the lifts, by id. `left_reach`: the lead a statement may have over an event that names
    the statement's value as the one it left (the newer-first margin: as a time between two
    statements, that tells which is the newer), or over any event that tells a change where the
    question asks the value as it is now (asked_values.py's `asks_now`)."""
    if reach <= 0.0:
        return {}
    now = asks_now(question.text)
    if now:
        # It asks the value as it stands: an event that tells the value changed is what it asks
        # for, the evidence a value left is.
        reach = max(reach, left_reach)
    fit = model.newer_first
    words = question.words(fit)
    said_periods = model.changed_events.said_periods
    asked_now = AskedChange.of(question.text)
    pairs = candidate_pairs(
        hits, reach, model.conversation_gap_s, said_periods, Asked(words), left_reach, asked_now
    )
    if not pairs:
        return {}
    newer = newer_statements(_statements(hits), pairs)
    read = await _vectors(hits, pairs, vectors, bool(words), newer)
    same = same_meaning(read, fit.min_cosine)
    values = asked(words, question.vector, read, fit)
    # A value left, or given anew in the same words, is a tie of its own, as a word the question
    # names is: alike from the lower bar.
    near = same_meaning(read, fit.asked_min_cosine)  # so is a lasting change of what it asks about now
    over = _outdated(pairs, same, near, values, newer, now, asked_now)
    if not over:
        return {}
    following = await add_later_steps(hits, over, reach, vectors, model, Later(words, question.vector, read))
    return raise_to(hits, _lifts(over, following))  # each event is below its statement: always a raise


_Over = dict[str, tuple[ScoredPoint, list[ScoredPoint]]]  # by statement id: the statement, the events over it


def _outdated(
    pairs: list[tuple[ScoredPoint, list[ScoredPoint]]],
    same: SameMeaning,
    near: SameMeaning,
    values: Asked,
    newer: Mapping[str, list[ScoredPoint]],
    now: bool,
    asked_now: AskedChange,
) -> _Over:
    """The statement each event of `pairs` outdates, the best of its candidates that it restates, retells,
    or whose value (or the value asked now) it tells anew in near meaning; by statement."""
    over: _Over = {}
    for event, older in pairs:
        statement = next(
            (
                s
                for s in older
                if _outdates(event, s, same, values, now)
                or retells(event, s, newer, same)
                or ((_tells_value(event, s) or _tells_asked(event, s, asked_now)) and near(s.id, event.id))
            ),
            None,
        )
        if statement is not None:
            over.setdefault(statement.id, (statement, []))[1].append(event)
    return over


def _lifts(over: _Over, following: set[str]) -> dict[str, float]:
    """The score each event is lifted to, just above the statement it outdates."""
    raised: dict[str, float] = {}
    for statement, events in over.values():
        # Events lifted over one statement are steps of one chain: the later step lands above; one
        # tied to the statement only through a step it retells follows the steps.
        events.sort(key=lambda e: happened(e.payload) or 0.0)
        for step, event in enumerate(events):
            above = 0.5 if event.id in following else 1.0 + step / len(events)
            raised[event.id] = statement.score + _ABOVE * above
    return raised


async def _vectors(
    hits: Hits,
    pairs: Sequence[tuple[ScoredPoint, list[ScoredPoint]]],
    vectors: VectorsOf,
    firsts: bool,
    newer: Mapping[str, Sequence[ScoredPoint]],
) -> dict[str, npt.ArrayLike]:
    """The dense vectors of the hits the pairs compare and of the statements `newer` than them, read
    in one batch per type (`firsts`: and the first hit of each type they come from, how near the
    question the best hit is)."""
    wanted = {e.id for e, _ in pairs} | {s.id for _, older in pairs for s in older}
    wanted |= {n.id for found in newer.values() for n in found}
    read: dict[str, npt.ArrayLike] = {}
    for memory_type, found in hits.items():
        compared = [h for h in found if h.id in wanted]
        if compared and firsts and compared[0] is not found[0]:
            compared.insert(0, found[0])
        if compared:
            read.update(await vectors(memory_type, compared))
    return read
