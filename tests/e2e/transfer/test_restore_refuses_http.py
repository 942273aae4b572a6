"""`mnemo restore` refuses what is incomplete, altered or unproven, naming it: a backup's manifest is
signed by the service (Ed25519) and checked against a key the operator trusts (given, or the data
dir's own: with neither, refused), its file set pinned (every type of the registry, the history,
Redis), so a type dropped with its manifest entry, a record rewritten under a recomputed manifest, a
record moved to another tenant and re-signed by another key, or a signature stripped is refused; so
is a record the API would refuse, even under the service's own signature; an intact backup restores."""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from mnemo.backends.signing_key import KEY_FILE, open_signer
from mnemo.backends.transfer.backup import MANIFEST, ids_digest
from mnemo.memtypes.governance.forget import LEDGER_FILE
from mnemo.memtypes.governance.signing import MANIFEST_KIND, Signer
from tests.e2e.live_server import LiveApp, live_app  # noqa: F401 (a fixture)
from tests.e2e.transfer.test_export_import import cli

pytestmark = pytest.mark.slow

MEMORIES = [
    {"type": "semantic", "content": "Alpha's server room code is 4471."},
    {"type": "episodic", "content": "Alpha moved the backup drive to the safe."},
    {"type": "procedural", "content": "To rotate the keys: revoke, issue, then redeploy every replica."},
]


def manifest_of(backup: Path) -> dict[str, Any]:
    return dict(json.loads((backup / MANIFEST).read_text()))


def rewrite(backup: Path, manifest: dict[str, Any]) -> None:
    (backup / MANIFEST).write_text(json.dumps(manifest, indent=1))


def recompute(backup: Path, manifest: dict[str, Any], name: str) -> None:
    """The manifest entry of `name` made to match the file again, as someone editing it would."""
    data = (backup / name).read_bytes()
    lines = [json.loads(line) for line in data.splitlines()]
    ids = [str(r.get("id", r.get("key", r.get("digest")))) for r in lines]
    entry = {"records": len(ids), "ids_sha256": ids_digest(ids), "sha256": hashlib.sha256(data).hexdigest()}
    manifest["files"][name].update(entry, bytes=len(data))


def metadata_nested_200_deep(line: str) -> str:
    """A file of one record, its metadata nested 200 deep."""
    record = json.loads(line)
    nested: dict[str, Any] = {"leaf": 1}
    for _ in range(200):
        nested = {"n": nested}
    record["payload"]["metadata"] = nested
    return json.dumps(record, separators=(",", ":")) + "\n"


async def restore(backup: Path, data_dir: Path, *extra: str) -> tuple[int, str, str]:
    return await cli("restore", str(backup), "--data-dir", str(data_dir), "--json", *extra)


def copy(backup: Path, name: str) -> Path:
    return Path(shutil.copytree(backup, backup.parent / name))


def copy_edited(
    backup: Path, name: str, file: str, edit: Callable[[str], str]
) -> tuple[Path, dict[str, Any]]:
    """A copy with `file`'s text edited, and a manifest whose entry matches it again."""
    edited_backup = copy(backup, name)
    path = edited_backup / file
    path.write_text(edit(path.read_text()))
    manifest = manifest_of(edited_backup)
    recompute(edited_backup, manifest, file)
    return edited_backup, manifest


async def refuses_a_dropped_type_signed_or_stripped(backup: Path, public_key: str) -> None:
    """A type's file and its manifest entry removed: the signature no longer matches, and without
    one the file set, pinned, names what is missing."""
    dropped = copy(backup, "dropped")
    (dropped / "memories-procedural.jsonl").unlink()
    edited = manifest_of(dropped)
    del edited["files"]["memories-procedural.jsonl"]
    rewrite(dropped, edited)
    out = backup.parent
    code, _, err = await restore(dropped, out / "r1", "--public-key", public_key)
    assert code == 1 and "signature does not match" in err, err
    del edited["signature"]  # stripped: "an unsigned manifest, as an earlier release wrote"
    rewrite(dropped, edited)
    code, _, err = await restore(dropped, out / "r2")
    assert code == 1 and "unsigned" in err and "--accept-unsigned" in err, err
    code, _, err = await restore(dropped, out / "r2", "--accept-unsigned")  # the file set is pinned
    assert code == 1 and "memories-procedural.jsonl: not in the manifest" in err, err
    code, _, err = await restore(dropped, out / "r3", "--public-key", public_key)
    assert code == 1 and "unsigned" in err, err


async def refuses_a_rewritten_record(backup: Path, public_key: str) -> None:
    """A record rewritten, its manifest entry recomputed."""
    rewritten, edited = copy_edited(
        backup, "rewritten", "memories-semantic.jsonl", lambda text: text.replace("4471", "9999")
    )
    rewrite(rewritten, edited)
    code, _, err = await restore(rewritten, backup.parent / "r4", "--public-key", public_key)
    assert code == 1 and "signature does not match" in err, err


async def refuses_a_record_moved_and_resigned(backup: Path, public_key: str, service_data: Path) -> None:
    """A record moved to another tenant, the manifest recomputed and re-signed by another key."""
    moved, edited = copy_edited(
        backup,
        "moved",
        "memories-episodic.jsonl",
        lambda text: text.replace('"tenant":"default"', '"tenant":"beta"'),
    )
    edited["signature"] = Signer(Ed25519PrivateKey.generate()).sign(MANIFEST_KIND, edited)
    rewrite(moved, edited)
    out = backup.parent
    code, _, err = await restore(moved, out / "r5", "--public-key", public_key)
    assert code == 1 and "not by the given key" in err, err
    own = out / "r6"  # a data dir that kept the service's key trusts it without being told
    own.mkdir()
    shutil.copy(service_data / KEY_FILE, own / KEY_FILE)
    code, _, err = await restore(moved, own)
    assert code == 1 and "not by the given key" in err, err
    # The documented command into a new data dir: no key to trust, so "the key it names" is not enough.
    code, _, err = await restore(moved, out / "r7")
    assert code == 1 and "no trusted key" in err and "--public-key" in err, err


async def refuses_a_record_the_api_refuses(backup: Path, public_key: str, service_data: Path) -> None:
    """Signed by the service's own key, yet a record the API refuses: metadata nested 200 deep."""
    deep, edited = copy_edited(backup, "deep", "memories-semantic.jsonl", metadata_nested_200_deep)
    edited["signature"] = open_signer(service_data).sign(MANIFEST_KIND, edited)
    rewrite(deep, edited)
    code, _, err = await restore(deep, backup.parent / "r8", "--public-key", public_key)
    assert code == 1 and "memories-semantic.jsonl line 1: payload: nested deeper than" in err, err


async def test_restore_refuses_a_backup_incomplete_or_altered(live_app: LiveApp, tmp_path: Path) -> None:  # noqa: F811
    backup = tmp_path / "backup"
    async with live_app(redis_url=None) as (url, _), httpx.AsyncClient(base_url=url) as http:
        written = await http.post("/v1/memories", json={"memories": MEMORIES})
        assert written.status_code == 201, written.text
        public_key = (await http.get("/v1/forget/keys")).json()["keys"][0]["public_key"]
        code, _, err = await cli("backup", str(backup), "--url", url)
        assert code == 0, err
    manifest = manifest_of(backup)
    assert manifest["signature"]["public_key"] == public_key
    service_data = tmp_path / "data"

    await refuses_a_dropped_type_signed_or_stripped(backup, public_key)
    await refuses_a_rewritten_record(backup, public_key)
    await refuses_a_record_moved_and_resigned(backup, public_key, service_data)
    await refuses_a_record_the_api_refuses(backup, public_key, service_data)
    for refused in ("r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8"):
        assert not (tmp_path / refused / "qdrant").exists()  # nothing written from a refused backup

    # The backup as made: restores, checked against the service's key.
    ledger = service_data / LEDGER_FILE  # the service's ledger: no forget since the backup
    code, out, err = await restore(
        backup, tmp_path / "restored", "--public-key", public_key, "--ledger", str(ledger)
    )
    assert code == 0, err
    report = json.loads(out)
    assert report["signature"].startswith("signed by the trusted key")
    assert report["memories"]["procedural"] == 1
