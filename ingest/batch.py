"""Batch ingestion of a JSONL file: one memory per line, the same fields as `POST /v1/memories`.

Idempotent (ids are deterministic and unchanged input is not re-embedded), resumable (a checkpoint
after every committed batch records the byte offset and a hash of the bytes before it; a re-run
continues there if that prefix is unchanged), and it never stops on a bad line: each one is named by
its line number in the summary.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import re
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

from pydantic import ValidationError

from ..memtypes.records import MemoryIn
from .pipeline import WriteOptions, WriteResult, WriteStatus

DEFAULT_BATCH_SIZE = 256
MAX_LINE_BYTES = 1_100_000  # longer lines are reported, not parsed
_TENANT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_MAX_ERROR_CHARS = 200


class MemorySink(Protocol):
    """Where a batch goes: the embedded write pipeline, or a running server over HTTP."""

    async def write(
        self, tenant: str, items: Sequence[MemoryIn], options: WriteOptions
    ) -> list[WriteResult]: ...


@dataclass
class IngestSummary:
    path: str
    lines: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    merged: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    failed: list[tuple[int, str]] = field(default_factory=list)
    resumed_from_line: int = 0
    seconds: float = 0.0
    interrupted: bool = False

    def count(self, result: WriteResult, line: int) -> None:
        if result.status is WriteStatus.SKIPPED:
            self.skipped[(result.reason or "unknown").split(" ", 1)[0]] += 1
        elif result.status is WriteStatus.FAILED:
            self.failed.append((line, result.reason or "failed"))
        else:
            setattr(self, result.status.value, getattr(self, result.status.value) + 1)

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["skipped"] = dict(self.skipped)
        out["failed"] = [{"line": n, "error": e} for n, e in self.failed]
        return out

    def render(self) -> str:
        rate = (self.created + self.updated + self.merged) / self.seconds if self.seconds else 0.0
        skipped = ", ".join(f"{reason} {n}" for reason, n in sorted(self.skipped.items()))
        lines = [
            f"{'interrupted' if self.interrupted else 'ingested'} {self.path}: {self.lines} lines "
            f"in {self.seconds:.1f} s ({rate:.0f} memories written/s)"
            + (f", resumed at line {self.resumed_from_line + 1}" if self.resumed_from_line else ""),
            f"  written    {self.created}",
            f"  updated    {self.updated}",
            f"  unchanged  {self.unchanged}",
            f"  merged     {self.merged}",
            f"  skipped    {sum(self.skipped.values())}" + (f" ({skipped})" if skipped else ""),
            f"  failed     {len(self.failed)}",
        ]
        lines += [f"    line {n}: {error}" for n, error in self.failed[:50]]
        if len(self.failed) > 50:
            lines.append(f"    … and {len(self.failed) - 50} more")
        return "\n".join(lines)


@dataclass(frozen=True)
class ParsedLine:
    number: int
    end_offset: int
    tenant: str | None = None
    memory: MemoryIn | None = None
    error: str | None = None


def _describe(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "line"
    more = f" (+{exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
    return f"{where}: {first['msg']}{more}"[:_MAX_ERROR_CHARS]


def parse_line(number: int, raw: bytes, end_offset: int) -> ParsedLine | None:
    """One line → a memory or an error naming what is wrong; None for a blank line."""
    if len(raw) > MAX_LINE_BYTES:
        return ParsedLine(number, end_offset, error=f"line is {len(raw)} bytes (limit {MAX_LINE_BYTES})")
    if not raw.strip():
        return None
    try:
        data = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        return ParsedLine(number, end_offset, error=f"invalid JSON: {exc}"[:_MAX_ERROR_CHARS])
    if not isinstance(data, dict):
        return ParsedLine(number, end_offset, error="a line must be a JSON object")
    tenant = data.pop("tenant", None)
    if tenant is not None and (not isinstance(tenant, str) or not _TENANT.match(tenant)):
        return ParsedLine(number, end_offset, error="tenant: must match [A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
    try:
        return ParsedLine(number, end_offset, tenant, MemoryIn.model_validate(data))
    except ValidationError as exc:
        return ParsedLine(number, end_offset, error=_describe(exc))


def read_lines(path: Path, start_offset: int, start_line: int) -> Iterator[ParsedLine]:
    with path.open("rb") as handle:
        handle.seek(start_offset)
        number, offset = start_line, start_offset
        for raw in handle:
            number += 1
            offset += len(raw)
            parsed = parse_line(number, raw, offset)
            if parsed is not None:
                yield parsed


class Checkpoint:
    """Where the last committed batch ended, for resuming an interrupted run of the same file."""

    def __init__(self, state_dir: Path, source: Path) -> None:
        digest = hashlib.sha256(str(source.resolve()).encode()).hexdigest()[:24]
        self.path = state_dir / f"{digest}.json"
        self.source = source

    def _prefix_hash(self, offset: int) -> str:
        digest = hashlib.sha256()
        with self.source.open("rb") as handle:
            remaining = offset
            while remaining > 0:
                chunk = handle.read(min(remaining, 1 << 20))
                if not chunk:
                    break
                digest.update(chunk)
                remaining -= len(chunk)
        return digest.hexdigest()

    def load(self) -> tuple[int, int, dict[str, Any]]:
        """(byte offset, line number, partial summary) to resume from, or a fresh start."""
        try:
            state = json.loads(self.path.read_text())
            offset, line = int(state["offset"]), int(state["line"])
            if offset <= self.source.stat().st_size and self._prefix_hash(offset) == state["prefix_sha256"]:
                return offset, line, dict(state.get("summary", {}))
        except (OSError, ValueError, KeyError, TypeError):
            pass
        return 0, 0, {}

    def save(self, offset: int, line: int, summary: IngestSummary) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        state = {"offset": offset, "line": line, "prefix_sha256": self._prefix_hash(offset),
                 "summary": summary.as_dict()}  # fmt: skip
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(state))
        os.replace(tmp, self.path)  # atomic: a crash leaves the old checkpoint or the new one

    def clear(self) -> None:
        self.path.unlink(missing_ok=True)


def _restore(summary: IngestSummary, saved: dict[str, Any]) -> None:
    for name in ("lines", "created", "updated", "unchanged", "merged"):
        setattr(summary, name, int(saved.get(name, 0)))
    summary.skipped.update({str(k): int(v) for k, v in dict(saved.get("skipped", {})).items()})
    summary.failed.extend((int(f["line"]), str(f["error"])) for f in saved.get("failed", []))


async def ingest_file(
    path: Path,
    sink: MemorySink,
    *,
    default_tenant: str,
    tenant_from_line: bool = True,
    options: WriteOptions | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    checkpoint: Checkpoint | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> IngestSummary:
    """Ingest `path` into `sink`; `on_progress(byte_offset, memories_written)` after each batch."""
    options = options or WriteOptions()
    summary = IngestSummary(str(path))
    offset, line, saved = checkpoint.load() if checkpoint else (0, 0, {})
    _restore(summary, saved)
    summary.resumed_from_line = line
    started = time.perf_counter()
    batch: list[ParsedLine] = []

    async def flush() -> None:
        by_tenant: dict[str, list[ParsedLine]] = {}
        for parsed in batch:
            by_tenant.setdefault(parsed.tenant or default_tenant, []).append(parsed)
        for tenant, members in by_tenant.items():
            results = await sink.write(tenant, [m.memory for m in members if m.memory], options)
            for member, result in zip(members, results, strict=True):
                summary.count(result, member.number)
        if checkpoint:
            checkpoint.save(batch[-1].end_offset, batch[-1].number, summary)
        if on_progress:
            on_progress(batch[-1].end_offset, summary.created + summary.updated + summary.merged)
        batch.clear()

    try:
        for parsed in read_lines(path, offset, line):
            summary.lines = parsed.number
            if parsed.error is None and parsed.tenant is not None and not tenant_from_line:
                parsed = ParsedLine(
                    parsed.number, parsed.end_offset, error="tenant: set by the API key with --url"
                )
            if parsed.error is not None:
                summary.failed.append((parsed.number, parsed.error))
                continue
            batch.append(parsed)
            if len(batch) >= batch_size:
                await flush()
        if batch:
            await flush()
    except (KeyboardInterrupt, asyncio.CancelledError):
        # Ctrl-C: what was committed is checkpointed; a re-run resumes after it.
        summary.interrupted = True
    finally:
        summary.seconds = time.perf_counter() - started
    if checkpoint and not summary.interrupted:
        checkpoint.clear()
    return summary
