"""qdrant-client's constructors for the shared query planner (mnemo.backends.qdrant.planner): its filter,
expression, prefetch and query request models. No decisions here."""

from __future__ import annotations

from typing import Any

from qdrant_client import models

from ...memtypes.queries import Fusion
from ..qdrant.planner import QueryPlanner


class ClientVocabulary:
    """qdrant-client's models for the shared query planner (mnemo.backends.qdrant.planner): constants are
    floats, variables strings; every request carries the shard key selector it was made with."""

    def __init__(self, shard_key: models.ShardKeySelector | None = None) -> None:
        self.shard_key = shard_key

    def const(self, value: float) -> models.Expression:
        return float(value)

    def var(self, name: str) -> models.Expression:
        return name

    def sum(self, terms: list[models.Expression]) -> models.Expression:
        return models.SumExpression(sum=terms)

    def mult(self, factors: list[models.Expression]) -> models.Expression:
        return models.MultExpression(mult=factors)

    def div(
        self, left: models.Expression, right: models.Expression, by_zero_default: float
    ) -> models.Expression:
        return models.DivExpression(
            div=models.DivParams(left=left, right=right, by_zero_default=by_zero_default)
        )

    def exp_decay(
        self, x: models.Expression, target: models.Expression, scale: float, midpoint: float
    ) -> models.Expression:
        params = models.DecayParamsExpression(x=x, target=target, scale=scale, midpoint=midpoint)
        return models.ExpDecayExpression(exp_decay=params)

    def gauss_decay(
        self, x: models.Expression, target: models.Expression, scale: float, midpoint: float
    ) -> models.Expression:
        params = models.DecayParamsExpression(x=x, target=target, scale=scale, midpoint=midpoint)
        return models.GaussDecayExpression(gauss_decay=params)

    def matches(self, flt: models.Filter) -> models.Expression:
        return flt

    def equals(self, key: str, value: str | bool | int) -> models.FieldCondition:
        return models.FieldCondition(key=key, match=models.MatchValue(value=value))

    def any_of(self, key: str, values: list[Any]) -> models.FieldCondition:
        return models.FieldCondition(key=key, match=models.MatchAny(any=values))

    def in_range(self, key: str, gte: float | None, lt: float | None) -> models.FieldCondition:
        return models.FieldCondition(key=key, range=models.Range(gte=gte, lt=lt))

    def missing(self, key: str) -> models.IsEmptyCondition:
        return models.IsEmptyCondition(is_empty=models.PayloadField(key=key))

    def must(self, conditions: list[Any], excluded: list[Any]) -> models.Filter:
        return models.Filter(must=conditions, must_not=excluded or None)

    def sparse_vector(self, indices: list[int], values: list[float]) -> models.SparseVector:
        return models.SparseVector(indices=indices, values=values)

    def nearest(
        self, vector: list[float] | models.SparseVector, using: str, flt: models.Filter, limit: int
    ) -> models.Prefetch:
        return models.Prefetch(query=vector, using=using, filter=flt, limit=limit)

    def formula(self, expression: models.Expression, defaults: dict[str, float]) -> models.FormulaQuery:
        return models.FormulaQuery(formula=expression, defaults=defaults)

    def ranked(
        self, formula: models.FormulaQuery, prefetches: list[models.Prefetch], limit: int
    ) -> models.Prefetch:
        return models.Prefetch(query=formula, prefetch=prefetches, limit=limit)

    def fused(
        self, fusion: Fusion, rrf_k: int, prefetches: list[models.Prefetch], limit: int
    ) -> models.Prefetch:
        query: models.Query = (
            models.RrfQuery(rrf=models.Rrf(k=rrf_k))
            if fusion is Fusion.RRF
            else models.FusionQuery(fusion=models.Fusion.DBSF)
        )
        return models.Prefetch(query=query, prefetch=prefetches, limit=limit)

    def stage_request(
        self, stage: models.Prefetch, limit: int, with_vector: list[str] | bool, with_payload: bool
    ) -> models.QueryRequest:
        return models.QueryRequest(
            query=stage.query,
            using=stage.using,
            prefetch=stage.prefetch,
            filter=stage.filter,
            limit=limit,
            with_payload=with_payload,
            with_vector=with_vector,
            shard_key=self.shard_key,
        )

    def formula_request(
        self,
        formula: models.FormulaQuery,
        prefetches: list[models.Prefetch],
        limit: int,
        with_vector: list[str] | bool,
        with_payload: bool,
    ) -> models.QueryRequest:
        return models.QueryRequest(
            query=formula,
            prefetch=prefetches,
            limit=limit,
            with_payload=with_payload,
            with_vector=with_vector,
            shard_key=self.shard_key,
        )

    def ordered_request(
        self,
        key: str,
        descending: bool,
        start_from: float,
        flt: models.Filter,
        limit: int,
        with_payload: bool,
    ) -> models.QueryRequest:
        direction = models.Direction.DESC if descending else models.Direction.ASC
        order_by = models.OrderBy(key=key, direction=direction, start_from=start_from)
        return models.QueryRequest(
            query=models.OrderByQuery(order_by=order_by),
            filter=flt,
            limit=limit,
            with_payload=with_payload,
            with_vector=False,
            shard_key=self.shard_key,
        )


PLAN = QueryPlanner(ClientVocabulary())  # filters and points to store: no shard key
