"""`mnemo import --from mem0|letta|ams|zep FILE`: another memory system's export, into a running mnemo
(--url or MNEMO_URL, with --api-key or MNEMO_API_KEY: the tenant is the key's).

Idempotent: each memory's caller id is derived from the vendor's id (compat/importers/), so a rerun
finds it unchanged and writes nothing twice. Resumable: after each batch the number of batches done is
recorded under --state-dir, keyed by the file's digest; a rerun of the same file starts after them.
What the export says is written as it is (no filler dropped, no near-duplicates merged), at the
times it gives. The summary counts what was written, what was skipped and why, and names each entry
that failed by its place in the file. `--dry-run` reads and checks everything and writes nothing."""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import sys
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..compat.importers import Entry
    from ..ingest.batch import IngestSummary
    from ..memtypes.records import MemoryIn

VENDORS = ("mem0", "letta", "ams", "zep")
EXIT_OK, EXIT_FAILED_ENTRIES, EXIT_CANNOT_START, EXIT_INTERRUPTED = 0, 1, 2, 130


def run_vendor_import(args: argparse.Namespace) -> int:
    from ..compat.importers import read_export

    path = Path(args.file)
    if not path.is_file():
        print(f"mnemo import: no such file: {path}", file=sys.stderr)
        return EXIT_CANNOT_START
    try:
        entries = read_export(args.source, path)
    except (UnicodeDecodeError, RecursionError) as exc:
        print(f"mnemo import: {path} is not a {args.source} export: {exc}", file=sys.stderr)
        return EXIT_CANNOT_START
    summary = _read_summary(path, entries)
    memories = [(n, e.memory) for n, e in enumerate(entries, start=1) if e.memory is not None]
    if args.dry_run:
        _print_dry_run(args, summary, [m for _, m in memories])
        return EXIT_FAILED_ENTRIES if summary.failed else EXIT_OK
    url = args.url or os.environ.get("MNEMO_URL")
    if not url:
        print("mnemo import: give the running mnemo's --url (or set MNEMO_URL)", file=sys.stderr)
        return EXIT_CANNOT_START
    api_key = args.api_key or os.environ.get("MNEMO_API_KEY")
    state = Path(args.state_dir or ".mnemo-import") / f"{_digest(path)}.json"
    from ..memtypes.errors import Unavailable

    try:
        asyncio.run(_write(url, api_key, memories, summary, state, args.batch_size))
        state.unlink(missing_ok=True)  # finished: a rerun starts over (and finds everything unchanged)
    except Unavailable as exc:
        print(f"mnemo import: {exc.detail} — re-run the same command to resume", file=sys.stderr)
        return EXIT_CANNOT_START
    except KeyboardInterrupt:
        summary.interrupted = True
    print(json.dumps(summary.as_dict()) if args.json else summary.render())
    if summary.interrupted:
        print("interrupted: re-run the same command to resume", file=sys.stderr)
        return EXIT_INTERRUPTED
    return EXIT_FAILED_ENTRIES if summary.failed else EXIT_OK


def _read_summary(path: Path, entries: list[Entry]) -> IngestSummary:
    """The summary of what reading found: entries (its `lines`), skips by reason, failures by place."""
    from ..ingest.batch import IngestSummary

    summary = IngestSummary(path=str(path), lines=len(entries))
    for number, found in enumerate(entries, start=1):
        if found.skipped:
            summary.skipped[found.skipped.split(" ", 1)[0]] += 1
        elif found.error:
            summary.failed.append((number, f"{found.where}: {found.error}"))
    return summary


def _print_dry_run(args: argparse.Namespace, summary: IngestSummary, memories: list[MemoryIn]) -> None:
    by_type = Counter(m.type.value for m in memories)
    if args.json:
        print(json.dumps({**summary.as_dict(), "dry_run": True, "would_write": dict(by_type)}))
        return
    kinds = ", ".join(f"{kind} {n}" for kind, n in sorted(by_type.items())) or "none"
    print(f"dry run of {summary.path} ({args.source}): {summary.lines} entries, nothing written")
    print(f"  would write  {len(memories)} ({kinds})")
    for reason, n in sorted(summary.skipped.items()):
        print(f"  skipped      {n} {reason}")
    for number, error in summary.failed[:20]:
        print(f"  failed       entry {number}: {error}")


async def _write(
    url: str, api_key: str | None, memories: list[tuple[int, MemoryIn]], summary: IngestSummary,
    state: Path, batch_size: int,
) -> None:  # fmt: skip
    import time

    from tqdm import tqdm

    from ..ingest.pipeline import WriteOptions
    from .ingest_run import HttpSink

    batches = [memories[i : i + batch_size] for i in range(0, len(memories), batch_size)]
    done = _batches_done(state)
    if done:
        summary.resumed_from_line = batches[min(done, len(batches)) - 1][-1][0] if batches else 0
    sink = HttpSink(url, api_key)
    bar = tqdm(total=len(memories), unit="memories", desc="import", disable=None)
    started = time.monotonic()
    try:
        for n, batch in enumerate(batches):
            if n < done:
                bar.update(len(batch))
                continue
            written = await sink.write(
                "default", [m for _, m in batch], WriteOptions(prefilter=False, dedup=False)
            )
            for (number, _), result in zip(batch, written, strict=True):
                summary.count(result, number)
            _record_done(state, n + 1)
            bar.update(len(batch))
    finally:
        summary.seconds = time.monotonic() - started
        bar.close()
        await sink.close()


def _digest(path: Path) -> str:
    hasher = hashlib.sha256()
    with path.open("rb") as file:
        for chunk in iter(lambda: file.read(1 << 20), b""):
            hasher.update(chunk)
    return hasher.hexdigest()[:32]


def _batches_done(state: Path) -> int:
    try:
        done: Any = json.loads(state.read_text()).get("batches_done", 0)
    except (OSError, ValueError, AttributeError):
        return 0
    return done if isinstance(done, int) and done >= 0 else 0


def _record_done(state: Path, batches: int) -> None:
    state.parent.mkdir(parents=True, exist_ok=True)
    partial = state.with_suffix(".tmp")
    partial.write_text(json.dumps({"batches_done": batches}))
    partial.replace(state)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """`mnemo import`'s options for another system's export (the rest are the migration's)."""
    parser.add_argument(
        "--from",
        dest="source",
        choices=VENDORS,
        help="FILE is this system's export (a mem0 dump, a Letta .af, an AMS export, a Zep user's "
        "messages): import it into the running mnemo at --url (default MNEMO_URL) with --api-key "
        "(default MNEMO_API_KEY)",
    )
    parser.add_argument("--dry-run", action="store_true", help="with --from: read and check, write nothing")
    parser.add_argument(
        "--state-dir", help="with --from: where resume checkpoints live (default .mnemo-import)"
    )
