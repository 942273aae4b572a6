"""`python -m mnemo.benchmarks.quality.repeatability`: does a fixed store answer the same retrievals
alike from one process to the next, and where it does not, which part of the engine's search differs.

A store is written once: generated memories with no two alike in a scope (by text or by time: two
such score exactly alike), or a dataset's (`--memories`, `--queries`). Then two fresh processes,
one after the other, open it and ask the same retrievals (every question in each of `VARIANTS`,
hybrid search, the question's `now` or a fixed one) over the API, recording each search the
retrievals send to the engine; each search is then asked again alone, as the service asks it, as its
dense list alone, its BM25 list alone and, for a two-stage search, its relevance stage alone (cut to
the stage's limit). The two processes' answers are compared bit for bit: which differ, in which
points, in which scores, and whether the points that come and go all tie at a stage's cut without a
dense score. `tests/e2e/reads/test_retrieval_replay_http.py` replays the same retrievals.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from mnemo.lab import searched_by_part, searches_recorded
from mnemo_client.models import MemoryIn

from ..dataset import load_dataset
from ..report import machine, machine_line, table, write_outputs
from ..synthetic import generate
from ..target import BenchError, open_target

MODULE = "mnemo.benchmarks.quality.repeatability"
NOW = "2025-08-01T09:00:00Z"
VARIANTS: list[dict[str, Any]] = [
    {"budget_tokens": 300},
    {"budget_tokens": 2000},
    {"budget_tokens": 120, "explain": True},
    {"budget_tokens": 800, "explain": True, "min_score": 0.3},
    {"budget_tokens": 600, "types": ["semantic", "procedural", "prospective"]},
    {"budget_tokens": 1000, "types": ["episodic"], "ranking": {"neighbours": 2}},
    {"budget_tokens": 500, "min_confidence": 0.2},
]
# The only part of an answer that is a measurement rather than an answer.
TIMINGS = re.compile(r'"timings_ms":\{[^{}]*\}')
KINDS = ("dense", "bm25", "stage", "search")


def store_and_questions(size: int, seed: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Generated memories with no two alike in a scope (same words or same time), and the questions."""
    memories, queries = generate(size, seed=seed)
    seen: set[tuple[str, str]] = set()
    unique = []
    for memory in memories:
        user = memory["scope"]["user_id"]
        if (user, memory["content"]) in seen or (user, memory["occurred_at"]) in seen:
            continue
        seen.update({(user, memory["content"]), (user, memory["occurred_at"])})
        unique.append(memory)
    return unique, queries


def dataset_store(memories: Path, queries: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """A dataset's memories (those the service would store) and its questions, each with its clock."""
    dataset = load_dataset(memories, queries, unanswerable=True)
    return [m.model_dump(mode="json", exclude_none=True) for m in dataset.memories], [
        {"query": q.query, "scope": q.scope.model_dump(exclude_none=True), "now": q.now and q.now.isoformat()}
        for q in dataset.queries
    ]


def bodies(queries: list[dict[str, Any]], search: str) -> list[dict[str, Any]]:
    """Each question in its own scope, in every variant, searched `search`."""
    return [
        {
            "query": query["query"],
            "scope": query["scope"],
            "now": query.get("now") or NOW,
            **variant,
            "ranking": {**variant.get("ranking", {}), "search": search},
        }
        for query in queries
        for variant in VARIANTS
    ]


async def answer(data_dir: Path, questions: list[dict[str, Any]]) -> dict[str, Any]:
    """One process's answers: each retrieval's body (less its timings), then each search it sent,
    part by part, as [id, score] lists."""
    async with open_target(data_dir=data_dir) as target:
        assert target.app is not None
        answers, contexts = [], []
        with searches_recorded(target.app) as sent:
            for body in bodies(questions, "hybrid"):
                reply = await target.client.request("POST", "/v1/retrieve", json=body)
                if reply.status != 200:
                    raise BenchError(f"POST /v1/retrieve answered {reply.status}: {reply.text[:500]}")
                answers.append(TIMINGS.sub("", reply.text))
                contexts.append(reply.body["context"])
        searches = []
        for request in sent:
            found = await searched_by_part(target.app, request)
            searches.append({kind: [[p.id, p.score] for p in points] for kind, points in found.items()})
        return {"answers": answers, "contexts": contexts, "searches": searches}


def compare(first: dict[str, Any], second: dict[str, Any]) -> dict[str, Any]:
    """Where two processes' answers differ, by kind of search."""
    unlike_answers = sum(a != b for a, b in zip(first["answers"], second["answers"], strict=True))
    # The context is what a model is given: an answer may differ only in what it left out.
    unlike_contexts = sum(a != b for a, b in zip(first["contexts"], second["contexts"], strict=True))
    kinds: dict[str, dict[str, int]] = {
        k: {"asked": 0, "unlike": 0, "other_points": 0, "other_scores": 0} for k in KINDS
    }
    tied_cut = 0
    for one, two in zip(first["searches"], second["searches"], strict=True):
        for kind, points in one.items():
            row, a, b = kinds[kind], dict(map(tuple, points)), dict(map(tuple, two[kind]))
            row["asked"] += 1
            row["unlike"] += points != two[kind]
            row["other_points"] += set(a) != set(b)
            row["other_scores"] += any(a[i] != b[i] for i in set(a) & set(b))
            if kind == "stage" and set(a) != set(b):
                cut, dense = points[-1][1], {i for i, _ in one.get("dense", [])}
                moved = set(a) ^ set(b)
                tied_cut += all(a.get(i, b.get(i)) == cut and i not in dense for i in moved)
    return {
        "answers": len(first["answers"]),
        "answers_unlike": unlike_answers,
        "contexts_unlike": unlike_contexts,
        "searches": kinds,
        "stages_with_other_points_all_tied_at_the_cut_without_a_dense_score": tied_cut,
    }


def _store(args: argparse.Namespace) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    if args.memories is not None:
        return dataset_store(args.memories, args.queries)
    return store_and_questions(args.size, args.seed)


def _source(args: argparse.Namespace) -> list[str]:
    """The arguments that name the store, for a child to build the same questions."""
    if args.memories is not None:
        return ["--memories", str(args.memories), "--queries", str(args.queries)]
    return ["--size", str(args.size), "--seed", str(args.seed)]


def measure(args: argparse.Namespace) -> dict[str, Any]:
    started_on = machine()
    memories, _ = _store(args)
    with tempfile.TemporaryDirectory(prefix="mnemo-repeat-") as scratch:
        data_dir = Path(scratch) / "data"

        async def write() -> None:
            async with open_target(data_dir=data_dir) as target:
                await target.write([MemoryIn.model_validate(m) for m in memories])

        asyncio.run(write())
        runs = []
        for n in (1, 2):
            out = Path(scratch) / f"answers-{n}.json"
            # A fresh process each: what differs between two engines opening one store.
            command = [sys.executable, "-m", MODULE, "--answer", str(data_dir), "--to", str(out)]
            subprocess.run([*command, *_source(args)], check=True)  # noqa: S603
            runs.append(json.loads(out.read_text()))
    source = (
        str(args.memories) if args.memories is not None else f"generated, size {args.size}, seed {args.seed}"
    )
    return {"memories": len(memories), "source": source, **compare(*runs), "machine": started_on}


def summary(result: dict[str, Any]) -> str:
    names = {
        "dense": "dense list alone",
        "bm25": "BM25 list alone",
        "stage": "relevance stage alone (its cut)",
        "search": "the search as the service asks it",
    }
    rows = [
        [names[k], v["asked"], v["unlike"], v["other_points"], v["other_scores"]]
        for k, v in result["searches"].items()
        if v["asked"]
    ]
    return "\n".join(
        [
            "# Retrievals on a fixed store, from one process to the next",
            "",
            f"{result['memories']} memories ({result['source']}); "
            f"{result['answers']} hybrid retrievals asked in each of two fresh processes: "
            f"**{result['answers_unlike']}** answers differ (less their timings), "
            f"**{result['contexts_unlike']}** in their context.",
            "",
            table(
                ["the engine's searches", "asked", "unlike", "with other points", "with other scores"], rows
            ),
            "",
            "Relevance stages holding other points whose every point that comes and goes ties at the "
            "stage's cut and has no dense score: "
            f"{result['stages_with_other_points_all_tied_at_the_cut_without_a_dense_score']}.",
            "",
            machine_line(result["machine"]),
            "",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=f"python -m {MODULE}")
    parser.add_argument(
        "--size", type=int, default=1_600, help="memories generated (before dropping look-alikes)"
    )
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--memories", type=Path, help="a dataset's memories.jsonl instead (with --queries)")
    parser.add_argument("--queries", type=Path, help="its queries.jsonl: each question's scope and now")
    parser.add_argument("--out", type=Path, help="write results.json and summary.md here")
    parser.add_argument("--answer", type=Path, help=argparse.SUPPRESS)  # a child: answer on this data dir
    parser.add_argument("--to", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if (args.memories is None) != (args.queries is None):
        parser.error("--memories and --queries go together")
    if args.answer is not None:
        _, questions = _store(args)
        args.to.write_text(json.dumps(asyncio.run(answer(args.answer, questions))), encoding="utf-8")
        return 0
    result = measure(args)
    text = summary(result)
    if args.out is not None:
        write_outputs(args.out, result, text)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
