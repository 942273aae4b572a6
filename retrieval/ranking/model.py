"""The ranking model: one frozen value holding what the read path ranks by beyond a request's options
and the service's settings: which ranking terms and post-engine stages run, the fitted constants of
each, and the confidence calibration.

A `Retriever` (mnemo.retrieval.pipeline) is given one and passes it down on its plan
(`ReadPlan.model`): every stage and term reads its numbers there, never from a module, so two
retrievers with different models rank side by side in one process. `DEFAULT_MODEL` is what the
service ranks by; `PRESETS` names it and the others a benchmark compares it with. A variant is a copy:
`varied(model, {"expand.neighbour_decay": 0.9})` (dotted paths into the value, checked).

The numbers were chosen with `mnemo bench folds` on the dev sets (benchmarks/README.md has the sweeps);
they are fitted, not settings: what a user or an operator sets is `RetrievalConfig`
(mnemo.retrieval.options). What only names the language ("since", "how do I") stays beside the code
that reads it; a rule a benchmark switches off is a boolean here.

Size: one small frozen value per term and stage, each beside the others so that the whole model
reads as one; apart, a module would hold a dataclass or two that only `RankingModel` names.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from ...memtypes.types import DAY_SECONDS
from .asked.evidence import ConfidenceFeaturesModel
from .confidence import Calibration, shipped_calibration


@dataclass(frozen=True)
class SizingModel:
    """How many candidates each type's search asks for (stages/sizing.py). Enough to fill the type's
    share of the budget with lines `tokens_per_candidate` long (a short memory's line), within bounds;
    the relevance prefetch `prefetch_factor` times deeper, within its own: a shallower prefetch cost
    budget recall, a deeper one gained next to nothing and cost search time. A fused search's prefetch
    union is cut to `stage_factor` times the list by relevance alone before the full formula ranks it
    (0: no cut); at twice the list the cut keeps the quality of none at a lower search cost."""

    tokens_per_candidate: int = 16
    min_candidates: int = 16
    max_candidates: int = 256
    prefetch_factor: int = 2
    min_prefetch: int = 64  # deep enough for small budgets
    max_prefetch: int = 512
    stage_factor: int = 2


@dataclass(frozen=True)
class RelevanceModel:
    """The terms over what every memory stores (ranking/terms/stored.py). Linear fusion's relevance
    is `linear_dense_weight`·cosine + the rest·bm25 / (bm25 + `bm25_half`), BM25 saturating at 1 (a
    heavier dense side ranked worse); RRF's k as the engine and the literature use it; the usage term
    is use_count / (use_count + `usage_half_point`)."""

    rrf_k: int = 60
    linear_dense_weight: float = 0.5
    bm25_half: float = 5.0  # the BM25 score that counts as half a match
    usage_half_point: float = 3.0


@dataclass(frozen=True)
class TimeModel:
    """The time term (ranking/terms/time.py): events are told a little after they happen ("last
    week I ran a marathon"), so a named time's window is extended this far past its end."""

    slack_s: float = 7 * DAY_SECONDS


@dataclass(frozen=True)
class EventAnchorModel:
    """A time named by an event ("since we moved to Lisbon", ranking/times/event_anchors.py and
    stages/event_anchor.py): of the scope's `candidates` events nearest to the clause in meaning, the
    nearest that says every word of the clause's own is the one it names from a cosine of
    `min_cosine_with_words` ("since we moved": two words say little to the embedder); else the
    nearest, from `min_cosine`. Below both the store holds no such event, and the query is read as
    naming no time. `min_cosine` lies above the cosines of clauses whose event the store does not hold
    and of events near in meaning that are not the one named (a constant of MiniLM's vectors; the
    fit: benchmarks/results/assistant-stores/summary.md). `ahead`: a question about what is due that
    names no time of the calendar ("what do I need to do before the move?") is timed by an event
    ahead, or a pending reminder, by the same rule, and its window bounds the due dates.
    `clause_word_weight`: what a word only the clause says ("since Dean took over from Lucy") weighs in
    the query's lexical search, against 1 for the question's own words: it says when, and its names
    are in many memories about anything. It may also say what the question is about ("since we
    switched to Flogas": the Flogas bill), yet at half weight the names still lifted the many above
    the few asked for (fit: benchmarks/results/assistant-stores/summary.md), so it weighs nothing."""

    candidates: int = 5
    min_cosine: float = 0.5
    min_cosine_with_words: float = 0.2
    ahead: bool = True
    clause_word_weight: float = 0.0


@dataclass(frozen=True)
class HowToModel:
    """The how-to term (ranking/terms/how.py): a lift like the time terms', enough to order the steps
    above a story about the same thing, far below what relevance separates. `steps_phrasings`: the
    further ways to ask for steps (a method, a runbook, "what now?") count as asking how."""

    weight: float = 0.1
    steps_phrasings: bool = True


@dataclass(frozen=True)
class PreferenceModel:
    """The preference term (ranking/terms/preference.py): for a question that asks leave or advice,
    the lift of a fact or procedure that states a preference or a rule, like the how-to term's."""

    weight: float = 0.1


@dataclass(frozen=True)
class PastEventsModel:
    """The past-events term (ranking/terms/past.py): for a question asked in the past tense, the lift
    of an event over a standing fact as near to it, like the other terms that read a question's kind,
    smaller than the how-to lift: the tense tells what kind of memory answers less surely than "how do
    I" does."""

    weight: float = 0.05


@dataclass(frozen=True)
class DueWindowModel:
    """A question about tasks that names a time (ranking/times/due_windows.py, the `due_window` term, the
    search plan and the response). `weight`: the lift of a pending item due within the window, above
    any lead relevance gives another memory, so every item of the window is listed first; `hits`:
    the items due then that surface however little their words share with the question (more than
    one person's week or month holds; 0: no window search); `confidence`: such an item's confidence
    at least (its words alone read unlikely, while about half of them are what such a question asks
    for); `leave_rule`: asking leave ("can I put the call at 9 tomorrow?") is not a question about
    tasks."""

    weight: float = 0.5
    hits: int = 32
    confidence: float = 0.5
    leave_rule: bool = True


@dataclass(frozen=True)
class IntentionsModel:
    """The other intentions terms (ranking/terms/intentions.py, stages/search_plan.py): the share of
    its relevance a past-due pending item loses for a question not about tasks, how many pending
    intentions a trigger phrase in the query may surface, and how many pending intentions with a
    trigger a question about what to do that names no time reads for the names their triggers say
    (stages/named_triggers.py; 0: none)."""

    past_due_share: float = 0.5
    trigger_hits: int = 5
    named_trigger_hits: int = 32


@dataclass(frozen=True)
class NewerFirstModel:
    """Knowledge updates (stages/rank.py): the cosine of two statements' dense vectors from which a
    newer one restates an older one (0: a shared name suffices), between distinct facts about one
    person and reworded updates (a constant of MiniLM's vectors); of the margin, the share an older
    statement's lead may be when only the newer's words say it is the newer ("now", "since May"),
    since those words also open statements that update nothing; `change_marker`: such words count;
    `said_periods`: of two statements that both say so, the one whose named start ("since 1 Jan
    2027") follows the other's ("since 1 May 2026") is the newer. Two values of what the question
    asks (stages/asked_values.py): statements that share a word it names, each at least `asked_share`
    of the best cosine with the question among the hits compared (a distinct fact about the same
    person is far from it), restate one another from `asked_min_cosine` (0: only the pair's own bar).
    Of two statements one batch wrote with no time of their own, the later written is the newer where
    at least `rewritten_share` of its words are the older's (the same attribute told again with
    another value: "Maya's violin lesson with Ms Brennan: Fridays, 4.30"), since one import also
    writes distinct facts in one template that mean as alike (1: never; the order written in alone)."""

    min_cosine: float = 0.55
    changed_only_share: float = 0.5
    change_marker: bool = True
    said_periods: bool = True
    asked_min_cosine: float = 0.4
    asked_share: float = 0.85
    rewritten_share: float = 0.7


@dataclass(frozen=True)
class ChangedEventsModel:
    """An event that tells a value changed, over the older statement of another type it outdates
    (stages/changed_events.py): of the newer-first margin, the share the statement's lead may be
    (0: off), as for a statement only its words say is newer (those words also open events that
    update nothing); `said_periods`: a statement's words naming the date it holds from ("since 2009",
    "from 1 May 2026") count as its time, an event after that day, month or year being the newer."""

    share: float = 0.5
    said_periods: bool = True


@dataclass(frozen=True)
class StaleModel:
    """The share of its score a stale memory loses (stages/validity.py): enough to put it after a
    current one about as good, not to hide it (it is shown, with its cause)."""

    demotion: float = 0.15


@dataclass(frozen=True)
class DoneEventsModel:
    """A reminder an event says was done (stages/done_events.py): the event is about the same thing
    above `min_cosine` (above what two memories about one topic usually share, below an event that
    retells the reminder's action); it happened at most `lead_s` before the due date (one is often
    done early, seldom more than two months ahead); the `events` nearest in meaning are read."""

    min_cosine: float = 0.5
    lead_s: float = 60 * DAY_SECONDS
    events: int = 5


@dataclass(frozen=True)
class WhenEventsModel:
    """For a question that asks when something happened, events lifted above the other types' hits
    (stages/when_events.py): like the time terms' lifts, enough to order the event above a fact that
    mentions it."""

    lift: float = 0.05


@dataclass(frozen=True)
class DenseFloorModel:
    """A memory near the top by meaning that shares no asked word with the question, kept near the
    top (stages/dense_floor.py): of the best hits, the first `ranks` by cosine (0: off) are raised to
    the score of the hit `places` below their place by cosine; an asked word is one of at least
    `min_information` (`7 − zipf`: the commonest words ask nothing), and a question of fewer than
    `min_asked` such words ("what's my address?") is left as ranked."""

    ranks: int = 5
    places: int = 2
    min_information: float = 1.0
    min_asked: int = 3


@dataclass(frozen=True)
class StepsFirstModel:
    """The steps for a request that asks for them (stages/steps_first.py): where a question asks how
    in words, the procedure nearest by meaning, if among the first `ranks` of the best hits by
    meaning, is kept among the first `places` hits, and put first if among the first `first_ranks`
    and holding at least `first_share` of the first hit's share of the question (0 ranks: only the
    nearest of all put first)."""

    ranks: int = 6
    places: int = 3
    first_ranks: int = 4
    first_share: float = 0.5


@dataclass(frozen=True)
class AskedValueFirstModel:
    """A hit holding the value a question asks for put above a first hit that does not
    (stages/asked_value_first.py): the first of the next `reach` hits (0: off) whose asked-detail gap
    is under `max_gap`."""

    reach: int = 3
    max_gap: float = 0.5


@dataclass(frozen=True)
class AnsweredContextModel:
    """A default context's floor where the store answers (stages/respond.py): once the best hit is at
    least `top_confidence` likely relevant, those of the first `ranks` hits that share meaning with
    the question (a cosine of `confidence.FAR` or more) are packed whatever their own confidence. A
    hit's confidence reads its own words and meaning, so the rest of an answer (the second thing a
    question asks for, the event a fact came from, a preference told in other words) reads unlikely
    beside the hit that answers. The floor is there for the questions the store does not answer:
    where the best hits lack the asked detail, the detail ceiling (`asked/asked_detail.py`) holds every hit
    far under `top_confidence`, and their contexts stay as the floor leaves them. 0 ranks: off; a
    request's own `min_confidence` cuts every hit alike."""

    top_confidence: float = 0.02
    ranks: int = 20


@dataclass(frozen=True)
class ExpandModel:
    """A selected turn's neighbours (stages/expand.py): a neighbour's score is its turn's times
    `neighbour_decay` per step away, so it ranks just below that turn (higher trades precision for
    context); one that shares no meaning with the query drops `unrelated_decay` per step instead (a
    person's history with an assistant is mostly the assistant's long replies, which would fill the
    places other conversations' evidence needs). Neighbours of the best `max_turns` selected turns
    (fewer lost nothing), within `session_gap_s` of their turn."""

    neighbour_decay: float = 0.93
    unrelated_decay: float = 0.8
    max_turns: int = 8
    session_gap_s: float = 6 * 3600.0


@dataclass(frozen=True)
class SessionSpreadModel:
    """A question for several things (stages/session_spread.py): the best `window` turns are
    re-ordered (below it the budget takes what it holds as ranked); a session's first `free` turns
    placed keep their scores (chosen with the spread's weight, a setting)."""

    window: int = 32
    free: int = 2


# What the confidence's features are read with (asked/evidence.py, asked/asked_detail.py; the fields
# are described by `ConfidenceFeaturesModel`). The logistic fit and the detail ceiling were chosen on
# features read with these: a variant of them is judged with its own refit.
CONFIDENCE_FEATURES = ConfidenceFeaturesModel(
    matched_cap=20.0,  # about three rare words: more matched say nothing new
    detail_head=5,  # the best hits an answer is looked for in
    prefix_chars=3,  # "reg" / "registration"; shorter words only whole
    asked_information=1.0,  # the ~100 commonest words ask nothing
    name_information=2.5,  # a capitalized word rarer than this reads as a name
    asking_clause_kinds=True,
    amounts_are_not_codes=True,
    counts_stand_alone=True,
    only_best_when_missing=True,
    acronyms_are_topics=True,
    anchor_names_optional=True,
    names_per_part=True,
    event_verbs_told=True,
    values_stated_with_words=True,
)


# The names of the registered ranking terms (ranking/terms/) and post-engine stages
# (pipeline.POST_STAGES) a model may switch off; the retriever refuses a name neither registers.
TIME_AND_INTENT_TERMS = frozenset(
    {
        "due_window",
        "due",
        "overdue",
        "past_due",
        "trigger",
        "time",
        "tells_time",
        "speaker",
        "how_to",
        "preference",
        "past_events",
    }
)
POST_ENGINE_STAGES = frozenset(
    {
        "newer_statement",
        "changed_event",
        "stale",
        "done_by_event",
        "named_trigger",
        "unnamed_due",
        "named_due",
        "when_event",
        "dense_floor",
        "steps_first",
        "neighbour",
        "session_spread",
        "version_tie",
        "restated_detail",
        "role_holder",
        "asked_value_first",
    }
)


@dataclass(frozen=True)
class RankingModel:
    """What a retriever ranks by: the terms and post-engine stages it leaves out (by name), each
    stage's and term's fitted constants, and the confidence calibration (default: the fit shipped
    with the package, `confidence.json`) with the thresholds its features are read with
    (`confidence_features`). `conversation_gap_s`: one conversation's span, statements
    written closer together are not updates of each other and turns further apart are different
    sessions (stages/rank.py, stages/session_spread.py)."""

    sizing: SizingModel = SizingModel()
    relevance: RelevanceModel = RelevanceModel()
    time: TimeModel = TimeModel()
    event_anchor: EventAnchorModel = EventAnchorModel()
    how_to: HowToModel = HowToModel()
    preference: PreferenceModel = PreferenceModel()
    past_events: PastEventsModel = PastEventsModel()
    due_window: DueWindowModel = DueWindowModel()
    intentions: IntentionsModel = IntentionsModel()
    newer_first: NewerFirstModel = NewerFirstModel()
    changed_events: ChangedEventsModel = ChangedEventsModel()
    stale: StaleModel = StaleModel()
    done_events: DoneEventsModel = DoneEventsModel()
    when_events: WhenEventsModel = WhenEventsModel()
    dense_floor: DenseFloorModel = DenseFloorModel()
    steps_first: StepsFirstModel = StepsFirstModel()
    asked_value_first: AskedValueFirstModel = AskedValueFirstModel()
    answered_context: AnsweredContextModel = AnsweredContextModel()
    expand: ExpandModel = ExpandModel()
    session_spread: SessionSpreadModel = SessionSpreadModel()
    confidence_features: ConfidenceFeaturesModel = CONFIDENCE_FEATURES
    conversation_gap_s: float = 3600.0
    terms_off: frozenset[str] = frozenset()
    stages_off: frozenset[str] = frozenset()
    calibration: Calibration = field(default_factory=shipped_calibration, compare=False)

    def runs_term(self, name: str) -> bool:
        return name not in self.terms_off

    def runs_stage(self, name: str) -> bool:
        return name not in self.stages_off


DEFAULT_MODEL = RankingModel()
# The models a benchmark compares by name (`"preset"` in a variants file).
PRESETS: Mapping[str, RankingModel] = MappingProxyType(
    {
        # What the service ranks by.
        "default": DEFAULT_MODEL,
        # Meaning alone: the engine's relevance with what every memory stores (recency, importance,
        # usage), no term that reads a time or an intent off the query and no post-engine stage; what
        # the query-reading terms and the stages together add is measured against it.
        "semantic-only": dataclasses.replace(
            DEFAULT_MODEL, terms_off=TIME_AND_INTENT_TERMS, stages_off=POST_ENGINE_STAGES
        ),
        # Every term in the engine's formula and nothing after it: what the post-engine stages add.
        "engine-only": dataclasses.replace(DEFAULT_MODEL, stages_off=POST_ENGINE_STAGES),
    }
)


def varied(model: RankingModel, changes: Mapping[str, Any]) -> RankingModel:
    """A copy of `model` with each dotted path (`"expand.neighbour_decay"`, `"terms_off"`) set to its
    value; `ValueError` naming a path the model has not, or a value of another kind than the one it
    replaces (an int stands for a float; a list for a set of names)."""
    for path, value in changes.items():
        model = _set(model, path.split("."), value, path)
    return model


def _set(value: Any, parts: list[str], new: Any, path: str) -> Any:
    if not dataclasses.is_dataclass(value) or isinstance(value, type):
        raise ValueError(f"ranking model: no {path!r}")
    names = {f.name for f in dataclasses.fields(value)}
    if parts[0] not in names:
        raise ValueError(f"ranking model: no {path!r} ({parts[0]!r} is none of {sorted(names)})")
    current = getattr(value, parts[0])
    if len(parts) > 1:
        return dataclasses.replace(value, **{parts[0]: _set(current, parts[1:], new, path)})
    return dataclasses.replace(value, **{parts[0]: _of_kind(current, new, path)})


def _of_kind(current: Any, new: Any, path: str) -> Any:
    """`new` as the kind of value `current` is, or `ValueError`."""
    if isinstance(current, frozenset) and isinstance(new, list | tuple | set | frozenset):
        if all(isinstance(n, str) for n in new):
            return frozenset(new)
    elif isinstance(current, bool):
        if isinstance(new, bool):
            return new
    elif isinstance(current, int) and isinstance(new, int) and not isinstance(new, bool):
        return new
    elif isinstance(current, float) and isinstance(new, int | float) and not isinstance(new, bool):
        return float(new)
    raise ValueError(f"ranking model: {path!r} is a {type(current).__name__}, not {new!r}")
