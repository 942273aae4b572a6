"""Secrets the service keeps in files of its own (the signing key, the id key): written whole and
readable by their owner only."""

from __future__ import annotations

import os
from pathlib import Path


def write_secret(path: Path, data: bytes, *, replace: bool = False) -> bool:
    """Write `data` to `path` whole (never half a key), mode 0600; `replace=False`: only where there
    is none yet (answers whether this call wrote it: of two replicas starting at once, one key wins)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    staged = path.with_name(f".{path.name}.{os.getpid()}")
    descriptor = os.open(staged, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    try:
        if replace:
            os.replace(staged, path)
            return True
        os.link(staged, path)
        return True
    except FileExistsError:
        return False
    finally:
        staged.unlink(missing_ok=True)
