"""Fuzz a real mnemo server's OpenAPI schema with schemathesis, bounded, on loopback only.

Starts `mnemo serve` on a free 127.0.0.1 port with a throw-away data dir, runs schemathesis with
every check but positive_data_acceptance (see the Makefile), stops the server, and exits with
schemathesis's status.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from mnemo_client import Mnemo, MnemoConnectionError


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_ready(url: str, server: subprocess.Popen[bytes], timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    with Mnemo(url, timeout=2) as mnemo:
        while time.monotonic() < deadline:
            if server.poll() is not None:
                raise SystemExit("fuzz: the server exited during start-up")
            try:
                if mnemo.request("GET", "/ready").status == 200:
                    return
            except MnemoConnectionError:
                pass
            time.sleep(0.5)
    raise SystemExit("fuzz: the server did not become ready")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--examples", type=int, default=25, help="examples per operation")
    parser.add_argument("--seconds", type=int, default=600, help="time limit for the schemathesis run")
    args = parser.parse_args()
    data_dir = tempfile.mkdtemp(prefix="mnemo-fuzz-")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "MNEMO_DATA_DIR": data_dir, "MNEMO_PORT": str(port), "MNEMO_HOST": "127.0.0.1"}
    env.pop("MNEMO_API_KEYS", None)
    env.pop("MNEMO_RATE_LIMIT_PER_MINUTE", None)  # a rate limit would answer the fuzzer 429s
    server = subprocess.Popen([sys.executable, "-m", "mnemo.cli.main", "serve"], env=env)
    try:
        _wait_ready(url, server, timeout_s=180)
        command = [
            str(Path(sys.executable).with_name("schemathesis")), "run", f"{url}/schema/openapi.json",
            "--checks", "all", "--exclude-checks", "positive_data_acceptance",
            "--max-examples", str(args.examples), "--request-timeout", "30", "--seed", "20261122",
        ]  # fmt: skip
        return subprocess.run(command, timeout=args.seconds, check=False).returncode  # noqa: S603 - our own argv
    finally:
        server.terminate()
        server.wait(timeout=60)
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
