"""A full disk, on a real tmpfs and a real `mnemo serve` process: writes that cannot be
stored get 507 problem details naming the store and the free space, never a crash (a memory-mapped
write on a full tmpfs is a SIGBUS) or a 500; reads, /health and /metrics keep answering; /ready says
so; writes succeed again once space is freed, without a restart; nothing acknowledged is lost."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from mnemo.backends.storage_reserve import NEW_STORE_BYTES, mapped_bytes, unallocated_bytes
from mnemo.cli.serve_start import EXIT_NO_ROOM
from tests.conftest import copy_sparse
from tests.e2e.live_server import free_port
from tests.e2e.served_process import ServedMnemo
from tests.served import serve_env

MIB = 1024 * 1024
RESERVE_MB = 24


@contextmanager
def tmpfs(size_mb: int) -> Iterator[Path]:
    """A tmpfs of its own (root may mount one), unmounted after."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    mount = Path(tempfile.mkdtemp(prefix="mnemo-fd-"))
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_mb}m", "tmpfs", str(mount)], check=True)
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)
        mount.rmdir()


@pytest.fixture
def small_tmpfs() -> Iterator[Path]:
    """A 1.6 GiB tmpfs: on tmpfs a start allocates the shards' files whole (~1.2 GiB for an empty
    store, most of it the payload indexes' preallocated pages), and the tests need room beyond."""
    with tmpfs(1600) as mount:
        yield mount


def free_bytes(path: Path) -> int:
    stat = os.statvfs(path)
    return stat.f_bavail * stat.f_frsize


def fill(path: Path, leave_bytes: int) -> Path:
    """A ballast file that leaves about `leave_bytes` free (written, not sparse)."""
    ballast = path / "ballast"
    chunk = b"\0" * MIB
    with ballast.open("ab") as out:
        while free_bytes(path) > leave_bytes + MIB:
            out.write(chunk)
            out.flush()
        try:  # the last bytes, to the page
            out.write(b"\0" * max(free_bytes(path) - leave_bytes, 0))
            out.flush()
        except OSError:
            pass
    return ballast


def write_all(http: httpx.Client, n: int, tag: str) -> dict[str, int]:
    """One memory, one working item, one thread turn; their statuses."""
    memory = {"type": "semantic", "content": f"Fact {n} ({tag}): the blue depot opens at {n} am."}
    memories = http.post("/v1/memories", json={"memories": [memory], "dedup": False})
    working = http.post("/v1/working/disk-task/items", json={"content": f"Working note {n} ({tag})."})
    return {"memories": memories.status_code, "working": working.status_code}


@pytest.mark.slow
def test_a_full_disk_refuses_writes_with_507_and_the_service_lives_on(
    small_tmpfs: Path, empty_data_dir: Path
) -> None:
    served = ServedMnemo.on_copy(
        empty_data_dir,
        small_tmpfs / "data",
        Path(tempfile.mkdtemp()) / "serve.log",
        MNEMO_STORAGE_RESERVE_MB=str(RESERVE_MB),
    )
    acknowledged: list[str] = []
    with served.running():
        with served.client(60) as http:
            for n in range(3):
                assert write_all(http, n, "before") == {"memories": 201, "working": 201}
            acknowledged = [
                m["id"] for m in http.get("/v1/memories", params={"limit": 100}).json()["memories"]
            ]
            assert len(acknowledged) == 3

            # Under the reserve, then with not a page left: a write is refused before it is stored.
            for leave in (RESERVE_MB * MIB // 2, 0):
                ballast = fill(small_tmpfs, leave)
                refused = http.post(
                    "/v1/memories", json={"memories": [{"type": "semantic", "content": "Never stored here."}]}
                )
                assert refused.status_code == 507, refused.text
                problem: dict[str, Any] = refused.json()
                assert problem["code"] == "insufficient_storage" and problem["status"] == 507
                assert "MiB free" in problem["detail"] and "data dir" in problem["detail"]
                assert write_all(http, 99, "full") == {"memories": 507, "working": 507}
                # Reads, liveness and metrics keep answering; readiness says what is wrong.
                assert http.get("/health").status_code == 200
                assert http.get("/metrics").status_code == 200
                listed = http.get("/v1/memories", params={"limit": 100}).json()["memories"]
                assert sorted(m["id"] for m in listed) == sorted(acknowledged)
                retrieved = http.post("/v1/retrieve", json={"query": "when does the blue depot open?"})
                assert retrieved.status_code == 200, retrieved.text
                ready = http.get("/ready").json()
                assert ready["status"] == "degraded" and ready["checks"]["storage"] is False
                assert ready["dependencies"]["storage"]["free_bytes"] < RESERVE_MB * MIB
                assert served.process is not None and served.process.poll() is None  # no SIGBUS
                ballast.unlink()

            # Space freed: writes work again, no restart.
            assert http.get("/ready").json()["checks"]["storage"] is True
            assert write_all(http, 4, "after") == {"memories": 201, "working": 201}
            listed = http.get("/v1/memories", params={"limit": 100}).json()["memories"]
            assert set(acknowledged) <= {m["id"] for m in listed} and len(listed) == 4
            items = http.get("/v1/working/disk-task").json()["items"]
            assert len(items) == 4 and not any("(full)" in i["content"] for i in items)
        assert served.process is not None and served.process.poll() is None


@pytest.mark.slow
def test_a_start_below_the_reserve_serves_reads_and_resumes_writes_once_space_is_freed(
    small_tmpfs: Path, empty_data_dir: Path
) -> None:
    reserve_mb = 160  # above what opening the stores needs (64 MiB), below what the tmpfs has left
    data = small_tmpfs / "data"
    logs = Path(tempfile.mkdtemp())
    first = ServedMnemo.on_copy(
        empty_data_dir, data, logs / "first.log", MNEMO_STORAGE_RESERVE_MB=str(reserve_mb)
    )
    # Its stop is a SIGKILL: what was acknowledged is on disk all the same.
    with first.running(), first.client(60) as http:
        for n in range(3):
            assert write_all(http, n, "before") == {"memories": 201, "working": 201}

    # Writes created files the start allocates first (on tmpfs a read of their holes takes space):
    # once they are, 100 MiB are left, below the reserve and above what opening needs.
    ballast = fill(small_tmpfs, 100 * MIB + unallocated_bytes(data / "qdrant"))
    served = ServedMnemo(data, logs / "serve.log", MNEMO_STORAGE_RESERVE_MB=str(reserve_mb))
    with served.running():  # ready means 200: here `degraded`
        with served.client(60) as http:
            ready = http.get("/ready").json()
            assert ready["status"] == "degraded" and ready["checks"]["storage"] is False, ready
            listed = http.get("/v1/memories", params={"limit": 100}).json()["memories"]
            assert len(listed) == 3
            retrieved = http.post("/v1/retrieve", json={"query": "when does the blue depot open?"})
            assert retrieved.status_code == 200 and "blue depot" in retrieved.json()["context"]
            assert len(http.get("/v1/working/disk-task").json()["items"]) == 3
            assert write_all(http, 9, "full") == {"memories": 507, "working": 507}

            ballast.unlink()  # space freed: writes are taken again, no restart
            assert http.get("/ready").json()["status"] == "ready"
            assert write_all(http, 4, "after") == {"memories": 201, "working": 201}
            assert len(http.get("/v1/memories", params={"limit": 100}).json()["memories"]) == 4
        assert served.process is not None and served.process.poll() is None
        assert "starting read-only" in served.log.read_text()

    # Too full even to open the stores (a SIGBUS if tried): refused in one line, no traceback.
    ballast = fill(small_tmpfs, 8 * MIB)
    command = [sys.executable, "-m", "mnemo.cli.main", "serve", "--data-dir", str(data)]
    env = serve_env(MNEMO_STORAGE_RESERVE_MB=str(reserve_mb))
    refused = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert refused.returncode == EXIT_NO_ROOM and refused.stderr.count("\n") == 1, refused.stderr
    assert "MiB free" in refused.stderr and "Traceback" not in refused.stderr
    ballast.unlink()


@pytest.mark.slow
def test_a_start_on_a_tmpfs_without_room_for_the_stores_files_is_refused_not_a_sigbus(
    tmp_path: Path, empty_data_dir: Path
) -> None:
    """A store with memories, stopped, moved to a 700 MiB tmpfs filled to 100 MiB free: opening it
    would read its files through memory maps, and on tmpfs a read takes the page from the
    filesystem. That start is refused in one line (exit 5) naming the free space and what is
    needed; once the tmpfs has room, the same store starts with everything it acknowledged."""
    data = tmp_path / "data"
    first = ServedMnemo.on_copy(empty_data_dir, data, tmp_path / "first.log")
    with first.running(), first.client(60) as http:
        assert write_all(http, 1, "before") == {"memories": 201, "working": 201}

    assert mapped_bytes(empty_data_dir / "qdrant") <= NEW_STORE_BYTES  # what a new store is asked
    with tmpfs(700) as mount:
        copy_sparse(data, mount / "data")
        ballast = fill(mount, 100 * MIB)
        command = [sys.executable, "-m", "mnemo.cli.main", "serve", "--data-dir", str(mount / "data")]
        env = serve_env(MNEMO_PORT=str(free_port()))
        refused = subprocess.run(command, env=env, capture_output=True, text=True, timeout=180)
        assert refused.returncode == EXIT_NO_ROOM, (refused.returncode, refused.stderr[-2000:])
        assert refused.stderr.count("\n") == 1 and "Traceback" not in refused.stderr, refused.stderr
        line = refused.stderr
        assert "on tmpfs" in line and "MiB free" in line and "opening its stores needs" in line
        # The commands that open the store themselves refuse the same way, before anything is read.
        memories = mount / "one.jsonl"
        memories.write_text('{"type": "semantic", "content": "Never stored here."}\n')
        for args in (["doctor"], ["ingest", str(memories)]):
            command = [sys.executable, "-m", "mnemo.cli.main", *args, "--data-dir", str(mount / "data")]
            other = subprocess.run(command, env=env, capture_output=True, text=True, timeout=180)
            assert other.returncode == 2, (args, other.returncode, other.stderr[-2000:])
            assert other.stderr.count("\n") == 1 and "on tmpfs" in other.stderr, other.stderr

        subprocess.run(["mount", "-o", "remount,size=2000m", "tmpfs", str(mount)], check=True)
        ballast.unlink()
        served = ServedMnemo(mount / "data", tmp_path / "again.log")
        with served.running():
            with served.client(60) as http:
                listed = http.get("/v1/memories", params={"limit": 100}).json()["memories"]
                assert [m["content"] for m in listed] == ["Fact 1 (before): the blue depot opens at 1 am."]
                assert len(http.get("/v1/working/disk-task").json()["items"]) == 1
                assert http.get("/health").status_code == 200
            assert served.process is not None and served.process.poll() is None
