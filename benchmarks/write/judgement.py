"""`mnemo bench write`: how well the write path judges what it is told, on the labelled set of
`mnemo.benchmarks.write.cases`, through the HTTP API with its defaults (pre-filter and dedup on).

Per memory type and case kind it counts:

- facts lost: memories that should be visible (every distinct look-alike, the newer statement of
  an update, at least one copy of a duplicate) but were not stored or are hidden (superseded);
- duplicates absorbed: duplicate cases that end with exactly one visible memory;
- updates resolved: update cases whose newer statement wins: the older one is superseded or gone,
  or the newer ranks above it when the case's question is asked;
- noise dropped: noise items skipped with a reason (or refused with a 422 naming the field).
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ..report import machine, machine_line, markdown_blocks, table, write_outputs
from ..target import Target
from .cases import KINDS, NOW, TYPES, Case

# The targets of the write path, checked in the summary.
TARGETS = {"facts_lost": 0, "noise_dropped": 0.95, "duplicates_absorbed": 0.90, "updates_resolved": 0.90}


async def _post(target: Target, memories: list[dict[str, Any]]) -> tuple[int, list[dict[str, Any]]]:
    reply = await target.client.request("POST", "/v1/memories", json={"memories": memories})
    if reply.status == 201:
        return 201, reply.body["results"]
    return reply.status, [{"status": f"http {reply.status}", "reason": reply.text[:300]}]


async def _visible(
    target: Target, scope: dict[str, str], include_superseded: bool = False
) -> list[dict[str, Any]]:
    params: dict[str, str | int | bool] = {**scope, "limit": 500, "include_superseded": include_superseded}
    reply = await target.client.request("GET", "/v1/memories", params=params)
    memories: list[dict[str, Any]] = reply.raise_for_status().body["memories"]
    return memories


def _key(memory: dict[str, Any]) -> tuple[str, str | None, str | None]:
    return memory["content"], memory.get("due_at"), memory.get("trigger")


async def run_case(target: Target, case: Case) -> dict[str, Any]:
    """Write the case's steps into a scope of its own, then judge what is visible."""
    scope = {"user_id": f"wb-{case.id}"}
    statuses: list[dict[str, Any]] = []
    for step in case.steps:
        code, results = await _post(target, [{**m, "scope": scope} for m in step])
        statuses.extend(results)
        if code == 422 and case.kind != "noise":
            raise RuntimeError(f"case {case.id}: 422 {results[0]['reason']}")
    visible = await _visible(target, scope)
    out: dict[str, Any] = {"id": case.id, "type": case.type, "kind": case.kind, "variant": case.variant}
    out["statuses"] = [r["status"] for r in statuses]
    if case.kind == "noise":
        out["dropped"] = not visible and all(
            r["status"] == "skipped" or r["status"] == "http 422" for r in statuses
        )
        out["reasons"] = [r.get("reason") for r in statuses]
    elif case.kind == "distinct":
        shown = [(m["content"], m.get("due_at"), m.get("trigger"), m.get("occurred_at")) for m in visible]
        out["expected"] = len(case.memories)
        out["lost"] = max(0, len(case.memories) - len(set(shown)))
    elif case.kind == "duplicate":
        everything = await _visible(target, scope, include_superseded=True)
        out["visible"] = len(visible)
        out["absorbed"] = len(visible) == 1
        out["lost"] = int(
            not visible or case.memories[0]["content"] not in {m["content"] for m in everything}
        )
    else:
        out.update(await _judge_update(target, case, scope, visible))
    return out


async def _judge_update(
    target: Target, case: Case, scope: dict[str, str], visible: list[dict[str, Any]]
) -> dict[str, Any]:
    old, new = case.memories[0], case.memories[-1]
    shown = {m["content"] for m in visible}
    if new["content"] not in shown:
        return {"lost": 1, "resolved": False, "how": "newer not visible"}
    if old["content"] not in shown:
        return {"lost": 0, "resolved": True, "how": "older superseded"}
    body: dict[str, Any] = {"query": case.query, "scope": scope, "types": [case.type], "budget_tokens": 500}
    body["now"] = NOW
    body["ranking"] = {"diversity": 0}  # both versions must be candidates, however alike they read
    answer = await target.retrieve(body)
    order = [m["content"] for m in answer["memories"]]
    new_rank = order.index(new["content"]) if new["content"] in order else None
    old_rank = order.index(old["content"]) if old["content"] in order else None
    resolved = new_rank is not None and (old_rank is None or new_rank < old_rank)
    return {"lost": 0, "resolved": resolved, "how": f"ranked new {new_rank} old {old_rank}"}


def _ratio(hits: int, total: int) -> float | None:
    return round(hits / total, 4) if total else None


def summarize(outcomes: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Counts per (type, kind), per kind over all types, and per variant."""
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for o in outcomes:
        for key in (f"{o['type']}/{o['kind']}", f"all/{o['kind']}", f"variant/{o['kind']}/{o['variant']}"):
            groups[key].append(o)
    cells: dict[str, Any] = {}
    for key, members in sorted(groups.items()):
        kind = members[0]["kind"]
        cell: dict[str, Any] = {"cases": len(members), "memories": 0}
        if kind == "noise":
            cell["noise_dropped"] = _ratio(sum(o["dropped"] for o in members), len(members))
        else:
            cell["facts_lost"] = sum(o["lost"] for o in members)
        if kind == "duplicate":
            cell["duplicates_absorbed"] = _ratio(sum(o["absorbed"] for o in members), len(members))
        if kind == "update":
            cell["updates_resolved"] = _ratio(sum(o["resolved"] for o in members), len(members))
        cells[key] = cell
    return cells


async def run_write_bench(
    target: Target, cases: Sequence[Case], say: Callable[[str], None] = lambda _: None
) -> dict[str, Any]:
    info = machine()
    started = time.perf_counter()
    outcomes = []
    for n, case in enumerate(cases, 1):
        outcomes.append(await run_case(target, case))
        if n % 50 == 0:
            say(f"write: {n}/{len(cases)} cases")
    cells = summarize(outcomes)
    overall = {
        "facts_lost": sum(o.get("lost", 0) for o in outcomes),
        "noise_dropped": cells.get("all/noise", {}).get("noise_dropped"),
        "duplicates_absorbed": cells.get("all/duplicate", {}).get("duplicates_absorbed"),
        "updates_resolved": cells.get("all/update", {}).get("updates_resolved"),
    }
    met = {
        "facts_lost": overall["facts_lost"] == 0,
        **{
            k: (overall[k] or 0) >= TARGETS[k]
            for k in ("noise_dropped", "duplicates_absorbed", "updates_resolved")
        },
    }
    failures = [
        o
        for o in outcomes
        if o.get("lost")
        or o.get("dropped") is False
        or o.get("absorbed") is False
        or o.get("resolved") is False
    ]
    return {
        "machine": info,
        "target": target.description,
        "cases": len(cases),
        "memories": sum(len(c.memories) for c in cases),
        "seconds": round(time.perf_counter() - started, 1),
        "overall": overall,
        "targets": TARGETS,
        "targets_met": met,
        "cells": cells,
        "failures": failures,
    }


def write_write_outputs(results: dict[str, Any], out: Path) -> None:
    overall = results["overall"]
    met = ", ".join(f"{k} {'met' if v else 'MISSED'}" for k, v in results["targets_met"].items())
    text = markdown_blocks(
        "# mnemo bench write",
        machine_line(results["machine"]),
        f"{results['cases']} cases, {results['memories']} memories, through {results['target']} "
        f"in {results['seconds']} s. Overall: facts lost {overall['facts_lost']}, noise dropped "
        f"{overall['noise_dropped']}, duplicates absorbed {overall['duplicates_absorbed']}, updates "
        f"resolved {overall['updates_resolved']}. Targets: {met}.",
        "Per type (cases in brackets): distinct = look-alike facts lost; duplicate = absorbed; "
        "update = resolved; noise = dropped; last column: all facts lost (distinct, duplicate, update).",
        _per_type_table(results["cells"]),
        "Per variant:",
        _per_variant_table(results["cells"]),
        f"Cases that missed: {len(results['failures'])} (listed in results.json).",
    )
    write_outputs(out, results, text)


def _per_type_table(cells: dict[str, Any]) -> str:
    def cell(memory_type: str, kind: str, metric: str) -> str:
        value = cells.get(f"{memory_type}/{kind}", {}).get(metric)
        if value is None:
            return "–"
        return f"{value:.0%}" if isinstance(value, float) else str(value)

    metric_of = {
        "distinct": "facts_lost",
        "duplicate": "duplicates_absorbed",
        "update": "updates_resolved",
        "noise": "noise_dropped",
    }
    rows = [
        [memory_type]
        + [
            f"{cell(memory_type, k, metric_of[k])} ({cells.get(f'{memory_type}/{k}', {}).get('cases', 0)})"
            for k in KINDS
        ]
        + [str(sum(cells.get(f"{memory_type}/{k}", {}).get("facts_lost", 0) for k in KINDS[:3]))]
        for memory_type in (*TYPES, "all")
    ]
    return table(
        [
            "type",
            "distinct: lost",
            "duplicate: absorbed",
            "update: resolved",
            "noise: dropped",
            "facts lost",
        ],
        rows,
    )


def _per_variant_table(cells: dict[str, Any]) -> str:
    variants = [
        [key.split("/", 2)[1], key.split("/", 2)[2], c["cases"]]
        + [c.get(m, "–") for m in ("facts_lost", "duplicates_absorbed", "updates_resolved", "noise_dropped")]
        for key, c in cells.items()
        if key.startswith("variant/")
    ]
    return table(["kind", "variant", "cases", "facts lost", "absorbed", "resolved", "dropped"], variants)
