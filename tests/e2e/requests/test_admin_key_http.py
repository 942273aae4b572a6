"""The admin key on a real `mnemo serve` with API keys and rate limits on (their default with keys):
every admin route answers it, and admin calls are never resolved as, or counted against, a tenant."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.e2e.served_process import ServedMnemo
from tests.served import serve_env

ADMIN = {"authorization": "Bearer the-admin-key"}
ALPHA = {"authorization": "Bearer key-a"}


@pytest.mark.slow
def test_the_admin_key_works_with_rate_limits_and_uses_no_tenants_allowance(
    tmp_path: Path, empty_data_dir: Path
) -> None:
    served = ServedMnemo.on_copy(
        empty_data_dir,
        tmp_path / "data",
        tmp_path / "serve.log",
        MNEMO_API_KEYS="key-a:alpha,key-b:beta",
        MNEMO_ADMIN_KEY="the-admin-key",
        MNEMO_RATE_LIMIT_PER_MINUTE="6",
        MNEMO_RATE_LIMIT_BURST="2",
    )
    with served.running():
        with served.client(120) as http:
            # More admin calls than any tenant's burst: none is refused, none is a 401.
            for _ in range(2):
                made = http.post("/v1/admin/backups", headers=ADMIN)
                assert made.status_code == 201, made.text
                backup_id, files = made.json()["id"], made.json()["manifest"]["files"]
                name = next(iter(files))
                fetched = http.get(f"/v1/admin/backups/{backup_id}/{name}", headers=ADMIN)
                assert fetched.status_code == 200, fetched.text
                assert http.delete(f"/v1/admin/backups/{backup_id}", headers=ADMIN).status_code == 204
            # A tenant's key is not the admin key, however often it asks (and it is no 401 either).
            for _ in range(3):
                refused = http.post("/v1/admin/backups", headers=ALPHA)
                assert refused.status_code == 403 and refused.json()["code"] == "forbidden", refused.text
            # Alpha's allowance is whole: the admin calls above were nobody's.
            assert [http.get("/v1/working/t", headers=ALPHA).status_code for _ in range(3)] == [200, 200, 429]
            assert http.post("/v1/admin/backups", headers=ADMIN).status_code == 201  # still answered

        # `mnemo backup`, the admin key's user, end to end.
        target = Path(tempfile.mkdtemp(prefix="mnemo-admin-")) / "backup"
        env = serve_env(MNEMO_ADMIN_KEY="the-admin-key")
        command = [sys.executable, "-m", "mnemo.cli.main", "backup", str(target), "--url", served.url]
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        assert (target / "manifest.json").is_file()
