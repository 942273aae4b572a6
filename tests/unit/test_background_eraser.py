"""The background eraser (ingest/erasure.py): a forget's erasure is on disk before
`schedule` returns, many forgets share one run, a failed run is retried and stays pending, a record
left by a crash is erased first at the next start, a clean close erases what is pending.

The erasers here are the stores' entry points as the eraser sees them (an async function of the
affected types); what each store does in them is tested with the real engines
(tests/backends/test_edge_erase.py, tests/e2e/forget_and_privacy/test_forget_erases_http.py)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import subprocess
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from pydantic import ValidationError

from mnemo.ingest.erasure import STATE_FILE, BackgroundEraser, ErasureConfig, Scheduled
from mnemo.memtypes.errors import InsufficientStorage
from mnemo.memtypes.types import MemoryType
from tests.unit.test_background import swallowing_first_cancel

SEMANTIC, EPISODIC = MemoryType.SEMANTIC, MemoryType.EPISODIC
DIGESTS = [f"{n:064x}" for n in range(1, 12)]


class Store:
    """Records each run it is asked for; fails the first `failures` of them."""

    def __init__(self, failures: int = 0) -> None:
        self.runs: list[list[str]] = []
        self.failures = failures

    async def erase(self, memory_types: Sequence[MemoryType]) -> str:
        self.runs.append(sorted(t.value for t in memory_types))
        if len(self.runs) <= self.failures:
            return "failed"
        return "erased"


async def schedule(
    background: BackgroundEraser, digest: str, memory_types: list[MemoryType], *, wait: bool = False
) -> Scheduled:
    """As a forget does: recorded, then (the removal done) released to run."""
    await background.record("alpha", digest, memory_types)
    background.release(digest)
    return await background.outcome(digest, wait=wait)


def eraser(tmp_path: Path, store: Store, **config: float) -> BackgroundEraser:
    settings = ErasureConfig(**{"batch_s": 60.0, "erase_within_s": 120.0, **config})
    made = BackgroundEraser({"qdrant": store.erase}, tmp_path, settings, {"redis": "not_ours"})
    made.load()
    return made


async def with_one_scheduled(tmp_path: Path) -> tuple[Store, BackgroundEraser]:
    """An eraser with one forget's erasure (of semantic memories) scheduled, and the store it erases."""
    store = Store()
    background = eraser(tmp_path, store)
    await schedule(background, DIGESTS[0], [SEMANTIC])
    return store, background


async def test_the_erasure_is_recorded_before_the_forget_answers(tmp_path: Path) -> None:
    background = eraser(tmp_path, Store())
    scheduled = await schedule(background, DIGESTS[0], [SEMANTIC])
    assert scheduled.erased is False and scheduled.erase_by is not None
    assert scheduled.erasure == {"qdrant": "scheduled", "redis": "not_ours"}
    record = json.loads((tmp_path / STATE_FILE).read_text())
    assert record["types"] == ["semantic"] and record["receipts"][DIGESTS[0]]["tenant"] == "alpha"
    assert background.status("alpha", DIGESTS[0])["state"] == "scheduled"  # type: ignore[index]
    assert background.status("beta", DIGESTS[0]) is None  # another tenant's receipt


async def test_many_forgets_share_one_run_and_a_waiting_one_runs_it_now(tmp_path: Path) -> None:
    store = Store()
    background = eraser(tmp_path, store)
    background.start()
    try:
        for digest in DIGESTS[:10]:
            await schedule(background, digest, [SEMANTIC])
        await schedule(background, DIGESTS[10], [EPISODIC, SEMANTIC])
        assert store.runs == []  # the batching window (60 s) is not over
        waited = await schedule(background, DIGESTS[0], [SEMANTIC], wait=True)
        assert waited.erased is False  # redis is not ours: not every store erased
        assert waited.erasure == {"qdrant": "erased", "redis": "not_ours"}
        assert store.runs == [["episodic", "semantic"]]  # one run, each type once
        assert {background.status("alpha", d)["state"] for d in DIGESTS} == {"erased"}  # type: ignore[index]
    finally:
        await background.close()
    assert store.runs == [["episodic", "semantic"]]  # nothing pending at close: no run
    assert json.loads((tmp_path / STATE_FILE).read_text())["types"] == []


async def test_a_failed_run_is_retried_and_stays_pending_meanwhile(tmp_path: Path) -> None:
    store = Store(failures=1)
    background = eraser(tmp_path, store, batch_s=0.0)
    background.start()
    try:
        waited = await schedule(background, DIGESTS[0], [SEMANTIC], wait=True)
        assert waited.erasure["qdrant"] == "failed"  # the waiting forget hears of it
        status = background.status("alpha", DIGESTS[0])
        assert status is not None and status["state"] == "scheduled" and status["failures"] == 1
        assert json.loads((tmp_path / STATE_FILE).read_text())["types"] == ["semantic"]
        for _ in range(100):  # the retry comes after a 1 s pause
            if len(store.runs) == 2:
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.1)
        assert store.runs == [["semantic"], ["semantic"]]
        assert background.status("alpha", DIGESTS[0])["state"] == "erased"  # type: ignore[index]
    finally:
        await background.close()


async def test_a_record_left_by_a_crash_is_erased_first(tmp_path: Path) -> None:
    crashed = eraser(tmp_path, Store())
    await schedule(crashed, DIGESTS[0], [EPISODIC])  # then the process dies: no run, no close
    store = Store()
    restarted = eraser(tmp_path, store)  # a batching window of 60 s: not waited for after a crash
    assert restarted.status("alpha", DIGESTS[0])["state"] == "scheduled"  # type: ignore[index]
    restarted.start()
    try:
        for _ in range(100):
            if store.runs:
                break
            await asyncio.sleep(0.05)
        assert store.runs == [["episodic"]]
    finally:
        await restarted.close()
    assert restarted.status("alpha", DIGESTS[0])["state"] == "erased"  # type: ignore[index]


async def test_a_clean_close_erases_what_is_pending(tmp_path: Path) -> None:
    store = Store()
    background = eraser(tmp_path, store)
    background.start()
    await schedule(background, DIGESTS[0], [SEMANTIC])
    await background.close()
    assert store.runs == [["semantic"]]
    record = json.loads((tmp_path / STATE_FILE).read_text())
    assert record["types"] == [] and record["receipts"] == {} and DIGESTS[0] in record["done"]


async def test_close_ends_a_loop_that_swallowed_its_cancellation_and_still_erases(tmp_path: Path) -> None:
    store, background = await with_one_scheduled(tmp_path)
    swallowed = asyncio.Event()
    background._task = asyncio.create_task(swallowing_first_cancel(swallowed))
    await asyncio.sleep(0)
    closing = asyncio.create_task(background.close())
    # Not wait_for: its own cancel at the timeout would be the loop's second, and end it.
    done, _ = await asyncio.wait({closing}, timeout=10)  # cancelled once only, it would wait an hour
    assert closing in done, "close() still waits on the loop"
    closing.result()
    assert swallowed.is_set() and store.runs == [["semantic"]]


async def test_close_says_that_the_loop_had_died_and_still_erases(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store, background = await with_one_scheduled(tmp_path)

    async def broken() -> None:
        raise RuntimeError("a defect")

    background._task = asyncio.create_task(broken())
    await asyncio.sleep(0)
    await background.close()
    assert "the background eraser had stopped (RuntimeError)" in caplog.text
    assert store.runs == [["semantic"]]


def test_the_batching_window_is_shorter_than_the_promise() -> None:
    with pytest.raises(ValidationError, match="batch_s"):
        ErasureConfig(batch_s=60.0, erase_within_s=30.0)


async def test_a_run_meanwhile_leaves_a_forget_still_removing_for_the_next(tmp_path: Path) -> None:
    store, background = await with_one_scheduled(tmp_path)
    await background.record("alpha", DIGESTS[1], [EPISODIC])  # its removal not done yet
    assert "episodic" in json.loads((tmp_path / STATE_FILE).read_text())["types"]  # on disk already
    assert await background.run_once()
    assert store.runs == [["semantic"]]  # not the episodic one: its points may not be deleted yet
    background.release(DIGESTS[1])
    assert await background.run_once()
    assert store.runs == [["semantic"], ["episodic"]]


@pytest.fixture
def full_dir(tmp_path: Path) -> Iterator[Path]:
    """A real filesystem with no space left: a 64 KiB tmpfs, filled."""
    full = tmp_path / "full"
    full.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(full)], capture_output=True, check=False
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        with contextlib.suppress(OSError):
            (full / "filler").write_bytes(b"x" * 1024 * 1024)
        yield full
    finally:
        subprocess.run(["umount", str(full)], check=True)


async def test_a_forget_whose_erasure_cannot_be_recorded_is_refused(full_dir: Path) -> None:
    background = eraser(full_dir, Store())
    with pytest.raises(InsufficientStorage):
        await background.record("alpha", DIGESTS[0], [SEMANTIC])
    assert background.status("alpha", DIGESTS[0]) is None  # nothing pending: the forget removes nothing
