"""The retrieval pipeline timed in-process (no HTTP) on one index, and its engine queries replayed.

`pipeline_search_ms` is the search stage as the pipeline times it; `measure_engine_queries` asks the
index for the same first-round searches again, alone: what the engine itself takes for them, which
the floor's report sets beside the floor (`engine_bound_over_floor`, floor.py).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any, cast

from mnemo.lab import ScoredPoint, SearchRequest, VectorIndex

from ..metrics import percentiles
from .scale_data import TENANT, retrieve_bodies


class FirstRounds:
    """An index that notes the first search of each retrieval (its first round) as it passes it on:
    `fresh()` before each retrieval."""

    def __init__(self, index: VectorIndex) -> None:
        self._index = index
        self._fresh = False
        self.rounds: list[list[SearchRequest]] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._index, name)

    def fresh(self) -> None:
        self._fresh = True

    async def search(self, requests: Sequence[SearchRequest]) -> list[list[ScoredPoint]]:
        if self._fresh:
            self.rounds.append(list(requests))
            self._fresh = False
        return await self._index.search(requests)


async def measure_engine_queries(index: VectorIndex, rounds: list[list[SearchRequest]]) -> dict[str, Any]:
    """Each retrieval's first-round searches asked of the index again, one round at a time: wall and
    CPU (this process's, all its threads: the engine's own included) ms."""
    took, cpu = [], []
    for requests in rounds:
        started, cpu_started = time.perf_counter(), time.process_time()
        await index.search(requests)
        took.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - cpu_started) * 1000)
    return {"rounds": len(took), "search_ms": percentiles(took), "cpu_ms": percentiles(cpu)}


async def pipeline_search_ms(
    index: VectorIndex,
    embedder: Any,
    tokenizers: Any,
    questions: list[str],
    budget: int,
    first_rounds: list[list[SearchRequest]] | None = None,
) -> dict[str, float]:
    """search_ms of mnemo's own retrieval pipeline over one index (no HTTP), same requests each time.
    `first_rounds` gets each timed retrieval's first-round searches."""
    from mnemo.lab import pipeline_retrieval

    recorder = FirstRounds(index)
    retrieve = pipeline_retrieval(cast(VectorIndex, recorder), embedder, tokenizers)
    search_ms = []
    for i, question in enumerate(questions):
        recorder.fresh()
        timings_ms = await retrieve(TENANT, retrieve_bodies([question], budget)[0])
        if i >= 3:  # the first few warm caches up
            search_ms.append(timings_ms["search_ms"])
    if first_rounds is not None:
        first_rounds.extend(recorder.rounds[3:])
    return percentiles(search_ms)
