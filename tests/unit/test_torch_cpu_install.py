"""`make serve`, docs/getting-started.md's install line and deploy/Dockerfile install torch's CPU build.

Each one's pip command is run as written (`--dry-run --report`) by a real pip against two local
package indexes, with the machine's pip configuration left out: one stands for PyPI, whose torch
2.13.0 pulls CUDA, and one for PyTorch's CPU index, whose build is `2.13.0+cpu`. What pip would
install must be the CPU build, as it would be on an ordinary machine with internet.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CPU_INDEX = "https://download.pytorch.org/whl/cpu"


def _wheel(index: Path, version: str) -> None:
    """A tiny real wheel of `torch` at `version`, in a PEP 503 index under `index`."""
    project = index / "torch"
    project.mkdir(parents=True)
    name = f"torch-{version}-py3-none-any.whl"
    info = f"torch-{version}.dist-info"
    with zipfile.ZipFile(project / name, "w") as wheel:
        wheel.writestr(f"{info}/METADATA", f"Metadata-Version: 2.1\nName: torch\nVersion: {version}\n")
        wheel.writestr(
            f"{info}/WHEEL", "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
        )
        wheel.writestr(f"{info}/RECORD", "")
    (project / "index.html").write_text(f'<html><body><a href="{name}">{name}</a></body></html>')


def _install_args(command: str) -> list[str]:
    words = shlex.split(command)
    return [w for w in words[words.index("install") + 1 :] if w != "--quiet"]


def makefile_command() -> str:
    printed = subprocess.run(
        ["make", "-n", "-B", ".venv/.installed"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    return next(line for line in printed.splitlines() if "pip install" in line and "torch==" in line)


def docs_command() -> str:
    lines = (ROOT / "docs" / "getting-started.md").read_text().splitlines()
    return next(line for line in lines if line.startswith("pip install torch=="))


def dockerfile_command() -> str:
    lines = (ROOT / "deploy" / "Dockerfile").read_text().splitlines()
    return next(line for line in lines if "pip install" in line and "torch==" in line).removeprefix("RUN ")


@pytest.mark.parametrize("command", [makefile_command, docs_command, dockerfile_command])
def test_the_install_resolves_the_cpu_build(command: object, tmp_path: Path) -> None:
    assert callable(command)
    pypi, cpu = tmp_path / "pypi", tmp_path / "cpu"
    _wheel(pypi, "2.13.0")
    _wheel(cpu, "2.13.0+cpu")
    args = [a.replace(CPU_INDEX, cpu.as_uri()) for a in _install_args(command())]
    assert cpu.as_uri() in args, f"no CPU index in: {command()}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    env.update(PIP_CONFIG_FILE=os.devnull, PIP_INDEX_URL=pypi.as_uri(), PIP_DISABLE_PIP_VERSION_CHECK="1")
    report = tmp_path / "report.json"
    pip = [sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed", "--no-deps"]
    done = subprocess.run(
        [*pip, "--report", str(report), *args], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    (torch,) = [i["metadata"] for i in json.loads(report.read_text())["install"]]
    assert torch["name"] == "torch" and torch["version"] == "2.13.0+cpu", command()
