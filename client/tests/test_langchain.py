"""MnemoRetriever and mnemo_tools through LangChain's own interfaces (Runnable invoke/ainvoke, tool
calls of a fake chat model), against the real server."""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.documents import Document
from langchain_core.language_models.fake_chat_models import FakeMessagesListChatModel
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.runnables import RunnableLambda, RunnablePassthrough

from mnemo_client import Mnemo, MnemoError
from mnemo_client.langchain import MnemoRetriever, MnemoToolkit, mnemo_tools


def test_retriever_gives_documents_with_id_score_and_type(mnemo: Any, user: str) -> None:
    with Mnemo(mnemo.url, api_key=mnemo.api_key) as client:
        scope = {"user_id": user}
        client.write([
            {"type": "semantic", "content": "Ravi is allergic to peanuts", "scope": scope},
            {"type": "episodic", "content": "Ravi booked a flight to Lisbon for May", "scope": scope},
        ])  # fmt: skip
    retriever = MnemoRetriever(url=mnemo.url, api_key=mnemo.api_key, user_id=user, budget_tokens=500)
    docs = retriever.invoke("what is Ravi allergic to?")
    assert isinstance(docs[0], Document) and docs[0].page_content == "Ravi is allergic to peanuts"
    assert docs[0].metadata["type"] == "semantic" and docs[0].metadata["score"] > 0 and docs[0].metadata["id"]
    assert {d.metadata["type"] for d in docs} == {"semantic", "episodic"}

    # In a chain, as retrievers are used: context | prompt | model.
    prompt = ChatPromptTemplate.from_messages([("system", "Memories:\n{context}"), ("human", "{question}")])
    seen: list[Any] = []
    model = FakeMessagesListChatModel(responses=[AIMessage(content="Peanuts.")])
    chain = (
        {"context": retriever | RunnableLambda(lambda ds: "\n".join(d.page_content for d in ds)),
         "question": RunnablePassthrough()}
        | prompt
        | RunnableLambda(lambda p: seen.append(p) or p)
        | model
    )  # fmt: skip
    assert chain.invoke("what is Ravi allergic to?").content == "Peanuts."
    assert "Ravi is allergic to peanuts" in seen[0].to_messages()[0].content


async def test_retriever_async_and_typed_errors(mnemo: Any, user: str) -> None:
    retriever = MnemoRetriever(url=mnemo.url, api_key=mnemo.api_key, user_id=user)
    assert await retriever.ainvoke("nothing stored here yet") == []
    bad = MnemoRetriever(url=mnemo.url, api_key=mnemo.api_key, user_id="no spaces allowed")
    with pytest.raises(MnemoError) as refused:
        await bad.ainvoke("anything")
    assert refused.value.status == 422 and refused.value.errors


def _run_tool_calls(message: AIMessage, tools: dict[str, Any]) -> list[ToolMessage]:
    return [tools[call["name"]].invoke(call) for call in message.tool_calls]


def test_tools_remember_recall_forget_through_a_fake_models_tool_calls(mnemo: Any, user: str) -> None:
    tools = {t.name: t for t in mnemo_tools(mnemo.url, api_key=mnemo.api_key, user_id=user)}
    assert set(tools) == {"remember", "recall", "forget"}
    model = FakeMessagesListChatModel(responses=[
        AIMessage(content="", tool_calls=[{"name": "remember", "id": "c1",
                                           "args": {"content": "Mei prefers aisle seats on flights"}}]),
        AIMessage(content="", tool_calls=[{"name": "recall", "id": "c2",
                                           "args": {"query": "seat preference"}}]),
    ])  # fmt: skip
    stored = _run_tool_calls(model.invoke([HumanMessage("remember: aisle seats")]), tools)
    assert isinstance(stored[0], ToolMessage) and stored[0].content.startswith("Remembered (id ")
    recalled = _run_tool_calls(model.invoke([HumanMessage("which seat?")]), tools)
    assert "Mei prefers aisle seats on flights" in recalled[0].content
    memory_id = recalled[0].content.split("(id ")[1].split(",")[0]

    gone = tools["forget"].invoke({"name": "forget", "id": "c3", "args": {"memory_id": memory_id},
                                   "type": "tool_call"})  # fmt: skip
    assert gone.content == f"Forgot {memory_id}."
    assert tools["recall"].invoke({"query": "seat preference"}) == "No memories match."

    # Another user's tools cannot forget this user's memories.
    other = {t.name: t for t in mnemo_tools(mnemo.url, api_key=mnemo.api_key, user_id=user + "-other")}
    mine = tools["remember"].invoke({"content": "Mei's passport expires in 2031"})
    mine_id = mine.split("(id ")[1].split(",")[0]
    assert other["forget"].invoke({"memory_id": mine_id}) == f"No memory {mine_id}."
    assert "passport" in tools["recall"].invoke({"query": "passport"})


async def test_a_mnemo_refusal_is_a_tool_error_the_model_reads(mnemo: Any, user: str) -> None:
    tools = {t.name: t for t in mnemo_tools(mnemo.url, api_key=mnemo.api_key, user_id=user)}
    answer = await tools["remember"].ainvoke(
        {"name": "remember", "id": "c1", "type": "tool_call",
         "args": {"content": "x", "memory_type": "no-such-type"}}
    )  # fmt: skip
    assert (
        isinstance(answer, ToolMessage)
        and "mnemo refused" in answer.content
        and "memories.0.type" in answer.content
    )
    assert (await tools["recall"].ainvoke({"query": "anything"})) == "No memories match."


async def test_the_toolkit_gives_the_same_tools_in_the_scope_it_was_given(mnemo: Any, user: str) -> None:
    tools = {t.name: t for t in MnemoToolkit(url=mnemo.url, api_key=mnemo.api_key, user_id=user).get_tools()}
    assert sorted(tools) == ["forget", "recall", "remember"]
    remembered = await tools["remember"].ainvoke({"content": "Mei's locker code is 4471."})
    assert remembered.startswith("Remembered")
    assert "4471" in await tools["recall"].ainvoke({"query": "locker code"})
    other = MnemoToolkit(url=mnemo.url, api_key=mnemo.api_key, user_id=user + "-other").get_tools()
    assert "4471" not in await next(t for t in other if t.name == "recall").ainvoke({"query": "locker code"})
