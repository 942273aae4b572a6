"""Masking on read: what a caller receives with every secret and personal value replaced by its
kind's placeholder, the stored memory untouched. The detectors run over the returned text itself,
so a memory written before detection (or under `off`) is masked too."""

from __future__ import annotations

from ..governance.forget_query import PreviewedMemory
from ..records import MemoryRecord
from ..requests import RetrieveResponse
from .policy import mask_json, mask_text


def masked_record(record: MemoryRecord) -> MemoryRecord:
    return record.model_copy(
        update={
            "content": mask_text(record.content),
            "trigger": None if record.trigger is None else mask_text(record.trigger),
            "metadata": mask_json(record.metadata),
        }
    )


def masked_retrieval(response: RetrieveResponse) -> RetrieveResponse:
    """The context, each memory and each left-out candidate masked."""
    memories = [m.model_copy(update={"content": mask_text(m.content)}) for m in response.memories]
    left_out = None
    if response.left_out is not None:
        left_out = [m.model_copy(update={"content": mask_text(m.content)}) for m in response.left_out]
    return response.model_copy(
        update={"context": mask_text(response.context), "memories": memories, "left_out": left_out}
    )


def masked_previews(previews: list[PreviewedMemory]) -> list[PreviewedMemory]:
    return [p.model_copy(update={"content": mask_text(p.content)}) for p in previews]
