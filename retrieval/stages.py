"""The relevance stage of formula-ranked searches, run alone so that `explain` can show the score
the formula saw, and the explanation of one retrieved memory."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from ..memtypes.queries import Fusion, ScoredPoint, SearchRequest
from .candidates import Neighbour
from .policy import RankingPolicy


def merge_hits(first: list[ScoredPoint], second: list[ScoredPoint]) -> list[ScoredPoint]:
    seen = {p.id for p in first}
    return sorted([*first, *(p for p in second if p.id not in seen)], key=lambda p: -p.score)


def stage_runs(searches: list[SearchRequest], fusion: Fusion) -> list[list[SearchRequest]]:
    """The relevance stage of each formula-ranked search, run alone, to learn the `$score` its formula
    saw (for hybrid search a fused score no vector reproduces). Linear fusion saw two scores (dense,
    BM25): its stage is one run per list."""
    runs = []
    for s in searches:
        if s.formula is None:
            continue  # the search's own scores are the stage's
        # Each list alone, at its full depth: a two-stage cut would hide scores the first stage saw.
        # Only ids and scores are read from a run: no payloads.
        s = replace(s, stage_formula=None, stage_limit=None, limit=s.prefetch_limit, payload_limit=0)
        if s.fused and fusion is Fusion.LINEAR:  # (one replace: a fused linear search needs a formula)
            runs.append([replace(s, sparse=None, formula=None), replace(s, vector=None, formula=None)])
        else:
            runs.append([replace(s, formula=None)])
    return runs


def stage_scores(
    runs: list[list[SearchRequest]], results: list[list[ScoredPoint]]
) -> dict[str, tuple[float, ...]]:
    """Point id → the relevance stage's score(s). A point missing from one list scored 0 there, as
    the formula's defaults say; the first run that found a point (the main search's) wins."""
    out: dict[str, tuple[float, ...]] = {}
    position = 0
    for run in runs:
        lists = [{p.id: p.score for p in found} for found in results[position : position + len(run)]]
        position += len(run)
        for pid in set().union(*lists):
            out.setdefault(pid, tuple(scores.get(pid, 0.0) for scores in lists))
    return out


def explain(
    policy: RankingPolicy,
    point: ScoredPoint,
    relevance: Mapping[str, tuple[float, ...]],
    neighbour: Neighbour | None,
) -> dict[str, Any]:
    if neighbour is not None:  # not ranked by Qdrant: its turn's score, decayed, plus its own speaker term
        from_turn = point.score - neighbour.speaker
        components = {
            "neighbour": {
                "value": from_turn / neighbour.factor,
                "weight": neighbour.factor,
                "contribution": from_turn,
            }
        }
        if neighbour.speaker:
            components["speaker"] = {
                "value": 1.0,
                "weight": policy.speaker_weight,
                "contribution": neighbour.speaker,
            }
        return {
            "total": point.score,
            "components": components,
            "neighbour_of": neighbour.of,
            "steps": neighbour.steps,
        }
    scores = relevance.get(point.id, (point.score,)) if policy.ranks_in_engine else (point.score,)
    return policy.explain(point.payload, scores).as_dict()
