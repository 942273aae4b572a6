"""The asked-detail check (retrieval/ranking/asked/) as its unit tests call it: the shipped model's
thresholds, and the check of plain undated hits for a question whose words are read as the service
reads them."""

from __future__ import annotations

from mnemo.retrieval.ranking.asked.asked_detail import detail_check
from mnemo.retrieval.ranking.asked.evidence import query_words
from mnemo.retrieval.ranking.model import DEFAULT_MODEL

THRESHOLDS = DEFAULT_MODEL.confidence_features


def judged(question: str, *contents: str) -> tuple[float, float, float]:
    """(checked, missing, gap) of the check of `contents`, the best hits in order, none dated."""
    found = detail_check(question, query_words(question), [(c, False) for c in contents], THRESHOLDS)
    return found.checked, found.missing, found.gap
