from __future__ import annotations

from memtypes.rendering import section_header
from memtypes.types import MemoryType as T
from retrieval.presentation import PresentedItem, render_context


def test_sections_in_order_and_episodic_chronological() -> None:
    items = [
        PresentedItem(T.EPISODIC, "- late\n", 0.9, 300.0),
        PresentedItem(T.EPISODIC, "- early\n", 0.1, 100.0),
        PresentedItem(T.SEMANTIC, "- weak fact\n", 0.2, 0.0),
        PresentedItem(T.SEMANTIC, "- strong fact\n", 0.8, 0.0),
    ]
    context = render_context(items)
    assert context == (
        section_header(T.SEMANTIC)
        + "- strong fact\n- weak fact\n"
        + section_header(T.EPISODIC)
        + "- early\n- late\n"
    )


def test_empty_context_is_empty() -> None:
    assert render_context([]) == ""
