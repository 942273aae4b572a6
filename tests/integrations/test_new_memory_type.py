"""The "Add a memory type" recipe holds: a copy of the package with a throwaway sixth type added
exactly where ARCHITECTURE.md says (its `MemoryType` member and spec in memtypes/types.py, the
client's enum and note in mnemo_client/models.py, the coding-agent hook's section title in
mnemo_hook/prompt.py) serves it end to end, with nothing else edited: write, retrieve, list, forget,
export, the explorer's type list, the agents' tool descriptions and what the hook injects.

The copy runs in a child process (the registry and every enum built from it are fixed at import),
on a real Qdrant Edge data dir and the test Redis.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.integrations.package_copy import ROOT, copy_package, drive, environment_of_copy, insert

SIXTH = "reflective"

SPEC = f"""    MemoryTypeSpec(
        TypePolicy(
            MemoryType.{SIXTH.upper()}, 0.0, half_life_days=30,
            w_similarity=0.80, w_recency=0.10, w_importance=0.10,
        ),
        title="Reflections",
        section=5,
        merge_threshold=0.95,
        searched_by_default=False,
    ),
)

SPECS: dict[MemoryType, MemoryTypeSpec]"""

DRIVE = f'''
import asyncio, gzip, json, sys
from pathlib import Path

import mnemo, mnemo_client
from litestar.testing import AsyncTestClient
from mnemo.api.config.settings import Settings
from mnemo.api.guards.request_gate import LOOPBACK_BASE_URL
from mnemo.api.http.app import create_app
from mnemo.cli.main import main as cli
from mnemo_client import AsyncMnemo
from mnemo_client.agent_tools import REMEMBER
from mnemo_client.mcp.tools import REMEMBER as MCP_REMEMBER
from mnemo.memtypes.types import SPECS
from mnemo_hook.prompt import TITLES, render

SIXTH, USER = "{SIXTH}", {{"user_id": "ada"}}
KEPT = "Looking back, the migration went well because we tested the rollback first."
GONE = "In hindsight the launch date was too early for the translations."


async def drive(data_dir: Path) -> dict:
    seen = {{"package": mnemo.__file__, "client": mnemo_client.__file__, "tools": [REMEMBER, MCP_REMEMBER]}}
    in_order = sorted(SPECS.items(), key=lambda item: item[1].section)
    seen["hook_titles"] = [list(TITLES.items()), [[t.value, spec.title] for t, spec in in_order]]
    app = create_app(Settings(data_dir=data_dir))
    async with (
        AsyncTestClient(app=app, base_url=LOOPBACK_BASE_URL, timeout=120) as http,
        AsyncMnemo(http_client=http) as client,
    ):
        written = await client.write([{{"type": SIXTH, "content": c, "scope": USER}} for c in (KEPT, GONE)])
        seen["written"] = [(r.status, r.id) for r in written.results]
        kept, gone = (r.id for r in written.results)
        found = await client.retrieve("what went well with the migration", scope=USER, types=[SIXTH])
        seen["retrieved"] = [m.id for m in found.memories]
        seen["context"] = found.context
        seen["hook"] = render([m.model_dump(mode="json") for m in found.memories])
        seen["listed"] = sorted(m.id for m in [m async for m in client.list(type=SIXTH, user_id="ada")])
        receipt = await client.forget(ids=[gone])
        seen["forgot"] = receipt.model_dump(mode="json")
        seen["listed_after"] = [m.id for m in [m async for m in client.list(type=SIXTH, user_id="ada")]]
        seen["page"] = (await http.get("/ui")).text
        seen["css"] = (await http.get("/ui/explorer.css")).text
        schema = (await http.get("/schema/openapi.json")).json()
        seen["api_enum"] = schema["components"]["schemas"]["MemoryType"]["enum"]
        seen["ids"] = [kept, gone]
    export = data_dir.parent / "export.jsonl.gz"
    seen["export_rc"] = cli(["export", str(export), "--data-dir", str(data_dir)])
    with gzip.open(export, "rt") as lines:
        seen["exported"] = [json.loads(line) for line in lines]
    return seen


print(json.dumps(asyncio.run(drive(Path(sys.argv[1])))))
'''


def _package_with_a_sixth_type(root: Path) -> None:
    package = copy_package(root)
    ignore = shutil.ignore_patterns("__pycache__")
    shutil.copytree(ROOT / "client" / "mnemo_client", root / "mnemo_client", ignore=ignore)
    shutil.copytree(ROOT / "client" / "mnemo_hook", root / "mnemo_hook", ignore=ignore)
    # Recipe step 1: the member and its spec in the registry.
    types = package / "memtypes" / "types.py"
    insert(types, '    WORKING = "working"\n', f'    WORKING = "working"\n    {SIXTH.upper()} = "{SIXTH}"\n')
    insert(types, ")\n\nSPECS: dict[MemoryType, MemoryTypeSpec]", SPEC)
    # Recipe step 3: the client mirrors the API's enum, with the note its tools give a model.
    models = root / "mnemo_client" / "models.py"
    insert(models, '    WORKING = "working"\n', f'    WORKING = "working"\n    {SIXTH.upper()} = "{SIXTH}"\n')
    note = '    MemoryType.WORKING: "a task\'s scratchpad",\n'
    insert(models, note, f'{note}    MemoryType.{SIXTH.upper()}: "a lesson drawn from looking back",\n')
    # ... and the coding-agent hook its section title, in the registry's section order.
    episodic = '    "episodic": "Episodic memory (what happened)",\n'
    insert(root / "mnemo_hook" / "prompt.py", episodic, f'{episodic}    "{SIXTH}": "Reflections",\n')


@pytest.mark.slow
def test_a_sixth_memory_type_added_as_the_recipe_says_works_everywhere(
    tmp_path: Path, redis_url: str, redis_prefix: str
) -> None:
    root = tmp_path / "root"
    _package_with_a_sixth_type(root)
    (tmp_path / "drive.py").write_text(DRIVE)
    env = environment_of_copy(root, redis_url, redis_prefix)
    seen = drive(tmp_path / "drive.py", [str(tmp_path / "data")], env, cwd=tmp_path)
    assert seen["package"].startswith(str(root)) and seen["client"].startswith(str(root))
    assert SIXTH in seen["api_enum"]

    (kept, gone) = seen["ids"]
    assert [status for status, _ in seen["written"]] == ["created", "created"]
    assert seen["retrieved"][0] == kept
    assert "Reflections" in seen["context"]  # its own section, titled by its spec
    assert seen["hook"].startswith("## Reflections\n")  # the hook renders it under the same title
    assert seen["hook_titles"][0] == seen["hook_titles"][1]
    assert seen["listed"] == sorted([kept, gone])
    assert seen["forgot"]["memory_ids"] == [gone]
    assert seen["listed_after"] == [kept]

    # The explorer: the type filter, the retrieval's checkboxes (not searched by default: unchecked)
    # and a colour of its own.
    assert f"<option>{SIXTH}</option>" in seen["page"]
    assert f'value="{SIXTH}">' in seen["page"]
    assert f".badge.type-{SIXTH} " in seen["css"] and f".bar-used.type-{SIXTH} " in seen["css"]
    # The agents' tools offer it, with its note.
    for description in seen["tools"]:
        assert f"{SIXTH} (a lesson drawn from looking back)" in description

    assert seen["export_rc"] == 0
    exported = {p["id"]: p["type"] for p in seen["exported"] if "id" in p and "type" in p}
    assert exported.get(kept) == SIXTH and gone not in exported
