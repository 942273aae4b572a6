"""One detail of one thing told twice, with another value: for a question that asks a value as it
stands and says so ("when does Finn have rugby training now?", "how much do I send Tom a month at the
moment?"), a later event that tells the detail the question asks with another value than an older
fact of the same thing ("Coach Logan on Spond: U16A trains Mondays and Wednesdays at 5:30pm" after
"Finn's rugby: … training Tuesdays and Thursdays 5pm"; "dropping PT to once a week on Mondays" after "I
do PT with Jen twice a week") is the later record of that detail, and is put just above the fact.

The other update stages tie two memories by their words: a change word (changed_events.py), every
question word the older holds (version_ties.py, a near tie only). A later record often tells the new
value in other words and says no change; what ties it to the older is the detail both state: a day and
time of one activity, an amount of one bill, a count of one habit. The detail is read from the question
(the kinds of value it asks by form, value_forms.py); the pair must:

- both be among the best `_BEST` events and statements, the older a statement (two events tell two
  days of one matter, a letter of a change and a later filing), the newer an event (a later-written
  fact states another detail of a person as often: "no meetings with her before 10:30 on Fridays"
  after "weekly 1:1 with Ruth on Thursdays at 14:00") behind it by less than the newer-first margin;
- both state the detail asked: each holds a value of a kind the question asks, and none of the newer's
  is the older's (`values_of`): a record that tells the older's value again, among others or alone,
  retells it. A person asked is not read so: an event names the people of its day, not only the one in
  the role asked;
- be about one thing: a word of the question both hold, and a name both write that is no weekday or
  month where the older names one (in a store where every note names the shop, a name alone ties a
  hire's shift times to the opening hours); alike in meaning (the cosine of their dense vectors at
  least `_ALIKE`, the bar two values of one question restate from);
- be ordered in time (version_ties.is_newer): the event after a statement that names no time of its
  own or an earlier one. The older must not itself say it
  holds from some time on without saying when (the current value the newer may have announced).

Only a question that says it asks about now ("now", "currently", "these days", "at the moment",
"still"; asked_values.asks_now) moves anything: asked a value without it ("how much does Stevie charge
for a setup?", "what do we pay datadog"), a later event's amount of another matter of the same thing
passes the answer (a guitar bought off him, an earlier quote). Of several newer events, the latest
lands above. A post-engine stage after the version ties; `explain` shows it as
`restated_detail`.
"""

from __future__ import annotations

from ...memtypes.types import SPECS
from ..options import RetrievalConfig
from ..ranking.asked.asked_kinds import asked_kinds
from ..ranking.asked.value_forms import Kind, values_of
from .asked_changes import time_free_names
from .asked_values import asked_words, asks_now
from .plan import ReadPlan
from .post import Adjustment, Hits, Phase, PostStage, StageInputs, VectorsOf, lift, raise_to, same_meaning
from .statement_times import happened
from .version_ties import content, dense_vectors, is_newer, says_changed, stems, versioned

_BEST = 10  # the hits a reader sees first
_ALIKE = 0.45  # two texts that restate one another (two values of one question: 0.4 and up)
_ABOVE = 1e-5  # just above the older: below anything that was above it
# Read by a text's capitals, not by a value's form: an event names the people of its day, not only
# the one in the role asked.
_BY_NAMES = frozenset({Kind.PERSON, Kind.NAME})


class RestatedDetails(PostStage):
    """A later event telling the asked detail of an older memory's thing with another value put just
    above it (the weight: the older's lead it may overtake, the newer-first margin; 0: off)."""

    name = "restated_detail"
    phase = Phase.FINAL

    def weight(self, plan: ReadPlan, config: RetrievalConfig) -> float:
        # Only a question that says it asks about now: asked a value without it ("how much does Stevie
        # charge for a setup?"), a later event's amount of another matter of the same person passes.
        return config.newer_first_margin if asks_now(plan.request.query) else 0.0

    async def apply(self, inputs: StageInputs, hits: Hits, weight: float) -> dict[str, Adjustment]:
        gap = inputs.plan.model.conversation_gap_s
        raised = await order_restated(hits, inputs.plan.request.query, inputs.vectors, weight, gap)
        return {point_id: lift(self.name, amount) for point_id, amount in raised.items()}


async def order_restated(
    hits: Hits, question: str, vectors: VectorsOf, reach: float, gap: float
) -> dict[str, float]:
    """Put (in place) the latest event telling the asked detail of an older memory anew just above it;
    answers the lifts, by id (`reach`: the older's lead it may overtake; `gap`: a conversation's span)."""
    kinds = asked_kinds(question) - _BY_NAMES
    if reach <= 0.0 or not kinds:
        return {}
    typed = sorted(
        ((h, SPECS[t].holds_events) for t, found in hits.items() if versioned(t) for h in found),
        key=lambda pair: -pair[0].score,
    )[:_BEST]
    best = [h for h, _ in typed]
    events = [h for h, event in typed if event]
    if len(best) < 2 or not events:
        return {}
    words = stems(" ".join(asked_words(question)))
    candidates = {
        older.id: [
            e
            for e in events
            if 0.0 < older.score - e.score < reach
            and _another_value(kinds, content(older), content(e))
            and _one_thing(content(older), content(e), words)
            and is_newer(e.payload, older.payload, gap)
        ]
        for older, event in typed
        if not event and not says_changed(older)
    }
    wanted = [h for h in best if candidates.get(h.id)]
    if not wanted:
        return {}
    read = await dense_vectors(hits, wanted + [e for found in candidates.values() for e in found], vectors)
    alike = same_meaning(read, _ALIKE)
    floors: dict[str, float] = {}
    for older in wanted:
        newer = [e for e in candidates[older.id] if e.id not in floors and alike(older.id, e.id)]
        if newer:
            latest = max(newer, key=lambda e: happened(e.payload) or 0.0)
            floors[latest.id] = older.score + _ABOVE
    return raise_to(hits, floors)


def _another_value(kinds: frozenset[Kind], older: str, newer: str) -> bool:
    """Whether both texts hold a value of a kind the question asks, and none of the newer's is the
    older's: the detail asked, told with another value. A record that tells one of the older's values
    again among others ("£60,000 is on the Funding Circle loan" beside the year's turnover) retells it."""
    values = [(values_of(kind, older), values_of(kind, newer)) for kind in kinds]
    if any(not stated.isdisjoint(told) for stated, told in values):
        return False
    return any(stated and told for stated, told in values)


def _one_thing(older: str, newer: str, words: frozenset[str]) -> bool:
    """Whether two texts are about one thing: a word of the question both hold (its first letters:
    "training" / "trains"), and a name both write that is no weekday or month where the older names
    someone or something (in a store where every note names the shop, a name alone ties a hire's
    shift times to the opening hours)."""
    if (stems(older) & stems(newer)).isdisjoint(words):
        return False
    names = time_free_names(older)
    return not names or not names.isdisjoint(time_free_names(newer))
