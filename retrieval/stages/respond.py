"""The response, after the five stages: each final hit (neighbours included) given its calibrated
confidence, those below the request's `min_score` or `min_confidence` left out, the rest packed into
the budget, the context rendered, trimmed should it ever be needed, every memory explained on request
(and every candidate left out, with why: stages/left_out.py), and every token accounted for.

`assemble` is pure: the same plan and hits give the same response, and nothing is awaited.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ...memtypes.queries import ScoredPoint
from ...memtypes.requests import RetrievedMemory, RetrieveMetadata, RetrieveResponse, TypeMetadata
from ...memtypes.types import INTENTION_TYPE, SCRATCHPAD_TYPE, SPECS, MemoryType
from ..ranking.asked.asked_names import asked_past
from ..ranking.confidence import FAR, RankedHit, hit_features
from ..ranking.terms.intentions import DueWindowTerm
from ..ranking.times.task_questions import due_within
from .changed_events import EventsOverStatements
from .done_events import DoneByEvent
from .explain import explain
from .left_out import left_out
from .pack import Candidate, LinePrices, Packing, Points, TypeUsage, WorkingLines, pack_working
from .plan import ReadPlan
from .post import Adjustment, Adjustments
from .presentation import PresentedItem, render_context
from .rank import NewerFirst
from .restated_details import RestatedDetails
from .role_holders import RoleHolders
from .search import Found
from .version_ties import VersionTies


def assemble(plan: ReadPlan, found: Found, prices: LinePrices) -> RetrieveResponse:
    """The response to `plan.request` from what was `found`, never over the budget; confidences by
    the plan's ranking model's calibration."""
    resolved = plan.resolved
    working_usage, working_lines = pack_working(resolved, found.working, prices)
    candidates, points = prices.candidates(found.hits)
    query = plan.request.query
    asked = asked_past(query, resolved.now)
    window = (asked.start.timestamp(), asked.end.timestamp() + plan.model.time.slack_s) if asked else None
    keys, ranked = ranked_hits(candidates, points, found.cosines, window, found.adjustments)
    thresholds = plan.model.confidence_features
    confidence = dict(zip(keys, plan.model.calibration.confidences(query, ranked, thresholds), strict=True))
    _due_within_window(plan, points, confidence, found)
    explained = plan.request.explain
    features = dict(zip(keys, hit_features(query, ranked, thresholds), strict=True)) if explained else {}
    candidates, below_floor = _above_floors(
        candidates, confidence, plan.request.min_score, resolved.min_confidence
    )
    answered = _answered_head(plan, keys, ranked, confidence, found.cosines)
    packing = prices.pack(resolved, candidates, [c for c, _ in below_floor if c.key in answered])
    chosen = sorted(packing.selected(), key=lambda c: -c.score)
    taken = {c.key for c in chosen}
    below_floor = [(c, why) for c, why in below_floor if c.key not in taken]

    limit = resolved.budget + resolved.working_budget
    context, total = _context_within(limit, prices, packing, chosen, points, working_usage, working_lines)
    memories = _working_memories(working_usage, working_lines)
    memories += [
        _retrieved(plan, found, points[c.key], c.tokens, confidence[c.key], features.get(c.key))
        for c in chosen
    ]
    per_type = {t.value: _type_metadata(u) for t, u in packing.usage.items()}
    if resolved.working_budget:
        per_type[SCRATCHPAD_TYPE.value] = _type_metadata(working_usage)
    metadata = RetrieveMetadata(
        total_tokens=total,
        budget=resolved.budget,
        working_budget=resolved.working_budget,
        utilization=round(total / limit, 4),
        encoding=resolved.encoding,
        exact=resolved.exact,
        per_type=per_type,
        trimmed_count=packing.trimmed + working_usage.trimmed,
        top_confidence=max(confidence.values(), default=0.0),
    )
    left = None
    if plan.request.explain:
        working = (working_usage, working_lines) if resolved.working_budget else None
        left = left_out(packing, chosen, points, below_floor, found.duplicates, prices, working)
    return RetrieveResponse(context=context, memories=memories, metadata=metadata, left_out=left)


def _render(
    chosen: list[Candidate], points: Points, working_usage: TypeUsage, working_lines: WorkingLines
) -> str:
    """The context: the chosen memories and the task's working items, by section."""
    return render_context(
        [
            PresentedItem(
                c.memory_type,
                points[c.key][2],
                c.score,
                float(points[c.key][1].payload.get("occurred_ts", 0.0)),
                c.group,
            )
            for c in chosen
        ]
        + [
            PresentedItem(SCRATCHPAD_TYPE, line, c.score, item.created_at.timestamp())
            for c in working_usage.selected
            for item, line in [working_lines[c.key]]
        ]
    )


def _context_within(
    limit: int,
    prices: LinePrices,
    packing: Packing,
    chosen: list[Candidate],
    points: Points,
    working_usage: TypeUsage,
    working_lines: WorkingLines,
) -> tuple[str, int]:
    """The rendered context and its tokens, never over `limit`: the lowest-ranked item left out
    (and counted so in its type's usage) until it fits."""
    context = _render(chosen, points, working_usage, working_lines)
    total = prices.counter.count(context)
    # Line counts are additive by construction (see mnemo.memtypes.rendering), so this loop should
    # never run; it is here so that the budget contract holds even if that ever stopped being so.
    while total > limit and (chosen or working_usage.selected):
        usage = packing.usage[chosen[-1].memory_type] if chosen else working_usage
        dropped = chosen.pop() if chosen else working_usage.selected[-1]
        usage.selected.remove(dropped)
        usage.left.append(dropped)
        usage.tokens -= dropped.tokens
        usage.trimmed += 1
        context = _render(chosen, points, working_usage, working_lines)
        total = prices.counter.count(context)
    return context, total


def _working_memories(working_usage: TypeUsage, working_lines: WorkingLines) -> list[RetrievedMemory]:
    """The task's working items packed, as memories: kept whole and in order, not ranked."""
    return [
        RetrievedMemory(
            id=item.id,
            external_id=None,
            type=SCRATCHPAD_TYPE,
            content=item.content,
            score=1.0,
            confidence=1.0,
            tokens=c.tokens,
            occurred_at=item.created_at.isoformat(),
        )
        for c in working_usage.selected
        for item, _ in [working_lines[c.key]]
    ]


def _due_within_window(plan: ReadPlan, points: Points, confidence: dict[str, float], found: Found) -> None:
    """A pending item due within the window a question about tasks names is as likely as its share
    of such items that answer: at least the ranking model's `due_window.confidence` (its words alone
    read unlikely: the words of "what's on next week?" say nothing of the items);
    not one an event says was done (`DoneByEvent`), which its words alone rate."""
    policy = plan.policies.get(INTENTION_TYPE)
    asked = policy.signals.get(DueWindowTerm.name) if policy is not None else None
    if asked is None:
        return
    floor = plan.model.due_window.confidence
    for key, (memory_type, point, _) in points.items():
        if memory_type is INTENTION_TYPE and due_within(asked, point.payload) and not _done(found, point.id):
            confidence[key] = max(confidence[key], floor)


def _done(found: Found, point_id: str) -> bool:
    return any(DoneByEvent.name in a.components for a in found.adjustments.of(point_id))


def _answered_head(
    plan: ReadPlan,
    keys: list[str],
    ranked: list[RankedHit],
    confidence: Mapping[str, float],
    cosines: Mapping[str, float],
) -> frozenset[str]:
    """The hits a default context takes whatever their confidence (`AnsweredContextModel`), with the
    budget the hits over the floor leave: of a request the store answers, one without a floor of its
    own, the first ones that share meaning with the query (a cosine under `FAR`: about something
    else) and clear its `min_score`."""
    fit, request = plan.model.answered_context, plan.request
    if request.min_confidence is not None or not confidence:
        return frozenset()
    if max(confidence.values()) < fit.top_confidence:
        return frozenset()
    return frozenset(
        key
        for key, hit in zip(keys[: fit.ranks], ranked, strict=False)
        if cosines.get(key, 0.0) >= FAR and (request.min_score is None or hit.score >= request.min_score)
    )


def _above_floors(
    candidates: dict[MemoryType, list[Candidate]],
    confidence: Mapping[str, float],
    min_score: float | None,
    min_confidence: float,
) -> tuple[dict[MemoryType, list[Candidate]], list[tuple[Candidate, str]]]:
    """The candidates that clear both floors, and those that do not with the words saying why."""
    kept: dict[MemoryType, list[Candidate]] = {}
    below: list[tuple[Candidate, str]] = []
    for memory_type, found_type in candidates.items():
        kept[memory_type] = []
        for c in found_type:
            if min_score is not None and c.score < min_score:
                below.append((c, f"score {c.score:.3f} is below the floor {min_score}"))
            elif confidence[c.key] < min_confidence:
                below.append((c, f"confidence {confidence[c.key]:.3f} is below the floor {min_confidence}"))
            else:
                kept[memory_type].append(c)
    return kept, below


# The stages that lift a newer statement over an older one: the confidence reads the older at the rank
# it had (ranking/confidence.py `ranks`).
UPDATE_LIFTS = frozenset(
    {NewerFirst.name, EventsOverStatements.name, VersionTies.name, RestatedDetails.name, RoleHolders.name}
)


def update_lift(adjustments: Sequence[Adjustment]) -> float:
    """How far the knowledge-update stages lifted a hit (a newer statement over an older one)."""
    return sum(
        component.contribution
        for adjustment in adjustments
        for name, component in adjustment.components.items()
        if name in UPDATE_LIFTS
    )


def _before_update(candidate: Candidate, adjustments: Adjustments | None) -> float | None:
    """A candidate's score before a knowledge update lifted it (None: not lifted)."""
    changes = adjustments.of(candidate.key) if adjustments is not None else ()
    lift = update_lift(changes) if changes else 0.0
    return candidate.score - lift if lift > 0.0 else None


def ranked_hits(
    candidates: Mapping[MemoryType, list[Candidate]],
    points: Points,
    cosines: Mapping[str, float],
    asked_window: tuple[float, float] | None = None,
    adjustments: Adjustments | None = None,
) -> tuple[list[str], list[RankedHit]]:
    """All of the request's candidates (every type's) best first, as the confidence reads them, with
    their ids: the ranked list before packing, so that a budget does not change a confidence. An
    event without a validity of its own that occurred outside `asked_window` (epoch seconds, its end
    extended as the time term's is: events are told a little after they happen) is off its time
    (`adjustments`: the post-engine stages', where a newer statement's lift over an older one is)."""
    ranked = sorted((c for cs in candidates.values() for c in cs), key=lambda c: -c.score)
    hits = [_ranked_hit(c, points[c.key][1].payload, cosines, asked_window, adjustments) for c in ranked]
    return [c.key for c in ranked], hits


def _ranked_hit(
    candidate: Candidate,
    payload: Mapping[str, object],
    cosines: Mapping[str, float],
    asked_window: tuple[float, float] | None,
    adjustments: Adjustments | None,
) -> RankedHit:
    events = SPECS[candidate.memory_type].holds_events
    return RankedHit(
        candidate.score,
        str(payload.get("content", "")),
        cosines.get(candidate.key),
        dated=events or "due_ts" in payload,
        off_time=events and asked_window is not None and _off_time(payload, asked_window),
        lifted_from=_before_update(candidate, adjustments),
    )


def _off_time(payload: Mapping[str, object], window: tuple[float, float]) -> bool:
    occurred = payload.get("occurred_ts")
    if not isinstance(occurred, int | float) or "due_ts" in payload:
        return False
    if payload.get("valid_from_ts") is not None or payload.get("valid_until_ts") is not None:
        return False  # a fact held over a time is read by its validity, not here
    return not window[0] <= occurred < window[1]


def _retrieved(
    plan: ReadPlan,
    found: Found,
    chosen: tuple[MemoryType, ScoredPoint, str],
    tokens: int,
    confidence: float,
    features: Mapping[str, float] | None,
) -> RetrievedMemory:
    memory_type, point, _ = chosen
    explanation = None
    if plan.request.explain:
        adjustments = found.adjustments.of(point.id)
        explanation = explain(plan.policies[memory_type], point, found.relevance, adjustments)
        explanation["confidence_features"] = dict(features or {})
        if plan.anchor is not None and {"time", "due_window"} & set(explanation["components"]):
            # the event the time term's window, or the due window, is of
            explanation["time_anchor"] = plan.anchor.as_dict()
    return RetrievedMemory(
        id=point.id,
        external_id=point.payload.get("external_id"),
        type=memory_type,
        content=str(point.payload.get("content", "")),
        score=point.score,
        confidence=confidence,
        tokens=tokens,
        occurred_at=point.payload.get("occurred_at"),
        stale=point.payload.get("stale") is True,
        stale_cause=point.payload.get("stale_cause"),
        explain=explanation,
    )


def _type_metadata(usage: TypeUsage) -> TypeMetadata:
    # The working section is never redistributed to: its `redistributed` is 0 by construction.
    return TypeMetadata(
        share=usage.share,
        redistributed=usage.redistributed,
        tokens=usage.tokens,
        count=len(usage.selected),
        trimmed=usage.trimmed,
    )
