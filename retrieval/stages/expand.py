"""Stage 5 of a retrieval, expand: the turns written just before and after each episodic turn the
packing selected (same scope, same session) are offered too, each scored just below its turn, so the
final packing takes them only while the budget has room and nothing better is waiting. Only
conversation turns ("Speaker: text", a stored `speaker`) have such neighbours: a person's notes
written the same afternoon are separate events, and one offered at its neighbour's score would
stand above the notes that answer. A post-engine
stage (`Neighbours`, stages/post.py): a neighbour's explanation is its turn's score decayed plus its
own speaker term, in place of the engine's terms."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ...memtypes.queries import MemoryFilter, NeighbourRequest, ScoredPoint, StoredPoint
from ...memtypes.records import SCOPE_FIELDS, Scope
from ...memtypes.types import EVENT_TYPE, MemoryType
from ..options import RetrievalConfig
from ..ranking.confidence import FAR
from ..ranking.model import DEFAULT_MODEL
from ..ranking.policy import ScoreComponent
from ..ranking.terms.conversation import SPEAKER
from .pack import Packing
from .plan import ReadPlan
from .post import Adjustment, Hits, Phase, PostStage, StageInputs, cosines_with


class Neighbours(PostStage):
    """The turns beside the selected ones offered too (the request's `neighbours` per side; 0: off),
    each scored the ranking model's `expand.neighbour_decay` per step below its turn."""

    name = "neighbour"
    phase = Phase.FINAL  # reads the last round's packing: the turns it selects

    def weight(self, plan: ReadPlan, config: RetrievalConfig) -> float:
        return (
            plan.model.expand.neighbour_decay if plan.tuning is not None and plan.tuning.neighbours else 0.0
        )

    async def apply(self, inputs: StageInputs, hits: Hits, weight: float) -> dict[str, Adjustment]:
        if inputs.packing is None:
            return {}
        origins = await expand_neighbours(inputs, hits, inputs.packing, weight)
        if not origins:  # no turns asked for (a request without conversation turns has no policy)
            return {}
        speaker_weight = inputs.plan.policies[EVENT_TYPE].weight_of(SPEAKER)
        return {point_id: n.adjustment(self.name, speaker_weight) for point_id, n in origins.items()}


async def expand_neighbours(
    inputs: StageInputs,
    hits: dict[MemoryType, list[ScoredPoint]],
    packing: Packing,
    decay: float,
) -> dict[str, Neighbour]:
    """Offer (in `hits`, in place) the neighbours of the episodic turns that `packing` selects;
    answers each offered neighbour's origin, for `explain`."""
    plan = inputs.plan
    fit = plan.model.expand
    per_side = plan.tuning.neighbours if plan.tuning else 0
    episodic = hits.get(EVENT_TYPE)
    if not per_side or not episodic or plan.base_filter is None:
        return {}
    chosen = {c.key for c in packing.usage[EVENT_TYPE].selected}
    turns = [h for h in episodic if h.id in chosen and said_by_someone(h.payload)][: fit.max_turns]
    requests = neighbour_requests(turns, plan.base_filter, per_side, fit.session_gap_s)
    if not requests:
        return {}
    found = [conversation_turns(points) for points in await inputs.index.neighbours(requests)]
    unrelated = await unrelated_to_query(inputs, [p for points in found for p in points])
    by_seq = {float(t.payload["seq"]): t for t in turns if "seq" in t.payload}
    policy = plan.policies[EVENT_TYPE]

    def speaker_lift(payload: Mapping[str, Any]) -> float:
        return policy.contribution(SPEAKER, payload)

    hits[EVENT_TYPE], origins = expand(
        episodic, requests, found, by_seq, decay, speaker_lift, unrelated, fit.unrelated_decay
    )
    return origins


async def unrelated_to_query(inputs: StageInputs, points: Sequence[StoredPoint]) -> frozenset[str]:
    """Those of `points` whose dense vector has a cosine under `FAR` with the query's (one cached
    read of their vectors); none without a dense query, or for a point whose vector was not read."""
    if inputs.query_vector is None or not points:
        return frozenset()
    vectors = await inputs.vectors(EVENT_TYPE, [ScoredPoint(p.id, 0.0, p.payload) for p in points])
    return frozenset(i for i, cosine in cosines_with(inputs.query_vector, vectors).items() if cosine < FAR)


def said_by_someone(payload: Mapping[str, Any]) -> bool:
    """Whether a memory is a conversation turn: its content names who said it (a stored `speaker`)."""
    return bool(payload.get(SPEAKER))


def conversation_turns(points: Sequence[StoredPoint]) -> list[StoredPoint]:
    """`points` (one side's, nearest first) up to the first that is not a conversation turn: a note
    between turns ends the exchange."""
    out: list[StoredPoint] = []
    for point in points:
        if not said_by_someone(point.payload):
            break
        out.append(point)
    return out


@dataclass(frozen=True)
class Neighbour:
    """An expanded turn: which selected turn it sits next to, and how many steps away."""

    of: str
    steps: int
    factor: float
    speaker: float = 0.0  # its own speaker term (mnemo.retrieval.ranking), not its turn's
    turn_score: float = 0.0  # its turn's score without the turn's speaker term

    def adjustment(self, name: str, speaker_weight: float) -> Adjustment:
        """Its score explained: its turn's, decayed, plus its own speaker term."""
        components = {name: ScoreComponent(self.turn_score, self.factor, self.turn_score * self.factor)}
        if self.speaker:
            components[SPEAKER] = ScoreComponent(1.0, speaker_weight, self.speaker)
        return Adjustment(components, replaces=True, detail={"neighbour_of": self.of, "steps": self.steps})


# A point's speaker term (`RankingPolicy.contribution`): a neighbour's is its own.
SpeakerLift = Callable[[Mapping[str, Any]], float]


def _no_lift(payload: Mapping[str, Any]) -> float:
    return 0.0


def neighbour_requests(
    turns: Sequence[ScoredPoint], base: MemoryFilter, per_side: int, session_gap_s: float
) -> list[NeighbourRequest]:
    """Two lookups per turn (before, after), confined to the turn's own scope and session."""
    out: list[NeighbourRequest] = []
    for turn in turns:
        seq, occurred = turn.payload.get("seq"), turn.payload.get("occurred_ts")
        if not isinstance(seq, int | float) or not isinstance(occurred, int | float):
            continue  # written before sequence numbers existed: no neighbours to find
        scope = Scope(**{k: turn.payload[k] for k in SCOPE_FIELDS if k in turn.payload})
        flt = MemoryFilter(
            tenant=base.tenant,
            scope=scope,
            include_superseded=base.include_superseded,
            now=base.now,
            as_of=base.as_of,
            occurred_from=occurred - session_gap_s,
            occurred_until=occurred + session_gap_s,
        )
        out.extend(NeighbourRequest(EVENT_TYPE, flt, float(seq), side, per_side) for side in (True, False))
    return out


def expand(
    hits: Sequence[ScoredPoint],
    requests: Sequence[NeighbourRequest],
    found: Sequence[Sequence[StoredPoint]],
    turns: Mapping[float, ScoredPoint],
    decay: float,
    speaker_lift: SpeakerLift = _no_lift,
    unrelated: Collection[str] = frozenset(),
    unrelated_decay: float = DEFAULT_MODEL.expand.unrelated_decay,
) -> tuple[list[ScoredPoint], dict[str, Neighbour]]:
    """The hits plus each turn's neighbours, scored `turn score × decay^steps` (`unrelated_decay`
    for those in `unrelated`, which share no meaning with the query), where the turn's
    score counts without its speaker term and the neighbour adds its own: the answer next to the
    question that matched ("How do you unwind, Mel?" / "Mel: running and reading") is said by the
    person the query names, the question is not (with the term at 0.05, locomo-dev recall@10 is
    0.750 when a neighbour inherits its turn's and 0.801 when it carries its own).

    `turns` maps each expanded turn's `seq` to it. A neighbour that is already a hit keeps the
    better of its two scores; one reached from two turns keeps the better too. Only the turn's own
    conversation is offered (`same_conversation`).
    """
    by_id = {h.id: h for h in hits}
    origin: dict[str, Neighbour] = {}
    for request, points in zip(requests, found, strict=True):
        turn = turns[request.seq]
        turn_score = turn.score - speaker_lift(turn.payload)
        for steps, point in enumerate(same_conversation(turn, points, request.before), start=1):
            factor = (unrelated_decay if point.id in unrelated else decay) ** steps
            own = speaker_lift(point.payload)
            score = turn_score * factor + own
            current = by_id.get(point.id)
            if current is not None and current.score >= score:
                continue
            by_id[point.id] = ScoredPoint(point.id, score, point.payload)
            origin[point.id] = Neighbour(turn.id, steps, factor, own, turn_score)
    return sorted(by_id.values(), key=lambda h: -h.score), origin


def same_conversation(turn: ScoredPoint, points: Sequence[StoredPoint], before: bool) -> list[StoredPoint]:
    """The first of `points` (the turns written next to `turn` on one side, nearest first) that
    continue its conversation: a conversation's turns are written in the order they occurred, so
    the first turn whose time runs against the order of writing (written after the turn but
    occurred before it, or the reverse) starts another conversation, and the walk stops there.
    Histories imported a conversation at a time (several on one day, each from its day's start)
    put another conversation's opening right after a turn, within the session window."""
    last = turn.payload.get("occurred_ts")
    out: list[StoredPoint] = []
    for point in points:
        occurred = point.payload.get("occurred_ts")
        if isinstance(last, int | float) and isinstance(occurred, int | float):
            if occurred > last if before else occurred < last:
                break
            last = occurred
        out.append(point)
    return out
