"""`mnemo-hook install [--project|--user]` (also `mnemo hook install`): put mnemo's hooks into Claude
Code's settings file, each entry calling `mnemo-hook <event>` (the light client's command: no torch).

Idempotent and preserving: every other key and hook stays as it was; mnemo's own entries (found by
their `mnemo-hook <event>` or older `mnemo hook <event>` command) are updated in place, never added
twice. The file is replaced
atomically, so an agent reading it never sees half a file.
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


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="mnemo-hook install", description=__doc__.splitlines()[0])
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--project", action="store_true", help="./.claude/settings.json (the default)")
    where.add_argument("--user", action="store_true", help="~/.claude/settings.json")
    parser.add_argument("--dir", default=".", help="the project directory (default: the current one)")
    parser.add_argument(
        "--command", help="the hook command the entries run (default: this environment's mnemo-hook)"
    )
    args = parser.parse_args(argv)
    path = settings_path("user" if args.user else "project", Path(args.dir))
    try:
        settings = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        if not isinstance(settings, dict):
            raise ValueError("it is not a JSON object")
        install_hooks(settings, args.command or hook_command())
    except ValueError as exc:  # JSONDecodeError too: never overwrite a file we cannot read
        print(f"mnemo-hook install: cannot update {path}: {exc}", file=sys.stderr)
        return 1
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", dir=path.parent, delete=False, encoding="utf-8") as out:
        json.dump(settings, out, indent=2)
        out.write("\n")
    os.replace(out.name, path)
    print(f"mnemo hooks installed in {path}; set MNEMO_URL (and MNEMO_API_KEY) for the agent")
    return 0
