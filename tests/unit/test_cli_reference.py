"""Every command explains itself, and docs/cli.md says what each `--help` says.

`--help` on every command and subcommand of `mnemo` (every `mnemo bench …` too), `mnemo-hook` (each
event) and `mnemo-mcp` prints usage and exits 0; `--version` answers for `mnemo`, `mnemo-hook` and
`mnemo-mcp` (the client's version). docs/cli.md holds each help text as printed at 100 columns; after
a change to a command, rewrite it with `python -m tests.unit.test_cli_reference`.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from importlib.metadata import version
from pathlib import Path

import pytest

from mnemo.cli.main import build_parser
from mnemo.cli.main import main as mnemo_main
from mnemo_client.mcp.stdio import main as mcp_main
from mnemo_hook.command import HELP as HOOK_HELP
from mnemo_hook.command import main as hook_main

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "docs" / "cli.md"
COLUMNS = "100"
INTRO = """# Command-line reference

Every command of the server's `mnemo` and of the light client's `mnemo-hook` and `mnemo-mcp`, with
its `--help` as it prints it (`tests/unit/test_cli_reference.py` keeps this page equal to the
commands). `mnemo --version` prints the server's and the client's versions; `mnemo-hook --version`
and `mnemo-mcp --version` the client's.

Commands that talk to a running mnemo (`ingest`, `forget`, `backup`, `mcp`, `mnemo-hook`,
`mnemo-mcp`) take its address from `--url` or `MNEMO_URL` (and a key from `--api-key` or
`MNEMO_API_KEY`; `backup` takes the admin key). `mnemo ingest` without a URL writes into an embedded
data dir, and creates a new one only with `--create`.
"""


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def mnemo_commands() -> Iterator[list[str]]:
    """Every command path of `mnemo`: [], ["serve"], ["bench"], ["bench", "quality"], …"""

    def walk(parser: argparse.ArgumentParser, path: list[str]) -> Iterator[list[str]]:
        yield path
        for name, sub in _subcommands(parser).items():
            yield from walk(sub, [*path, name])

    yield from walk(build_parser(), [])


def printed(run: Callable[[list[str]], object], argv: list[str]) -> str:
    """What a command prints for `argv` (its exit must be 0)."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        try:
            code = run(argv)
        except SystemExit as exit_:
            code = exit_.code
    assert code in (0, None), f"{argv}: exit {code}"
    return out.getvalue()


def help_texts() -> dict[str, str]:
    """Each command line → its help, at a fixed width."""
    os.environ["COLUMNS"] = COLUMNS
    texts = {}
    for path in mnemo_commands():
        texts[" ".join(["mnemo", *path])] = printed(mnemo_main, [*path, "--help"])
    texts["mnemo-hook"] = printed(hook_main, ["--help"])
    texts["mnemo-hook install"] = printed(hook_main, ["install", "--help"])
    texts["mnemo-mcp"] = printed(mcp_main, ["--help"])
    return texts


def reference() -> str:
    sections = [INTRO]
    for command, text in help_texts().items():
        sections.append(f"## `{command}`\n\n```text\n{text.rstrip()}\n```\n")
    return "\n".join(sections)


def test_every_command_and_subcommand_prints_its_usage_and_exits_0() -> None:
    texts = help_texts()
    assert len(texts) >= 29  # mnemo's commands, every bench subcommand, the hook's and the MCP's
    for command, text in texts.items():
        assert text.startswith("usage: "), f"{command} --help: {text[:200]!r}"
    assert texts["mnemo hook"] == texts["mnemo-hook"] == HOOK_HELP  # one help for both spellings
    assert texts["mnemo mcp"] == texts["mnemo-mcp"]
    assert "(MNEMO_URL, else http://127.0.0.1:8080)" in " ".join(texts["mnemo-mcp"].split())
    install = " ".join(texts["mnemo-hook install"].split("options:")[0].split())
    assert install.endswith("where the client's `mcp` extra is installed."), install  # a whole paragraph
    for event in ("user-prompt-submit", "post-tool-use", "stop", "session-end"):
        assert printed(hook_main, [event, "--help"]) == HOOK_HELP
    top = texts["mnemo"]
    bench = texts["mnemo bench"]
    for name in _subcommands(_subcommands(build_parser())["bench"]):
        assert name in bench and name in top.split("bench", 1)[1], f"mnemo --help leaves out bench {name}"


def test_the_reference_page_says_what_the_commands_say() -> None:
    assert REFERENCE.read_text() == reference(), (
        "docs/cli.md differs from the commands' --help: rewrite it with "
        "`python -m tests.unit.test_cli_reference` (and check the change reads right)"
    )


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        ("mnemo", f"mnemo {version('mnemo-server')} (mnemo-client {version('mnemo-client')})"),
        ("mnemo-hook", f"mnemo-hook (mnemo-client {version('mnemo-client')})"),
        ("mnemo-mcp", f"mnemo-mcp (mnemo-client {version('mnemo-client')})"),
    ],
)
def test_each_console_script_answers_version_and_help(script: str, expected: str) -> None:
    path = Path(sys.executable).parent / script
    done = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout.strip()) == (0, expected), done.stderr
    helped = subprocess.run([path, "--help"], capture_output=True, text=True, timeout=60)
    assert helped.returncode == 0 and helped.stdout.startswith("usage: "), helped.stderr


if __name__ == "__main__":
    REFERENCE.write_text(reference())
    print(f"wrote {REFERENCE.relative_to(ROOT)}")
