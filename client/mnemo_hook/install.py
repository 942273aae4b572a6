"""`mnemo-hook install [--project|--user]` (also `mnemo hook install`): put mnemo's hooks into Claude
Code's settings file, each entry calling `mnemo-hook <event>` (the light client's command: no torch),
and register the `mnemo` MCP server (`mnemo-mcp`, stdio) in Claude Code's MCP configuration (the
project's `.mcp.json`, or `~/.claude.json`) where the client's `mcp` extra is installed.

Idempotent and preserving: every other key, hook and MCP server stays as it was; mnemo's own hook
entries (found by their `mnemo-hook <event>` or older `mnemo hook <event>` command) and its `mnemo`
MCP server are updated in place, never added twice. Each file is replaced atomically, so an agent
reading it never sees half a file, and a file that is not a JSON object is left alone.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

# Claude Code event → (mnemo hook event, matcher, timeout in seconds)
HOOKS: dict[str, tuple[str, str | None, int]] = {
    "UserPromptSubmit": ("user-prompt-submit", None, 10),
    "PostToolUse": ("post-tool-use", "TodoWrite", 15),
    "Stop": ("stop", None, 30),
    "SessionEnd": ("session-end", None, 30),
}


def hook_command() -> str:
    """The absolute path of this environment's `mnemo-hook`, so the hook runs in an agent whose PATH
    lacks the venv (beside this Python first: the environment the installer runs in)."""
    beside = Path(sys.executable).parent / "mnemo-hook"
    found = str(beside) if beside.exists() else shutil.which("mnemo-hook")
    return shlex.quote(str(Path(found).absolute())) if found else "mnemo-hook"


def _is_mnemo_hook(hook: Any, event: str) -> bool:
    command = hook.get("command") if isinstance(hook, dict) else None
    return isinstance(command, str) and command.rstrip().endswith(f"hook {event}") and "mnemo" in command


def install_hooks(settings: dict[str, Any], command: str) -> dict[str, Any]:
    """`settings` with mnemo's hook entries added or updated; nothing else changes."""
    hooks = settings.setdefault("hooks", {})
    if not isinstance(hooks, dict):
        raise ValueError("the settings' `hooks` is not an object")
    for claude_event, (event, matcher, timeout) in HOOKS.items():
        entry = {"type": "command", "command": f"{command} {event}", "timeout": timeout}
        groups = hooks.setdefault(claude_event, [])
        existing = [
            (group, i)
            for group in groups
            if isinstance(group, dict)
            for i, hook in enumerate(group.get("hooks") or [])
            if _is_mnemo_hook(hook, event)
        ]
        if existing:
            for group, i in existing:
                group["hooks"][i] = entry
            continue
        added: dict[str, Any] = {"matcher": matcher} if matcher else {}
        added["hooks"] = [entry]
        groups.append(added)
    return settings


def settings_path(scope: str, project_dir: Path) -> Path:
    if scope == "user":
        return Path.home() / ".claude" / "settings.json"
    return project_dir / ".claude" / "settings.json"


def mcp_config_path(scope: str, project_dir: Path) -> Path:
    """Where Claude Code reads MCP servers: the project's `.mcp.json`, or the user's `~/.claude.json`."""
    return Path.home() / ".claude.json" if scope == "user" else project_dir / ".mcp.json"


def install_mcp_server(config: dict[str, Any], command: str) -> dict[str, Any]:
    """`config` with the `mnemo` MCP server (stdio, `mnemo-mcp`) added or updated; nothing else changes.
    Its URL and key come from MNEMO_URL / MNEMO_API_KEY in the agent's environment."""
    servers = config.setdefault("mcpServers", {})
    if not isinstance(servers, dict):
        raise ValueError("its `mcpServers` is not an object")
    servers["mnemo"] = {"type": "stdio", "command": command, "args": []}
    return config


def mcp_command() -> str | None:
    """This environment's `mnemo-mcp`, when the MCP SDK (the client's `mcp` extra) is installed."""
    import importlib.util

    beside = Path(sys.executable).parent / "mnemo-mcp"
    if importlib.util.find_spec("mcp") is None or not beside.exists():
        return None
    return str(beside.absolute())


def _update(path: Path, change: Any) -> str | None:
    """Apply `change` to the JSON object in `path` (atomically); the reason when it cannot."""
    try:
        settings = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        if not isinstance(settings, dict):
            raise ValueError("it is not a JSON object")
        change(settings)
    except ValueError as exc:  # JSONDecodeError too: never overwrite a file we cannot read
        return f"cannot update {path}: {exc}"
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", dir=path.parent, delete=False, encoding="utf-8") as out:
        json.dump(settings, out, indent=2)
        out.write("\n")
    os.replace(out.name, path)
    return None


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="mnemo-hook install", description=__doc__.split("\n\n")[0])
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--project", action="store_true", help="./.claude/settings.json and ./.mcp.json (the default)"
    )
    where.add_argument("--user", action="store_true", help="~/.claude/settings.json and ~/.claude.json")
    parser.add_argument("--dir", default=".", help="the project directory (default: the current one)")
    parser.add_argument(
        "--command", help="the hook command the entries run (default: this environment's mnemo-hook)"
    )
    parser.add_argument("--no-mcp", action="store_true", help="do not register the mnemo MCP server")
    args = parser.parse_args(argv)
    scope, project = ("user" if args.user else "project"), Path(args.dir)
    path = settings_path(scope, project)
    command = args.command or hook_command()
    if problem := _update(path, lambda settings: install_hooks(settings, command)):
        print(f"mnemo-hook install: {problem}", file=sys.stderr)
        return 1
    print(f"mnemo hooks installed in {path}; set MNEMO_URL (and MNEMO_API_KEY) for the agent")
    if args.no_mcp:
        return 0
    if (mcp := mcp_command()) is None:
        print("mnemo-hook install: no MCP server registered (needs mnemo-client[mcp])", file=sys.stderr)
        return 0
    mcp_path = mcp_config_path(scope, project)
    if problem := _update(mcp_path, lambda config: install_mcp_server(config, mcp)):
        print(f"mnemo-hook install: {problem}", file=sys.stderr)
        return 1
    print(f"mnemo MCP server ({mcp}) registered in {mcp_path}")
    return 0
