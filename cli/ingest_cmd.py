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
from collections.abc import Sequence
from pathlib import Path

from tqdm import tqdm

from mnemo_client import AsyncMnemo, MnemoConnectionError, MnemoError

from ..ingest.batch import DEFAULT_BATCH_SIZE, Checkpoint, IngestSummary, ingest_file
from ..ingest.pipeline import WriteOptions, WriteResult, WriteStatus
from ..memtypes.errors import Unavailable
from ..memtypes.records import MemoryIn

EXIT_OK, EXIT_FAILED_LINES, EXIT_CANNOT_START, EXIT_INTERRUPTED = 0, 1, 2, 130


class HttpSink:
    """Batches to `POST /v1/memories` of a running mnemo through the client, retrying transient
    failures: no answer, any 5xx and 429 (the client's own retries, of 429/503 only, are off)."""

    def __init__(self, url: str, api_key: str | None, attempts: int = 4) -> None:
        self._client = AsyncMnemo(url, api_key, timeout=120, max_retries=0)
        self._attempts = attempts

    async def write(self, tenant: str, items: Sequence[MemoryIn], options: WriteOptions) -> list[WriteResult]:
        memories = [m.model_dump(mode="json", exclude_none=True) for m in items]
        for attempt in range(self._attempts):
            try:
                written = await self._client.write(memories, prefilter=options.prefilter, dedup=options.dedup)
            except MnemoConnectionError as exc:
                error = f"cannot reach the server: {exc}"
            except MnemoError as exc:
                if exc.status is not None and exc.status < 500 and exc.status != 429:
                    raise SystemExit(
                        f"mnemo ingest: the server refused a batch ({exc.status}): {exc.detail}"
                    ) from exc
                error = f"server answered {exc.status}"
            else:
                return [
                    WriteResult(r.id, r.external_id, WriteStatus(r.status), r.reason) for r in written.results
                ]
            await asyncio.sleep(0.5 * 2**attempt)
        raise Unavailable(error, dependency="server")

    async def close(self) -> None:
        await self._client.aclose()


def _progress_bar(path: Path) -> tqdm:
    """Bytes of the file done, with memories written so far; off when stderr is not a terminal."""
    return tqdm(
        total=path.stat().st_size, unit="B", unit_scale=True, desc=f"ingest {path.name}", disable=None
    )


async def _run(args: argparse.Namespace) -> IngestSummary:
    path = Path(args.file)
    options = WriteOptions(prefilter=not args.no_prefilter, dedup=not args.no_dedup)
    bar = _progress_bar(path)

    def on_progress(offset: int, written: int) -> None:
        bar.update(offset - bar.n)
        bar.set_postfix(written=written)

    if url := _target_url(args):
        sink = HttpSink(url, args.api_key or os.environ.get("MNEMO_API_KEY"))
        state_dir = Path(args.state_dir or ".mnemo-ingest")
        try:
            summary = await ingest_file(
                path, sink, default_tenant="default", tenant_from_line=False, options=options,
                batch_size=args.batch_size, checkpoint=Checkpoint(state_dir, path), on_progress=on_progress,
            )  # fmt: skip
        finally:
            await sink.close()
            bar.close()
        return summary

    from ..api.config.settings import Settings
    from ..api.http.maintenance import build_pending_indexes
    from ..api.http.services import open_services

    settings = Settings(**({"data_dir": args.data_dir} if args.data_dir else {}))
    services = await open_services(settings)
    try:
        summary = await ingest_file(
            path, services.writer, default_tenant=args.tenant, options=options, batch_size=args.batch_size,
            checkpoint=Checkpoint(Path(args.state_dir or settings.data_dir / "ingest-state"), path),
            on_progress=on_progress,
        )  # fmt: skip
        if not summary.interrupted:
            await build_pending_indexes(services.index, min_backlog=1)
    finally:
        bar.close()
        await services.close()
    return summary


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
    try:
        summary = asyncio.run(_run(args))
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
    parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE, help="memories per batch")
    parser.add_argument("--no-prefilter", action="store_true", help="keep short, filler and duplicate lines")
    parser.add_argument("--no-dedup", action="store_true", help="do not merge near-duplicates")
    parser.add_argument("--state-dir", help="where resume checkpoints live")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    parser.set_defaults(func=run_ingest)
