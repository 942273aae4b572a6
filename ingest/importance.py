"""How important a memory is, and who decided.

Reviewers run in parallel under one timeout. Two or more answers → consensus (mean score, and the
majority decides "important"); exactly one → accepted only if it rates the memory important (a lone
"unimportant" is not trusted over the heuristic); none → the built-in heuristic scorer.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from ..memtypes.ports import ImportanceReviewer, Review
from ..memtypes.types import SPECS, MemoryType

log = logging.getLogger("mnemo.importance")
IMPORTANT_AT = 0.6


class Tier(StrEnum):
    CALLER = "caller"
    CONSENSUS = "consensus"
    SINGLE = "single"
    HEURISTIC = "heuristic"


@dataclass(frozen=True)
class Importance:
    score: float
    tier: Tier


# (pattern, weight): each signal that occurs raises the score by its weight.
_SIGNALS: tuple[tuple[re.Pattern[str], float], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), weight)
    for pattern, weight in (
        # explicit requests to remember
        (r"\b(remember|don'?t forget|never forget|keep in mind|note that|important)\b", 0.45),
        # decisions
        (r"\b(decided|decision|chose|chosen|agreed|settled on|going with|will use|we'll use)\b", 0.25),
        # preferences
        (
            r"\b(prefer|prefers|preferred|favou?rite|likes?|loves?|hates?|dislikes?|allergic|can'?t stand)\b",
            0.2,
        ),
        # commitments and obligations
        (
            r"\b(promise[ds]?|commit(ted)?|must|need to|have to|deadline|due|by (monday|tuesday|wednesday|"
            r"thursday|friday|saturday|sunday|tomorrow|tonight|next week))\b",
            0.2,
        ),
        # dates and times
        (
            r"\b(\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}(/\d{2,4})?|(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)"
            r"[a-z]*\.? \d{1,2}|\d{1,2}(:\d{2})? ?(am|pm)|yesterday|today|tomorrow)\b",
            0.1,
        ),
        # numbers, amounts, identifiers
        (r"(\$|€|£)\s?\d|\b\d+([.,]\d+)?\s?(%|kg|km|mb|gb|usd|eur)?\b", 0.05),
    )
)
_NAMED_ENTITY = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-z]+(?:\s[A-Z][a-z]+)*")


def heuristic_importance(memory_type: MemoryType, content: str) -> float:
    """A transparent rule-based score in 0..1 (no model): signals of lasting value add up."""
    score = SPECS[memory_type].importance_base
    score += sum(weight for pattern, weight in _SIGNALS if pattern.search(content))
    if _NAMED_ENTITY.search(content):
        score += 0.1
    return round(min(score, 1.0), 4)


class HeuristicReviewer:
    """The heuristic as a reviewer, for deployments that want it to vote alongside others."""

    name = "heuristic"

    async def review(self, memory_type: MemoryType, content: str) -> Review:
        score = heuristic_importance(memory_type, content)
        return Review(score, score >= IMPORTANT_AT)


async def review_importance(
    memory_type: MemoryType, content: str, reviewers: Sequence[ImportanceReviewer], timeout_s: float
) -> Importance:
    answers: list[Review] = []
    if reviewers:
        tasks = [asyncio.create_task(r.review(memory_type, content)) for r in reviewers]
        done, pending = await asyncio.wait(tasks, timeout=timeout_s)
        for task in pending:
            task.cancel()
        for reviewer, task in zip(reviewers, tasks, strict=True):
            if task not in done:
                log.debug("reviewer %s timed out", reviewer.name)
            elif task.exception() is not None:
                log.debug("reviewer %s failed: %r", reviewer.name, task.exception())
            else:
                review = task.result()
                if 0.0 <= review.score <= 1.0:
                    answers.append(review)
    if len(answers) >= 2:
        mean = sum(a.score for a in answers) / len(answers)
        votes = sum(a.important for a in answers)
        # The majority's verdict bounds the score: a "not important" majority cannot yield an
        # important score, and vice versa.
        score = max(mean, IMPORTANT_AT) if votes * 2 > len(answers) else min(mean, IMPORTANT_AT - 0.01)
        return Importance(round(score, 4), Tier.CONSENSUS)
    if len(answers) == 1 and answers[0].important:
        return Importance(answers[0].score, Tier.SINGLE)
    return Importance(heuristic_importance(memory_type, content), Tier.HEURISTIC)
