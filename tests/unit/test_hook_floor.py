"""The prompt hook's relevance floor on a retrieve answer: a hit's calibrated `confidence` must reach
`MNEMO_HOOK_MIN_CONFIDENCE` (default 0.2, also sent to the server), and its `score`
`MNEMO_HOOK_MIN_SCORE` where set; the session's working memory always passes; off at 0. Against a
real server: tests/integrations/test_hooks.py."""

from __future__ import annotations

from typing import Any

import pytest

from mnemo_hook.prompt import confidence_floor, context_for

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


def test_by_default_a_hit_must_be_likely_relevant_whatever_its_score() -> None:
    found = answer(
        WORKING,
        {"type": "semantic", "content": "A", "score": 0.05, "confidence": 0.8},  # a store of one: low score
        {"type": "semantic", "content": "B", "score": 0.80, "confidence": 0.1},
    )
    assert context_for(found) == (
        "## Working memory\n- [pending] Run the tests\n## Semantic memory (facts and preferences)\n- A"
    )
    assert confidence_floor() == 0.2


def test_the_confidence_floor_is_configurable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MNEMO_HOOK_MIN_CONFIDENCE", "0.05")
    assert confidence_floor() == 0.05
    found = answer(
        {"type": "semantic", "content": "A", "score": 0.60, "confidence": 0.4},
        {"type": "semantic", "content": "B", "score": 0.80, "confidence": 0.1},
    )
    assert context_for(found) == SERVER_CONTEXT
    monkeypatch.setenv("MNEMO_HOOK_MIN_CONFIDENCE", "2")  # logged, the default used
    assert confidence_floor() == 0.2


def test_an_empty_answer_injects_nothing() -> None:
    assert context_for({"context": "", "memories": [], "metadata": {"top_confidence": 0.03}}) == ""


def test_all_clear_passes_the_servers_context_as_it_is() -> None:
    found = answer(
        {"type": "semantic", "content": "A", "score": 0.9},
        {"type": "semantic", "content": "B", "score": 0.8, "confidence": 0.7},
    )
    assert context_for(found) == SERVER_CONTEXT


def test_nothing_clears_nothing_is_injected_but_working_memory_always_is(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MNEMO_HOOK_MIN_SCORE", "0.35")
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
    monkeypatch.setenv("MNEMO_HOOK_MIN_SCORE", "not a number")  # logged, the default (off) used
    assert context_for(answer(*hits)) == SERVER_CONTEXT  # A has no confidence: only a score floor holds it
