"""`mnemo backup DIR --url URL` of a running service, and `mnemo restore DIR --data-dir D`.

Backup speaks to the service only through mnemo_client (`POST /v1/admin/backups`, then each file,
then the server's copy removed; api/http/admin_routes.py); it reports success only once every file
in DIR matches the manifest (bytes, record counts, ids: backends/transfer/backup.py `verify`).
Restore works offline, on a new data dir (backends/transfer/restore.py).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

EXIT_OK, EXIT_FAILED, EXIT_UNREACHABLE = 0, 1, 2


def run_backup(args: argparse.Namespace) -> int:
    from mnemo_client import Mnemo, MnemoConnectionError, MnemoError

    from ..backends.transfer.backup import MANIFEST, signed_by, verify, write_manifest
    from ..memtypes.governance.signing import SignatureInvalid

    target = Path(args.dir)
    if target.exists() and any(target.iterdir()):
        print(f"mnemo backup: {target} is not empty", file=sys.stderr)
        return EXIT_FAILED
    started = time.perf_counter()
    try:
        with Mnemo(args.url, args.admin_key, timeout=args.timeout, max_retries=0) as mnemo:
            made = mnemo.request("POST", "/v1/admin/backups").raise_for_status().body
            backup_id, manifest = made["id"], made["manifest"]
            target.mkdir(parents=True, exist_ok=True)
            for name in manifest["files"]:
                if Path(name).name != name:
                    raise ValueError(f"the manifest names a file outside the backup: {name!r}")
                reply = mnemo.request("GET", f"/v1/admin/backups/{backup_id}/{name}").raise_for_status()
                (target / name).write_bytes(reply.content)
            write_manifest(target, manifest)
            problems = verify(target)
            try:
                signed_by(manifest, None)
            except SignatureInvalid as exc:
                problems.append(f"the manifest's signature: {exc}")
            if not problems:  # the server's copy goes only once ours is whole
                mnemo.request("DELETE", f"/v1/admin/backups/{backup_id}").raise_for_status()
    except MnemoConnectionError as exc:
        print(f"mnemo backup: cannot reach {args.url}: {exc}", file=sys.stderr)
        return EXIT_UNREACHABLE
    except MnemoError as exc:
        print(f"mnemo backup: refused ({exc.status}): {exc.detail}", file=sys.stderr)
        return EXIT_FAILED
    if problems:
        print(f"mnemo backup: NOT verified: {'; '.join(problems)}", file=sys.stderr)
        return EXIT_FAILED
    report = _summary(manifest, time.perf_counter() - started)
    print(json.dumps(report) if args.json else _lines(report, target / MANIFEST))
    return EXIT_OK


def _summary(manifest: dict[str, Any], seconds: float) -> dict[str, Any]:
    files = manifest["files"]
    return {
        "records": {name: entry["records"] for name, entry in files.items()},
        "bytes": sum(entry["bytes"] for entry in files.values()),
        "seconds": round(seconds, 2),
        "started_at": manifest["started_at"],
        "verified": True,
    }


def _lines(report: dict[str, Any], manifest: Path) -> str:
    counts = ", ".join(f"{name} {n}" for name, n in report["records"].items())
    size = f"{report['bytes']} bytes in {report['seconds']} s"
    return f"backup verified ({counts}; {size}); manifest {manifest}"


def run_restore(args: argparse.Namespace) -> int:
    from ..api.config.settings import Settings
    from ..backends.signing_key import own_public_key
    from ..backends.transfer.restore import RestoreRefused, restore
    from ..memtypes.governance.signing import SignatureInvalid, read_public_key

    data_dir = Path(args.data_dir)
    settings = Settings(data_dir=data_dir)
    started = time.perf_counter()
    try:
        ledgers = [Path(p) for p in args.ledger or ()]
        missing = [str(p) for p in ledgers if not p.is_file()]
        if missing:
            raise FileNotFoundError(f"no erasure ledger at {', '.join(missing)}")
        given = Path(args.public_key or "")
        trusted = (
            read_public_key(given.read_text() if given.is_file() else args.public_key)
            if args.public_key is not None
            # the key of the service that will run on this data dir, if it has one yet
            else own_public_key(data_dir, settings.signing_key_file)
        )
        done = asyncio.run(
            restore(Path(args.dir), data_dir, settings.redis, ledgers, trusted, settings.id_key_file)
        )
    except (RestoreRefused, SignatureInvalid, ValueError, OSError) as exc:
        print(f"mnemo restore: {exc}", file=sys.stderr)
        return EXIT_FAILED
    seconds = round(time.perf_counter() - started, 2)
    report = {
        "memories": done.memories,
        "history": done.history,
        "redis_keys": done.redis_keys,
        "signature": done.signature,
        "forgets_replayed": done.forgets_replayed,
        "forgotten_again": done.forgotten_again,
        "seconds": seconds,
    }
    print(json.dumps(report) if args.json else f"restored into {data_dir}: {report}")
    return EXIT_OK


def add_parsers(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    backup = sub.add_parser("backup", help="back up a running service into DIR (verified before success)")
    backup.add_argument("dir", help="a new or empty directory")
    backup.add_argument("--url", default=os.environ.get("MNEMO_URL", "http://127.0.0.1:8080"),
                        help="the running service (default MNEMO_URL or http://127.0.0.1:8080)")  # fmt: skip
    backup.add_argument("--admin-key", default=os.environ.get("MNEMO_ADMIN_KEY"),
                        help="admin key (default MNEMO_ADMIN_KEY; none in single-tenant mode)")  # fmt: skip
    backup.add_argument("--timeout", type=float, default=3600.0, help="seconds per call (default 3600)")
    backup.add_argument("--json", action="store_true", help="print the summary as JSON")
    backup.set_defaults(func=run_backup)
    restore = sub.add_parser("restore", help="build a new data dir from a backup (service stopped)")
    restore.add_argument("dir", help="the backup directory")
    restore.add_argument("--data-dir", required=True, help="the new data directory (must hold no store)")
    restore.add_argument(
        "--public-key",
        metavar="KEY",
        help="the service's public key (GET /v1/forget/keys: base64 or PEM, the key or a file): the "
        "manifest must be signed by it; default: the key of the data dir (or MNEMO_SIGNING_KEY_FILE), "
        "if it has one",
    )
    restore.add_argument(
        "--ledger",
        action="append",
        metavar="FILE",
        help="another erasure ledger to replay (repeatable): a newer backup's erasure-ledger.jsonl, or "
        "the lost data dir's; the backup's own and the data dir's are always replayed",
    )
    restore.add_argument("--json", action="store_true", help="print the summary as JSON")
    restore.set_defaults(func=run_restore)
