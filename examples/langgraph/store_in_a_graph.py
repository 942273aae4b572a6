"""A LangGraph graph whose nodes remember and recall through mnemo
(from a clone of mnemo: `pip install './client[langgraph]'`).

MNEMO_URL=http://127.0.0.1:8080 MNEMO_API_KEY=... python examples/langgraph/store_in_a_graph.py
"""

import os
from typing import TypedDict

from langgraph.config import get_store
from langgraph.graph import START, StateGraph

from mnemo_client.langgraph import MnemoStore


class State(TypedDict):
    question: str
    answer: str


def remember(state: State) -> dict:
    get_store().put(("preferences", "alice"), "drink", {"text": "Alice drinks green tea, no sugar"})
    return {}


def answer(state: State) -> dict:
    hits = get_store().search(("preferences", "alice"), query=state["question"], limit=1)
    return {"answer": hits[0].value["text"] if hits else "I don't know"}


builder = StateGraph(State)
builder.add_node("remember", remember)
builder.add_node("answer", answer)
builder.add_edge(START, "remember")
builder.add_edge("remember", "answer")
store = MnemoStore(os.environ.get("MNEMO_URL", "http://127.0.0.1:8080"), os.environ.get("MNEMO_API_KEY"),
                   user_id=os.environ.get("MNEMO_USER", "alice"))  # fmt: skip
graph = builder.compile(store=store)
print(graph.invoke({"question": "What does Alice drink?", "answer": ""})["answer"])
