"""Shared fixtures. Engines are real: Qdrant Edge on a temp dir, the packaged MiniLM model, tiktoken."""

from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # belt and braces: no test may reach a model hub
