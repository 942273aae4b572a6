"""What is done with the secrets and personal data a memory holds: the policies, the spans a stored
memory is tagged with, the typed placeholders of redaction and masking.

A memory's text fields are scanned: `content`, `trigger` and every string in `metadata` (a field is
named as a request names it: `content`, `trigger`, `metadata.card.number`). Masking a read runs the
detectors again over what is returned, so it also covers memories written before detection, or
under `off`; the stored memory is never changed by a read.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from enum import StrEnum
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from .detectors import Found, SensitiveKind, detect


class PrivacyPolicy(StrEnum):
    OFF = "off"  # not looked for
    TAG = "tag"  # stored as written, with where each value is (`sensitive`)
    REDACT = "redact"  # each value replaced by its kind's placeholder before it is embedded or stored
    REJECT = "reject"  # the write is refused (422 naming the field and the kind)


DEFAULT_POLICY = PrivacyPolicy.TAG


class SensitiveSpan(BaseModel):
    """One secret or personal value in a stored memory: its kind and where it is."""

    model_config = ConfigDict(frozen=True)

    kind: SensitiveKind
    field: str = Field(description="`content`, `trigger` or `metadata.<key>…`")
    start: int = Field(description="offset of its first character in that field's text")
    end: int = Field(description="offset just past its last character")
    redacted: bool = Field(default=False, description="the span is the placeholder that replaced it")


def placeholder(kind: SensitiveKind) -> str:
    return f"[{kind.value.upper()}]"


def replace_spans(text: str, found: list[Found]) -> tuple[str, list[Found]]:
    """`text` with each span replaced by its placeholder, and where the placeholders are."""
    out: list[str] = []
    placed: list[Found] = []
    at = 0
    for f in sorted(found, key=lambda f: f.start):
        out.append(text[at : f.start])
        start = sum(len(part) for part in out)
        out.append(placeholder(f.kind))
        placed.append(Found(f.kind, start, start + len(out[-1])))
        at = f.end
    out.append(text[at:])
    return "".join(out), placed


def mask_text(text: str) -> str:
    """`text` with every value the detectors find replaced by its kind's placeholder."""
    found = detect(text)
    return replace_spans(text, found)[0] if found else text


def mask_json(value: Any) -> Any:
    """A JSON value with every string in it masked (metadata)."""
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, list):
        return [mask_json(v) for v in value]
    if isinstance(value, dict):
        return {k: mask_json(v) for k, v in value.items()}
    return value


M = TypeVar("M", bound=BaseModel)
# The fields of a stored memory that hold text (`text_fields` scans the same ones on write).
RECORD_TEXT_FIELDS = ("content", "trigger", "metadata")


def masked(model: M, *fields: str) -> M:
    """A copy of `model` with the named fields masked (strings, or JSON values holding strings); the
    model itself (a stored record, a response) is left as it is."""
    return model.model_copy(update={field: mask_json(getattr(model, field)) for field in fields})


def text_fields(content: str, trigger: str | None, metadata: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """Every text a memory holds, by the name a request gives its field."""
    yield "content", content
    if trigger is not None:
        yield "trigger", trigger
    yield from _strings(metadata, "metadata")


def _strings(value: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _strings(item, f"{path}[{i}]")
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, f"{path}.{key}")


def kinds_of(spans: list[SensitiveSpan]) -> set[str]:
    """The kinds a stored memory's spans name."""
    return {s.kind.value for s in spans}
