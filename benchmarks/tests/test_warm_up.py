"""`mnemo bench latency`'s warm-up, against a real server: a fresh one asks each question once, then
goes on in blocks until one waits on no disk read; a warm one needs the single pass."""

from __future__ import annotations

from pathlib import Path

from mnemo.benchmarks.latency.scale_data import retrieve_bodies
from mnemo.benchmarks.latency.tail import WARMUP_BLOCKS, tail_lines, warm_up
from mnemo.benchmarks.server import serve

BLOCK = 4


async def test_a_fresh_server_is_warmed_until_a_block_takes_no_fault(tmp_path: Path) -> None:
    bodies = retrieve_bodies(["What does Alice drink?", "When is the flight to Lisbon?"], 500)
    async with serve(tmp_path / "data", tmp_path / "server.log") as server:
        fresh = await warm_up(server.url, server.pid, bodies, BLOCK, 60)
        warm = await warm_up(server.url, server.pid, bodies, BLOCK, 60)
    assert fresh["requests"] % BLOCK == 0 and BLOCK <= fresh["requests"] <= BLOCK * WARMUP_BLOCKS, fresh
    assert fresh["major_faults"] >= 0 and fresh["http_p50_ms"] > 0
    assert warm == {"requests": BLOCK, "major_faults": 0, "http_p50_ms": warm["http_p50_ms"]}, warm
    [line] = [line for line in tail_lines({"2000": {"warmup": fresh, "http": {}}}) if line.startswith("- ")]
    assert line.startswith(f"- 2,000 memories, after the start: {fresh['requests']} warm-up retrievals")
