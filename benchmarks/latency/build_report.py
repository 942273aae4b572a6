"""`mnemo bench build`'s outputs: results.json and a summary.md of its tables."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..report import machine_line, markdown_blocks, table, write_outputs


def write_build_outputs(results: dict[str, Any], out: Path) -> None:
    runs = results["runs"]
    text = markdown_blocks(
        "# mnemo bench build",
        machine_line(results["machine"]),
        f"Store: {results['store']}. Retrievals over HTTP at {results['rate']} a second (open loop: each "
        "timed from when it was due), idle, then while a second "
        f"client ingests into {', '.join(results['types'])} past the rebuild threshold "
        f"({results['threshold']}) and every rebuild runs to its end, then idle again.",
        "## Retrieval latency (ms)",
        _latency_table(runs),
        "## During / idle",
        _ratios_table(runs),
        _ingests_table(runs),
        "## Rebuilds (child mode: seconds per phase)",
        _builds_table(runs),
    )
    write_outputs(out, results, text)


def _latency_table(runs: list[dict[str, Any]]) -> str:
    rows = []
    for run in runs:
        for phase in ("idle", "ingest_phase", "build_phase", "during", "after"):
            p = run[phase]
            rows.append(
                [
                    run["mode"],
                    phase,
                    p["seconds"],
                    p["requests"],
                    p["errors"],
                    f"{p['p50']:.1f}",
                    f"{p['p95']:.1f}",
                    f"{p['p99']:.1f}",
                    f"{p['max']:.0f}",
                    p["over_1s"],
                    p["load_avg_1m"],
                ]
            )
    return table(
        ["mode", "phase", "s", "requests", "errors", "p50", "p95", "p99", "max", "> 1 s", "load"], rows
    )


def _ratios_table(runs: list[dict[str, Any]]) -> str:
    ratios = [
        [r["mode"], phase, r["ratios"][phase]["p50"], r["ratios"][phase]["p95"]]
        for r in runs
        for phase in ("ingest_phase", "build_phase", "during")
    ]
    return table(["mode", "phase", "p50 ×", "p95 ×"], ratios)


def _ingests_table(runs: list[dict[str, Any]]) -> str:
    ingests = [
        [
            r["mode"],
            i["seconds"],
            i["sent"],
            i["memories_per_s"],
            ", ".join(f"{t} {n}" for t, n in i["stored"].items()),
        ]
        for r in runs
        for i in [r["ingest"]]
    ]
    return table(["mode", "ingest s", "memories sent", "memories/s", "stored"], ingests)


def _builds_table(runs: list[dict[str, Any]]) -> str:
    builds = [
        [
            r["mode"],
            b.get("type", "?"),
            b.get("exported", ""),
            b.get("caught_up", ""),
            *(
                f"{b[k]:.2f}" if k in b else ""
                for k in ("export_s", "child_s", "load_s", "catch_up_s", "writes_held_s", "retire_s")
            ),
        ]
        for r in runs
        for b in r["builds"]
    ]
    return table(
        [
            "mode",
            "type",
            "exported",
            "caught up",
            "export",
            "child",
            "load",
            "catch-up",
            "writes held",
            "retire",
        ],
        builds,
    )
