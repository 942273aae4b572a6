"""`mnemo ingest`: idempotent, resumable after a crash, and it names every bad line."""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from mnemo.backends.qdrant_edge.index import EdgeVectorIndex
from mnemo.ingest.batch import Checkpoint
from mnemo.memtypes.queries import MemoryFilter
from mnemo.memtypes.types import MemoryType

NAMES = ["Alice", "Bob", "Chen", "Dana", "Emeka", "Farah", "Goran", "Hana", "Ivan", "Jun"]
THINGS = [
    "bicycle",
    "violin",
    "garden",
    "novel",
    "kayak",
    "telescope",
    "sourdough",
    "chess club",
    "drone",
    "loom",
]
PLACES = ["Lisbon", "Osaka", "Nairobi", "Quito", "Oslo", "Hanoi", "Tunis", "Perth", "Riga", "Lima"]


def ingest(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "mnemo.cli.main", "ingest", *args, "--data-dir", str(data_dir)]
    command += ["--create", "--json"]
    return subprocess.run(command, capture_output=True, text=True, timeout=600, env=_env())


def _env() -> dict[str, str]:
    return {**os.environ, "HF_HUB_OFFLINE": "1"}


def summary_of(result: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    return json.loads(result.stdout.strip().splitlines()[-1])


def count(data_dir: Path, tenant: str = "default") -> int:
    async def go() -> int:
        index = EdgeVectorIndex(data_dir / "qdrant", "mnemo", 384)
        await index.open()
        try:
            return await index.count(
                MemoryType.EPISODIC, MemoryFilter(tenant=tenant, include_superseded=True)
            )
        finally:
            await index.close()

    return asyncio.run(go())


def test_bad_lines_are_named_and_good_lines_ingested(tmp_path: Path) -> None:
    lines = [
        json.dumps({"type": "episodic", "content": "Alice flew to Lisbon for the conference."}),
        "{not json",
        json.dumps({"type": "dreams", "content": "A dream about flying over the sea."}),
        json.dumps({"type": "episodic", "content": ""}),
        json.dumps({"type": "episodic", "content": "x" * 1_000_000}),
        "",
        json.dumps(["a", "list"]),
        json.dumps(
            {"type": "episodic", "content": "Bob adopted a grey cat called Pixel.", "tenant": "other"}
        ),
    ]
    path = tmp_path / "memories.jsonl"
    path.write_text("\n".join(lines) + "\n")
    result = ingest(str(path), data_dir=tmp_path / "data")
    assert result.returncode == 1, result.stderr  # some lines failed
    summary = summary_of(result)
    assert summary["created"] == 2
    failed = {f["line"]: f["error"] for f in summary["failed"]}
    assert sorted(failed) == [2, 3, 4, 5, 7]
    assert failed[2].startswith("invalid JSON")
    assert failed[3].startswith("type:")
    assert failed[4].startswith("content:") and failed[5].startswith("content:")
    assert "JSON object" in failed[7]
    assert count(tmp_path / "data") == 1 and count(tmp_path / "data", tenant="other") == 1


@pytest.mark.slow
def test_ten_thousand_lines_resume_after_a_crash_and_rerun_writes_nothing(tmp_path: Path) -> None:
    rng = random.Random(7)
    path = tmp_path / "big.jsonl"
    with path.open("w") as out:
        for i in range(10_000):
            a, b = rng.sample(NAMES, 2)
            text = f"{a} showed {b} the {rng.choice(THINGS)} in {rng.choice(PLACES)} (note {i})."
            out.write(json.dumps({"type": "episodic", "id": f"n{i}", "content": text}) + "\n")
    data_dir = tmp_path / "data"
    checkpoint = Checkpoint(data_dir / "ingest-state", path).path

    # Crash the first run (SIGKILL: no clean-up at all) once it has committed a good part of the file.
    command = [
        sys.executable,
        "-m",
        "mnemo.cli.main",
        "ingest",
        str(path),
        "--data-dir",
        str(data_dir),
        "--create",
        "--no-dedup",
    ]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=_env())
    deadline = time.monotonic() + 400
    while time.monotonic() < deadline and proc.poll() is None:
        if checkpoint.exists() and json.loads(checkpoint.read_text())["line"] >= 3_000:
            break
        time.sleep(0.2)
    assert proc.poll() is None, "the first run ended before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    killed_at = json.loads(checkpoint.read_text())["line"]
    assert 3_000 <= killed_at < 10_000

    resumed = ingest(str(path), "--no-dedup", data_dir=data_dir)
    assert resumed.returncode == 0, resumed.stderr
    summary = summary_of(resumed)
    assert summary["resumed_from_line"] == killed_at
    assert summary["failed"] == [] and summary["merged"] == 0
    assert count(data_dir) == 10_000
    assert not checkpoint.exists()

    again = summary_of(ingest(str(path), "--no-dedup", data_dir=data_dir))
    assert again["created"] == again["updated"] == again["merged"] == 0
    assert again["unchanged"] == 10_000
    assert count(data_dir) == 10_000
