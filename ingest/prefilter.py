"""What the write path decides about each item before anything is embedded: the pre-filter drops
what carries no information, the privacy screen finds secrets and personal data and applies the
tenant's or memory resource's policy to them.

The pre-filter judges information, not length: a short statement ("Frank is diabetic.", "Eve's PIN
is 4471.") is often the most valuable thing a user says, so it is always kept. Dropped are content
with no word character at all (zero-width or control characters, punctuation, whitespace) and filler:
greetings and acknowledgements ("ok", "thanks", "got it", also behind a speaker label such as
"Bob: sure!", and runs of them such as "ok ok thanks lol"). A per-type minimum length is still a
knob (`MNEMO_WRITE__PREFILTER_MIN_CHARS`), off by default. Exact duplicates by content hash need the
index, so the writer checks them. Every drop carries a reason that the caller sees.

The privacy screen scans each memory's text fields and applies the policy of where it is written to:
`tag` stores the memory as written and records what was found where (the record's `sensitive`);
`redact` replaces each value by its kind's placeholder (`[CARD]`) in the text that is embedded and
stored, and records where the placeholders are; `reject` refuses the whole request with a 422 that
names the field and the kind. A write that nobody could answer a 422 to (working memory archived
in the background, a thread's episode) redacts instead of losing the memory.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
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
from ..memtypes.records import MemoryIn, normalize_content
from ..memtypes.types import MemoryType

# No built-in minimum: length says nothing about information. Configurable per type.
DEFAULT_MIN_CHARS: dict[MemoryType, int] = {}
DEFAULT_FILLERS: frozenset[str] = frozenset(
    {
        "ok", "okay", "k", "kk", "thanks", "thank you", "thx", "ty", "got it", "sure", "yes", "yep", "yeah",
        "no", "nope", "cool", "great", "nice", "lol", "haha", "hmm", "noted", "sounds good", "alright",
        "all right", "fine", "good", "perfect", "awesome", "bye", "hi", "hello", "hey", "ok thanks",
        "thanks a lot", "thank you so much", "will do", "makes sense", "understood", "np", "no problem",
        "good morning", "good night", "good evening", "good afternoon", "see you", "see ya", "cheers",
        "welcome", "you re welcome", "yw", "right", "indeed", "oh", "ah", "wow", "oops", "mhm", "uh huh",
        "hahaha", "lmao", "ha", "yup", "sure thing", "of course", "ok cool", "bye bye", "goodbye",
        "hi there", "hello there", "hey there", "morning", "night", "thank u", "thanks so much",
        "much appreciated", "appreciate it", "no worries", "okey", "okie", "k thx", "great thanks",
    }
)  # fmt: skip
_SPEAKER = re.compile(r"^[\w][\w .'-]{0,40}:\s+")
_NOT_WORD = re.compile(r"[^\w\s]+")
# A word character that is not a zero-width or formatting one (str.isalnum is false for those).
_WORD_CHAR = re.compile(r"[^\W_]")


class SkipReason:
    TOO_SHORT = "too_short"
    NO_WORDS = "no_words"
    FILLER = "filler"
    DUPLICATE = "duplicate"
    REPEATED_IN_REQUEST = "repeated_in_request"


@dataclass(frozen=True)
class PrefilterConfig:
    min_chars: Mapping[MemoryType, int] = field(default_factory=lambda: dict(DEFAULT_MIN_CHARS))
    fillers: frozenset[str] = DEFAULT_FILLERS


def filler_form(content: str) -> str:
    """The content as compared against the filler list: no speaker label, punctuation or case."""
    text = _SPEAKER.sub("", normalize_content(content))
    return " ".join(_NOT_WORD.sub(" ", text).casefold().split())


def _is_filler(content: str, fillers: frozenset[str]) -> bool:
    """The whole text is one filler phrase, or a run of filler words ("ok ok thanks lol")."""
    form = filler_form(content)
    if form in fillers:
        return True
    words = form.split()
    return bool(words) and len(words) <= 6 and all(w in fillers for w in words)


def prefilter(item: MemoryIn, config: PrefilterConfig) -> str | None:
    """Why `item` should be dropped, or None to keep it."""
    if _WORD_CHAR.search(item.content) is None:
        return SkipReason.NO_WORDS
    if len(normalize_content(item.content)) < config.min_chars.get(item.type, 0):
        return SkipReason.TOO_SHORT
    if _is_filler(item.content, config.fillers):
        return SkipReason.FILLER
    return None


# --- the privacy screen ----------------------------------------------------------------------

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
        if policy is PrivacyPolicy.REJECT and refuse and found:
            problems += _refusals(found, f"{field_prefix}.{i}.")
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
    _refuse(problems)
    return out


def screen_working(
    policy: PrivacyPolicy, content: str, metadata: dict[str, Any]
) -> tuple[str, dict[str, Any]]:
    """A working-memory item's content and metadata as they are to be kept: refused under `reject`
    (422 naming `content` or `metadata.…`), redacted under `redact`; `tag` marks them when the task
    is archived into the index (the live scratchpad keeps no record of its own)."""
    if policy in (PrivacyPolicy.OFF, PrivacyPolicy.TAG):
        return content, metadata
    found = {field: hits for field, text in text_fields(content, None, metadata) if (hits := detect(text))}
    if policy is PrivacyPolicy.REJECT:
        _refuse(_refusals(found, ""))
    update, _ = _redact_fields(content, None, metadata, found)
    return update["content"], update.get("metadata", metadata)


def _refusals(found: dict[str, list[Found]], prefix: str) -> list[FieldProblem]:
    return [
        FieldProblem(f"{prefix}{field}", f"holds {_a(hit.kind.value)} ({placeholder(hit.kind)})")
        for field, hits in found.items()
        for hit in hits
    ]


def _refuse(problems: list[FieldProblem]) -> None:
    if problems:
        kinds = sorted({p.message.split(" (")[0].removeprefix("holds ") for p in problems})
        raise SensitiveDataRejected(
            f"the privacy policy refuses secrets and personal data here: {', '.join(kinds)}",
            problems=problems,
        )


def _fields(item: MemoryIn) -> list[tuple[str, str]]:
    return list(text_fields(item.content, item.trigger, item.metadata))


def _a(kind: str) -> str:
    return f"{'an' if kind[0] in 'aeiou' else 'a'} {kind.replace('_', ' ')}"


def _redacted(item: MemoryIn, found: dict[str, list[Found]]) -> MemoryIn:
    update, spans = _redact_fields(item.content, item.trigger, item.metadata, found)
    return item.screened(spans, **update)


def _redact_fields(
    content: str, trigger: str | None, metadata: dict[str, Any], found: dict[str, list[Found]]
) -> tuple[dict[str, Any], list[SensitiveSpan]]:
    """The text fields with each value found replaced by its placeholder, and where those are."""
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

    update: dict[str, Any] = {"content": redact("content", content)}
    if trigger is not None:
        update["trigger"] = redact("trigger", trigger)
    if any(field.startswith("metadata") for field in found):
        update["metadata"] = _walk(metadata, "metadata", redact)
    return update, spans


def _walk(value: Any, path: str, redact: Callable[[str, str], str]) -> Any:
    """`value` with each string replaced by `redact(its field name, it)`, named as `text_fields` names it."""
    if isinstance(value, str):
        return redact(path, value)
    if isinstance(value, list):
        return [_walk(v, f"{path}[{i}]", redact) for i, v in enumerate(value)]
    if isinstance(value, dict):
        return {k: _walk(v, f"{path}.{k}", redact) for k, v in value.items()}
    return value
