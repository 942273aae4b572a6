"""Added cost of the meaning check of the newer-first lift, per retrieval.

600 semantic facts about 20 people (30 each, a month apart: every pair of one person's facts passes
the name and time checks, the worst case for the vectors read), on Qdrant Edge with MiniLM; the same
queries through one Retriever, alternating: meaning check on (0.55) and off (`NEWER_FIRST_MIN_COSINE` 0).
Pass 1 reads the compared vectors from the engine (the cache filling), pass 2 finds them cached.
Run from the repository root (the argument: where results.json goes):
`PYTHONPATH=. .venv/bin/python benchmarks/results/lift-cost/measure.py OUT_DIR`
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from mnemo.backends.embedding.embedder import SentenceTransformerEmbedder
from mnemo.memtypes.records import MemoryIn, Scope
from mnemo.memtypes.requests import RetrieveRequest
from mnemo.memtypes.types import MemoryType
from mnemo.retrieval.pipeline import RetrievalConfig, Retriever
from mnemo.retrieval.stages import rank
from tests.backends.constructed_store import TENANT, constructed_store

PEOPLE = [
    "Alice", "Bob", "Carol", "Dave", "Eve", "Frank", "Grace", "Heidi", "Ivan", "Judy",
    "Mallory", "Niaj", "Olivia", "Peggy", "Rupert", "Sybil", "Trent", "Victor", "Walter", "Yolanda",
]  # fmt: skip
ATTRIBUTES = [
    "is allergic to {x}", "lives in {x}", "works as a {x}", "has a pet {x}", "likes to drink {x}",
    "plays the {x}", "was born in {x}", "drives a {x}", "reads books about {x}", "collects {x}",
]  # fmt: skip
VALUES = [
    "peanuts", "Denver", "pilot", "cat", "green tea", "violin", "Lisbon", "Volvo", "history", "stamps",
    "shellfish", "Boston", "nurse", "dog", "coffee", "piano", "Osaka", "Toyota", "gardening", "coins",
]  # fmt: skip
QUESTIONS = [
    "What is {n} allergic to?", "Where does {n} live?", "What is {n}'s job?", "What pet does {n} have?",
    "What does {n} like to drink?", "Which instrument does {n} play?",
]  # fmt: skip
NOW = datetime(2026, 8, 1, tzinfo=UTC)
SCOPE = Scope(user_id="u")


def facts() -> list[MemoryIn]:
    rng = random.Random(7)
    return [
        MemoryIn(
            type=MemoryType.SEMANTIC,
            content=f"{n} {ATTRIBUTES[k % len(ATTRIBUTES)].format(x=rng.choice(VALUES))}.",
            scope=SCOPE,
            occurred_at=NOW - timedelta(days=30 * k + 1),
        )
        for n in PEOPLE
        for k in range(30)
    ]


def summary(search: list[float], total: list[float]) -> dict[str, float]:
    s, t = sorted(search), sorted(total)
    return {
        "n": len(s),
        "search_ms_p50": statistics.median(s),
        "search_ms_p95": s[int(0.95 * len(s))],
        "search_ms_mean": statistics.fmean(s),
        "total_ms_p50": statistics.median(t),
        "total_ms_p95": t[int(0.95 * len(t))],
    }


async def main(out: Path) -> None:
    embedder = SentenceTransformerEmbedder()
    async with constructed_store(Path(tempfile.mkdtemp()) / "edge", embedder, facts()) as store:
        retriever = Retriever(store.index, embedder, store.tokenizers, RetrievalConfig(), sparse=store.sparse)
        min_cosine = {"on": rank.NEWER_FIRST_MIN_COSINE, "off": 0.0}
        queries = [q.format(n=n) for n in PEOPLE for q in QUESTIONS]
        search: dict[str, list[float]] = {}
        total: dict[str, list[float]] = {}
        for rep in (1, 2):
            for i, query in enumerate(queries):
                for name in ("on", "off") if (i + rep) % 2 else ("off", "on"):
                    request = RetrieveRequest(
                        query=query, scope=SCOPE, types=[MemoryType.SEMANTIC], budget_tokens=2000, now=NOW
                    )
                    rank.NEWER_FIRST_MIN_COSINE = min_cosine[name]
                    started = time.perf_counter()
                    response = await retriever.retrieve(TENANT, request)
                    key = f"{name} pass {rep}"
                    total.setdefault(key, []).append((time.perf_counter() - started) * 1000)
                    search.setdefault(key, []).append(response.metadata.timings_ms["search_ms"])
        results: dict[str, Any] = {key: summary(search[key], total[key]) for key in search}
        results["load_average"] = os.getloadavg()
        print(json.dumps(results, indent=1))
        (out / "results.json").write_text(json.dumps(results, indent=1) + "\n")
    embedder.close()


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1])))
