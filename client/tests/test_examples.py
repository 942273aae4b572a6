"""Every examples/<framework>/*.py runs as written, against the real server, in this venv."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO

EXAMPLES = sorted((REPO / "examples").glob("*/*.py"))
FRAMEWORK_DIRS = {"langgraph", "langchain", "llama_index", "openai_agents", "pydantic_ai"}
EXPECTED = {
    "store_in_a_graph.py": "green tea",
    "retriever_and_tools.py": "allergic to peanuts",
    "memory_block.py": "Lisbon",
    "session_and_tools.py": "aisle",
    "toolset.py": "Mochi",
}


@pytest.mark.parametrize(
    "example", [e for e in EXAMPLES if e.parent.name in FRAMEWORK_DIRS], ids=lambda p: p.parent.name
)
def test_example_runs(example: Path, mnemo: Any, user: str) -> None:
    env = dict(os.environ, MNEMO_URL=mnemo.url, MNEMO_API_KEY=mnemo.api_key, MNEMO_USER=user)
    ran = subprocess.run([sys.executable, str(example)], env=env, capture_output=True, text=True, timeout=120)
    assert ran.returncode == 0, ran.stderr[-2000:]
    assert EXPECTED[example.name] in ran.stdout, ran.stdout
