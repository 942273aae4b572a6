"""The asked detail read in memories written as fragments without a subject, on the real app
(MiniLM, BM25, Qdrant Edge, the shipped confidence): a mark asked is not held by a report that gives
none, and a name asked of someone is not held by another name in the sentence; the twin that tells
it keeps its confidence."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from tests.e2e.conftest import write
from tests.e2e.reads.test_asked_detail_http import retrieve

FAMILY = [
    "Kids: Leo, Maya and Arjun; Leo and Maya both go to Selkirk Park Elementary",
    "Maya's piano teacher is Ms. Dubois, lessons after school",
    "Leo's year-end report card: strong in math and science, needs to work on written output; Maya's said "
    "she's a great reader but rushes her math",
    "Sister-in-law Aoife (Sean's sister) lives in Calgary, has twins",
]
MARK = "Maya's report card: B+ in math, A in reading"
TWINS = "Aoife's twins are Finn and Rory, 6 in May"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("question", "answer"),
    [("what did maya get in math on her report card", MARK), ("what are aoife's twins called", TWINS)],
)
async def test_a_fragment_near_the_asked_detail_does_not_answer_it(
    client: AsyncTestClient[Any], question: str, answer: str
) -> None:
    scope = {"user_id": f"parent-{len(question)}"}
    await write(client, [{"type": "semantic", "content": c, "scope": scope} for c in FAMILY])
    near_miss = await retrieve(client, scope, question)
    assert len(near_miss["memories"]) == 1 and near_miss["metadata"]["top_confidence"] < 0.05

    twin_scope = {"user_id": f"parent-told-{len(question)}"}
    await write(client, [{"type": "semantic", "content": c, "scope": twin_scope} for c in [*FAMILY, answer]])
    twin = await retrieve(client, twin_scope, question)
    assert twin["memories"][0]["content"] == answer
    assert twin["metadata"]["top_confidence"] > 5 * near_miss["metadata"]["top_confidence"]
