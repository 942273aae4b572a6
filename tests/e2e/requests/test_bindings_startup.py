"""A bad MNEMO_CONFIG stops the service before it starts, saying where: `create_app` raises, and
`mnemo serve` exits non-zero printing file:line: field, with no stack trace."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from mnemo.api.config.bindings_config import BindingsConfigError
from mnemo.api.config.settings import Settings
from mnemo.api.http.app import create_app

BAD = """\
resources:
  - id: support
    types: [semantic]
agents:
  - name: bot
    memories:
      - {id: support, mode: writable}
"""


def test_create_app_refuses_a_bad_config(tmp_path: Path) -> None:
    config = tmp_path / "mnemo.yaml"
    config.write_text(BAD)
    with pytest.raises(BindingsConfigError) as caught:
        create_app(Settings(data_dir=tmp_path / "data", config=config))
    assert f"{config}:7: agents[0].memories[0].mode:" in str(caught.value)
    assert not (tmp_path / "data").exists()  # failed before opening anything


def test_mnemo_serve_exits_with_the_message(tmp_path: Path) -> None:
    config = tmp_path / "mnemo.yaml"
    config.write_text(BAD)
    env = dict(os.environ, MNEMO_DATA_DIR=str(tmp_path / "data"), MNEMO_CONFIG=str(config))
    done = subprocess.run(
        [sys.executable, "-m", "mnemo.cli.main", "serve"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert (
        f"{config}:7: agents[0].memories[0].mode: Input should be 'read-write' or 'read-only'" in done.stderr
    )
    assert "Traceback" not in done.stderr + done.stdout
    # --config names the file too; a missing file is an error, not "no agents".
    done = subprocess.run(
        [sys.executable, "-m", "mnemo.cli.main", "serve", "--config", str(tmp_path / "nope.yaml")],
        env={k: v for k, v in env.items() if k != "MNEMO_CONFIG"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2 and "nope.yaml: cannot read it" in done.stderr
