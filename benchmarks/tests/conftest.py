"""The benchmark harness's own tests (`make test-bench`, one step of CI apart from the server's suite):
its parts alone, and `mnemo bench` run as its users run it against the real service in-process. They
need none of the server suite's fixtures (no Redis of the tests: an in-process app keeps its working
memory in the process)."""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import pytest

from mnemo.benchmarks.latency.scale_data import TextPool
from mnemo.lab import point_maker

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # no test may reach a model hub


@pytest.fixture
def five_texts() -> tuple[TextPool, Any]:
    """A pool of five texts with unit vectors, and the write path's maker of the points it would store."""
    rng = np.random.default_rng(1)
    vectors = rng.normal(size=(5, 384)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    pool = TextPool(["one text here", "another text", "a third", "four", "five things"], vectors, ["q?"])
    return pool, point_maker(None)
