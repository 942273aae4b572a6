"""What mnemo is compared with, over the same memories and the same embeddings:

- exact: brute-force cosine top-K in numpy (dense-only retrieval, and the ground truth for the ANN);
- BM25 (rank-bm25's Okapi BM25 over lowercased word tokens, English stop words removed);
- their reciprocal-rank fusion.

Every baseline sees only the memories a query may see (its scope and types), as mnemo does, and is
packed under a token budget with the same rendered lines and the same tokenizer, best-first and
skipping what does not fit.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from rank_bm25 import BM25Okapi

from mnemo.lab import memory_line, searched_by_default, section_header, time_header
from mnemo_client.models import MemoryIn, MemoryType, Scope

RRF_K = 60  # the constant of Cormack et al.'s reciprocal-rank fusion
BASELINE_DEPTH = 200  # how deep the baselines rank (enough to fill the largest usual budget)
_WORD = re.compile(r"\w+")
STOP_WORDS = frozenset(
    _WORD.findall(
        "a an and are as at be but by did do does for from had has "
        "have he her him his how i in is it its me my of on or "
        "our she so that the their them they this to was we were what when where "
        "which who why will with you your "
    )
)


def bm25_tokens(text: str) -> list[str]:
    return [w for w in _WORD.findall(text.lower()) if w not in STOP_WORDS]


def searched_types() -> tuple[MemoryType, ...]:
    """The types a retrieval that names none searches: the baselines search the same."""
    return tuple(MemoryType(t) for t in searched_by_default())


def visible(memory: MemoryIn, scope: Scope, types: Sequence[MemoryType]) -> bool:
    """mnemo's scope rule: every scope field the query names must match exactly."""
    mine = memory.scope.model_dump(exclude_none=True)
    return memory.type in types and all(mine.get(k) == v for k, v in scope_fields(scope))


def scope_fields(scope: Scope) -> list[tuple[str, str]]:
    """The fields a scope names, in the order of its model."""
    return list(scope.model_dump(exclude_none=True).items())


@dataclass
class _Slice:
    rows: np.ndarray  # indices into the corpus
    bm25: BM25Okapi | None = None


class Baselines:
    """Rankings over `memories` with their unit-length `vectors` (row i belongs to memory i)."""

    def __init__(self, memories: Sequence[MemoryIn], vectors: np.ndarray) -> None:
        if len(memories) != vectors.shape[0]:
            raise ValueError("one vector per memory")
        self.memories = list(memories)
        self.ids = [m.id or "" for m in memories]
        self.vectors = vectors.astype(np.float32, copy=False)
        self._slices: dict[tuple[tuple[tuple[str, str], ...], tuple[MemoryType, ...]], _Slice] = {}

    def _slice(self, scope: Scope, types: Sequence[MemoryType]) -> _Slice:
        key = (tuple(scope_fields(scope)), tuple(types))
        if key not in self._slices:
            rows = [i for i, m in enumerate(self.memories) if visible(m, scope, types)]
            self._slices[key] = _Slice(np.asarray(rows, dtype=np.int64))
        return self._slices[key]

    def exact(
        self, query_vector: np.ndarray, scope: Scope, types: Sequence[MemoryType], depth: int
    ) -> tuple[list[str], list[float]]:
        """Dense-only: the `depth` nearest memories by cosine, computed exactly, and their similarities."""
        rows = self._slice(scope, types).rows
        if rows.size == 0:
            return [], []
        scores = self.vectors[rows] @ query_vector.astype(np.float32)
        order = self._order(scores, depth)
        return [self.ids[int(rows[i])] for i in order], [float(scores[i]) for i in order]

    def bm25(self, query: str, scope: Scope, types: Sequence[MemoryType], depth: int) -> list[str]:
        piece = self._slice(scope, types)
        if piece.rows.size == 0:
            return []
        if piece.bm25 is None:  # BM25's statistics (IDF, mean length) are those of what the query can see
            piece.bm25 = BM25Okapi([bm25_tokens(self.memories[i].content) or [""] for i in piece.rows])
        scores = np.asarray(piece.bm25.get_scores(bm25_tokens(query)))
        return [self.ids[int(piece.rows[i])] for i in self._order(scores, depth)]

    def ranked(
        self,
        query: str,
        query_vector: np.ndarray,
        scope: Scope,
        types: Sequence[MemoryType],
        depth: int = BASELINE_DEPTH,
    ) -> tuple[dict[str, list[str]], list[float]]:
        """Every baseline's ranking of one query (dense, BM25, their fusion), and the dense similarities."""
        dense, similarities = self.exact(query_vector, scope, types, depth)
        bm25 = self.bm25(query, scope, types, depth)
        fusion = reciprocal_rank_fusion([bm25, dense], depth)
        return {"dense": dense, "bm25": bm25, "fusion": fusion}, similarities

    @staticmethod
    def _order(scores: np.ndarray, depth: int) -> np.ndarray:
        # Stable sort on the negated score: ties keep dataset order, so runs are reproducible.
        return np.argsort(-scores, kind="stable")[:depth]


def reciprocal_rank_fusion(rankings: Sequence[Sequence[str]], depth: int, k: int = RRF_K) -> list[str]:
    scores: dict[str, float] = {}
    for ranking in rankings:
        for position, item in enumerate(ranking):
            scores[item] = scores.get(item, 0.0) + 1.0 / (k + position + 1)
    return sorted(scores, key=lambda item: -scores[item])[:depth]


@dataclass(frozen=True)
class Packed:
    ids: list[str]
    tokens: int


def pack_ranked(
    ranked: Sequence[str],
    line_tokens: Mapping[str, int],
    types: Mapping[str, MemoryType],
    header_tokens: Mapping[MemoryType, int],
    budget: int,
    groups: Mapping[str, tuple[str, int]] | None = None,
) -> Packed:
    """Take ranked memories best-first under `budget`, a section header costing once per type and a
    time header (`groups`: id → (header, its tokens)) once per group, as mnemo renders a context."""
    chosen: list[str] = []
    used = 0
    opened: set[MemoryType | str] = set()
    for item in ranked:
        memory_type = types[item]
        group, group_cost = (groups or {}).get(item, (None, 0))
        cost = line_tokens[item] + (0 if memory_type in opened else header_tokens[memory_type])
        cost += 0 if group is None or group in opened else group_cost
        if used + cost <= budget:
            chosen.append(item)
            used += cost
            opened.update([memory_type] if group is None else [memory_type, group])
    return Packed(chosen, used)


def baseline_packer(memories: Sequence[MemoryIn]) -> Callable[[Sequence[str], int], Packed]:
    """Packs a baseline's ranking under a budget as mnemo renders a context (lines, headers, time
    groups counted in the default tokenizer)."""
    from mnemo.lab import TokenizerRegistry

    tokenizers = TokenizerRegistry()
    count = tokenizers.get(tokenizers.default).count
    lines = line_token_counts(memories, count)
    groups = time_groups(memories, count)
    headers = header_token_counts(count)
    type_of = {m.id or "": m.type for m in memories}
    return lambda ranking, budget: pack_ranked(ranking, lines, type_of, headers, budget, groups)


def line_token_counts(memories: Sequence[MemoryIn], count: Callable[[str], int]) -> dict[str, int]:
    """Token count of each memory's rendered context line, as mnemo renders it."""
    return {m.id or "": count(memory_line(m.type, m.content, m.due_at)) for m in memories}


def time_groups(memories: Sequence[MemoryIn], count: Callable[[str], int]) -> dict[str, tuple[str, int]]:
    """Each episodic memory's time header and its tokens. (mnemo stamps an episodic memory without
    `occurred_at` with its write time; here it has no header. Datasets normally carry the time.)"""
    return {
        m.id or "": (header, count(header))
        for m in memories
        if m.type is MemoryType.EPISODIC and m.occurred_at is not None
        for header in [time_header(m.occurred_at.timestamp())]
    }


def header_token_counts(count: Callable[[str], int]) -> dict[MemoryType, int]:
    return {t: count(section_header(t)) for t in MemoryType}
