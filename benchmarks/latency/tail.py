"""Where the one-client tail of `mnemo bench latency` comes from: the start, the questions or their repeats.

A p95 above the p50 has two sources that call for different cures. Some questions cost more than
others (a longer query to embed, more candidates, a second search round): that spread is the
workload's and stays whatever the service does. The same question asked again can also take longer
than it usually does (scheduling, a collection, a page fault, the machine's other work): that
spread is the service's and its machine's. With each question asked several times (`--requests`
a multiple of the pool's questions), `tail_split` tells the two apart for the HTTP time and each
stage, and `steal_share` says how much of the machine's time its host took meanwhile.

A fresh server also waits for the disk on its first retrievals (its libraries' code and the stores'
pages touched for the first time, or paged out since by a host that reclaims untouched memory):
`warm_up` asks every question once, then goes on until a block of retrievals takes no major page
fault, so that the timed levels measure the service, not its start.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from pathlib import Path
from statistics import median
from typing import Any

from ..metrics import percentiles
from ..server import Sample, drive, work_of

TAIL_STAGES = ("http_ms", "embed_ms", "search_ms", "pack_ms")
MIN_REPEATS = 3  # asked fewer times, a question's median says too little about its usual time
WARMUP_BLOCKS = 20  # at most this many more warm-up blocks: a server that keeps faulting is timed anyway


def _value(sample: Sample, stage: str) -> float | None:
    return sample.http_ms if stage == "http_ms" else sample.timings_ms.get(stage)


def tail_split(samples: Sequence[Sample]) -> dict[str, dict[str, float]]:
    """Per stage: `p95_over_p50` of all samples; `questions_p95_over_p50`, the same with each sample
    replaced by its question's median (the questions' own costs alone); `repeat_p95` and
    `repeat_p99`, how many times its question's median a sample takes at that percentile (the
    spread of repeats). Only questions asked at least `MIN_REPEATS` times count; empty when none is."""
    out: dict[str, dict[str, float]] = {}
    for stage in TAIL_STAGES:
        by_question: dict[int, list[float]] = defaultdict(list)
        for s in samples:
            value = _value(s, stage)
            if s.question >= 0 and value is not None:
                by_question[s.question].append(value)
        repeated = {q: values for q, values in by_question.items() if len(values) >= MIN_REPEATS}
        if not repeated:
            continue
        medians = {q: median(values) for q, values in repeated.items()}
        values = [v for vs in repeated.values() for v in vs]
        own = [medians[q] for q, vs in repeated.items() for _ in vs]
        ratios = [v / medians[q] for q, vs in repeated.items() for v in vs if medians[q] > 0]
        overall, questions, repeats = percentiles(values), percentiles(own), percentiles(ratios)
        out[stage] = {
            "p95_over_p50": round(overall["p95"] / overall["p50"], 3),
            "questions_p95_over_p50": round(questions["p95"] / questions["p50"], 3),
            "repeat_p95": round(repeats["p95"], 3),
            "repeat_p99": round(repeats["p99"], 3),
            "questions": len(repeated),
            "repeats_per_question": round(len(values) / len(repeated), 1),
        }
    return out


def cpu_times() -> list[int] | None:
    """The machine's CPU time so far, in ticks (`/proc/stat`'s first line); None off Linux."""
    try:
        first = Path("/proc/stat").read_text().splitlines()[0].split()
    except OSError:
        return None
    return [int(v) for v in first[1:]]


def steal_share(before: list[int] | None, after: list[int] | None) -> float | None:
    """The share of the machine's time its hypervisor gave to others between two `cpu_times`."""
    if before is None or after is None or len(before) < 8 or len(after) < 8:
        return None
    spent = [b - a for a, b in zip(before, after, strict=False)]
    total = sum(spent[:8])  # user nice system idle iowait irq softirq steal (guest time is in user)
    return round(spent[7] / total, 4) if total else None


async def warm_up(
    url: str, pid: int, bodies: Sequence[dict[str, Any]], block: int, max_seconds: float
) -> dict[str, Any]:
    """One client asks every question once (at least `block` retrievals), then goes on through the
    questions in blocks of `block` until a block takes no major page fault on the server (at most
    `WARMUP_BLOCKS` more): how many retrievals that took, the faults they waited on, their p50."""
    asked: list[Sample] = []
    faults, start, size = 0, 0, max(block, len(bodies))
    for _ in range(WARMUP_BLOCKS + 1):
        before = work_of(pid)
        samples, _, _ = await drive(url, [*bodies[start:], *bodies[:start]], 1, size, max_seconds)
        after = work_of(pid)
        asked += samples
        waited = 0 if before is None or after is None else int(after["major_faults"] - before["major_faults"])
        faults += waited
        if not waited or not samples:
            break
        start, size = (start + size) % len(bodies), block
    http = percentiles([s.http_ms for s in asked]) if asked else {}
    return {"requests": len(asked), "major_faults": faults, "http_p50_ms": http.get("p50")}


def tail_lines(sizes: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """The summary's lines on one client's tail at each size whose run asked each question repeatedly."""
    lines = []
    for size, run in sizes.items():
        warmup = run.get("warmup")
        if warmup:
            lines.append(
                f"- {int(size):,} memories, after the start: {warmup['requests']} warm-up retrievals (each "
                f"question once, then on until a block waited on no disk read; {warmup['major_faults']} "
                f"major page faults, p50 {warmup['http_p50_ms']:.1f} ms); the levels below were timed after"
            )
        level = run["http"].get("1", {})
        split = level.get("tail")
        if not split or "http_ms" not in split:
            continue
        http = split["http_ms"]
        stages = ", ".join(
            f"{stage.removesuffix('_ms')} {split[stage]['repeat_p95']:.2f}x"
            for stage in TAIL_STAGES[1:]
            if stage in split
        )
        steal = level.get("steal_share")
        lines.append(
            f"- {int(size):,} memories, 1 client, each of {http['questions']} questions asked "
            f"{http['repeats_per_question']:g} times: http p95 / p50 {http['p95_over_p50']:.2f}; "
            f"the questions' own costs {http['questions_p95_over_p50']:.2f} (their medians' p95 / p50); "
            f"a question asked again takes {http['repeat_p95']:.2f}x its median at p95 "
            f"({http['repeat_p99']:.2f}x at p99; {stages})"
            + ("" if steal is None else f"; the host took {steal:.1%} of the machine's time")
        )
    if not lines:
        return []
    return ["", "## The tail: the start, the questions or their repeats", "", *lines]
