"""Shared fixtures. Engines are real: Qdrant Edge on a temp dir, the packaged MiniLM model, tiktoken."""

from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # belt and braces: no test may reach a model hub


import shutil
import subprocess
from pathlib import Path


def copy_sparse(src: Path, dst: Path) -> None:
    """Copy an Edge data dir keeping its files sparse (they are ~870 MB apparent, ~2 MB on disk)."""
    if shutil.which("cp") is None:
        shutil.copytree(src, dst)
        return
    subprocess.run(["cp", "-r", "--sparse=always", str(src), str(dst)], check=True)
