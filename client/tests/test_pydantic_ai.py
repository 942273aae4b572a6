"""mnemo_toolset in a pydantic-ai Agent, driven by pydantic-ai's own TestModel and FunctionModel (no
network, no LLM), against the real server."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic_ai import Agent
from pydantic_ai.messages import ModelMessage, ModelResponse, TextPart, ToolCallPart, ToolReturnPart
from pydantic_ai.models.function import AgentInfo, FunctionModel
from pydantic_ai.models.test import TestModel

from mnemo_client import MnemoError
from mnemo_client.pydantic_ai import mnemo_toolset


def _returns(messages: list[ModelMessage]) -> list[ToolReturnPart]:
    return [p for m in messages for p in getattr(m, "parts", []) if isinstance(p, ToolReturnPart)]


def _scripted(*steps: list[ToolCallPart] | str) -> FunctionModel:
    """A model that answers each request with the next step: tool calls, or the final text."""
    queue = list(steps)

    def answer(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        step = queue.pop(0)
        return ModelResponse(parts=[TextPart(step)] if isinstance(step, str) else list(step))

    return FunctionModel(answer)


def test_the_agent_remembers_and_recalls_through_the_toolset(mnemo: Any, user: str) -> None:
    toolset = mnemo_toolset(mnemo.url, api_key=mnemo.api_key, user_id=user)
    model = _scripted(
        [ToolCallPart("remember", {"content": "Alice's cat is called Mochi"}, tool_call_id="c1")],
        [ToolCallPart("recall", {"query": "name of the cat"}, tool_call_id="c2")],
        "Your cat is Mochi.",
    )
    result = Agent(model, toolsets=[toolset]).run_sync("Remember my cat Mochi, then tell me its name.")
    assert result.output == "Your cat is Mochi."
    returns = _returns(result.all_messages())
    assert (
        returns[0].content.startswith("Remembered (id ")
        and "Alice's cat is called Mochi" in returns[1].content
    )

    # pydantic-ai's TestModel calls every tool with arguments made from their schemas.
    tested = Agent(TestModel(), toolsets=[mnemo_toolset(mnemo.url, api_key=mnemo.api_key, user_id=user)])
    names = {r.tool_name for r in _returns(tested.run_sync("use your tools").all_messages())}
    assert names == {"remember", "recall", "forget"}


async def test_refused_input_is_a_model_retry_and_other_refusals_are_typed(mnemo: Any, user: str) -> None:
    model = _scripted(
        [ToolCallPart("remember", {"content": "x", "memory_type": "no-such-type"}, tool_call_id="c1")],
        [ToolCallPart("remember", {"content": "Alice flies on Fridays"}, tool_call_id="c2")],
        "Done.",
    )
    agent = Agent(model, toolsets=[mnemo_toolset(mnemo.url, api_key=mnemo.api_key, user_id=user)])
    result = await agent.run("remember that")
    # ModelRetry: pydantic-ai hands the refusal back to the model as the call's answer.
    refused_call = next(r for r in _returns(result.all_messages()) if r.tool_call_id == "c1")
    assert str(refused_call.content).startswith("mnemo refused (invalid_input)")
    assert "memories.0.type" in str(refused_call.content) and result.output == "Done."

    stranger = Agent(
        _scripted([ToolCallPart("recall", {"query": "q"}, tool_call_id="c1")], "x"),
        toolsets=[mnemo_toolset(mnemo.url, api_key="not-a-key", user_id=user)],
    )
    with pytest.raises(MnemoError) as refused:
        await stranger.run("recall")
    assert refused.value.status == 401


def test_a_toolset_without_url_or_client_is_refused_naming_it() -> None:
    with pytest.raises(TypeError, match="mnemo_toolset: give url"):
        mnemo_toolset(user_id="u")
