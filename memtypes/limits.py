"""Limits that match the engines: what a caller's JSON (metadata) and date-times may be.

The numbers are chosen with margin below what breaks an engine, measured, not guessed:

- Depth. Qdrant Edge stores payloads with serde_json, whose recursion limit is 128: a payload
  nesting 127 levels (metadata at 126 below the payload root) is accepted on write and then every
  read of the shard fails ("Payload storage is corrupted … recursion limit exceeded"), for every
  record of the type. A Qdrant server parses with the same library. 32 is a quarter of that, deeper
  than any metadata a caller needs, and keeps the iterative walk here cheap.
- Nodes (keys plus array elements, all levels): 1,000. Each one is a value the engine stores and
  serializes on every read of the record.
- Keys 1..256 characters without control characters (a NUL in a key is legal JSON but not a name
  anyone means); strings are bounded by the record's JSON size cap (16,000 characters).
- Integers within a signed 64-bit range (the engines' payload integers); floats finite (JSON has
  no NaN or Infinity, and an engine would have to invent a spelling for them).
- Date-times between the years 1900 and 2200. An offset date-time near year 1 or 9999 cannot even
  be converted to UTC (`0001-01-01T00:00:00+14:00` overflows), float timestamps lose whole seconds
  far from the epoch, and no memory of an agent happened before 1900 or is due after 2200.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

MAX_METADATA_DEPTH = 32
# Memories one write request may carry at the most: the ceiling of MNEMO_MAX_ITEMS_PER_REQUEST
# (the service's own limit, lower by default) and the schema's bound on `memories`.
MAX_ITEMS_PER_REQUEST = 10_000
MAX_METADATA_NODES = 1_000
MAX_KEY_CHARS = 256
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
MIN_YEAR, MAX_YEAR = 1900, 2200
_EARLIEST = datetime(MIN_YEAR, 1, 1, tzinfo=UTC)
_LATEST = datetime(MAX_YEAR, 12, 31, 23, 59, 59, tzinfo=UTC)


def _key_problem(key: object) -> str | None:
    if not isinstance(key, str):
        return "keys must be strings"
    if not 1 <= len(key) <= MAX_KEY_CHARS:
        return f"keys must be 1..{MAX_KEY_CHARS} characters"
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in key):
        return "keys must not contain control characters"
    return None


def _scalar_problem(value: object) -> str | None:
    if value is None or isinstance(value, bool | str):
        return None
    if isinstance(value, int):
        return None if INT64_MIN <= value <= INT64_MAX else "integers must fit in 64 bits"
    if isinstance(value, float):
        return None if math.isfinite(value) else "numbers must be finite"
    return f"{type(value).__name__} is not a JSON value"


def metadata_problem(value: dict[str, Any]) -> str | None:
    """Why `value` cannot be stored as metadata, or None. Iterative: no depth can overflow a stack."""
    stack: list[tuple[object, int]] = [(value, 1)]
    nodes = 0
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict | list):
            if depth > MAX_METADATA_DEPTH:
                return f"nested deeper than {MAX_METADATA_DEPTH} levels"
            nodes += len(node)
            if nodes > MAX_METADATA_NODES:
                return f"more than {MAX_METADATA_NODES} keys and elements in all"
            if isinstance(node, dict):
                for key in node:
                    if (problem := _key_problem(key)) is not None:
                        return problem
                children = list(node.values())
            else:
                children = node
            stack.extend((child, depth + 1) for child in children)
        elif (problem := _scalar_problem(node)) is not None:
            return problem
    return None


def bounded_instant(value: datetime) -> datetime:
    """`value` in UTC, refused (ValueError) outside the years MIN_YEAR..MAX_YEAR."""
    try:
        moment = value.astimezone(UTC)
    except OverflowError:
        moment = None
    if moment is None or not _EARLIEST <= moment <= _LATEST:
        raise ValueError(f"must be between the years {MIN_YEAR} and {MAX_YEAR}")
    return value
