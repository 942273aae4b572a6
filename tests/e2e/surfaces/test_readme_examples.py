"""The README's and the docs' `curl` examples, run as written with bash against a real server.

Every ```sh block that calls `curl` on localhost:8080 (README.md, client/README.md, the Markdown
under examples/ and every page of docs/, in the order of tests/e2e/documents.py) runs in that order
against one fresh server (with examples/mnemo.yaml, which the agent examples name), `localhost:8080`
replaced by the server's address. `curl` is wrapped by a shell function that records each call's
status and body, so the commands themselves run unchanged. Then each call is checked against what
the document says: no call fails (status < 400); a `# → 201 {... "created" ...}` comment is that
call's status and results; a `# context: "…"` comment is the beginning of the context the call
returned; a ```json block right after a block lists keys of the last answer, and its `context`
begins the same way. An example that fails is a failing test.
"""

from __future__ import annotations

import asyncio
import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.documents import FENCE, ROOT, documents
from tests.e2e.live_server import LiveApp, live_app  # noqa: F401 - a fixture

DOCUMENTS = documents()
# Records every call: its status in N.status, its body in N.body (a counter file, as `$(curl …)`
# runs in a subshell), and prints the body as curl would.
_WRAPPER = """
curl() {
  local n=$(( $(cat "$CALLS/count" 2>/dev/null || echo 0) + 1 ))
  echo "$n" > "$CALLS/count"
  command curl -o "$CALLS/$n.body" -w '%{http_code}' "$@" > "$CALLS/$n.status"
  cat "$CALLS/$n.body"
}
"""


@dataclass
class Example:
    document: str
    line: int
    script: str
    answer_keys: list[str]  # top-level keys of the ```json block that follows, if any
    answer_context: str | None  # the beginning of that block's "context"


@dataclass
class Call:
    status: int
    body: str

    def json(self) -> Any:
        return json.loads(self.body)


def _prefix(text: str) -> str:
    """What a README string shows before its ellipsis, JSON escapes decoded."""
    shown = text.split("…")[0]
    return str(json.loads(f'"{shown}"'))


def examples() -> list[Example]:
    found = []
    for path in DOCUMENTS:
        text = path.read_text()
        blocks = list(FENCE.finditer(text))
        for i, block in enumerate(blocks):
            if (
                block.group(1) != "sh"
                or "curl " not in block.group(2)
                or "localhost:8080" not in block.group(2)
            ):
                continue
            keys: list[str] = []
            context = None
            after = blocks[i + 1] if i + 1 < len(blocks) else None
            if (
                after is not None
                and after.group(1) == "json"
                and not text[block.end() : after.start()].strip()
            ):
                keys = re.findall(r'^  "(\w+)":', after.group(2), re.MULTILINE)
                shown = re.search(r'^  "context": "(.*)",?$', after.group(2), re.MULTILINE)
                context = _prefix(shown.group(1)) if shown else None
            line = text[: block.start()].count("\n") + 1
            found.append(Example(str(path.relative_to(ROOT)), line, block.group(2), keys, context))
    return found


async def _run(example: Example, base_url: str, calls_dir: Path) -> list[Call]:
    first = int((calls_dir / "count").read_text()) if (calls_dir / "count").exists() else 0
    script = _WRAPPER + example.script.replace("localhost:8080", base_url.removeprefix("http://"))
    process = await asyncio.create_subprocess_exec(
        "bash",
        "-c",
        script,
        env={"PATH": "/usr/bin:/bin:/usr/local/bin", "CALLS": str(calls_dir)},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, stderr = await asyncio.wait_for(process.communicate(), timeout=120)
    where = f"{example.document}:{example.line}"
    assert process.returncode == 0, f"{where}: bash exited {process.returncode}: {stderr.decode()[-2000:]}"
    last = int((calls_dir / "count").read_text())
    assert last > first, f"{where}: no curl call ran"
    return [
        Call(int((calls_dir / f"{n}.status").read_text()), (calls_dir / f"{n}.body").read_text())
        for n in range(first + 1, last + 1)
    ]


def _check(example: Example, calls: list[Call]) -> None:
    where = f"{example.document}:{example.line}"
    commands = re.findall(r"curl .*?(?=\ncurl |\n[a-z]+=\$\(curl |\Z)", example.script, re.DOTALL)
    for n, call in enumerate(calls):
        assert call.status < 400, f"{where}: call {n + 1} answered {call.status}: {call.body[:500]}"
    # `# → 201 {…"status": "created"…}` after a command: that call's status and its results' statuses.
    for n, command in enumerate(commands[: len(calls)]):
        said = re.search(r"# → (\d{3})(.*)", command)
        if said:
            assert calls[n].status == int(said.group(1)), f"{where}: call {n + 1}: {calls[n].status}"
            for status in re.findall(r'"status": "(\w+)"', said.group(2)):
                results = calls[n].json()["results"]
                assert [r["status"] for r in results] == [status] * len(results), f"{where}: {results}"
        shown = re.search(r'# context: "(.*)"', command)
        if shown:
            context = calls[n].json()["context"]
            assert context.startswith(_prefix(shown.group(1))), f"{where}: call {n + 1}: {context!r}"
    if example.answer_keys:
        answer = calls[-1].json()
        assert set(example.answer_keys) <= set(answer), f"{where}: {sorted(answer)}"
        if example.answer_context is not None:
            assert answer["context"].startswith(example.answer_context), f"{where}: {answer['context']!r}"


@pytest.mark.skipif(shutil.which("curl") is None or shutil.which("jq") is None, reason="needs curl and jq")
async def test_the_readme_curl_examples_work_as_written(
    live_app: LiveApp,  # noqa: F811 - the fixture
    tmp_path: Path,
) -> None:
    found = examples()
    assert len(found) >= 5, "the README's curl examples were not found"
    calls_dir = tmp_path / "calls"
    calls_dir.mkdir()
    async with live_app(config=ROOT / "examples" / "mnemo.yaml") as (base_url, _app):
        for example in found:
            _check(example, await _run(example, base_url, calls_dir))


def test_the_readme_example_expectations_are_read() -> None:
    """The checks above are only as good as what they read: the documents' claims are found."""
    found = examples()
    retrieve = next(e for e in found if "What should I offer Alice to drink?" in e.script and e.answer_keys)
    assert {"context", "memories", "metadata"} <= set(retrieve.answer_keys)
    assert (
        retrieve.answer_context is not None
        and "Alice prefers green tea over coffee." in retrieve.answer_context
    )
    forget = next(e for e in found if "/v1/forget" in e.script)
    assert {"scope", "counts", "removed", "memory_ids", "digest"} <= set(forget.answer_keys)
    assert any(e.document.startswith("docs/") for e in found), "the docs' curl examples were not found"
    assert any("# → 201" in e.script for e in found)
    assert any("# context:" in e.script for e in found)
