"""`mnemo import --from mem0|letta|ams|zep FILE` into a running mnemo: each vendor's export (small,
realistic files in tests/fixtures/vendor_exports) goes in with its scopes and times, is found by a
search, a rerun writes nothing twice, a checkpoint resumes, a dry run writes nothing, and entries that
cannot be imported are named by their place in the file."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest

from mnemo_client import AsyncMnemo
from tests.e2e.live_server import LiveApp, live_app  # noqa: F401 (a fixture)

EXPORTS = Path(__file__).resolve().parents[2] / "fixtures" / "vendor_exports"
KEY = "key-of-the-importer"
pytestmark = pytest.mark.slow


async def mnemo_import(*args: str, url: str | None = None, state_dir: Path) -> tuple[int, dict[str, Any]]:
    command = [
        sys.executable,
        "-m",
        "mnemo.cli.main",
        "import",
        *args,
        "--json",
        "--state-dir",
        str(state_dir),
    ]
    if url:
        command += ["--url", url, "--api-key", KEY]
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    process = await asyncio.create_subprocess_exec(*command, stdout=asyncio.subprocess.PIPE, env=env)
    out, _ = await process.communicate()
    assert process.returncode is not None
    return process.returncode, json.loads(out.decode().strip().splitlines()[-1])


async def search(client: AsyncMnemo, query: str, **scope: str) -> list[dict[str, Any]]:
    reply = await client.request("GET", "/v1/memories/search", params={"q": query, **scope})
    return list(reply.raise_for_status().body["hits"])


@pytest.mark.parametrize(
    ("vendor", "file", "written", "query", "scope", "expected", "occurred"),
    [
        (
            "mem0",
            "mem0_get_all.json",
            3,
            "what does she do for work?",
            {"user_id": "alice"},
            "marine biologist",
            "2025-04-03T01:03:55",
        ),
        (
            "letta",
            "letta_agent.af",
            6,
            "where does Maya live?",
            {"agent_id": "Sam_Companion"},
            "pediatric nurse",
            "2025-02-01T10:02:00",
        ),
        (
            "ams",
            "ams_export.json",
            4,
            "which museum did the user visit?",
            {"user_id": "user-42"},
            "Louvre in Paris",
            "2024-05-18T14:00:00",
        ),
        (
            "zep",
            "zep_user_messages.json",
            3,
            "what was wrong with the order?",
            {"user_id": "jane-doe"},
            "cracked screen",
            "2025-08-12T14:02:11",
        ),
    ],
)
async def test_an_export_goes_in_once_with_its_times_and_is_found(
    live_app: LiveApp,  # noqa: F811
    tmp_path: Path,
    vendor: str,
    file: str,
    written: int,
    query: str,
    scope: dict[str, str],
    expected: str,
    occurred: str,
) -> None:
    export = EXPORTS / file
    async with live_app(api_keys=f"{KEY}:migrated") as (url, _), AsyncMnemo(url, KEY, timeout=120) as client:
        code, dry = await mnemo_import(export.as_posix(), "--from", vendor, "--dry-run", state_dir=tmp_path)
        assert code == (1 if dry["failed"] else 0)
        assert dry["dry_run"] and sum(dry["would_write"].values()) == written
        assert await search(client, query, **scope) == []  # the dry run wrote nothing

        code, first = await mnemo_import(export.as_posix(), "--from", vendor, url=url, state_dir=tmp_path)
        assert first["created"] == written, first
        assert code == (1 if first["failed"] else 0)
        hits = await search(client, query, **scope)
        best = hits[0]["memory"]
        assert expected in best["content"]
        assert any(h["memory"]["occurred_at"].startswith(occurred) for h in hits), [h["memory"] for h in hits]

        code, again = await mnemo_import(export.as_posix(), "--from", vendor, url=url, state_dir=tmp_path)
        assert code == (1 if again["failed"] else 0)
        assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, written)
        assert again["skipped"] == first["skipped"] and again["failed"] == first["failed"]


async def test_failed_entries_are_named_and_the_rest_written(live_app: LiveApp, tmp_path: Path) -> None:  # noqa: F811
    async with live_app(api_keys=f"{KEY}:migrated") as (url, _):
        code, summary = await mnemo_import(
            (EXPORTS / "ams_export.json").as_posix(), "--from", "ams", url=url, state_dir=tmp_path
        )
    assert code == 1
    assert summary["created"] == 4
    assert summary["failed"] == [
        {"line": 3, "error": "memories[2]: memory_type 'procedure' is not semantic, episodic or message"}
    ]


async def test_a_checkpoint_resumes_after_the_batches_it_records(live_app: LiveApp, tmp_path: Path) -> None:  # noqa: F811
    export = EXPORTS / "zep_user_messages.json"
    async with live_app(api_keys=f"{KEY}:migrated") as (url, _):
        # A run that stopped after two batches of one memory each left this behind.
        code, first = await mnemo_import(
            export.as_posix(), "--from", "zep", "--batch-size", "1", url=url, state_dir=tmp_path
        )
        assert (code, first["created"]) == (0, 3)
        from mnemo.cli.vendor_import_cmd import _digest, _record_done

        _record_done(tmp_path / f"{_digest(export)}.json", 2)
        code, resumed = await mnemo_import(
            export.as_posix(), "--from", "zep", "--batch-size", "1", url=url, state_dir=tmp_path
        )
    assert code == 0
    assert resumed["resumed_from_line"] == 2
    assert resumed["unchanged"] == 1  # only the third batch was sent
    assert not (tmp_path / f"{_digest(export)}.json").exists()  # done: no checkpoint is left
