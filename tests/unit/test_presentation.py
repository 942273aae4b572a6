from __future__ import annotations

from mnemo.memtypes.rendering import section_header, time_header
from mnemo.memtypes.types import MemoryType as T
from mnemo.retrieval.stages.presentation import PresentedItem, render_context


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


def test_episodic_lines_sit_under_one_time_header_per_minute() -> None:
    session, later = 1_683_554_160.0, 1_690_000_000.0  # 2023-05-08 13:56 UTC; another day
    items = [
        PresentedItem(T.EPISODIC, "- second turn\n", 0.2, session + 30, time_header(session + 30)),
        PresentedItem(T.EPISODIC, "- next day\n", 0.9, later, time_header(later)),
        PresentedItem(T.EPISODIC, "- first turn\n", 0.5, session, time_header(session)),
    ]
    assert time_header(session) == time_header(session + 30) == "[2023-05-08 13:56]\n"
    assert render_context(items) == (
        section_header(T.EPISODIC)
        + "[2023-05-08 13:56]\n- first turn\n- second turn\n"
        + time_header(later)
        + "- next day\n"
    )
