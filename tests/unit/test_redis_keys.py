"""Redis keys: every component encoded, so no id can forge a separator, a glob or another key."""

from __future__ import annotations

import fnmatch
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mnemo.backends.redis.keys import KeySpace, encode

KEYS = KeySpace("mnemo")
ids = st.text(min_size=1, max_size=60)


@given(ids)
def test_encoded_components_hold_no_separator_glob_brace_or_whitespace(component: str) -> None:
    assert re.fullmatch(r"[A-Za-z0-9._~%-]+", encode(component))


@given(ids, ids, ids, ids)
def test_different_tenant_and_task_never_share_a_key(t1: str, k1: str, t2: str, k2: str) -> None:
    if (t1, k1) != (t2, k2):
        assert KEYS.working(t1, k1) != KEYS.working(t2, k2)
        assert KEYS.lock(t1, "working", k1) != KEYS.lock(t2, "working", k2)
    assert KEYS.parse_deadline_member(KEYS.deadline_member(t1, k1)) == (t1, k1)


def test_a_task_named_like_another_tenants_key_stays_in_its_tenant() -> None:
    forged = KEYS.working("alpha", "x:beta:wm:secret")
    assert forged == "mnemo:alpha:wm:x%3Abeta%3Awm%3Asecret"
    assert forged.count(":") == 3
    assert not KEYS.working_deadlines.startswith("mnemo:alpha")


@pytest.mark.parametrize("bad", ["", "x" * 1025])
def test_empty_and_oversize_components_are_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        encode(bad)


@pytest.mark.parametrize("prefix", ["", "Mnemo", "a:b", "a*", "x" * 33])
def test_bad_prefixes_are_refused(prefix: str) -> None:
    with pytest.raises(ValueError):
        KeySpace(prefix)


CLUSTER_KEYS = KeySpace("mnemo", cluster=True)


def _slot_tag(key: str) -> str:
    """Redis Cluster's rule: the text between the first `{` and the next `}` decides the slot."""
    start = key.index("{")
    return key[start + 1 : key.index("}", start)]


@given(ids, ids)
def test_cluster_keys_keep_each_multi_key_operation_in_one_slot(tenant: str, task: str) -> None:
    working = CLUSTER_KEYS.working(tenant, task)
    assert _slot_tag(working) == _slot_tag(CLUSTER_KEYS.working_deadlines_of(tenant, task))
    assert CLUSTER_KEYS.working_deadlines_of(tenant, task) in CLUSTER_KEYS.all_working_deadlines
    assert _slot_tag(CLUSTER_KEYS.thread(tenant, task)) == _slot_tag(CLUSTER_KEYS.thread_turns(tenant, task))
    scope_sets = {_slot_tag(CLUSTER_KEYS.by_scope(tenant, "wm", f, task)) for f in ("user_id", "agent_id")}
    assert len(scope_sets) == 1
    # The tenant-scoped, encoded key is unchanged before the tag; no caller text reaches a tag.
    assert working.startswith(KEYS.working(tenant, task) + "{")
    assert working.count("{") == 1


def test_single_redis_keys_carry_no_tag_and_one_deadline_index() -> None:
    assert "{" not in KEYS.working("alpha", "t") + KEYS.thread("alpha", "t") + KEYS.by_scope(
        "alpha", "wm", "f", "v"
    )
    assert KEYS.all_working_deadlines == [KEYS.working_deadlines] == [KEYS.working_deadlines_of("a", "t")]
    assert len(set(CLUSTER_KEYS.all_working_deadlines)) == 128


@given(ids, ids)
def test_a_scope_index_key_is_found_by_its_tenants_pattern_and_parsed_back(tenant: str, value: str) -> None:
    for keys in (KEYS, CLUSTER_KEYS):
        key = keys.by_scope(tenant, "wm", "user_id", value)
        assert fnmatch.fnmatchcase(key, keys.by_scope_pattern(tenant, "wm"))
        assert keys.parse_by_scope(key) == ("user_id", value)
        other = keys.by_scope(tenant + "x", "wm", "user_id", value)
        assert not fnmatch.fnmatchcase(other, keys.by_scope_pattern(tenant, "wm"))
