"""Crash loops: SIGKILL a real `mnemo serve` during mixed writes, restart it in place, and
check that every acknowledged write is still there and that no child process outlived it.

One cycle: start the server on the same data dir (timed until `/ready` answers 200), read back
everything acknowledged so far, write memories, working-memory items and thread turns from several
clients for a random moment, SIGKILL the server (its embedded redis-server and engine children get
the kernel's parent-death signal: backends/children.py) and look for survivors. Only a 201 counts as
acknowledged; a request cut off by the kill was never promised.
"""

from __future__ import annotations

import asyncio
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mnemo_client import AsyncMnemo, Limits, MnemoConnectionError

from ..report import machine, machine_line, table, write_json
from ..server import LOOPBACK, _wait_ready, free_port

PRELOAD_BATCH = 500
WRITTEN_TYPES = ("episodic", "semantic")  # preloaded events, the writers' facts
VERIFY_BUDGET_TOKENS = 200_000


@dataclass(frozen=True)
class CrashLoopOptions:
    cycles: int = 20
    memories: int = 10_000  # preloaded before the first kill: the size a restart must reopen
    writers: int = 6
    write_s: tuple[float, float] = (1.0, 4.0)  # how long writes run before each kill (random in)
    seed: int = 0
    work_dir: Path | None = None
    ready_timeout_s: float = 600.0


@dataclass
class Acknowledged:
    """What the service promised: memory ids, working items by task, thread turns by thread."""

    memories: list[str] = field(default_factory=list)
    working: dict[str, list[str]] = field(default_factory=dict)
    turns: dict[str, list[str]] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        return {
            "memories": len(self.memories),
            "working_items": sum(map(len, self.working.values())),
            "thread_turns": sum(map(len, self.turns.values())),
        }


def alive(pid: int) -> bool:
    """A process that exists and has not exited (a zombie has)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2] not in "ZX"


def descendants(pid: int) -> list[int]:
    """Every live process below `pid`, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            children.setdefault(int(stat[stat.rindex(")") + 2 :].split()[1]), []).append(int(entry.name))
    found, queue = [], [pid]
    while queue:
        for child in children.get(queue.pop(), []):
            if alive(child):
                found += [child]
                queue.append(child)
    return found


_OPENED = re.compile(r"opened in ([\d.]+) s(?: \(([\d.]+) s since exec\))?: ([^;]*)")


def startup_steps(log: Path) -> dict[str, float]:
    """The last start's steps as the server logged them with "mnemo ready" (api/http/lifespan_steps.py):
    seconds since exec, opening in all, and each step's own (they overlap)."""
    found = _OPENED.findall(log.read_text(errors="replace"))
    if not found:
        return {}
    opened, since_exec, steps = found[-1]
    out = {"since_exec": float(since_exec)} if since_exec else {}
    out["opening"] = float(opened)
    for name, seconds in re.findall(r"(\w+) ([\d.]+) s", steps):
        out[name] = float(seconds)
    return out


class CrashLoop:
    def __init__(self, options: CrashLoopOptions, say: Callable[[str], None]) -> None:
        self.options = options
        self.say = say
        self.rng = random.Random(options.seed)
        # Short: the embedded Redis's unix socket path must stay under ~100 bytes.
        self.root = Path(tempfile.mkdtemp(prefix="mnemo-crash-", dir=options.work_dir))
        self.data_dir = self.root / "data"
        self.log = self.root / "serve.log"
        self.port = free_port()
        self.url = f"http://{LOOPBACK}:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None
        self.acked = Acknowledged()

    async def start(self) -> float:
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("MNEMO_")},
            "MNEMO_DATA_DIR": str(self.data_dir),
            "MNEMO_PORT": str(self.port),
            "MNEMO_LOG_FORMAT": "text",
            "MNEMO_WORKING__TTL_S": "86400",  # items stay live across the run: read back as they were
            "HF_HUB_OFFLINE": "1",
        }
        started = time.perf_counter()
        with self.log.open("a") as out:
            command = [sys.executable, "-m", "mnemo.cli.main", "serve"]
            self.process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)  # noqa: S603, ASYNC220
        await _wait_ready(self.process, self.url, self.log, self.options.ready_timeout_s)
        return time.perf_counter() - started

    async def kill(self) -> list[int]:
        """SIGKILL the server; the children still alive 10 s later (orphans)."""
        assert self.process is not None
        children = descendants(self.process.pid)
        self.process.send_signal(signal.SIGKILL)
        await asyncio.to_thread(self.process.wait, 60)
        deadline = time.monotonic() + 10
        # Polled: a process that is not our child has no exit to wait for.
        while (left := [p for p in children if alive(p)]) and time.monotonic() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.05)
        return left

    async def preload(self, client: AsyncMnemo) -> float:
        started = time.perf_counter()
        for start in range(0, self.options.memories, PRELOAD_BATCH):
            batch = [
                {"type": "episodic", "content": f"Preloaded event {i}: crate {i % 97} left dock {i % 13}."}
                for i in range(start, min(start + PRELOAD_BATCH, self.options.memories))
            ]
            body = {"memories": batch, "prefilter": False, "dedup": False}
            reply = await client.request("POST", "/v1/memories", json=body, timeout=600)
            reply.raise_for_status()
            self.acked.memories += [r["id"] for r in reply.body["results"]]
        return time.perf_counter() - started

    async def write_until(self, client: AsyncMnemo, cycle: int, writer: int, stop: asyncio.Event) -> None:
        task, n = f"crash-{cycle}-{writer}", 0
        thread = await client.request("POST", "/v1/threads", json={})
        thread_id = thread.body["id"] if thread.status == 201 else None
        while not stop.is_set():
            n += 1
            text = f"Cycle {cycle} writer {writer} note {n}: valve {n % 7} reads {n * 3} bar."
            kind = n % 3
            try:
                if kind == 0:
                    body = {"memories": [{"type": "semantic", "content": text}], "dedup": False}
                    reply = await client.request("POST", "/v1/memories", json=body)
                    if reply.status == 201:
                        self.acked.memories.append(reply.body["results"][0]["id"])
                elif kind == 1:
                    reply = await client.request("POST", f"/v1/working/{task}/items", json={"content": text})
                    if reply.status == 201:
                        self.acked.working.setdefault(task, []).append(text)
                elif thread_id is not None:
                    turn = {"role": "user", "content": text}
                    reply = await client.request("POST", f"/v1/threads/{thread_id}/turns", json=turn)
                    if reply.status == 201:
                        self.acked.turns.setdefault(thread_id, []).append(text)
            except MnemoConnectionError:
                return  # the server is gone: what was cut off was never acknowledged

    async def lost(self, client: AsyncMnemo) -> dict[str, int]:
        """Acknowledged writes that cannot be read back now."""
        lost = {"memories": 0, "working_items": 0, "thread_turns": 0}
        stored: set[str] = set()
        for memory_type in WRITTEN_TYPES:  # paged: one request per 500 memories, not one per memory
            params: dict[str, Any] = {"type": memory_type, "limit": 500, "include_superseded": True}
            while True:
                reply = await client.request("GET", "/v1/memories", params=params)
                reply.raise_for_status()
                stored.update(m["id"] for m in reply.body["memories"])
                if not (cursor := reply.body["next_cursor"]):
                    break
                params["cursor"] = cursor
        lost["memories"] = len(set(self.acked.memories) - stored)
        for task, texts in self.acked.working.items():
            items = (await client.request("GET", f"/v1/working/{task}")).body["items"]
            lost["working_items"] += len(set(texts) - {i["content"] for i in items})
        params = {"budget_tokens": VERIFY_BUDGET_TOKENS}
        for thread_id, texts in self.acked.turns.items():
            history = (await client.request("GET", f"/v1/threads/{thread_id}/history", params=params)).body
            lost["thread_turns"] += len(set(texts) - {t["content"] for t in history["turns"]})
        return lost


async def run_crash_loop(options: CrashLoopOptions, say: Callable[[str], None]) -> dict[str, Any]:
    loop = CrashLoop(options, say)
    info = machine()
    limits = Limits(max_connections=options.writers + 2, max_keepalive_connections=options.writers + 2)
    cycles: list[dict[str, Any]] = []
    first_ready_s = await loop.start()
    async with AsyncMnemo(loop.url, timeout=120, limits=limits, max_retries=0) as client:
        preload_s = await loop.preload(client)
    say(f"crash loop: {options.memories} memories preloaded in {preload_s:.0f} s")
    try:
        for cycle in range(1, options.cycles + 1):
            cycles.append(await _kill_and_restart(loop, cycle, limits))
    finally:
        if loop.process is not None and loop.process.poll() is None:
            loop.process.send_signal(signal.SIGTERM)
            await asyncio.to_thread(loop.process.wait, 120)
        shutil.rmtree(loop.root, ignore_errors=True)  # ~1 GiB of shards: scratch, not a result
    restarts = [c["restart_ready_s"] for c in cycles]
    total_lost = sum(sum(c["lost"].values()) for c in cycles)
    total_orphans = sum(c["orphans"] for c in cycles)
    return {
        "machine": info,
        "options": {
            "cycles": options.cycles,
            "memories": options.memories,
            "writers": options.writers,
            "write_s": list(options.write_s),
            "seed": options.seed,
        },
        "first_start_ready_s": round(first_ready_s, 2),
        "preload_s": round(preload_s, 1),
        "cycles": cycles,
        "acknowledged": loop.acked.counts(),
        "lost": total_lost,
        "orphans": total_orphans,
        "max_restart_ready_s": max(restarts, default=0.0),
        "ok": total_lost == 0 and total_orphans == 0 and max(restarts, default=0.0) < 15.0,
    }


async def _kill_and_restart(loop: CrashLoop, cycle: int, limits: Limits) -> dict[str, Any]:
    """One cycle: writers running, the server killed mid-write, restarted, every acknowledged write
    looked for; its row of the results."""
    options = loop.options
    stop = asyncio.Event()
    write_s = loop.rng.uniform(*options.write_s)
    async with AsyncMnemo(loop.url, timeout=60, limits=limits, max_retries=0) as client:
        writers = [
            asyncio.create_task(loop.write_until(client, cycle, w, stop)) for w in range(options.writers)
        ]
        await asyncio.sleep(write_s)
        orphans = await loop.kill()  # mid-write: the writers see their connections cut
        stop.set()
        await asyncio.gather(*writers, return_exceptions=True)
    ready_s = await loop.start()
    async with AsyncMnemo(loop.url, timeout=120, limits=limits, max_retries=0) as client:
        lost = await loop.lost(client)
    row = {
        "cycle": cycle,
        "write_s": round(write_s, 2),
        "restart_ready_s": round(ready_s, 2),
        "startup_steps_s": startup_steps(loop.log),
        "orphans": len(orphans),
        "acknowledged": loop.acked.counts(),
        "lost": lost,
        "load_avg_1m": round(os.getloadavg()[0], 2),
    }
    loop.say(f"cycle {cycle}: ready in {ready_s:.1f} s, lost {sum(lost.values())}, orphans {len(orphans)}")
    return row


def write_crash_loop_outputs(results: dict[str, Any], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    write_json(out / "results.json", results)
    rows = [
        [
            c["cycle"],
            c["write_s"],
            c["restart_ready_s"],
            c.get("startup_steps_s", {}).get("opening", "-"),
            sum(c["acknowledged"].values()),
            sum(c["lost"].values()),
            c["orphans"],
            c["load_avg_1m"],
        ]
        for c in results["cycles"]
    ]
    acked = results["acknowledged"]
    lines = [
        "# Crash loop: SIGKILL during mixed writes, restart in place",
        "",
        machine_line(results["machine"]),
        "",
        f"{results['options']['cycles']} cycles, {results['options']['memories']} memories preloaded "
        f"({results['preload_s']} s), {results['options']['writers']} concurrent writers of memories, "
        "working-memory items and thread turns, killed with SIGKILL after a random "
        f"{results['options']['write_s'][0]}-{results['options']['write_s'][1]} s.",
        "",
        f"- acknowledged: {acked['memories']} memories, {acked['working_items']} working items, "
        f"{acked['thread_turns']} thread turns",
        f"- lost: **{results['lost']}**; orphan processes: **{results['orphans']}**",
        f"- restart until `/ready` 200: max **{results['max_restart_ready_s']} s** "
        f"(first start {results['first_start_ready_s']} s)",
        f"- verdict: {'pass' if results['ok'] else 'FAIL'} (0 lost, 0 orphans, each restart < 15 s)",
        "",
        table(
            [
                "cycle",
                "writes (s)",
                "ready (s)",
                "of which opening (s)",
                "acknowledged so far",
                "lost",
                "orphans",
                "load 1m",
            ],
            rows,
        ),
        "",
    ]
    (out / "summary.md").write_text("\n".join(lines), encoding="utf-8")
