"""`mnemo bench load`, short: a real server under mixed load from 4 clients for ~5 s answers no 5xx,
and every write it acknowledged (memories and working items) reads back afterwards."""

from __future__ import annotations

from pathlib import Path

from mnemo.benchmarks.load.mixed import LoadOptions, markdown, run_load, write_load_outputs


async def test_short_mixed_load_has_no_5xx_and_loses_no_acknowledged_write(tmp_path: Path) -> None:
    results = await run_load(LoadOptions(duration_s=5, clients=4, seed=3, work_dir=tmp_path), lambda _: None)
    assert results["server_errors"] == 0 and results["transport_errors"] == 0, results["statuses"]
    read_back = results["read_back"]
    assert read_back["lost_memory_count"] == 0 and read_back["lost_working_item_count"] == 0, read_back
    assert read_back["memories_checked"] > 0 and read_back["working_items_checked"] > 0
    assert all(results["per_operation"][op]["requests"] > 0 for op in ("write", "retrieve"))
    assert results["ok"] is True
    write_load_outputs(results, tmp_path / "out")
    summary = (tmp_path / "out" / "summary.md").read_text()
    assert summary == markdown(results) and "(PASS)" in summary
    assert (tmp_path / "out" / "latency.png").stat().st_size > 0
