"""MNEMO_CONFIG files: the example loads; every kind of mistake is reported as file:line: field."""

from __future__ import annotations

from pathlib import Path

import pytest

from mnemo.api.config.bindings_config import BindingsConfigError, ConfigProblem, load_bindings, parse_bindings
from mnemo.memtypes.agents.bindings import Mode, render_key, template_variables
from mnemo.memtypes.agents.resolution import plan_read, write_target
from mnemo.memtypes.errors import InvalidInput, ReadOnlyMemory, UnknownAgent
from mnemo.memtypes.types import MemoryType

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "mnemo.yaml"


def problems_of(text: str) -> list[ConfigProblem]:
    with pytest.raises(BindingsConfigError) as caught:
        parse_bindings(text, Path("conf/mnemo.yaml"))
    return caught.value.problems


def test_the_example_config_loads_and_resolves() -> None:
    bindings = load_bindings(EXAMPLE)
    assert bindings.agent_names("default") == ["account-manager", "support-bot", "triage"]
    assert "auditor" in bindings.agent_names("acme")
    with pytest.raises(UnknownAgent):
        bindings.agent("default", "auditor")  # acme's own agent
    triage = bindings.agent("acme", "triage")
    assert [(b.resource.id, b.mode) for b in triage.bound] == [
        ("customer-support", Mode.READ_WRITE),
        ("user-preferences", Mode.READ_ONLY),
        ("runbooks", Mode.READ_ONLY),
    ]
    plan = plan_read(triage, {"conversation_id": "c1", "user_id": "u1"}, None, 2000)
    assert plan.namespaces[MemoryType.PROCEDURAL] == ("customer-support/support-c1", "runbooks/acme-runbooks")
    assert plan.namespaces[MemoryType.PROSPECTIVE] == ("user-preferences/user-u1",)
    assert plan.budget == 1500 + 500 + 1600  # acme replaces the global runbooks resource
    assert abs(sum(plan.allocation.values()) - 1.0) < 1e-9
    assert plan.working_budget == 300
    assert write_target(triage, MemoryType.SEMANTIC, None, "m").resource.id == "customer-support"
    with pytest.raises(ReadOnlyMemory):
        write_target(triage, MemoryType.PROSPECTIVE, None, "m")
    # Level 2: one key for both resources.
    manager = bindings.agent("default", "account-manager")
    assert {b.namespace({"customer_id": "k"}) for b in manager.bound} == {
        "customer-support/customer-k",
        "user-preferences/customer-k",
    }


def test_each_mistake_names_file_line_and_field() -> None:
    text = """\
resources:
  - id: support
    types: [semantic, facts]
    key: "a/{conversation_id}"
  - id: support
    types: [episodic]
    budget: -1
agents:
  - name: bot
    memories:
      - {id: support, mode: rw}
      - nowhere
  - name: both
    memory: support
    memories: [support]
"""
    found = {(p.line, p.field): p.message for p in problems_of(text)}
    assert "'episodic'" in found[(3, "resources[0].types[1]")]
    assert "'/'" in found[(4, "resources[0].key")]
    assert "greater than or equal to 1" in found[(7, "resources[1].budget")]
    assert "'read-write' or 'read-only'" in found[(11, "agents[0].memories[0].mode")]
    assert "exactly one of" in found[(13, "agents[1]")]


def test_references_and_repeats_are_checked_after_the_schema() -> None:
    text = """\
resources:
  - {id: support, types: [semantic]}
  - {id: support, types: [episodic]}
agents:
  - name: bot
    memories: [support, nowhere]
tenants:
  acme:
    agents:
      - {name: bot, memory: elsewhere}
"""
    found = {(p.line, p.field): p.message for p in problems_of(text)}
    assert found == {
        (3, "resources[1].id"): "'support' is defined twice in this section",
        (6, "agents[0].memories[1]"): "unknown memory resource 'nowhere'",
        (10, "tenants.acme.agents[0].memory"): "unknown memory resource 'elsewhere'",
    }


def test_yaml_errors_repeated_keys_and_unknown_fields() -> None:
    [syntax] = problems_of("resources:\n  - id: a\n    types: [semantic\n")
    assert syntax.line is not None and syntax.message.startswith("not valid YAML")
    [repeated] = problems_of("agents:\n  - name: a\n    memory: x\n    memory: y\n")
    assert (repeated.line, repeated.field, repeated.message) == (4, "agents[0].memory", "repeated key")
    [extra] = problems_of("resources:\n  - id: a\n    types: [semantic]\n    ttl: 5\n")
    assert (extra.line, extra.field) == (4, "resources[0].ttl")
    [not_a_mapping] = problems_of("- just a list\n")
    assert not_a_mapping.line == 1


def test_the_message_reads_file_colon_line(tmp_path: Path) -> None:
    path = tmp_path / "mnemo.yaml"
    path.write_text("agents:\n  - name: bot\n    memory: nowhere\n")
    with pytest.raises(BindingsConfigError) as caught:
        load_bindings(path)
    assert f"{path}:3: agents[0].memory: unknown memory resource 'nowhere'" in str(caught.value)
    with pytest.raises(BindingsConfigError, match="cannot read it"):
        load_bindings(tmp_path / "missing.yaml")


def test_key_templates() -> None:
    assert template_variables("support-{conversation_id}.{user_id}") == ("conversation_id", "user_id")
    for bad in ("a/{x}", "{x.y}", "{x[0]}", "{x!r}", "{x:>10}", "{", "sp ace", "{0}"):
        with pytest.raises(ValueError):
            template_variables(bad)
    assert render_key("s-{c}", {"c": "42"}, "r") == "s-42"
    with pytest.raises(InvalidInput) as caught:
        render_key("s-{c}", {}, "r")
    assert caught.value.problems[0].field == "context.c"
    for unsafe in ("../x", "a/b", "a b", "*", "", "x" * 129):
        with pytest.raises(InvalidInput) as caught:
            render_key("s-{c}", {"c": unsafe}, "r")
        assert caught.value.problems[0].field == "context.c"
    with pytest.raises(InvalidInput):  # each value is fine, the whole key too long
        render_key("{a}{b}", {"a": "x" * 100, "b": "y" * 100}, "r")
