"""Admin routes: an online backup of the running service, read by `mnemo backup`.

`POST /v1/admin/backups` writes a backup into the data dir (`backups/<id>/`, backends/transfer/
backup.py) while the service serves and writes on, and answers its manifest; the CLI then fetches
each file (`GET /v1/admin/backups/<id>/<file>`), verifies it against the manifest, and removes the
server's copy (`DELETE`); a copy no one fetches is dropped (backends/transfer/server_copies.py), and
so is every copy when a forget's erasure runs. Every tenant's data is in a backup: the routes need
the admin key.
"""

from __future__ import annotations

import asyncio
import logging
import re
import shutil
import time
from collections.abc import AsyncIterator
from typing import Annotated, Any, BinaryIO

from litestar import delete, get, post
from litestar.di import NamedDependency
from litestar.params import PathParameter
from litestar.response import Stream

from ...backends.transfer import backup as backup_files
from ...backends.transfer.server_copies import ServerCopies
from ...memtypes.errors import InvalidInput, NotFound, Unavailable
from ...memtypes.governance.forget import LEDGER_FILE
from ...memtypes.governance.signing import MANIFEST_KIND, published
from ...memtypes.types import MemoryType
from ..guards.admin import require_admin
from .problems import COMMON_PROBLEMS, _spec
from .services import Services

log = logging.getLogger("mnemo.backup")
BackupId = Annotated[str, PathParameter(pattern=r"^[0-9TZ-]{16,40}$", max_length=40)]
FileName = Annotated[str, PathParameter(pattern=r"^[a-z0-9_.-]{1,64}$", max_length=64)]
NO_BACKUP = {404: _spec("No such backup (or no such file in it)")}
ADMIN_PROBLEMS = {**COMMON_PROBLEMS, 403: _spec("Not the admin key (`MNEMO_ADMIN_KEY`)")}
GONE = "dropped since: a forget ran (its erasure drops every server copy), or no one fetched it"


def _copies(services: Services | None) -> tuple[Services, ServerCopies]:
    if services is None or services.backups is None:
        raise Unavailable("the service is starting or stopping", dependency="service")
    return services, services.backups


def _holding(services: Services | None, backup_id: str) -> ServerCopies:
    """The server's copies, when they hold the backup (else a 404)."""
    _, copies = _copies(services)
    if not copies.path(backup_id).is_dir():
        raise NotFound(f"no backup {backup_id}: {GONE}")
    return copies


@post(
    "/v1/admin/backups",
    status_code=201,
    guards=[require_admin],
    summary="Back up the running service (admin)",
    responses=ADMIN_PROBLEMS,
)
async def create_backup(services: NamedDependency[Services | None]) -> dict[str, Any]:
    services, copies = _copies(services)
    index = services.index
    scroll_history = getattr(services.changes.store, "scroll", None)
    if not isinstance(index, backup_files.HeldShards) or scroll_history is None:
        raise InvalidInput(
            "online backup covers the embedded Qdrant Edge store (in-process engine); back up a "
            "Qdrant server with its own snapshots"
        )
    async with copies.writing:
        await copies.drop_abandoned()
        started = time.time()
        backup_id = backup_files.stamp()
        target = copies.path(backup_id)
        target.mkdir(parents=True)
        settings = services.settings
        manifest = backup_files.new_manifest(
            settings.collection_prefix, settings.redis.key_prefix, services.embedder.dimension, started
        )
        try:
            for memory_type in MemoryType:
                path = target / backup_files.memories_file(memory_type)
                entry = await backup_files.copy_type(index, memory_type, path)
                backup_files.add_file(manifest, entry)
            history_file = target / backup_files.HISTORY_FILE
            history = await backup_files.copy_history(services.changes.store, history_file)
            backup_files.add_file(manifest, history)
            redis = await backup_files.copy_redis(
                services.redis, settings.redis.key_prefix, target / backup_files.REDIS_FILE
            )
            backup_files.add_file(manifest, redis)
            ledger = target / LEDGER_FILE
            backup_files.add_file(manifest, await backup_files.copy_ledger(settings.data_dir, ledger))
            id_key = backup_files.copy_id_key(
                services.writer.ids.service_key, target / backup_files.ID_KEY_FILE
            )
            backup_files.add_file(manifest, id_key)
            manifest["finished_at"] = time.time()
            if services.forgetter.signer is not None:  # over every field: files, counts, checksums
                manifest["signature"] = services.forgetter.signer.sign(MANIFEST_KIND, manifest)
            backup_files.write_manifest(target, manifest)
            copies.made(backup_id)
        except BaseException:
            await asyncio.to_thread(shutil.rmtree, target, True)  # never half a backup left to fetch
            raise
    log.info("backup %s written in %.1f s", backup_id, time.time() - started)
    return {"id": backup_id, "manifest": manifest}


@get(
    "/v1/admin/backups/{backup_id:str}/{name:str}",
    guards=[require_admin],
    summary="One file of a backup (admin)",
    media_type="application/octet-stream",
    response_description="the file's bytes",
    responses={**ADMIN_PROBLEMS, **NO_BACKUP},
)
async def backup_file(
    backup_id: BackupId, name: FileName, services: NamedDependency[Services | None]
) -> Stream:
    copies = _holding(services, backup_id)
    copies.touch(backup_id)  # from here an erasure run waits for the transfer to end
    if not re.fullmatch(r"[a-z0-9_.-]+", name):
        raise NotFound(f"backup {backup_id} has no file {name}")
    try:  # sent from the open file: a copy dropped meanwhile does not cut it
        source = (copies.path(backup_id) / name).open("rb")
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        raise NotFound(f"backup {backup_id} has no file {name}") from None
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return Stream(_blocks(source), media_type="application/octet-stream", headers=headers)


async def _blocks(source: BinaryIO) -> AsyncIterator[bytes]:
    try:
        while block := await asyncio.to_thread(source.read, 1 << 20):
            yield block
    finally:
        source.close()


@delete(
    "/v1/admin/backups/{backup_id:str}",
    guards=[require_admin],
    summary="Remove a backup's server copy (admin)",
    responses={**ADMIN_PROBLEMS, **NO_BACKUP},
)
async def drop_backup(backup_id: BackupId, services: NamedDependency[Services | None]) -> None:
    await _holding(services, backup_id).drop(backup_id)


@get(
    "/v1/admin/keys",
    guards=[require_admin],
    summary="The public keys backup manifests are signed with, for the bearer of the admin key",
    description="The same keys as `GET /v1/forget/keys`: `mnemo backup`, which holds only the admin key, "
    "checks a backup's manifest against them.",
    responses=COMMON_PROBLEMS,
)
async def admin_keys(services: NamedDependency[Services | None]) -> dict[str, Any]:
    signer = None if services is None else services.forgetter.signer
    return {"keys": [] if signer is None else [published(signer.public_key)]}
