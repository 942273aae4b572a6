"""Every examples/<framework>/*.py and every ```python block of the framework pages of the docs
(docs/integrations/<framework>.md) runs as written, against the real server, in this venv (the main
suite's docs test leaves blocks that import a framework to this one)."""

from __future__ import annotations

import os
import re
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


PAGES = ("langgraph", "langchain", "llama-index", "openai-agents", "pydantic-ai")


def _framework_blocks() -> list[str]:
    pages = [(REPO / "docs" / "integrations" / f"{page}.md").read_text() for page in PAGES]
    return [b for page in pages for b in re.findall(r"^```python\n(.*?)^```", page, re.MULTILINE | re.DOTALL)]


def test_the_docs_show_each_framework() -> None:
    blocks = _framework_blocks()
    for module in ("langgraph", "langchain", "llama_index", "openai_agents", "pydantic_ai"):
        assert sum(f"mnemo_client.{module} import" in b for b in blocks) == 1, module


@pytest.mark.parametrize("index", range(5))
def test_readme_block_runs(index: int, mnemo: Any, tmp_path: Path) -> None:
    block = _framework_blocks()[index]
    # The docs' server and key (none) → this session's server and key, as a reader would edit them.
    code = block.replace("http://127.0.0.1:8080", mnemo.url).replace(
        "api_key=None", f'api_key="{mnemo.api_key}"'
    )
    script = tmp_path / "block.py"
    script.write_text(code)
    ran = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120, cwd=tmp_path
    )
    assert ran.returncode == 0, f"{block}\n{ran.stderr[-2000:]}"
    assert ran.stdout.strip(), block
