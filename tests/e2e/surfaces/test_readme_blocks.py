"""The README's ```python blocks and its shell blocks that are not `curl` calls, run as written
against a real server this test starts (the `curl` blocks: tests/e2e/surfaces/test_readme_examples.py).

Python blocks (README.md, client/README.md, Markdown under examples/, every page of docs/) run each in a fresh
interpreter, `127.0.0.1:8080` / `localhost:8080` replaced by the server's address; each must exit 0.
Shell blocks (```sh, ```bash, ```shell) run with bash in one scratch directory, in document order,
with this environment's `mnemo` on PATH, as a user's second shell would (`. .venv/bin/activate`).
A shell block that cannot run here is listed in NOT_RUN_HERE with the reason and where it runs
instead; a new block that is neither run nor listed fails the test, so no example goes unchecked by
accident.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from tests.e2e.documents import FENCE, ROOT, documents
from tests.e2e.live_server import LiveApp, live_app  # noqa: F401 - a fixture

DOCUMENTS = documents()
SHELLS = {"sh", "bash", "shell"}
# A block's first line → why it is not run here and what checks it instead.
NOT_RUN_HERE = {
    "pip install torch": "installs into the environment it runs in: tests/integrations/test_as_installed.py "
    "installs the same distributions into a fresh venv and serves from it",
    "make serve": "builds a venv and serves until stopped: tests/integrations/test_as_installed.py runs "
    "`make serve` in a clean clone and the README's commands from a second shell",
    "npm init -y": "installs the TypeScript client into an empty folder from the clone or a packed "
    "tarball: client-ts/test/install.test.ts (make test-ts) runs these blocks and the page's example",
    "MNEMO_EMBEDDING__BACKEND=static": "needs a model from `mnemo distill` (minutes) and serves until "
    "stopped: tests/e2e/reads/test_static_embedding.py covers the static backend",
}
# What a block needs that the README leaves to the reader: the file it names, a server for `--url`.
# `--url http://qdrant:6333` (a Qdrant server, none here) is replaced by `--data-dir`, the
# alternative the same block names in its comment.
# The erasure ledger kept on another volume (MNEMO_FORGET__LEDGER_COPY) is, here, the test server's.
SUBSTITUTIONS = {
    "--url http://qdrant:6333": "--data-dir ./data-imported",
    "/mnt/ledger/erasure-ledger.jsonl": "../data/erasure-ledger.jsonl",
}
# The framework adapters' blocks (docs/integrations/) import frameworks that live in a
# venv of their own: where such a module is not installed here, the block is left to
# the adapters' tests in that venv. Any other import must be here.
FRAMEWORK_MODULES = {"langgraph", "langchain", "langchain_core", "llama_index", "agents", "pydantic_ai"}
# So do the other servers' clients (docs/compat/): their calls run in compat/tests (make test-compat).
FRAMEWORK_MODULES |= {"mem0", "zep_cloud", "agent_memory_client"}
MEMORIES = [
    {
        "type": "semantic",
        "content": "Dana keeps the on-call runbook in the ops wiki.",
        "scope": {"user_id": "dana"},
    },
    {
        "type": "episodic",
        "content": "Dana restarted the billing worker at noon.",
        "scope": {"user_id": "dana"},
    },
]


@dataclass
class Block:
    document: str
    line: int
    language: str
    text: str

    @property
    def where(self) -> str:
        return f"{self.document}:{self.line}"


def blocks(languages: set[str]) -> list[Block]:
    found = []
    for path in DOCUMENTS:
        text = path.read_text()
        for block in FENCE.finditer(text):
            if block.group(1) in languages:
                line = text[: block.start()].count("\n") + 1
                found.append(Block(str(path.relative_to(ROOT)), line, block.group(1), block.group(2)))
    return found


def shell_blocks() -> list[Block]:
    """Shell blocks that are not the curl examples (test_readme_examples.py runs those)."""
    return [b for b in blocks(SHELLS) if not ("curl " in b.text and "localhost:8080" in b.text)]


def _framework_missing_here(block: Block) -> str | None:
    imported = re.findall(r"^\s*(?:from|import)\s+([A-Za-z_]\w*)", block.text, re.MULTILINE)
    return next((m for m in imported if m in FRAMEWORK_MODULES and importlib.util.find_spec(m) is None), None)


def _not_run(block: Block) -> str | None:
    first = block.text.lstrip().splitlines()[0]
    return next((why for start, why in NOT_RUN_HERE.items() if first.startswith(start)), None)


async def _run(args: list[str], cwd: Path, env: dict[str, str], where: str, stdin: str | None = None) -> str:
    process = await asyncio.create_subprocess_exec(
        *args,
        cwd=cwd,
        env=env,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(stdin.encode() if stdin else None), timeout=600)
    assert process.returncode == 0, f"{where}: exited {process.returncode}:\n{err.decode()[-3000:]}"
    return out.decode()


def _second_shell_env() -> dict[str, str]:
    """A user's second shell after `. .venv/bin/activate`: this venv's commands first on PATH."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MNEMO_")}
    return {**env, "PATH": f"{Path(sys.executable).parent}:{env['PATH']}", "HF_HUB_OFFLINE": "1"}


def test_the_blocks_are_found_and_each_shell_block_is_run_or_says_why_not() -> None:
    python = blocks({"python"})
    assert len(python) >= 2 and any("AsyncMnemo" in b.text for b in python)
    assert any(b.document.startswith("docs/") for b in python), "the docs' Python blocks were not found"
    for block in python:
        compile(block.text, block.where, "exec")  # pasted as is, each block is valid Python
    shells = shell_blocks()
    assert any("mnemo ingest" in b.text for b in shells) and any("mnemo export" in b.text for b in shells)
    # Every reason still names a block (a stale entry would hide nothing, but says something false).
    firsts = [b.text.lstrip().splitlines()[0] for b in shells]
    assert all(any(f.startswith(start) for f in firsts) for start in NOT_RUN_HERE)


async def test_every_python_and_shell_block_runs_as_written(
    live_app: LiveApp,  # noqa: F811 - the fixture
    tmp_path: Path,
) -> None:
    scratch = tmp_path / "second-shell"
    scratch.mkdir()
    (scratch / "memories.jsonl").write_text("".join(json.dumps(m) + "\n" for m in MEMORIES))
    env = _second_shell_env()
    async with live_app() as (base_url, _app):
        address = base_url.removeprefix("http://")
        for block in blocks({"python"}):
            if _framework_missing_here(block):
                continue
            code = block.text.replace("127.0.0.1:8080", address).replace("localhost:8080", address)
            printed = await _run([sys.executable, "-"], scratch, env, block.where, stdin=code)
            if "Alice prefers a window seat" in code:
                assert "window seat" in printed, f"{block.where}: {printed!r}"
        ran = []
        # The user's own server is where the CLI looks by default (MNEMO_URL, else 127.0.0.1:8080):
        # here that is the test's server.
        env = {**env, "MNEMO_URL": base_url}
        for block in shell_blocks():
            if _not_run(block):
                continue
            script = block.text.replace("127.0.0.1:8080", address).replace("localhost:8080", address)
            for written, here in SUBSTITUTIONS.items():
                script = script.replace(written, here)
            await _run(["bash", "-euo", "pipefail", "-c", script], scratch, env, block.where)
            ran.append(block.where)
    assert len(ran) >= 2, ran
    # What the blocks did is there: the embedded ingest wrote ./data, the export carried it to the import.
    imported = await _run(
        ["mnemo", "export", "check.jsonl.gz", "--data-dir", "./data-imported", "--json"],
        scratch,
        env,
        "check",
    )
    assert json.loads(imported)["points"] == len(MEMORIES), imported
