"""mnemo.lab, the benchmark harness's one door into the server: every name it lists is there, and
importing it loads nothing of the service until a name is used (the harness's parser names some of
them, and `mnemo bench … --help` must answer without the service)."""

from __future__ import annotations

import json
import subprocess
import sys

import mnemo.lab

IMPORT_THE_DOOR = """
import json, sys
import mnemo.lab
print(json.dumps(sorted(m for m in sys.modules if m.startswith("mnemo."))))
"""


def test_every_name_of_the_door_resolves() -> None:
    missing = [name for name in mnemo.lab.__all__ if getattr(mnemo.lab, name, None) is None]
    assert not missing


def test_an_unknown_name_is_an_attribute_error() -> None:
    assert not hasattr(mnemo.lab, "MemoryWriterr")


def test_importing_the_door_loads_nothing_of_the_service() -> None:
    done = subprocess.run(
        [sys.executable, "-c", IMPORT_THE_DOOR], capture_output=True, text=True, timeout=60, check=True
    )
    assert json.loads(done.stdout) == ["mnemo.lab"]
