"""Nothing goes to the wrong place silently, and a start that fails says why in one line.

`mnemo ingest` writes where MNEMO_URL points as `mnemo forget` does, creates a new embedded store only
with `--create`, and refuses a data dir a running service holds before loading anything. `mnemo
serve` logs "listening" only once it listens; a taken port, a data dir in use, a disk too full to
open the stores (tests/e2e/engines/test_full_disk.py) and a start-up that fails inside the app each end as
one line with an exit code of its own.
"""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from mnemo.cli import serve_start
from mnemo_client import Mnemo
from tests.e2e.live_server import LiveApp, free_port, live_app  # noqa: F401 - a fixture
from tests.e2e.served_process import ServedMnemo
from tests.served import SERVE, serve_env

pytestmark = pytest.mark.slow

MEMORY = {"type": "semantic", "content": "Dana keeps the on-call runbook in the ops wiki."}


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedMnemo]:
    root = tmp_path_factory.mktemp("served")
    server = ServedMnemo(root / "data", root / "serve.log")
    with server.running():
        yield server


def mnemo(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "mnemo.cli.main", *args]
    return subprocess.run(command, cwd=cwd, env=serve_env(**env), capture_output=True, text=True, timeout=300)


def memories_file(directory: Path) -> Path:
    path = directory / "memories.jsonl"
    path.write_text(json.dumps(MEMORY) + "\n")
    return path


def one_line(stderr: str) -> str:
    assert "Traceback" not in stderr, stderr
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    return lines[0]


def test_ingest_follows_mnemo_url_into_the_running_service(served: ServedMnemo, tmp_path: Path) -> None:
    done = mnemo("ingest", str(memories_file(tmp_path)), "--json", cwd=tmp_path, MNEMO_URL=served.url)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.splitlines()[-1])["created"] == 1
    assert not (tmp_path / "data").exists()  # no store of its own next to the user's server
    with Mnemo(served.url) as client:
        assert MEMORY["content"] in [m.content for m in client.list(type="semantic")]


def test_ingest_without_a_store_or_a_url_asks_for_create(tmp_path: Path) -> None:
    source = memories_file(tmp_path)
    refused = mnemo("ingest", str(source), cwd=tmp_path)
    assert refused.returncode == 2
    line = one_line(refused.stderr)
    assert "--create" in line and "--url" in line and "MNEMO_URL" in line
    assert not (tmp_path / "data").exists()
    both = mnemo("ingest", str(source), "--url", "http://127.0.0.1:9", "--data-dir", "d", cwd=tmp_path)
    assert both.returncode == 2 and "not both" in one_line(both.stderr)


def test_ingest_into_the_services_data_dir_is_refused_before_any_work(
    served: ServedMnemo, tmp_path: Path
) -> None:
    # Before any work: nothing that embeds is even imported (that, not a timing
    # on a shared machine, is what keeps the refusal well under a second).
    source = memories_file(tmp_path)
    heavy = ("torch", "sentence_transformers", "onnxruntime", "transformers")
    probe = (
        "import sys; from mnemo.cli.main import main; "
        f"code = main(['ingest', {str(source)!r}, '--data-dir', {str(served.data_dir)!r}]); "
        f"print(code, ','.join(m for m in {heavy!r} if m in sys.modules) or '-')"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], env=serve_env(), capture_output=True, text=True, timeout=120
    )
    code, loaded = done.stdout.split()
    assert int(code) == 2 and loaded == "-", (done.stdout, done.stderr)
    assert "in use by another mnemo process" in one_line(done.stderr)


def test_listening_is_logged_once_the_port_answers(tmp_path: Path) -> None:
    port = free_port()
    env = serve_env(MNEMO_DATA_DIR=str(tmp_path / "data"), MNEMO_PORT=str(port), MNEMO_LOG_FORMAT="text")
    process = subprocess.Popen(SERVE, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert process.stdout is not None
        for line in process.stdout:
            if "listening on" in line:
                assert f"http://127.0.0.1:{port}" in line
                answer = httpx.get(f"http://127.0.0.1:{port}/health", timeout=5)
                assert answer.status_code == 200
                break
        else:
            pytest.fail(f"no listening line; exit {process.wait()}")
    finally:
        process.terminate()
        process.wait(timeout=60)


def test_a_taken_port_fails_at_once_in_one_line(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        started = time.monotonic()
        failed = mnemo("serve", "--port", str(port), "--data-dir", str(tmp_path / "data"), cwd=tmp_path)
        seconds = time.monotonic() - started
    assert failed.returncode == serve_start.EXIT_PORT_UNAVAILABLE
    line = one_line(failed.stderr)
    assert f"port {port}" in line and "--port" in line
    assert seconds < 10  # before the model loads (which takes longer than that on this machine)
    assert not (tmp_path / "data").exists()


def test_a_second_serve_on_a_data_dir_in_use_fails_in_one_line(served: ServedMnemo, tmp_path: Path) -> None:
    failed = mnemo("serve", "--port", str(free_port()), "--data-dir", str(served.data_dir), cwd=tmp_path)
    assert failed.returncode == serve_start.EXIT_DATA_DIR_IN_USE
    line = one_line(failed.stderr)
    assert str(served.data_dir) in line and "--data-dir" in line


def test_a_start_up_that_fails_in_the_app_is_one_line_and_debug_shows_the_traceback(tmp_path: Path) -> None:
    args = ("serve", "--port", str(free_port()), "--data-dir", str(tmp_path / "data"))
    missing = str(tmp_path / "no-such-model")
    failed = mnemo(*args, cwd=tmp_path, MNEMO_EMBEDDING__MODEL=missing, MNEMO_LOG_LEVEL="WARNING")
    assert failed.returncode == serve_start.EXIT_START_FAILED
    errors = [line for line in failed.stderr.splitlines() if line.startswith("mnemo serve:")]
    assert len(errors) == 1 and "--debug" in errors[0], failed.stderr
    assert "Traceback" not in failed.stderr
    debugged = mnemo(*args, "--debug", cwd=tmp_path, MNEMO_EMBEDDING__MODEL=missing)
    assert debugged.returncode == serve_start.EXIT_START_FAILED
    assert "Traceback" in debugged.stderr


async def test_ingest_with_a_key_the_service_refuses_could_not_start(
    live_app: LiveApp,  # noqa: F811 - the fixture
    tmp_path: Path,
) -> None:
    source = str(memories_file(tmp_path))
    async with live_app(api_keys="right-key:alpha") as (url, _):
        ingest = ["ingest", source, "--url", url, "--api-key", "wrong"]
        done = await asyncio.to_thread(mnemo, *ingest, cwd=tmp_path)
    assert done.returncode == 2  # could not start, as the docs say; 1 is "done, some lines failed"
    line = one_line(done.stderr)
    assert "refused" in line and "401" in line
