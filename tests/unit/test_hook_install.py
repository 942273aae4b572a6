"""`mnemo-hook install` (and `mnemo hook install`): writes Claude Code's hook entries, each calling the
light client's `mnemo-hook`, idempotently, preserving everything else."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

BIN = Path(sys.executable).parent
MNEMO_HOOK = str(BIN / "mnemo-hook")
EXISTING = {
    "model": "opus",
    "permissions": {"allow": ["Bash(npm test)"]},
    "hooks": {
        "PostToolUse": [
            {"matcher": "Edit|Write", "hooks": [{"type": "command", "command": "npx prettier --write"}]}
        ],
        "Stop": [{"hooks": [{"type": "command", "command": "notify-send done"}]}],
        # An entry of the server's `mnemo hook` (before mnemo-hook): updated in place, not doubled.
        "SessionEnd": [{"hooks": [{"type": "command", "command": "/old/venv/bin/mnemo hook session-end"}]}],
    },
}


def install(*args: str, home: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HOME": str(home)}
    return subprocess.run([MNEMO_HOOK, "install", *args], cwd=cwd, env=env, capture_output=True, text=True)


def mnemo_commands(settings: dict) -> dict[str, list[str]]:
    return {
        event: [h["command"] for g in groups for h in g["hooks"] if "mnemo" in h["command"]]
        for event, groups in settings["hooks"].items()
    }


def test_project_install_is_idempotent_and_preserves_what_is_there(tmp_path: Path) -> None:
    path = tmp_path / ".claude" / "settings.json"
    path.parent.mkdir()
    path.write_text(json.dumps(EXISTING))
    for _ in range(2):
        ran = install("--project", home=tmp_path / "home", cwd=tmp_path)
        assert ran.returncode == 0, ran.stderr
    first = path.read_text()
    assert install(home=tmp_path / "home", cwd=tmp_path).returncode == 0
    assert path.read_text() == first  # a third run changes nothing either
    settings = json.loads(first)
    assert settings["model"] == "opus" and settings["permissions"] == EXISTING["permissions"]
    assert settings["hooks"]["PostToolUse"][0] == EXISTING["hooks"]["PostToolUse"][0]
    assert settings["hooks"]["Stop"][0] == EXISTING["hooks"]["Stop"][0]
    commands = mnemo_commands(settings)
    assert commands == {
        "UserPromptSubmit": [f"{MNEMO_HOOK} user-prompt-submit"],
        "PostToolUse": [f"{MNEMO_HOOK} post-tool-use"],
        "Stop": [f"{MNEMO_HOOK} stop"],
        "SessionEnd": [f"{MNEMO_HOOK} session-end"],
    }
    assert len(settings["hooks"]["SessionEnd"]) == 1  # the old entry was updated, not joined
    (todo,) = [g for g in settings["hooks"]["PostToolUse"] if "mnemo" in g["hooks"][0]["command"]]
    assert todo["matcher"] == "TodoWrite"
    hook_path = Path(commands["Stop"][0].split(" ")[0])
    assert hook_path.is_absolute() and os.access(hook_path, os.X_OK)  # runs whatever the agent's PATH


def test_user_install_writes_the_home_settings(tmp_path: Path) -> None:
    home = tmp_path / "home"
    assert install("--user", home=home, cwd=tmp_path).returncode == 0
    settings = json.loads((home / ".claude" / "settings.json").read_text())
    assert set(mnemo_commands(settings)) == {"UserPromptSubmit", "PostToolUse", "Stop", "SessionEnd"}
    assert not (tmp_path / ".claude").exists()


def test_an_unreadable_settings_file_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / ".claude" / "settings.json"
    path.parent.mkdir()
    path.write_text("{ not json")
    ran = install("--project", home=tmp_path / "home", cwd=tmp_path)
    assert ran.returncode == 1 and "cannot update" in ran.stderr
    assert path.read_text() == "{ not json"


def test_the_servers_mnemo_hook_install_writes_the_same_entries(tmp_path: Path) -> None:
    env = {**os.environ, "HOME": str(tmp_path / "home")}
    ran = subprocess.run(
        [str(BIN / "mnemo"), "hook", "install", "--user"], env=env, capture_output=True, text=True
    )
    assert ran.returncode == 0, ran.stderr
    settings = json.loads((tmp_path / "home" / ".claude" / "settings.json").read_text())
    assert mnemo_commands(settings)["UserPromptSubmit"] == [f"{MNEMO_HOOK} user-prompt-submit"]
