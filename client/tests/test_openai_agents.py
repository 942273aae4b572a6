"""MnemoSession and mnemo_function_tools through the Agents SDK's Runner, with the SDK's own
ScriptedModel (no network, no LLM), against the real server. The SDK's own session tests run against
MnemoSession in vendor/test_openai_agents_session_suite.py."""

from __future__ import annotations

from typing import Any

import pytest
from agents import Agent, Runner
from agents.testing import ScriptedModel, assistant_message, function_call

from mnemo_client import AsyncMnemo, MnemoError
from mnemo_client.openai_agents import MnemoSession, mnemo_function_tools


async def test_a_session_resumes_from_its_id_with_every_item_in_order(mnemo: Any, user: str) -> None:
    session = await MnemoSession.create(url=mnemo.url, api_key=mnemo.api_key, user_id=user)
    model = ScriptedModel([[assistant_message("Nice to meet you, Mei.")]])
    agent = Agent(name="assistant", model=model)
    await Runner.run(agent, "Hi, I'm Mei.", session=session)

    resumed = MnemoSession(session.session_id, url=mnemo.url, api_key=mnemo.api_key)
    items = await resumed.get_items()
    assert [i.get("role") for i in items] == ["user", "assistant"] and items[0]["content"] == "Hi, I'm Mei."
    model.enqueue([assistant_message("Your name is Mei.")])
    result = await Runner.run(agent, "What's my name?", session=resumed)
    assert result.final_output == "Your name is Mei."
    assert "Hi, I'm Mei." in str(model.last_call.input)  # the history reached the model

    # The items are turns of a mnemo thread: other mnemo readers see the conversation.
    async with AsyncMnemo(mnemo.url, api_key=mnemo.api_key) as client:
        history = await client.threads.history(session.session_id)
        assert len(history.turns) == 4 and "Hi, I'm Mei." in history.context
        receipt = await client.forget(user_id=user)  # forget the user: the session goes with it
        assert session.session_id in receipt.thread_ids


async def test_function_tools_remember_and_recall_through_the_runner(mnemo: Any, user: str) -> None:
    tools = mnemo_function_tools(mnemo.url, api_key=mnemo.api_key, user_id=user)
    assert [t.name for t in tools] == ["remember", "recall", "forget"]
    model = ScriptedModel([
        [function_call("remember", {"content": "Mei prefers aisle seats"}, call_id="c1")],
        [function_call("recall", {"query": "seat preference"}, call_id="c2")],
        [assistant_message("You prefer aisle seats.")],
    ])  # fmt: skip
    agent = Agent(name="assistant", model=model, tools=tools)
    result = await Runner.run(agent, "Remember I like aisle seats, then check.")
    assert result.final_output == "You prefer aisle seats."
    outputs = [i for i in result.new_items if i.type == "tool_call_output_item"]
    assert outputs[0].output.startswith("Remembered (id ") and "Mei prefers aisle seats" in outputs[1].output


async def test_a_mnemo_refusal_reaches_the_model_as_the_tools_answer(mnemo: Any, user: str) -> None:
    model = ScriptedModel([
        [function_call("remember", {"content": "x", "memory_type": "no-such-type"}, call_id="c1")],
        [assistant_message("Could not remember that.")],
    ])  # fmt: skip
    agent = Agent(
        name="a", model=model, tools=mnemo_function_tools(mnemo.url, api_key=mnemo.api_key, user_id=user)
    )
    result = await Runner.run(agent, "remember x")
    output = next(i for i in result.new_items if i.type == "tool_call_output_item").output
    assert output.startswith("mnemo refused (invalid_input)") and "memories.0.type" in output


async def test_a_session_named_by_the_caller_is_created_on_first_use_and_found_again(
    mnemo: Any, user: str
) -> None:
    session = MnemoSession("user_123", url=mnemo.url, api_key=mnemo.api_key, user_id=user)
    model = ScriptedModel([[assistant_message("Hello, Mei.")]])
    await Runner.run(Agent(name="assistant", model=model), "Hi, I'm Mei.", session=session)

    again = MnemoSession("user_123", url=mnemo.url, api_key=mnemo.api_key, user_id=user)
    assert again.thread_id == session.thread_id
    assert (await again.get_items())[0]["content"] == "Hi, I'm Mei."
    other_user = MnemoSession("user_123", url=mnemo.url, api_key=mnemo.api_key, user_id=f"{user}-b")
    assert other_user.thread_id != session.thread_id and await other_user.get_items() == []
    async with AsyncMnemo(mnemo.url, api_key=mnemo.api_key) as client:
        receipt = await client.forget(user_id=user)  # whose it is, as the caller said
        assert session.thread_id in receipt.thread_ids


async def test_a_mnemo_refusal_reaches_the_session_as_the_typed_error(mnemo: Any) -> None:
    refused = MnemoSession("s", url=mnemo.url, api_key=mnemo.api_key, user_id="not a valid id!")
    with pytest.raises(MnemoError):
        await refused.get_items()
    with pytest.raises(MnemoError):
        await Runner.run(
            Agent(name="a", model=ScriptedModel([[assistant_message("x")]])), "hi", session=refused
        )


def test_function_tools_without_url_or_client_are_refused_naming_them() -> None:
    with pytest.raises(TypeError, match="mnemo_function_tools: give url"):
        mnemo_function_tools(user_id="u")
