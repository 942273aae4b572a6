"""Writes mnemo_client/sync_client.py from mnemo_client/async_client.py: the async client is the one
source of both, as qdrant-client does it. `python client/generate_sync_client.py` rewrites the file;
`--check` fails when it differs from what would be written (`make lint` and
tests/unit/test_sync_client_generated.py run it).

The async source is turned into the sync one by renames (below), then by ruff (its fixes and its
format, with the repository's settings). A line of the async source that ends in `# async only` has
no sync counterpart (the ASGI `app` argument: httpx calls an ASGI app only asynchronously).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "mnemo_client" / "async_client.py"
TARGET = HERE / "mnemo_client" / "sync_client.py"
ASYNC_ONLY = "# async only"
DOCSTRING = (
    '"""`Mnemo`: the synchronous client, generated from async_client.py by client/generate_sync_client.py\n'
    "(edit that one, then run this script).\n\n"
    'Size: one public class with a short method per API call, as async_client.py."""\n'
)
RENAMES = (
    (r"\bAsyncMnemo\b", "Mnemo"),
    (r"\bAsyncWorking\b", "Working"),
    (r"\bAsyncThreads\b", "Threads"),
    (r"\bAsyncIterator\b", "Iterator"),
    (r"\bhttpx\.AsyncClient\b", "httpx.Client"),
    (r"\bhttpx\.AsyncBaseTransport\b", "httpx.BaseTransport"),
    (r"\basync def\b", "def"),
    (r"\basync with\b", "with"),
    (r"\basync for\b", "for"),
    (r"\(await ([^()]+\([^()]*\))\)", r"\1"),  # (await call()).field: call().field
    (r"\bawait ", ""),
    (r"for (\w+) in (.+):\n\s+yield \1$", r"yield from \2"),
    (r"\baclose\b", "close"),
    (r"\b__aenter__\b", "__enter__"),
    (r"\b__aexit__\b", "__exit__"),
    (r"\ban async context manager\b", "a context manager"),
    (r"^import asyncio$", "import time"),
    (r"\basyncio\.sleep\b", "time.sleep"),
    (r"  # noqa: ASYNC\d+[^\n]*", ""),
)


def _ruff(args: list[str], text: str) -> str:
    done = subprocess.run(  # noqa: S603 - ruff on our own source
        [sys.executable, "-m", "ruff", *args, "--stdin-filename", str(TARGET), "-"],
        input=text,
        capture_output=True,
        text=True,
        cwd=HERE.parent,
        check=False,
    )
    if done.returncode != 0 and not done.stdout:
        raise SystemExit(f"ruff {' '.join(args)} failed:\n{done.stderr}")
    return done.stdout


def generate() -> str:
    source = SOURCE.read_text(encoding="utf-8")
    body = source[source.index('"""', 3) + 3 :]  # after the module's docstring, which is replaced
    lines = [line for line in body.splitlines(keepends=True) if not line.rstrip().endswith(ASYNC_ONLY)]
    text = DOCSTRING + "".join(lines)
    for pattern, replacement in RENAMES:
        text = re.sub(pattern, replacement, text, flags=re.MULTILINE)
    text = _ruff(["check", "--fix", "--quiet", "--exit-zero"], text)
    # Calls the async source spreads over lines for a `# async only` argument join up where they fit.
    return _ruff(["format", "--quiet", "--config", "format.skip-magic-trailing-comma = true"], text)


def main(argv: list[str]) -> int:
    wanted = generate()
    if "--check" in argv:
        if TARGET.read_text(encoding="utf-8") != wanted:
            print(f"{TARGET} is not what {SOURCE.name} generates: run python {__file__}", file=sys.stderr)
            return 1
        return 0
    TARGET.write_text(wanted, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
