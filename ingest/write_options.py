"""What a write answers and the service's write config: each item's result, the write group of the
settings. What one write is asked, `WriteOptions`, is vocabulary (memtypes/requests.py): the session
state asks it too."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property

from pydantic import Field

from ..memtypes.jsontypes import SettingsGroup
from ..memtypes.types import FACT_TYPE, MemoryType
from .dedup import DEFAULT_MERGE_THRESHOLDS, DedupConfig
from .prefilter import DEFAULT_FILLERS, DEFAULT_MIN_CHARS, PrefilterConfig, filler_form


class WriteStatus(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    MERGED = "merged"
    SKIPPED = "skipped"
    FAILED = "failed"


@dataclass(frozen=True)
class WriteResult:
    id: str | None
    external_id: str | None
    status: WriteStatus
    reason: str | None = None
    importance: float | None = None
    importance_tier: str | None = None
    similarity: float | None = None  # a near-duplicate merge: cosine similarity to the other memory


class WriteConfig(SettingsGroup):
    """The write path's knobs: the `write` group of the settings (MNEMO_WRITE__*). The per-type maps
    add to (or override) the built-in ones; the pre-filter and dedup configs are derived once."""

    prefilter_min_chars: dict[MemoryType, int] = Field(
        default_factory=dict,
        description=f'per-type minimum lengths, JSON: {{"{FACT_TYPE}": 10}}; '
        "none by default: short facts are kept",
    )
    filler_phrases: list[str] | None = Field(default=None, description="replaces the built-in filler list")
    merge_thresholds: dict[MemoryType, float] = Field(
        default_factory=dict,
        description=f'per-type near-duplicate cosine thresholds, JSON: {{"{FACT_TYPE}": 0.9}}',
    )
    review_timeout_s: float = Field(
        default=2.0,
        gt=0.0,
        le=60.0,
        description="how long a write waits for the LLM reviewer's importance; past it the built-in "
        "rules' score stands",
    )

    @cached_property
    def prefilter(self) -> PrefilterConfig:
        fillers = (
            DEFAULT_FILLERS
            if self.filler_phrases is None
            else frozenset(filler_form(p) for p in self.filler_phrases)
        )
        return PrefilterConfig({**DEFAULT_MIN_CHARS, **self.prefilter_min_chars}, fillers)

    @cached_property
    def dedup(self) -> DedupConfig:
        return DedupConfig({**DEFAULT_MERGE_THRESHOLDS, **self.merge_thresholds})
