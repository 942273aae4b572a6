"""`mnemo bench scopes`: a dataset of small and large stores cut from a benchmark's haystacks, so that
confidence is fitted and judged on every store size a user meets, not only on long histories.

For each chosen question, one shuffled pool of its haystack (the evidence first) is cut into nested
scopes of each size: with the evidence (as much of it as fits; `relevant_ids` are the evidence turns
the scope holds) and without it (only other turns; nothing answers, `relevant_ids` is empty). A
question nothing answers (an abstention set's) gets the cuts without evidence only, the turns the
benchmark marks as near its topic (`has_answer_ids`) first: the hardest store to abstain in. Every
scope is its own `user_id`, its memories copies of the haystack's with ids of their own, so one
`mnemo bench quality` run judges them all; a query's id says its size band (`<question>@<size>+` with
the evidence, `@<size>-` without), its category is the question's. Deterministic for a seed.
"""

from __future__ import annotations

import json
import random
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

SIZES = (1, 3, 10, 30, 100, 500)
WITHOUT_SIZES = (1, 3, 30, 100, 500)


def _read(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").split("\n") if line.strip()]


def size_band(query_id: str) -> str:
    """The size band of a scoped query id (`q@30+` → `30`); `full` for a query of a whole haystack."""
    _, at, rest = query_id.rpartition("@")
    return rest.rstrip("+-") if at and rest[-1:] in "+-" else "full"


def _choose(queries: Sequence[dict[str, Any]], per_category: int, rng: random.Random) -> list[dict[str, Any]]:
    by_category: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for q in queries:
        by_category[q.get("category", "")].append(q)
    chosen = []
    for category in sorted(by_category):
        group = by_category[category]
        chosen += rng.sample(group, min(per_category, len(group)))
    return chosen


def scoped(
    memories: Iterable[Mapping[str, Any]],
    queries: Sequence[dict[str, Any]],
    per_category: int,
    seed: int = 1,
    sizes: Sequence[int] = SIZES,
    without_sizes: Sequence[int] = WITHOUT_SIZES,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The scoped memories and queries of up to `per_category` questions of each category."""
    rng = random.Random(seed)
    by_scope: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for m in memories:
        by_scope[json.dumps(m.get("scope", {}), sort_keys=True)].append(m)
    out_memories: list[dict[str, Any]] = []
    out_queries: list[dict[str, Any]] = []
    for q in _choose(queries, per_category, rng):
        haystack = by_scope[json.dumps(q.get("scope", {}), sort_keys=True)]
        evidence = [m for m in haystack if m["id"] in set(q["relevant_ids"])]
        others = [m for m in haystack if m["id"] not in set(q["relevant_ids"])]
        rng.shuffle(others)
        near = set(q.get("has_answer_ids", ()))
        others.sort(key=lambda m: m["id"] not in near)  # stable: the near turns first, then shuffled
        cuts = [(n, True) for n in sizes if evidence] + [(n, False) for n in without_sizes]
        for size, with_evidence in cuts:
            held = evidence[:size] if with_evidence else []
            pool = held + others[: size - len(held)]
            if len(pool) < 0.8 * size:
                continue  # a haystack smaller than the band: the band would repeat a smaller one
            name = f"{q['id']}@{size}{'+' if with_evidence else '-'}"
            scope = {"user_id": name}
            for m in pool:
                out_memories.append({**m, "id": f"{m['id']}@{name}", "scope": scope})
            out_queries.append(
                {
                    "id": name,
                    "query": q["query"],
                    "scope": scope,
                    "relevant_ids": [f"{m['id']}@{name}" for m in held],
                    "category": q.get("category", "uncategorized"),
                    **({"now": q["now"]} if q.get("now") else {}),
                }
            )
    return out_memories, out_queries


def write_scoped(
    dataset: Path,
    out: Path,
    per_category: int,
    seed: int = 1,
    sizes: Sequence[int] = SIZES,
    without_sizes: Sequence[int] = WITHOUT_SIZES,
) -> tuple[int, int]:
    memories, queries = scoped(
        _read(dataset / "memories.jsonl"),
        _read(dataset / "queries.jsonl"),
        per_category,
        seed,
        sizes,
        without_sizes,
    )
    out.mkdir(parents=True, exist_ok=True)
    for name, rows in (("memories.jsonl", memories), ("queries.jsonl", queries)):
        (out / name).write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return len(memories), len(queries)
