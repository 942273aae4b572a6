"""The id key travels with online backups and exports: a restore or an import into a data dir that
had another key adopts the backup's, so the restored ids keep working and a re-write of the same
words dedups against them."""

from __future__ import annotations

import shutil
from pathlib import Path

from mnemo.backends.id_key import KEY_FILE
from mnemo.backends.redis.client import RedisConfig
from mnemo.backends.secret_files import write_secret
from mnemo.backends.signing_key import own_public_key
from mnemo.backends.transfer.backup import ID_KEY_FILE, read_manifest, verify
from mnemo.backends.transfer.export_file import read_manifest as read_export_manifest
from mnemo.backends.transfer.restore import restore
from mnemo.backends.transfer.server_copies import DIRECTORY
from mnemo.memtypes.governance.forget import LEDGER_FILE
from tests.conftest import copy_sparse
from tests.e2e.conftest import AppFactory, write_one
from tests.e2e.transfer.test_export_import import cli

MEMORY = {"type": "episodic", "content": "Bob booked a table for four at the harbour restaurant."}
FACT = {"type": "semantic", "content": "Bob is allergic to peanuts.", "scope": {"user_id": "bob"}}


async def test_a_restore_into_a_data_dir_with_another_key_adopts_the_backups(
    app_client: AppFactory, tmp_path: Path
) -> None:
    source, backup, target = tmp_path / "data", tmp_path / "backup", tmp_path / "restored"
    async with app_client(source) as client:
        written = [await write_one(client, MEMORY), await write_one(client, FACT)]
        made = await client.post("/v1/admin/backups")
        assert made.status_code == 201, made.text
        shutil.copytree(source / DIRECTORY / made.json()["id"], backup)
    assert verify(backup) == [] and ID_KEY_FILE in read_manifest(backup)["files"]  # signed with the rest
    write_secret(target / KEY_FILE, b"z" * 32, replace=False)  # the new data dir had a key of its own
    done = await restore(
        backup, target, RedisConfig(url=None), [source / LEDGER_FILE], own_public_key(source)
    )
    assert sum(done.memories.values()) == 2
    assert (target / KEY_FILE).read_bytes() == (source / KEY_FILE).read_bytes()
    async with app_client(target, redis={"url": None}) as client:
        for result in written:
            assert (await client.get(f"/v1/memories/{result['id']}")).status_code == 200
            assert (await client.get(f"/v1/memories/{result['id']}/history")).status_code == 200
        again = await write_one(client, MEMORY)
        assert again["id"] == written[0]["id"] and again["status"] == "unchanged"


async def test_an_import_adopts_the_exports_key_and_refuses_a_store_keyed_with_another(
    app_client: AppFactory, tmp_path: Path, empty_data_dir: Path
) -> None:
    source, export = tmp_path / "data", tmp_path / "export.jsonl.gz"
    async with app_client(source) as client:
        written = await write_one(client, MEMORY)
    code, out, err = await cli("export", str(export), "--data-dir", str(source), "--json")
    assert code == 0, err
    assert read_export_manifest(export).id_key == (source / KEY_FILE).read_bytes()
    assert '"id_key"' not in out  # the key is in the file, never in what is printed

    target = tmp_path / "target"
    copy_sparse(empty_data_dir, target)
    write_secret(target / KEY_FILE, b"z" * 32, replace=False)  # a key, but no memories keyed with it
    code, _, err = await cli("import", str(export), "--data-dir", str(target))
    assert code == 0, err
    assert (target / KEY_FILE).read_bytes() == (source / KEY_FILE).read_bytes()
    async with app_client(target) as client:
        assert (await client.get(f"/v1/memories/{written['id']}")).status_code == 200
        again = await write_one(client, MEMORY)
        assert again["id"] == written["id"] and again["status"] == "unchanged"

    keyed_otherwise = tmp_path / "other"
    async with app_client(keyed_otherwise) as client:
        await write_one(client, FACT)  # memories keyed with this data dir's own key
    code, _, err = await cli("import", str(export), "--data-dir", str(keyed_otherwise))
    assert code != 0 and "another id key" in err
