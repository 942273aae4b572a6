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
import shutil
import sys
import time
from pathlib import Path
from typing import Any

EXIT_OK, EXIT_FAILED, EXIT_UNREACHABLE = 0, 1, 2


ATTEMPTS = 3  # a backup whose server copy went away mid-transfer is taken again, this many times in all
FILE_ATTEMPTS = 3  # a file whose transfer was cut is fetched again
RETRY_PAUSE_S = 2.0


class CopyGone(RuntimeError):
    """The server's copy went away before every file was fetched (a forget's erasure dropped it)."""


def run_backup(args: argparse.Namespace) -> int:
    from mnemo_client import Mnemo, MnemoConnectionError, MnemoError

    from ..backends.transfer.backup import MANIFEST

    target = Path(args.dir)
    if target.exists() and any(target.iterdir()):
        print(f"mnemo backup: {target} is not empty", file=sys.stderr)
        return EXIT_FAILED
    made_target = not target.exists()
    started = time.perf_counter()
    problems: list[str] = []
    try:
        with Mnemo(args.url, args.admin_key, timeout=args.timeout, max_retries=0) as mnemo:
            for attempt in range(1, ATTEMPTS + 1):
                try:
                    manifest, problems = _take_backup(mnemo, target)
                    break
                except CopyGone as exc:
                    _empty(target)
                    if attempt == ATTEMPTS:
                        raise MnemoError(str(exc), status=404, code="not_found") from exc
                    print(f"mnemo backup: {exc}; taking it again", file=sys.stderr)
                    time.sleep(RETRY_PAUSE_S)
    except MnemoConnectionError as exc:
        _clean_up(target, made_target)
        print(f"mnemo backup: cannot reach {args.url}: {exc}", file=sys.stderr)
        return EXIT_UNREACHABLE
    except (MnemoError, ValueError, OSError) as exc:
        _clean_up(target, made_target)
        detail = f"refused ({exc.status}): {exc.detail}" if isinstance(exc, MnemoError) else str(exc)
        print(f"mnemo backup: {detail}", file=sys.stderr)
        return EXIT_FAILED
    if problems:
        _clean_up(target, made_target)
        print(f"mnemo backup: NOT verified: {'; '.join(problems)}", file=sys.stderr)
        return EXIT_FAILED
    report = _summary(manifest, time.perf_counter() - started)
    print(json.dumps(report) if args.json else _lines(report, target / MANIFEST))
    return EXIT_OK


def _take_backup(mnemo: Any, target: Path) -> tuple[dict[str, Any], list[str]]:
    """One backup: the server's copy made, each file fetched into `target`, the whole verified
    (checksums, and a signature by the key the service publishes), then the server's copy removed."""
    from ..backends.transfer.backup import verify, write_manifest
    from ..memtypes.governance.signing import MANIFEST_KIND, SignatureInvalid, read_public_key
    from ..memtypes.governance.signing import verify as verify_signature

    made = mnemo.request("POST", "/v1/admin/backups").raise_for_status().body
    backup_id, manifest = made["id"], made["manifest"]
    target.mkdir(parents=True, exist_ok=True)
    for name in manifest["files"]:
        if Path(name).name != name:
            raise ValueError(f"the manifest names a file outside the backup: {name!r}")
        (target / name).write_bytes(_fetch(mnemo, backup_id, name))
    write_manifest(target, manifest)
    problems = verify(target)
    if (signature := manifest.get("signature")) is not None:
        # By a key the service publishes: the one `mnemo restore --public-key` is then given.
        keys = mnemo.request("GET", "/v1/admin/keys").raise_for_status().body["keys"]
        published = {key["public_key"] for key in keys}
        try:
            if signature.get("public_key") not in published:
                raise SignatureInvalid("signed by a key the service does not publish")
            verify_signature(MANIFEST_KIND, manifest, read_public_key(str(signature["public_key"])))
        except SignatureInvalid as exc:
            problems.append(f"the manifest's signature: {exc}")
    if not problems:  # the server's copy goes only once ours is whole
        mnemo.request("DELETE", f"/v1/admin/backups/{backup_id}").raise_for_status()
    return manifest, problems


def _fetch(mnemo: Any, backup_id: str, name: str) -> bytes:
    """One file of the server's copy, fetched again if its transfer was cut; CopyGone once the copy
    itself is gone."""
    from mnemo_client import MnemoConnectionError, MnemoError

    for attempt in range(1, FILE_ATTEMPTS + 1):
        try:
            reply = mnemo.request("GET", f"/v1/admin/backups/{backup_id}/{name}").raise_for_status()
            return bytes(reply.content)
        except MnemoConnectionError:
            if attempt == FILE_ATTEMPTS:
                raise
            time.sleep(RETRY_PAUSE_S)
        except MnemoError as exc:
            if exc.status == 404:
                raise CopyGone(f"the server's copy {backup_id} went away: {exc.detail}") from exc
            raise
    raise AssertionError("unreachable")


def _empty(target: Path) -> None:
    """What an attempt left in `target` (it was empty before): a rerun, or the next attempt, starts
    from an empty directory."""
    if target.is_dir():
        for path in target.iterdir():
            shutil.rmtree(path) if path.is_dir() else path.unlink()


def _clean_up(target: Path, made_target: bool) -> None:
    _empty(target)
    if made_target and target.is_dir():
        target.rmdir()


def _summary(manifest: dict[str, Any], seconds: float) -> dict[str, Any]:
    files = manifest["files"]
    return {
        "records": {name: entry["records"] for name, entry in files.items()},
        "bytes": sum(entry["bytes"] for entry in files.values()),
        "seconds": round(seconds, 2),
        "started_at": manifest["started_at"],
        "verified": True,
        # What `mnemo restore --public-key` is given: the key this backup is checked against.
        "public_key": (manifest.get("signature") or {}).get("public_key"),
    }


def _lines(report: dict[str, Any], manifest: Path) -> str:
    counts = ", ".join(f"{name} {n}" for name, n in report["records"].items())
    size = f"{report['bytes']} bytes in {report['seconds']} s"
    signed = f"; restore it with --public-key {report['public_key']}" if report["public_key"] else ""
    return f"backup verified ({counts}; {size}); manifest {manifest}{signed}"


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
        copy = settings.forget.ledger_copy  # the ledger kept off the data dir's volume
        done = asyncio.run(
            restore(
                Path(args.dir),
                data_dir,
                settings.redis,
                [*ledgers, *([copy] if copy is not None else [])],
                trusted,
                settings.id_key_file,
                accept_unsigned=args.accept_unsigned,
                may_undo_later_forgets=args.may_undo_later_forgets,
            )
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
        help="the service's public key (GET /v1/forget/keys, or as `mnemo backup` prints it: base64 or "
        "PEM, the key or a file): the manifest must be signed by it; default: the key of the data dir "
        "(or MNEMO_SIGNING_KEY_FILE); with neither, the restore is refused",
    )
    restore.add_argument(
        "--ledger",
        action="append",
        metavar="FILE",
        help="another erasure ledger to replay (repeatable): a newer backup's erasure-ledger.jsonl, or "
        "the lost data dir's; the backup's own and the data dir's are always replayed",
    )
    restore.add_argument(
        "--accept-unsigned",
        action="store_true",
        help="restore a backup whose manifest is unsigned (an earlier release's): nothing then shows "
        "that its records were not edited or moved to another tenant since it was made",
    )
    restore.add_argument(
        "--may-undo-later-forgets",
        action="store_true",
        help="restore although no erasure ledger newer than the backup is known (the data dir's, "
        "MNEMO_FORGET__LEDGER_COPY, --ledger): a subject forgotten after the backup was taken comes back",
    )
    restore.add_argument("--json", action="store_true", help="print the summary as JSON")
    restore.set_defaults(func=run_restore)
