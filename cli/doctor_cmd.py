"""`mnemo doctor [--fix]`: find damage to a stopped Qdrant Edge store (against each type's manifest)
and records it cannot read back; `--fix` removes those and accepts what is lost."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any


def _doctor(args: argparse.Namespace) -> int:
    from ..api.config.settings import Settings
    from ..backends.qdrant.history_store import history_name
    from ..backends.qdrant.store_record import history_lost, note, read_record
    from ..backends.qdrant_edge.doctor import examine

    overrides: dict[str, Any] = {"data_dir": args.data_dir} if args.data_dir else {}
    settings = Settings(**overrides)
    if settings.qdrant.url:
        print(
            "mnemo doctor examines an embedded (Qdrant Edge) store; MNEMO_QDRANT__URL is set", file=sys.stderr
        )
        return 2
    store = Path(settings.data_dir) / "qdrant"
    prefix = settings.collection_prefix
    if not store.exists():
        if not read_record(store, prefix).get("types"):
            print(f"no Qdrant Edge store at {store}", file=sys.stderr)
            return 2
        store.mkdir()  # lost whole: each type the data dir's record lists is examined as missing
    try:
        reports = examine(store, prefix, fix=args.fix)
    except Exception as exc:  # e.g. the store is in use by a running mnemo
        if type(exc).__name__ == "InsufficientStorage":  # on tmpfs, no room for its files
            print(f"mnemo doctor: {exc}", file=sys.stderr)
            return 2
        print(
            f"mnemo doctor: {exc} (stop the service first: a shard opens in one process only)",
            file=sys.stderr,
        )
        return 2
    healthy = True
    for r in reports:
        line = f"{r.memory_type.value:12} {r.points:8} records, {len(r.unreadable)} unreadable"
        if r.removed:
            line += f", {len(r.removed)} removed: {', '.join(r.removed)}"
        elif r.unreadable:
            line += f": {', '.join(r.unreadable)}"
        notes = (
            ("the shard as it was is kept in", r.backup),
            ("write-ahead log set aside in", r.wal_set_aside),
            ("ERROR", r.error),
            ("FIXED", r.fixed),
        )
        line += "".join(f"; {label} {value}" for label, value in notes if value)
        healthy = healthy and (r.error is None or r.fixed is not None) and len(r.unreadable) == len(r.removed)
        print(line)
    if lost := history_lost(store, prefix, store / history_name(prefix)):
        healthy = args.fix
        fixed = "; FIXED the loss is accepted: the history starts empty" if args.fix else ""
        if args.fix:
            note(store, prefix, history=False)
        print(f"{'history':12} ERROR {lost}{fixed}")
    if not healthy:
        print(
            "restore a backup (`mnemo restore`), or run `mnemo doctor --fix` (service stopped) to "
            "accept the loss and remove what cannot be read"
        )
    return 0 if healthy else 1


def add_parser(sub: Any) -> None:
    doctor = sub.add_parser(
        "doctor",
        help="examine a stopped embedded store against its manifests; --fix repairs it",
        description="Examine a stopped Qdrant Edge store: records whose payload cannot be read, and "
        "each type's manifest (missing shards or segments, records missing since the last clean "
        "shutdown). Exit 1 while something is wrong.",
    )
    doctor.add_argument("--data-dir", help="data directory (default MNEMO_DATA_DIR or ./data)")
    doctor.add_argument(
        "--fix",
        action="store_true",
        help="rebuild each damaged shard from its readable records, keeping the old shard beside it "
        "(<shard>.doctor-<time>), and accept what is lost (service stopped)",
    )
    doctor.set_defaults(func=_doctor)
