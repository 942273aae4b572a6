"""Every list of memory types outside the registry is read from it (or from the client's mirror of
the API's enum): the explorer's page, the MCP tools and the agents' tools; the TypeScript tools'
hand-written list and the coding-agent hook's section titles are held to it."""

from __future__ import annotations

import re
from pathlib import Path

from mnemo.api.ui.routes import _content
from mnemo.memtypes import types as registry
from mnemo_client import models
from mnemo_client.agent_tools import REMEMBER
from mnemo_client.mcp.tools import REMEMBER as MCP_REMEMBER
from mnemo_hook.prompt import TITLES, render

ROOT = Path(__file__).resolve().parents[2]


def test_the_clients_types_mirror_the_registry() -> None:
    assert [t.value for t in models.MemoryType] == [t.value for t in registry.MemoryType]
    assert set(models.TYPE_NOTES) == set(models.MemoryType)
    for role in ("FACT_TYPE", "EVENT_TYPE", "INTENTION_TYPE", "SCRATCHPAD_TYPE"):
        assert getattr(models, role).value == getattr(registry, role).value, role


def test_the_explorer_lists_every_type_and_checks_the_default_ones() -> None:
    page = _content("index.html").decode()
    assert "memory types:" not in page  # every marker filled in
    options = re.findall(r"<option>([a-z_]+)</option>", page)
    assert [o for o in options if o in {t.value for t in registry.MemoryType}] == [
        t.value for t in registry.MemoryType
    ]
    boxes = dict(re.findall(r'name="types" value="([a-z_]+)"( checked)?>', page))
    assert list(boxes) == [t.value for t in registry.MemoryType]
    assert [t for t, checked in boxes.items() if checked] == [
        t.value for t in registry.DEFAULT_RETRIEVAL_TYPES
    ]
    css = _content("explorer.css").decode()
    for memory_type in registry.MemoryType:
        assert f".badge.type-{memory_type.value} {{ background: var(--type-" in css


def test_the_tools_offer_every_type_a_model_may_write() -> None:
    for description in (REMEMBER, MCP_REMEMBER):
        for memory_type in models.MemoryType:
            named = f"{memory_type.value} ({models.TYPE_NOTES[memory_type]}" in description
            assert named is (memory_type is not models.SCRATCHPAD_TYPE), (memory_type, description)


def test_the_typescript_tools_offer_every_type_a_model_may_write() -> None:
    # The TypeScript adapters' tools are typed by hand (zod enums), not from the schema: a new type
    # is added there too, and this names the file when it is not.
    source = (ROOT / "client-ts" / "src" / "memory-tools.ts").read_text()
    listed = re.search(r"WRITABLE_TYPES = \[([^\]]*)\]", source)
    assert listed is not None
    writable = [t.value for t in models.MemoryType if t is not models.SCRATCHPAD_TYPE]
    assert sorted(re.findall(r'"([a-z_]+)"', listed.group(1))) == sorted(writable)
    remember = source.split("export const REMEMBER =", 1)[1].split(";", 1)[0]
    for memory_type in writable:
        assert f"{memory_type} (" in remember, memory_type


def test_the_hook_titles_its_sections_as_the_registry_in_its_order() -> None:
    # The hook imports nothing of mnemo (it starts on every prompt): its titles are a mirror.
    in_order = sorted(registry.SPECS.items(), key=lambda item: item[1].section)
    assert list(TITLES.items()) == [(t.value, spec.title) for t, spec in in_order]


def test_the_hook_renders_a_type_it_does_not_list_instead_of_dropping_it() -> None:
    hits = [{"type": "reflective", "content": "A"}, {"type": "semantic", "content": "B"}]
    assert render(hits) == f"## {TITLES['semantic']}\n- B\n## Reflective memory\n- A"
