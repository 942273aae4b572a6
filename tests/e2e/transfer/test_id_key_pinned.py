"""The store pins its id key: a start whose key was deleted (a new one would be made) or swapped for
other 32 bytes is refused with a line that says so, before anything is written; with the key put
back, a rewrite of the same words matches its memory again."""

from __future__ import annotations

import os
import traceback
from pathlib import Path

from mnemo.backends.id_key import KEY_FILE
from mnemo.cli.serve_start import EXIT_BAD_SETUP, as_start_failure
from tests.e2e.conftest import AppFactory, write_one


async def refused_start(app_client: AppFactory, data_dir: Path) -> str:
    """The one line `mnemo serve` prints for the start's failure (from its traceback, as it does)."""
    try:
        async with app_client(data_dir):
            pass
    except BaseException as exc:  # the test client wraps the lifespan's error in a group
        failure = as_start_failure("".join(traceback.format_exception(exc)))
        assert failure.code == EXIT_BAD_SETUP, failure
        return str(failure)
    raise AssertionError("the service started")


MEMORY = {"type": "semantic", "content": "Pella's locker code is on the blue card.", "id": "pella-1"}


async def test_a_deleted_or_swapped_id_key_is_refused_at_start(
    app_client: AppFactory, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    async with app_client() as client:
        first = await write_one(client, MEMORY)
    key = (data_dir / KEY_FILE).read_bytes()

    (data_dir / KEY_FILE).unlink()
    assert "is missing, but the store's ids were made with one" in await refused_start(app_client, data_dir)
    assert not (data_dir / KEY_FILE).exists()  # no new key made in its place

    (data_dir / KEY_FILE).write_bytes(os.urandom(32))
    (data_dir / KEY_FILE).chmod(0o644)
    line = await refused_start(app_client, data_dir)
    assert "is not the one the store's ids were made with" in line and "put that key back" in line

    (data_dir / KEY_FILE).write_bytes(key)
    async with app_client(data_dir) as client:
        again = await write_one(client, MEMORY)
        assert again["id"] == first["id"] and again["status"] == "unchanged"
        listed = (await client.get("/v1/memories", params={"type": "semantic"})).json()["memories"]
        assert len(listed) == 1
