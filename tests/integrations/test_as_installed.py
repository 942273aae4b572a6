"""What users install starts and serves: built from the tracked files alone, as a clean
clone would, in ONE fresh virtualenv (torch and the dependencies are installed once, and shared):

1. the two wheels are built (once per run, shared with the tests that read them: tests/clean_wheels.py);
   only the server's wheel is installed (`pip install mnemo_server-….whl`,
   the client's wheel beside it, as `--find-links`); `mnemo serve` starts from an empty directory
   (nothing of the source tree importable), a memory is written and retrieved, and the light
   client's `mnemo-hook` and `mnemo-mcp` came with it;
2. deploy/Dockerfile's build stage is replayed without a Docker daemon: its COPY lines into a
   staging directory, its RUN lines there (`/opt/mnemo`, `/src` and `/var/lib/mnemo` mapped into the
   staging directory; the torch line without its CPU index, which the machine's pip configuration
   stands in for), after uninstalling the wheels of step 1; then the image's ENV, WORKDIR and CMD
   start the service, its HEALTHCHECK passes, and a memory is written and retrieved;
3. the README's quick start: `make serve` in the clean clone (VENV= the same venv) serves, and a
   second shell that runs `. .venv/bin/activate` finds `mnemo`, `mnemo-hook`, `mnemo-mcp` and the
   client, and reaches the server with them.

Sharing the venv is honest for what these check: every install declares the same dependencies (one
pyproject), so a missing dependency would be missing in each; what differs is the set of files (the
Dockerfile's COPY lines) and whether the client is declared, and both steps start from a venv
without mnemo-server or mnemo-client.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.clean_wheels import CleanWheels, clean_env, copy_tracked
from tests.served import free_port, wait_ready

ROOT = Path(__file__).resolve().parents[2]
TORCH = "torch==2.13.0"  # the CPU build, as the Makefile and the Dockerfile pin it
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not (ROOT / ".git").exists() or shutil.which("git") is None, reason="needs a git checkout"
    ),
]


def run(
    command: list[str], *, cwd: Path | None = None, env: dict[str, str] | None = None, timeout: float = 900
) -> str:
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{shlex.join(command)} exited {done.returncode}:\n{done.stderr[-4000:]}"
    return done.stdout


@pytest.fixture(scope="module")
def clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tracked files, as a fresh clone has them (`make serve` below writes into it)."""
    return copy_tracked(tmp_path_factory.mktemp("clone"))


@pytest.fixture(scope="module")
def fresh_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    venv = tmp_path_factory.mktemp("fresh") / "venv"
    run([sys.executable, "-m", "venv", str(venv)], env=clean_env())
    run([str(venv / "bin" / "pip"), "install", "--quiet", TORCH], env=clean_env())
    return venv


class Served:
    def __init__(self, process: subprocess.Popen[bytes], url: str, log: Path) -> None:
        self.process, self.url, self.log = process, url, log

    def write_and_retrieve(self) -> None:
        fact = f"The {uuid.uuid4().hex[:8]} release train leaves on Thursdays at noon."
        write = httpx.post(
            f"{self.url}/v1/memories",
            json={"memories": [{"type": "semantic", "content": fact, "scope": {"user_id": "first-user"}}]},
            timeout=60,
        )
        assert write.status_code == 201, write.text
        assert write.json()["results"][0]["status"] == "created"
        found = httpx.post(
            f"{self.url}/v1/retrieve",
            json={"query": "When does the release train leave?", "scope": {"user_id": "first-user"}},
            timeout=60,
        )
        assert found.status_code == 200, found.text
        assert fact in found.json()["context"]


@contextmanager
def serve(command: list[str], cwd: Path, env: dict[str, str], port: int) -> Iterator[Served]:
    """The command running in a process group of its own (`make serve` has a child), until ready."""
    log = cwd / f"serve-{port}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_ready(process, url, log, timeout_s=600)  # the first start exports the model to ONNX
        yield Served(process, url, log)
    finally:
        os.killpg(process.pid, signal.SIGTERM)  # the group this test started, by its id
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def test_the_server_wheel_alone_installs_serves_and_brings_the_agent_tools(
    clean_wheels: CleanWheels, fresh_venv: Path, tmp_path: Path
) -> None:
    wheels = tmp_path / "wheels"  # these two alone, as a user who downloaded them has them
    wheels.mkdir()
    server_wheel = Path(shutil.copy2(clean_wheels.wheel("mnemo_server-*.whl"), wheels))
    shutil.copy2(clean_wheels.wheel("mnemo_client-*.whl"), wheels)
    bin_dir = fresh_venv / "bin"
    # Only the server's wheel is named: the client comes in as its declared dependency.
    run(
        [str(bin_dir / "pip"), "install", "--quiet", "--find-links", str(wheels), str(server_wheel)],
        env=clean_env(),
    )
    run([str(bin_dir / "pip"), "check"], env=clean_env())
    installed = json.loads(run([str(bin_dir / "pip"), "list", "--format", "json"], env=clean_env()))
    names = {p["name"].lower() for p in installed}
    assert {"mnemo-server", "mnemo-client"} <= names and "mnemo" not in names
    assert not names & {"pytest", "matplotlib", "schemathesis"}  # no dev or bench extras
    for tool in ("mnemo", "mnemo-hook", "mnemo-mcp"):
        assert (bin_dir / tool).exists(), tool
    # The harness is a distribution of its own (mnemo-bench): not in this wheel, and said so.
    bench = subprocess.run(
        [str(bin_dir / "mnemo"), "bench", "quality"],
        capture_output=True,
        text=True,
        env=clean_env(),
        timeout=60,
    )
    assert bench.returncode == 2 and "mnemo-server[bench]" in bench.stderr, bench.stderr
    empty = tmp_path / "elsewhere"
    empty.mkdir()
    port = free_port()
    env = clean_env(
        PATH=f"{bin_dir}:{os.environ['PATH']}",
        MNEMO_PORT=str(port),
        MNEMO_DATA_DIR=str(tmp_path / "data"),
        # Where the image keeps the exported model: this first start exports it, the Dockerfile's
        # export step and `make serve` below find it (one export instead of three).
        MNEMO_EMBEDDING__ONNX_CACHE=str(fresh_venv / "onnx"),
    )
    with serve([str(bin_dir / "mnemo"), "serve"], empty, env, port) as served:
        served.write_and_retrieve()
        # The light client's hook, as Claude Code would run it, against this server.
        hook = subprocess.run(
            [str(bin_dir / "mnemo-hook"), "user-prompt-submit"],
            input=json.dumps({"session_id": "s-1", "prompt": "When does the release train leave?"}),
            env={**env, "MNEMO_URL": served.url, "MNEMO_HOOK_USER_ID": "first-user"},
            capture_output=True, text=True, timeout=60, cwd=empty,
        )  # fmt: skip
        assert hook.returncode == 0 and "release train" in hook.stdout, hook.stderr


def dockerfile_stages() -> list[list[tuple[str, str]]]:
    """deploy/Dockerfile as stages of (instruction, arguments), continuation lines joined."""
    text = re.sub(r"\\\n", " ", (ROOT / "deploy" / "Dockerfile").read_text())
    stages: list[list[tuple[str, str]]] = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        instruction, _, arguments = line.partition(" ")
        if instruction == "FROM":
            stages.append([])
        stages[-1].append((instruction, arguments.strip()))
    return stages


def env_pairs(arguments: str) -> dict[str, str]:
    return dict(part.split("=", 1) for part in shlex.split(arguments))


def test_the_dockerfile_replayed_builds_starts_and_serves(
    clone: Path, fresh_venv: Path, tmp_path: Path
) -> None:
    build, final = dockerfile_stages()
    staging = tmp_path / "staging"
    mapped = {
        "/opt/mnemo": str(fresh_venv),
        "/src": str(staging / "src"),
        "/var/lib/mnemo": str(staging / "home"),
    }

    def here(text: str) -> str:
        for image_path, local in mapped.items():
            text = text.replace(image_path, local)
        return text

    bin_dir = fresh_venv / "bin"
    # Whatever an earlier test installed of mnemo goes: the image's pip line must bring both.
    run([str(bin_dir / "pip"), "uninstall", "--quiet", "-y", "mnemo-server", "mnemo-client"], env=clean_env())
    # The image's `python` (its first RUN makes the venv with it): this interpreter.
    image_bin = staging / "image-bin"
    image_bin.mkdir(parents=True)
    (image_bin / "python").symlink_to(sys.executable)
    env = clean_env(PATH=f"{image_bin}:{os.environ['PATH']}")
    workdir, ran = staging, []
    for instruction, arguments in build[1:]:
        if instruction == "ENV":
            env |= {k: here(v) for k, v in env_pairs(arguments).items()}
        elif instruction == "WORKDIR":
            workdir = Path(here(arguments))
            workdir.mkdir(parents=True, exist_ok=True)
        elif instruction == "COPY":
            *sources, target = shlex.split(arguments)
            destination = workdir / target
            for source in sources:
                origin = clone / source
                if origin.is_dir():
                    shutil.copytree(origin, destination if len(sources) == 1 else destination / source)
                else:
                    destination.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(origin, destination / origin.name)
        elif instruction == "RUN":
            # The CPU index is not reachable here; this machine's pip configuration has the CPU build.
            command = re.sub(r"--index-url \S+ ", "", here(arguments))
            ran.append(command)
            run(["bash", "-c", command], cwd=workdir, env=env)
    assert any("pip install" in c and "./client" in c for c in ran), ran
    assert any(f.suffix == ".onnx" for f in (fresh_venv / "onnx").rglob("*")), "the image's ONNX export"

    run_env = clean_env()
    workdir, command = staging, None
    for instruction, arguments in final[1:]:
        if instruction == "ENV":
            for key, value in env_pairs(arguments).items():
                run_env[key] = here(value).replace("$PATH", os.environ["PATH"])
        elif instruction == "WORKDIR":
            workdir = Path(here(arguments))
            workdir.mkdir(parents=True, exist_ok=True)
        elif instruction == "CMD":
            command = json.loads(arguments)
        elif instruction == "HEALTHCHECK":
            healthcheck = json.loads(arguments[arguments.index("CMD") + 3 :])
    assert command == ["mnemo", "serve"]
    port = free_port()
    run_env["MNEMO_PORT"] = str(port)  # not the image's 8080: this machine is shared
    assert shutil.which("mnemo", path=run_env["PATH"]) == str(bin_dir / "mnemo")
    with serve(command, workdir, run_env, port) as served:
        served.write_and_retrieve()
        probe = [part.replace(":8080/", f":{port}/") for part in healthcheck]
        run(probe, cwd=workdir, env=run_env, timeout=30)
    assert (workdir / "qdrant").is_dir()  # the data went where the image keeps it


def test_make_serve_in_a_clean_clone_and_the_quickstart_from_a_second_shell(
    clone: Path, fresh_venv: Path, tmp_path: Path
) -> None:
    port = free_port()
    env = clean_env(MNEMO_PORT=str(port), MNEMO_EMBEDDING__ONNX_CACHE=str(fresh_venv / "onnx"))
    with serve(["make", "serve", f"VENV={fresh_venv}"], clone, env, port) as served:
        installed = run([str(fresh_venv / "bin" / "pip"), "list", "--format", "json"], env=clean_env())
        names = {p["name"].lower() for p in json.loads(installed)}
        assert {"mnemo-server", "mnemo-client"} <= names
        assert not names & {"pytest", "matplotlib", "schemathesis", "hypothesis"}  # lean: no extras
        served.write_and_retrieve()
        second_shell = (
            f". {fresh_venv}/bin/activate && command -v mnemo mnemo-hook mnemo-mcp"
            " && mnemo forget --user-id first-user --dry-run --json"
            " && python -c 'import mnemo_client, mnemo_client.mcp.tools'"
        )
        out = run(["bash", "-c", second_shell], cwd=tmp_path, env=clean_env(MNEMO_URL=served.url))
        assert out.count(str(fresh_venv / "bin")) == 3, out
        receipt = json.loads(out[out.index("{") :])
        assert receipt["dry_run"] is True and receipt["counts"]["semantic"] >= 1, receipt
    assert (clone / "data").is_dir()  # the README's ./data
