"""LangGraph store items as mnemo memories, and the store's own selection of them: namespaces
encoded into scopes, values into metadata, the searchable text, value filters and namespace matches.
Pure functions: the store (`__init__.py`) does the requests."""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from langgraph.store.base import InvalidNamespaceError, Item, ListNamespacesOp, MatchCondition, SearchItem
from langgraph.store.base.embed import get_text_at_path

from mnemo_client.models import MemoryRecord

META = "langgraph"  # the metadata key of a store item: {namespace, key, value_json, updated_at, indexed}
ROOT = "lg"  # the first label of every encoded namespace (a scope id starts with a letter or digit)
_SAFE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:@-")
_MAX_SCOPE_CHARS = 256
# The most of an item's text that is embedded and searched: the server's limit of a memory's content.
# The value itself is kept whole (values up to MAX_VALUE_CHARS of JSON).
MAX_TEXT_CHARS = 32_000
MAX_VALUE_CHARS = 1_500_000  # the server keeps 2 MiB of metadata; escaping the JSON text costs some


def encode_namespace(namespace: tuple[str, ...]) -> str:
    """The scope namespace of a LangGraph namespace: injective, within the scope id alphabet."""
    labels = ["".join(c if c in _SAFE else "".join(f"+{b:02X}" for b in c.encode()) for c in label)
              for label in namespace]  # fmt: skip
    encoded = "/".join([ROOT, *labels])
    if len(encoded) > _MAX_SCOPE_CHARS:
        raise InvalidNamespaceError(
            f"namespace {namespace} is too long for a mnemo scope ({len(encoded)} > 256)"
        )
    return encoded


def searchable_text(value: Mapping[str, Any], index: list[str] | None) -> str:
    """The memory's content: the text at the `index` paths, else every string of the value (else the
    value's JSON), cut to what the server embeds."""
    texts = [t for path in index for t in get_text_at_path(value, path)] if index else _strings(value)
    text = "\n".join(t for t in texts if t.strip()) or json.dumps(value, ensure_ascii=False, default=str)
    return text[:MAX_TEXT_CHARS]


def encode_value(value: Mapping[str, Any]) -> str:
    """The value as JSON text: any JSON document rides in one metadata string, whatever its shape,
    depth or size (mnemo's metadata limits apply to structure, not to one string)."""
    try:
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False, default=str)
    except ValueError as exc:
        raise ValueError(f"a store value must be a JSON document: {exc}") from None
    if len(text) > MAX_VALUE_CHARS:
        raise ValueError(
            f"a store value is at most {MAX_VALUE_CHARS} characters of JSON; this one has {len(text)}"
        )
    return text


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, Mapping):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list | tuple):
        return [s for v in value for s in _strings(v)]
    return []


def caller_id(scope: Mapping[str, str], namespace: tuple[str, ...], key: str) -> str:
    """The memory's caller id: one per (scope, namespace, key). mnemo names a memory by its caller id
    across the tenant's scopes, so two users' stores with the same key must not share one (the same
    derivation as the TypeScript MnemoStore, so both reach the same items)."""
    identity = [scope.get("user_id"), scope.get("agent_id"), list(namespace), key]
    digest = hashlib.sha256(json.dumps(identity, ensure_ascii=False, separators=(",", ":")).encode())
    return f"lg-{digest.hexdigest()}"


def _value(meta: Mapping[str, Any]) -> Any:
    return json.loads(meta["value_json"]) if "value_json" in meta else meta["value"]


def _key(record: MemoryRecord) -> str:
    key = record.metadata[META].get("key")
    return key if isinstance(key, str) else record.external_id or record.id


def to_item(record: MemoryRecord, score: float | None = None) -> SearchItem:
    meta = record.metadata[META]
    # `updated_at` is the writer's clock before the write and `created_at` the server's as it
    # stores it: an item is never updated before it was created.
    written = meta.get("updated_at")
    updated = max(datetime.fromisoformat(written), record.created_at) if written else record.created_at
    return SearchItem(
        namespace=tuple(meta["namespace"]), key=_key(record), value=_value(meta),
        created_at=record.created_at, updated_at=updated, score=score,
    )  # fmt: skip


def plain(item: SearchItem) -> Item:
    return Item(value=item.value, key=item.key, namespace=item.namespace,
                created_at=item.created_at, updated_at=item.updated_at)  # fmt: skip


def is_item(record: MemoryRecord) -> bool:
    meta = record.metadata.get(META)
    if not isinstance(meta, dict) or not isinstance(meta.get("namespace"), list):
        return False
    return isinstance(meta.get("value_json"), str) or "value" in meta  # "value": items of older stores


def indexed(record: MemoryRecord) -> bool:
    return bool(record.metadata[META].get("indexed", True))


def _at(value: Any, path: str) -> Any:
    for part in path.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


def _compare(actual: Any, operator: str, expected: Any) -> bool:
    if operator == "$eq":
        return bool(actual == expected)
    if operator == "$ne":
        return bool(actual != expected)
    if operator not in ("$gt", "$gte", "$lt", "$lte"):
        raise ValueError(f"unsupported filter operator {operator!r} (use $eq $ne $gt $gte $lt $lte)")
    try:
        a, b = float(actual), float(expected)
    except (TypeError, ValueError):
        return False
    if math.isnan(a) or math.isnan(b):
        return False
    return {"$gt": a > b, "$gte": a >= b, "$lt": a < b, "$lte": a <= b}[operator]


def _matches(actual: Any, expected: Any) -> bool:
    if isinstance(expected, Mapping):
        if any(str(k).startswith("$") for k in expected):
            return all(_compare(actual, op, v) for op, v in expected.items())
        return isinstance(actual, Mapping) and all(_matches(actual.get(k), v) for k, v in expected.items())
    if isinstance(expected, list | tuple):
        return (
            isinstance(actual, list | tuple)
            and len(actual) == len(expected)
            and all(_matches(a, e) for a, e in zip(actual, expected, strict=True))
        )
    if isinstance(expected, float) and math.isnan(expected):
        return False
    return bool(actual == expected) and isinstance(actual, bool) == isinstance(expected, bool)


def passes(value: Mapping[str, Any], filters: Mapping[str, Any] | None) -> bool:
    return all(_matches(_at(value, path), expected) for path, expected in (filters or {}).items())


def under(namespace: tuple[str, ...], prefix: tuple[str, ...]) -> bool:
    return namespace[: len(prefix)] == tuple(prefix)


def _fits(namespace: tuple[str, ...], condition: MatchCondition) -> bool:
    path = tuple(condition.path)
    if len(namespace) < len(path):
        return False
    part = (
        namespace[: len(path)]
        if condition.match_type == "prefix"
        else namespace[len(namespace) - len(path) :]
    )
    return all(p == "*" or p == n for p, n in zip(path, part, strict=True))


def matching_namespaces(items: Iterable[SearchItem], op: ListNamespacesOp) -> list[tuple[str, ...]]:
    found = {item.namespace for item in items}
    kept = {
        ns if op.max_depth is None else ns[: op.max_depth]
        for ns in found
        if all(_fits(ns, c) for c in op.match_conditions or ())
    }
    return sorted(kept)[op.offset : op.offset + op.limit]


def newest_first(items: list[SearchItem]) -> list[SearchItem]:
    return sorted(items, key=lambda i: (i.updated_at, i.namespace, i.key), reverse=True)
