"""The app's collector policy (api/config/garbage_collection.py), on the real CPython collector."""

from __future__ import annotations

import gc
import weakref

from mnemo.api.config.garbage_collection import FreezeAfterFullCollections


class Node:
    def __init__(self) -> None:
        self.other: Node | None = None


def _cycle() -> weakref.ref[Node]:
    """Two objects referring to each other: only the cyclic collector frees them."""
    a, b = Node(), Node()
    a.other, b.other = b, a
    return weakref.ref(a)


def test_a_full_collection_freezes_its_survivors_so_the_next_walks_only_new_objects() -> None:
    policy = FreezeAfterFullCollections(refreeze_s=3600.0)
    policy.install()
    try:
        kept = [Node() for _ in range(10_000)]
        gc.collect()
        assert policy.freezes == 1
        frozen = gc.get_freeze_count()
        assert frozen >= len(kept)  # the survivors moved out of the generations a collection walks
        assert all(gc.is_tracked(k) for k in kept)
        gc.collect(1)  # a younger generation's collection freezes nothing
        # Frozen objects freed by reference counting leave the count, so it may fall, never rise.
        assert policy.freezes == 1 and gc.get_freeze_count() <= frozen
        # Garbage made after the freeze is still collected.
        young = _cycle()
        gc.collect()
        assert young() is None
    finally:
        policy.remove()
    assert gc.get_freeze_count() == 0 and policy not in gc.callbacks


def test_a_cycle_among_frozen_objects_is_freed_once_the_freeze_is_renewed() -> None:
    policy = FreezeAfterFullCollections(refreeze_s=3600.0)
    policy.install()
    try:
        holder = [_cycle_kept := Node()]
        _cycle_kept.other = Node()
        _cycle_kept.other.other = _cycle_kept
        gc.collect()  # both alive: frozen
        ref = weakref.ref(_cycle_kept)
        del _cycle_kept
        holder.clear()  # now a garbage cycle, but frozen: no collection walks it
        gc.collect()
        assert ref() is not None
        policy.refreeze_s = 0.0  # the renewal is due: the next full collection thaws...
        gc.collect()
        assert gc.get_freeze_count() == 0
        gc.collect()  # ...and the one after walks everything, and frees the cycle
        assert ref() is None
    finally:
        policy.remove()
