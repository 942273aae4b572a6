"""`mnemo ingest`'s run, imported when the command runs (its parser and checks: cli/ingest_cmd.py):
the file's batches into a running server through the client, or into an embedded data dir's services."""

from __future__ import annotations

import argparse
import asyncio
import os
from collections.abc import Sequence
from pathlib import Path

from tqdm import tqdm

from mnemo_client import AsyncMnemo, MnemoConnectionError, MnemoError

from ..ingest.batch import DEFAULT_BATCH_SIZE, Checkpoint, IngestSummary, ingest_file
from ..ingest.pipeline import WriteOptions, WriteResult, WriteStatus
from ..memtypes.errors import Unavailable
from ..memtypes.records import MemoryIn


class BatchRefused(Exception):
    """The server refused a batch for good (a 4xx other than 429): a wrong key, a tenant over quota."""


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
                    raise BatchRefused(f"the server refused a batch ({exc.status}): {exc.detail}") from exc
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


async def run(args: argparse.Namespace, url: str | None) -> IngestSummary:
    """Ingest `args.file` into the server at `url`, or into the embedded data dir when it is None."""
    path = Path(args.file)
    options = WriteOptions(prefilter=not args.no_prefilter, dedup=not args.no_dedup)
    batch_size = DEFAULT_BATCH_SIZE if args.batch_size is None else args.batch_size
    bar = _progress_bar(path)

    def on_progress(offset: int, written: int) -> None:
        bar.update(offset - bar.n)
        bar.set_postfix(written=written)

    if url:
        sink = HttpSink(url, args.api_key or os.environ.get("MNEMO_API_KEY"))
        state_dir = Path(args.state_dir or ".mnemo-ingest")
        try:
            summary = await ingest_file(
                path, sink, default_tenant="default", tenant_from_line=False, options=options,
                batch_size=batch_size, checkpoint=Checkpoint(state_dir, path), on_progress=on_progress,
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
            path, services.writer, default_tenant=args.tenant, options=options, batch_size=batch_size,
            checkpoint=Checkpoint(Path(args.state_dir or settings.data_dir / "ingest-state"), path),
            on_progress=on_progress,
        )  # fmt: skip
        if not summary.interrupted:
            await build_pending_indexes(services.index, min_backlog=1)
    finally:
        bar.close()
        await services.close()
    return summary
