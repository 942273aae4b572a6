"""`mnemo ingest FILE.jsonl`: into a running server (--url or MNEMO_URL), or into an embedded data dir.

Which one is never a guess: a URL (flag or MNEMO_URL) means the server, `--data-dir` means the data dir
(both flags at once is refused), and a data dir that holds no store yet is created only with
`--create`: writing into a fresh `./data` while the user's server runs elsewhere would report
success and lose nothing visibly, yet the server would never see the memories."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from pathlib import Path

EXIT_OK, EXIT_FAILED_LINES, EXIT_CANNOT_START, EXIT_INTERRUPTED = 0, 1, 2, 130


def _target_url(args: argparse.Namespace) -> str | None:
    """The server to write into: --url, else MNEMO_URL unless --data-dir asks for the data dir."""
    if args.url:
        return str(args.url)
    return None if args.data_dir else os.environ.get("MNEMO_URL") or None


def _embedded_problem(args: argparse.Namespace) -> str | None:
    """Why embedded mode must not start here, in one line; None when it may."""
    from ..api.config.settings import Settings
    from .serve_start import in_use_failure

    settings = Settings(**({"data_dir": args.data_dir} if args.data_dir else {}))
    if failure := in_use_failure(settings, "mnemo ingest --url"):  # before the model loads
        return str(failure)
    store = Path(settings.data_dir) / "qdrant"
    if settings.qdrant.url or args.create or store.is_dir():
        return None
    return (
        f"no mnemo store in {settings.data_dir}: to write into a running service give --url (or set "
        "MNEMO_URL); to create a new embedded store there, add --create"
    )


def run_ingest(args: argparse.Namespace) -> int:
    path = Path(args.file)
    if not path.is_file():
        print(f"mnemo ingest: no such file: {path}", file=sys.stderr)
        return EXIT_CANNOT_START
    if args.url and args.data_dir:
        print("mnemo ingest: give --url (a running service) or --data-dir, not both", file=sys.stderr)
        return EXIT_CANNOT_START
    if _target_url(args) is None and (problem := _embedded_problem(args)):
        print(f"mnemo ingest: {problem}", file=sys.stderr)
        return EXIT_CANNOT_START
    from ..memtypes.errors import InsufficientStorage, Unavailable
    from .ingest_run import BatchRefused, run

    try:
        summary = asyncio.run(run(args, _target_url(args)))
    except (BatchRefused, InsufficientStorage) as exc:  # the latter: no room to open the store
        print(f"mnemo ingest: {exc}", file=sys.stderr)
        return EXIT_CANNOT_START
    except Unavailable as exc:
        hint = (
            " — another mnemo process (a running server?) holds this data dir; ingest through it with --url"
            if exc.dependency == "qdrant_edge"
            else " — re-run the same command to resume after the last committed batch"
        )
        print(f"mnemo ingest: {exc.detail}{hint}", file=sys.stderr)
        return EXIT_CANNOT_START
    print(json.dumps(summary.as_dict()) if args.json else summary.render())
    if summary.interrupted:
        print("interrupted: re-run the same command to resume", file=sys.stderr)
        return EXIT_INTERRUPTED
    return EXIT_FAILED_LINES if summary.failed else EXIT_OK


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser("ingest", help="bulk-load memories from a JSONL file (idempotent, resumable)")
    parser.add_argument("file", help="JSONL: one memory per line, the fields of POST /v1/memories (+ tenant)")
    parser.add_argument("--url", help="ingest into the running mnemo at this URL (default MNEMO_URL)")
    parser.add_argument("--api-key", help="API key for --url (default MNEMO_API_KEY)")
    parser.add_argument(
        "--data-dir", help="ingest into this embedded data dir instead (default MNEMO_DATA_DIR or ./data)"
    )
    parser.add_argument(
        "--create", action="store_true", help="create the embedded store when the data dir holds none yet"
    )
    parser.add_argument("--tenant", default="default", help="tenant of lines without one (embedded mode)")
    parser.add_argument("--batch-size", type=int, help="memories per batch (default 256)")
    parser.add_argument("--no-prefilter", action="store_true", help="keep short, filler and duplicate lines")
    parser.add_argument("--no-dedup", action="store_true", help="do not merge near-duplicates")
    parser.add_argument("--state-dir", help="where resume checkpoints live")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    parser.set_defaults(func=run_ingest)
