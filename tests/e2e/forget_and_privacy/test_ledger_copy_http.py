"""`forget.ledger_copy`: the erasure ledger kept on another volume too, so that a lost data dir does
not take the record of what was forgotten: each forget is appended to both, a start gives each file
the lines only the other holds, and a restore counts it as a ledger newer than its backup."""

from __future__ import annotations

from pathlib import Path

from mnemo.backends.transfer.ledger_replay import later_forgets_unknown
from mnemo.memtypes.governance.forget import LEDGER_FILE
from tests.e2e.conftest import AppFactory

SCOPE = {"user_id": "kim"}


async def test_a_forget_is_recorded_off_the_data_dirs_volume_too(
    app_client: AppFactory, tmp_path: Path
) -> None:
    data_dir, copy = tmp_path / "data", tmp_path / "other-volume" / LEDGER_FILE
    settings = {"forget": {"ledger_copy": str(copy)}}
    async with app_client(**settings) as client:
        memory = {"type": "semantic", "scope": SCOPE, "content": "Kim keeps the Quorwhistle diary."}
        assert (await client.post("/v1/memories", json={"memories": [memory]})).status_code == 201
        forgot = await client.post("/v1/forget", json={"scope": SCOPE})
        assert forgot.status_code == 200, forgot.text
        digest = forgot.json()["digest"]
    assert copy.read_text() == (data_dir / LEDGER_FILE).read_text()
    assert digest in copy.read_text()

    (data_dir / LEDGER_FILE).unlink()  # the data dir's ledger lost: the next start gets it back
    async with app_client(data_dir, **settings):
        pass
    assert digest in (data_dir / LEDGER_FILE).read_text()
    # A restore of a backup taken before the forget, into a new data dir: the copy is newer.
    assert later_forgets_unknown([], [tmp_path / "new" / LEDGER_FILE]) is not None
    assert later_forgets_unknown([], [tmp_path / "new" / LEDGER_FILE, copy]) is None
