"""The write path's privacy screen: each memory's text fields scanned for secrets and personal data,
and the policy of where it is written to applied, before anything is embedded or stored.

`tag` stores the memory as written and records what was found where (the record's `sensitive`);
`redact` replaces each value by its kind's placeholder (`[CARD]`) in the text that is embedded and
stored, and records where the placeholders are; `reject` refuses the whole request with a 422 that
names the field and the kind. A write that nobody could answer a 422 to (working memory archived
in the background, a thread's episode) redacts instead of losing the memory.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ..memtypes.errors import FieldProblem, InvalidInput
from ..memtypes.privacy.detectors import Found, detect
from ..memtypes.privacy.policy import (
    DEFAULT_POLICY,
    PrivacyPolicy,
    SensitiveSpan,
    placeholder,
    replace_spans,
    text_fields,
)
from ..memtypes.records import MemoryIn

# The policy a memory is written under: by tenant and the namespace it goes to (a memory resource's).
PolicyOf = Callable[[str, str | None], PrivacyPolicy]


def default_policy(tenant: str, namespace: str | None) -> PrivacyPolicy:
    return DEFAULT_POLICY


class SensitiveDataRejected(InvalidInput):
    code = "sensitive_data"


def screen(
    policy_of: PolicyOf,
    tenant: str,
    items: Sequence[MemoryIn],
    *,
    refuse: bool,
    field_prefix: str = "memories",
) -> list[MemoryIn]:
    """The items as they are to be stored, each with what was found in it. Items screened already
    pass as they are. Raises SensitiveDataRejected (before anything is stored) for every item whose
    policy is `reject`, when `refuse`; otherwise those are redacted."""
    out: list[MemoryIn] = []
    problems: list[FieldProblem] = []
    for i, item in enumerate(items):
        if item.sensitive is not None:
            out.append(item)
            continue
        policy = policy_of(tenant, item.scope.namespace)
        if policy is PrivacyPolicy.OFF:
            out.append(item.screened([]))
            continue
        found = {field: hits for field, text in _fields(item) if (hits := detect(text))}
        if policy is PrivacyPolicy.REJECT and refuse:
            problems += [
                FieldProblem(
                    f"{field_prefix}.{i}.{field}", f"holds {_a(hit.kind.value)} ({placeholder(hit.kind)})"
                )
                for field, hits in found.items()
                for hit in hits
            ]
            continue
        if policy is PrivacyPolicy.TAG:
            spans = [
                SensitiveSpan(kind=h.kind, field=f, start=h.start, end=h.end)
                for f, hs in found.items()
                for h in hs
            ]
            out.append(item.screened(spans))
            continue
        out.append(_redacted(item, found))
    if problems:
        kinds = sorted({p.message.split(" (")[0].removeprefix("holds ") for p in problems})
        raise SensitiveDataRejected(
            f"the memory resource's privacy policy refuses secrets and personal data: {', '.join(kinds)}",
            problems=problems,
        )
    return out


def _fields(item: MemoryIn) -> list[tuple[str, str]]:
    return list(text_fields(item.content, item.trigger, item.metadata))


def _a(kind: str) -> str:
    return f"{'an' if kind[0] in 'aeiou' else 'a'} {kind.replace('_', ' ')}"


def _redacted(item: MemoryIn, found: dict[str, list[Found]]) -> MemoryIn:
    spans: list[SensitiveSpan] = []

    def redact(field: str, text: str) -> str:
        hits = found.get(field)
        if not hits:
            return text
        redacted, placed = replace_spans(text, hits)
        spans.extend(
            SensitiveSpan(kind=p.kind, field=field, start=p.start, end=p.end, redacted=True) for p in placed
        )
        return redacted

    update: dict[str, Any] = {"content": redact("content", item.content)}
    if item.trigger is not None:
        update["trigger"] = redact("trigger", item.trigger)
    if any(field.startswith("metadata") for field in found):
        update["metadata"] = _walk(item.metadata, "metadata", redact)
    return item.screened(spans, **update)


def _walk(value: Any, path: str, redact: Callable[[str, str], str]) -> Any:
    """`value` with each string replaced by `redact(its field name, it)`, named as `text_fields` names it."""
    if isinstance(value, str):
        return redact(path, value)
    if isinstance(value, list):
        return [_walk(v, f"{path}[{i}]", redact) for i, v in enumerate(value)]
    if isinstance(value, dict):
        return {k: _walk(v, f"{path}.{k}", redact) for k, v in value.items()}
    return value
