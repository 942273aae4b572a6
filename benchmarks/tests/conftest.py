"""The benchmark harness's own tests (`make test-bench`, one step of CI apart from the server's suite):
its parts alone, and `mnemo bench` run as its users run it against the real service in-process. They
need none of the server suite's fixtures (no Redis of the tests: an in-process app keeps its working
memory in the process)."""

from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # no test may reach a model hub
