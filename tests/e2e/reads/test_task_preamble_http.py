"""A question asked in the middle of a task, the task told first (real app, Qdrant Edge, MiniLM,
BM25): "Daniel's team missed the SLA again – how do I structure a vendor escalation note?" tells of
what went wrong, then asks for the steps; the clause before the dash does not make it a question
about what is overdue, so no reminder is lifted by its due date above the note of how it is done."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient

from tests.e2e.conftest import Asker, procedure, reminder, store_holding

NOW = "2026-03-18T01:30:00Z"
ASKER = Asker({"user_id": "mid-task"}, NOW)
ESCALATION = (
    "User explained how they write a vendor escalation note: state the issue and its impact, quote the"
    " contract clause, give a date for a fix, cc procurement"
)
MEMORIES: list[dict[str, Any]] = [
    procedure(ESCALATION),
    reminder(
        "User asked me to remind them to send the signed vendor renewal back to Daniel", "2026-02-16T01:00"
    ),
    reminder(
        "User asked me to remind them to return the flat keys and ask for the deposit", "2026-03-06T01:00"
    ),
    reminder("User asked me to remind them to book the movers", "2026-01-20T01:00"),
]
notes = store_holding(MEMORIES, ASKER.scope)


async def test_a_task_told_first_does_not_make_a_how_question_one_about_tasks(
    notes: AsyncTestClient[Any],
) -> None:
    query = "Daniel's team missed the SLA again – how do I structure a vendor escalation note?"
    memories = await ASKER.retrieved(notes, query, min_confidence=0)
    assert memories[0]["content"] == ESCALATION
    # "missed" tells of the situation: no window of due dates is read, nothing is lifted as overdue.
    components = {name for m in memories for name in m["explain"]["components"]}
    assert not components & {"due_window", "overdue", "due"}
