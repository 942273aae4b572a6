"""The write gates a shard rebuild relies on (backends/qdrant_edge/writes.py): what they record and when
they hold writes back."""

from __future__ import annotations

import asyncio

from mnemo.backends.qdrant_edge.writes import WriteGates
from mnemo.memtypes.types import MemoryType

SEMANTIC = MemoryType.SEMANTIC


async def test_ids_are_recorded_only_while_tracked_and_only_once_the_write_ended() -> None:
    gates = WriteGates()
    async with gates.writing(SEMANTIC, ["a"]):
        pass
    assert gates.take_dirty(SEMANTIC) == set()  # not tracked: nothing kept
    gates.track(SEMANTIC)
    async with gates.writing(SEMANTIC, ["b", "c"]):
        # Inside the engine call: a catch-up taking the set now must not see "b" yet (it would read
        # the point before the write landed, and lose the write).
        assert gates.take_dirty(SEMANTIC) == set()
    async with gates.writing(MemoryType.EPISODIC, ["x"]):
        pass
    assert gates.take_dirty(SEMANTIC) == {"b", "c"}
    assert gates.take_dirty(SEMANTIC) == set()
    gates.untrack(SEMANTIC)
    async with gates.writing(SEMANTIC, ["d"]):
        pass
    assert gates.take_dirty(SEMANTIC) == set()


async def test_a_failed_write_still_counts_as_dirty() -> None:
    gates = WriteGates()
    gates.track(SEMANTIC)
    try:
        async with gates.writing(SEMANTIC, ["a"]):
            raise RuntimeError("the engine failed half-way")
    except RuntimeError:
        pass
    assert gates.take_dirty(SEMANTIC) == {"a"}


async def test_shut_waits_for_running_writes_and_holds_new_ones_back() -> None:
    gates = WriteGates()
    events: list[str] = []
    release = asyncio.Event()

    async def slow_write() -> None:
        async with gates.writing(SEMANTIC, ["a"]):
            events.append("slow write started")
            await release.wait()
            events.append("slow write ended")

    async def swap() -> None:
        async with gates.shut(SEMANTIC):
            events.append("swap")
            await asyncio.sleep(0.01)  # a write arriving now must wait
            events.append("swap done")

    async def late_write() -> None:
        async with gates.writing(SEMANTIC, ["b"]):
            events.append("late write")

    async def other_type() -> None:
        async with gates.writing(MemoryType.EPISODIC, ["c"]):
            events.append("other type")

    writer = asyncio.create_task(slow_write())
    await asyncio.sleep(0)
    swapper = asyncio.create_task(swap())
    await asyncio.sleep(0)
    late = asyncio.create_task(late_write())
    await other_type()  # another type's writes are never held
    await asyncio.sleep(0.01)
    assert events == ["slow write started", "other type"]  # the swap waits for the running write
    release.set()
    await asyncio.gather(writer, swapper, late)
    assert events[2:] == ["slow write ended", "swap", "swap done", "late write"]
