"""Thread history packing: never over budget, a contiguous tail of the chain, shown in order."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mnemo.backends.tokenizer import TiktokenCounter
from mnemo.memtypes.rendering import turn_line
from mnemo.sessions.thread_history import pack_history
from mnemo.sessions.threads import Role, Turn

COUNTER = TiktokenCounter("cl100k_base")
NOW = datetime(2026, 1, 1, tzinfo=UTC)
text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=120
) | st.sampled_from(["ok", "## not a header", "- item\n- item", "trailing  ", "end.\n\n", "🎉", "  lead"])
paths = st.sampled_from(["a.py", "b/c.md", "README", "x y.txt", "🎉.png"])


@st.composite
def chains(draw: st.DrawFn) -> list[Turn]:
    """Turns of a chain, newest first (threads t0 newest ... tN oldest)."""
    turns = []
    for thread in range(draw(st.integers(1, 3))):
        for seq in range(draw(st.integers(0, 8)), 0, -1):
            role = draw(st.sampled_from(list(Role)))
            content = draw(text)
            line_tokens = {"cl100k_base": COUNTER.count(turn_line(role.value, content))}
            turns.append(
                Turn(
                    id=f"{thread}-{seq}",
                    thread_id=f"t{thread}",
                    seq=seq,
                    role=role,
                    content=content,
                    files=draw(st.lists(paths, max_size=3, unique=True)),
                    created_at=NOW,
                    line_tokens=line_tokens,
                )
            )
    return turns


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(chains(), st.integers(1, 400))
def test_history_is_an_in_order_tail_that_never_exceeds_the_budget(
    newest_first: list[Turn], budget: int
) -> None:
    packed = pack_history(newest_first, budget, COUNTER)
    assert COUNTER.count(packed.context) == packed.tokens <= budget
    # The newest turns that fit, stopping at the first that does not, shown oldest first.
    taken = len(packed.turns)
    assert packed.turns == newest_first[:taken][::-1]
    assert packed.trimmed == len(newest_first) - taken
    # Each referenced file once, attributed to the newest taken turn naming it.
    listed = [f.path for f in packed.files]
    assert len(listed) == len(set(listed))
    assert set(listed) == {p for t in packed.turns for p in t.files}
    for f in packed.files:
        newest = next(t for t in newest_first[:taken] if f.path in t.files)
        assert (f.thread_id, f.seq) == (newest.thread_id, newest.seq)
    # If something was left out, it did not fit.
    if taken < len(newest_first):
        bigger = pack_history(newest_first[: taken + 1], 10**9, COUNTER)
        assert bigger.tokens > budget


def test_empty_chain_renders_nothing() -> None:
    packed = pack_history([], 100, COUNTER)
    assert packed.context == "" and packed.tokens == 0 and packed.turns == []
