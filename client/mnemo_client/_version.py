"""The installed mnemo-client's version, as the `--version` of its commands print it."""

from __future__ import annotations


def client_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("mnemo-client")
    except PackageNotFoundError:  # run from a source tree
        return "unknown"
