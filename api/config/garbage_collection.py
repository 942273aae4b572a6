"""Full garbage collections that walk only what is new, so that none is a long pause mid-request.

CPython's cyclic collector walks every tracked object of the oldest generation in a full collection,
on whichever request's thread allocates at that moment. A serving process keeps a large and growing
set of long-lived objects (the payload cache's entries, the read path's memories of earlier
requests, connections): every few hundred retrievals one request paid a walk of all of them.

So each full collection, once it has collected, is followed by `gc.freeze()`: what survived it
moves to the permanent generation, which no automatic collection walks, and the next full
collection walks only what was allocated since. Frozen objects are still freed by reference
counting as usual (a cache entry evicted, a closed connection); only a reference cycle that
forms among them is not collected while they stay frozen. Hence `refreeze_s`: that often the
permanent generation is thawed back into the oldest one, whose next full collection walks (and
frees) everything once, then freezes again.
"""

from __future__ import annotations

import gc
import time
from typing import Any

# How long a frozen object's share of a garbage cycle may stay uncollected: one whole walk an hour.
REFREEZE_S = 3600.0


class FreezeAfterFullCollections:
    """Installed as a `gc.callbacks` entry for the life of the app (`install`, `remove`)."""

    def __init__(self, refreeze_s: float = REFREEZE_S) -> None:
        self.refreeze_s = refreeze_s
        self._thawed_at = time.monotonic()
        self.freezes = 0

    def install(self) -> None:
        """After start-up: what start-up built is frozen now, and every full collection's survivors
        from here on."""
        gc.freeze()
        gc.callbacks.append(self)

    def remove(self) -> None:
        if self in gc.callbacks:
            gc.callbacks.remove(self)
        gc.unfreeze()  # what the app held may be collected again once it closes

    def __call__(self, phase: str, info: dict[str, Any]) -> None:
        if phase != "stop" or info.get("generation") != 2:
            return
        # The collection is over: its survivors are alive, so freezing them freezes no garbage.
        gc.freeze()
        self.freezes += 1
        now = time.monotonic()
        if now - self._thawed_at >= self.refreeze_s:
            # Back into the oldest generation: the next full collection walks everything once,
            # freeing any cycle that formed among frozen objects, and freezes the survivors again.
            self._thawed_at = now
            gc.unfreeze()
