"""The "Add a backend" recipe holds: a copy of the package with a throwaway vector backend added exactly
where ARCHITECTURE.md says (a room under backends/, its settings group, its construction in
`vector_store`, its room in the backends' import contract, its line in the shared backend suite's
fixture) passes the import contracts, passes the shared suite and serves a write, a retrieval and
`/ready`, with nothing else edited.

The throwaway engine is qdrant-client's local mode on disk (a real engine, in process): the room
builds on the client-speaking index of `backends/qdrant_server/`, so it takes a layer of its own above
the engines, as the recipe says for a room that builds on another engine's code. Everything runs in
child processes over the copy (the copy must be what imports), on the test Redis.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.integrations.package_copy import ROOT, copy_package, drive, environment_of_copy, insert

ROOM_INIT = (
    '"""qdrant-client\'s local mode: Qdrant\'s engine in this process, on a directory of its own."""\n'
)

ROOM_CONFIG = '''"""The `qdrant_local` settings group (MNEMO_QDRANT_LOCAL__*)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from ...memtypes.jsontypes import SettingsGroup


class QdrantLocalConfig(SettingsGroup):
    path: Path | None = Field(default=None, description="keep the vectors in qdrant-client's local mode here")
'''

ROOM_INDEX = '''"""The vector index over qdrant-client's local mode: the client-speaking index on it."""

from __future__ import annotations

from pathlib import Path

from qdrant_client import AsyncQdrantClient

from ..qdrant_server.index import QdrantClientVectorIndex


class LocalVectorIndex(QdrantClientVectorIndex):
    def __init__(self, path: Path, prefix: str, dimension: int) -> None:
        super().__init__(AsyncQdrantClient(path=str(path)), prefix, dimension)
'''

# Recipe step 2: its construction in `vector_store`, the only place that picks a backend.
CONSTRUCTION = """    qdrant = settings.qdrant
    if settings.qdrant_local.path:
        from ...backends.qdrant_local.index import LocalVectorIndex

        local = LocalVectorIndex(settings.qdrant_local.path, settings.collection_prefix, dimension)
        history = EdgeDocumentStore(settings.data_dir / "qdrant", settings.collection_prefix)
        return VectorStore(local, history, None)
"""

DRIVE = """
import asyncio, json, sys
from pathlib import Path

import mnemo
from litestar.testing import AsyncTestClient
from mnemo.api.config.settings import Settings
from mnemo.api.guards.request_gate import LOOPBACK_BASE_URL
from mnemo.api.http.app import create_app
from mnemo_client import AsyncMnemo

USER = {"user_id": "ada"}


async def drive(data_dir: Path, vectors: Path) -> dict:
    app = create_app(Settings(data_dir=data_dir))
    seen = {"package": mnemo.__file__}
    async with (
        AsyncTestClient(app=app, base_url=LOOPBACK_BASE_URL, timeout=120) as http,
        AsyncMnemo(http_client=http) as client,
    ):
        seen["index"] = type(app.state.services.index).__name__
        written = await client.write([
            {"type": "semantic", "content": "Ada's dog is called Biscuit.", "scope": USER},
            {"type": "semantic", "content": "Ada takes the train to work.", "scope": USER},
        ])
        seen["written"] = [r.status for r in written.results]
        found = await client.retrieve("what is the dog's name", scope=USER)
        seen["first"] = found.memories[0].content
        ready = await http.get("/ready")
        seen["ready"] = [ready.status_code, ready.json()]
    seen["vectors_on_disk"] = sorted(p.name for p in vectors.iterdir())
    return seen


print(json.dumps(asyncio.run(drive(Path(sys.argv[1]), Path(sys.argv[2])))))
"""


def _package_with_a_new_backend(root: Path) -> None:
    package = copy_package(root)
    shutil.copytree(ROOT / "tests", root / "tests", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    # Recipe step 1: a room under backends/ implementing the port.
    room = package / "backends" / "qdrant_local"
    room.mkdir()
    (room / "__init__.py").write_text(ROOM_INIT)
    (room / "config.py").write_text(ROOM_CONFIG)
    (room / "index.py").write_text(ROOM_INDEX)
    # Recipe step 2: its config as a settings group, its construction in `vector_store`.
    settings = package / "api" / "config" / "settings.py"
    qdrant_import = "from ...backends.qdrant.config import QdrantConfig\n"
    insert(
        settings,
        qdrant_import,
        f"{qdrant_import}from ...backends.qdrant_local.config import QdrantLocalConfig\n",
    )
    group = "    qdrant: QdrantConfig = Field(default_factory=QdrantConfig)\n"
    insert(
        settings,
        group,
        f"{group}    qdrant_local: QdrantLocalConfig = Field(default_factory=QdrantLocalConfig)\n",
    )
    insert(package / "api" / "http" / "engines.py", "    qdrant = settings.qdrant\n", CONSTRUCTION)
    # Recipe step 3: its room in the backends' import contract, above the engine it builds on.
    engines = '    "mnemo.backends.qdrant_edge | '
    insert(root / "pyproject.toml", engines, f'    "mnemo.backends.qdrant_local",\n{engines}')
    # Recipe step 4: its line in the shared suite's `index` fixture.
    conftest = root / "tests" / "backends" / "conftest.py"
    insert(conftest, 'BACKENDS = ("edge", "client")\n', 'BACKENDS = ("edge", "client", "local")\n')
    client = '    return QdrantClientVectorIndex(AsyncQdrantClient(location=":memory:"), PREFIX, DIMENSION)\n'
    local = (
        '    if kind == "local":\n'
        "        from mnemo.backends.qdrant_local.index import LocalVectorIndex\n\n"
        '        return LocalVectorIndex(tmp_path / "local", PREFIX, DIMENSION)\n'
    )
    insert(conftest, client, local + client)


def _run(command: list[str], root: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, env=env, cwd=root, timeout=900)


@pytest.mark.slow
def test_a_backend_added_as_the_recipe_says_passes_the_contracts_and_the_shared_suite_and_serves(
    tmp_path: Path, redis_url: str, redis_prefix: str
) -> None:
    root = tmp_path / "root"
    _package_with_a_new_backend(root)
    vectors = tmp_path / "vectors"
    env = environment_of_copy(root, redis_url, redis_prefix, MNEMO_QDRANT_LOCAL__PATH=str(vectors))

    contracts = _run([str(Path(sys.executable).parent / "lint-imports")], root, env)
    assert contracts.returncode == 0, contracts.stdout[-4000:] + contracts.stderr[-2000:]
    assert "qdrant_local" in (root / "pyproject.toml").read_text()

    suite = _run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:xdist",
            "-p",
            "no:cacheprovider",
            "tests/backends/test_vector_index.py",
            "-k",
            "local",
        ],
        root,
        env,
    )
    assert suite.returncode == 0, suite.stdout[-4000:] + suite.stderr[-2000:]
    passed = int(re.findall(r"(\d+) passed", suite.stdout)[-1])
    assert passed >= 10  # every scenario of the shared suite ran on the new backend

    (tmp_path / "drive.py").write_text(DRIVE)
    seen = drive(tmp_path / "drive.py", [str(tmp_path / "data"), str(vectors)], env, cwd=root)
    assert seen["package"].startswith(str(root))
    assert seen["index"] == "LocalVectorIndex"
    assert seen["written"] == ["created", "created"]
    assert "Biscuit" in seen["first"]
    status, body = seen["ready"]
    assert status == 200, body
    assert seen["vectors_on_disk"]  # the vectors live where its settings group says
