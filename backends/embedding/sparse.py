"""BM25 sparse vectors from `qdrant_edge.Bm25`: computed in-process and offline, for either backend.

The document side carries BM25's saturated term frequencies; the query side weighs each token 1.0;
the engine multiplies in the IDF of each token (the sparse vector is declared with the IDF modifier),
so the statistics are always those of the collection as it is now. English tokenization, stop
words and stemming are the binding's defaults.
"""

from __future__ import annotations

from collections.abc import Sequence

from qdrant_edge import Bm25, Bm25Config
from qdrant_edge import SparseVector as EdgeSparseVector

from ...memtypes.queries import SparseVector

# BM25's expected document length in tokens. Memories are short (a conversation turn is a few
# dozen tokens); on locomo-dev sparse-only recall is flat from here up to the binding's default and
# drops below it, so length normalization stays mild.
AVG_LEN = 64.0
# Stored vectors depend on the configuration: changing it needs re-written memories, hence the name.
BM25_NAME = "bm25-en-avg64"


def _sparse(vector: EdgeSparseVector) -> SparseVector:
    return SparseVector(tuple(vector.indices), tuple(vector.values))


class Bm25Encoder:
    """`SparseEncoder` on the Qdrant Edge binding's BM25 (a few microseconds a text)."""

    name = BM25_NAME

    def __init__(self) -> None:
        self._model = Bm25(Bm25Config(avg_len=AVG_LEN))

    def documents(self, texts: Sequence[str]) -> list[SparseVector]:
        return [_sparse(self._model.embed_document(text)) for text in texts]

    def query(self, text: str) -> SparseVector:
        return _sparse(self._model.embed_query(text))
