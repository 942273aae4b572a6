"""The prompt hook's relevance floor on a retrieve answer: a hit's `score` and, where the answer
carries one, its calibrated `confidence` must both clear their floors; the session's working memory
always passes; configurable and off at 0. Against a real server:
tests/integrations/test_hooks.py."""

from __future__ import annotations

from typing import Any

import pytest

from mnemo_hook.prompt import context_for

SERVER_CONTEXT = (
    "## Working memory\n- [pending] Run the tests\n## Semantic memory (facts and preferences)\n- A\n- B"
)


def answer(*hits: dict[str, Any]) -> dict[str, Any]:
    return {"context": SERVER_CONTEXT, "memories": list(hits)}


WORKING = {"type": "working", "content": "[pending] Run the tests", "score": 0.05}


@pytest.fixture(autouse=True)
def _default_floors(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("MNEMO_HOOK_MIN_CONFIDENCE", "MNEMO_HOOK_MIN_SCORE"):
        monkeypatch.delenv(name, raising=False)


def test_with_confidence_a_hit_must_clear_both_floors() -> None:
    found = answer(
        WORKING,
        {"type": "semantic", "content": "A", "score": 0.60, "confidence": 0.4},  # clears both
        {"type": "semantic", "content": "B", "score": 0.80, "confidence": 0.1},  # high score, unlikely
        {"type": "semantic", "content": "C", "score": 0.10, "confidence": 0.9},  # confident, low score
    )
    context = context_for(found)
    assert context == (
        "## Working memory\n- [pending] Run the tests\n## Semantic memory (facts and preferences)\n- A"
    )


def test_without_confidence_the_floor_is_on_score() -> None:
    found = answer(
        WORKING,
        {"type": "semantic", "content": "A", "score": 0.50},
        {"type": "semantic", "content": "B", "score": 0.20},
    )
    assert "- A" in context_for(found) and "- B" not in context_for(found)


def test_all_clear_passes_the_servers_context_as_it_is() -> None:
    found = answer(
        {"type": "semantic", "content": "A", "score": 0.9},
        {"type": "semantic", "content": "B", "score": 0.8, "confidence": 0.7},
    )
    assert context_for(found) == SERVER_CONTEXT


def test_nothing_clears_nothing_is_injected_but_working_memory_always_is() -> None:
    below = {"type": "semantic", "content": "A", "score": 0.1, "confidence": 0.1}
    assert context_for(answer(below)) == ""
    assert context_for(answer(below, WORKING)) == "## Working memory\n- [pending] Run the tests"


def test_the_floors_are_configurable_and_zero_turns_them_off(monkeypatch: pytest.MonkeyPatch) -> None:
    hits = (
        {"type": "semantic", "content": "A", "score": 0.1},
        {
            "type": "episodic",
            "content": "B",
            "score": 0.2,
            "confidence": 0.05,
            "occurred_at": "2026-11-20T10:00:00Z",
        },
    )
    monkeypatch.setenv("MNEMO_HOOK_MIN_SCORE", "0")
    monkeypatch.setenv("MNEMO_HOOK_MIN_CONFIDENCE", "0")
    assert context_for(answer(*hits)) == SERVER_CONTEXT
    monkeypatch.setenv("MNEMO_HOOK_MIN_SCORE", "0.15")
    monkeypatch.setenv("MNEMO_HOOK_MIN_CONFIDENCE", "0.01")
    assert context_for(answer(*hits)) == "## Episodic memory (what happened)\n- [2026-11-20 10:00] B"
    monkeypatch.setenv("MNEMO_HOOK_MIN_SCORE", "not a number")  # logged, the default used
    assert "- A" not in context_for(answer(*hits))
