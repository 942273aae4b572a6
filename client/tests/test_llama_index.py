"""MnemoMemoryBlock in LlamaIndex's Memory and a chat engine with LlamaIndex's MockLLM (no network,
no LLM), against the real server."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from llama_index.core.base.llms.types import ChatMessage, TextBlock
from llama_index.core.chat_engine import SimpleChatEngine
from llama_index.core.llms import MockLLM
from llama_index.core.memory import Memory

from mnemo_client import AsyncMnemo, MnemoError
from mnemo_client.llama_index import MnemoMemoryBlock


async def test_flushed_messages_go_to_mnemo_and_come_back_for_the_latest_message(
    mnemo: Any, user: str
) -> None:
    block = MnemoMemoryBlock(url=mnemo.url, api_key=mnemo.api_key, user_id=user, budget_tokens=300)
    # A short-term window of a few dozen tokens: older messages overflow into the block.
    memory = Memory.from_defaults(session_id=user, token_limit=60, token_flush_size=20, memory_blocks=[block])
    for role, text in [
        ("user", "I'm planning a trip to Lisbon in May with my sister Ana."),
        ("assistant", "Lisbon in May is lovely; I'll keep your trip with Ana in mind."),
        ("user", "Also, I am vegetarian, so restaurants should have veggie options."),
        ("assistant", "Noted: vegetarian restaurants only."),
        ("user", "What's the weather like there usually?"),
    ]:
        await memory.aput(ChatMessage(role=role, content=text))

    async with AsyncMnemo(mnemo.url, api_key=mnemo.api_key) as client:
        stored = [m async for m in client.list(user_id=user)]
    assert any("Lisbon in May" in m.content for m in stored) and all(
        m.type.value == "episodic" for m in stored
    )

    messages = await memory.aget(input="Where am I travelling in May?")
    system = next(m for m in messages if m.role.value == "system")
    assert "Lisbon" in system.content and "<mnemo>" in system.content  # the block's content, by its name

    # aget is mnemo's budgeted context for the latest message, never over the budget.
    latest = [ChatMessage(role="user", content="Where am I travelling in May?")]
    context = await block.aget(latest)
    async with AsyncMnemo(mnemo.url, api_key=mnemo.api_key) as client:
        same = await client.retrieve(
            "Where am I travelling in May?", scope={"user_id": user}, budget_tokens=300
        )
    assert context == same.context and same.metadata.total_tokens <= 300
    assert await block.aget([]) == ""


def test_a_chat_engine_with_the_mock_llm_sees_the_memories(mnemo: Any, user: str) -> None:
    block = MnemoMemoryBlock(url=mnemo.url, api_key=mnemo.api_key, user_id=user)
    block_writer = MnemoMemoryBlock(url=mnemo.url, api_key=mnemo.api_key, user_id=user, roles=("user",))
    memory = Memory.from_defaults(session_id=user, token_limit=2000, memory_blocks=[block])
    asyncio.run(
        block_writer.aput(
            [ChatMessage(role="user", content="My dog Biscuit is a corgi who loves the beach.")]
        )
    )
    engine = SimpleChatEngine.from_defaults(llm=MockLLM(), memory=memory)
    reply = engine.chat("Tell me about my dog Biscuit")
    # MockLLM answers with the prompt it was given: the memory block's context was in it.
    assert "Biscuit is a corgi" in str(reply)


async def test_a_mnemo_refusal_is_the_typed_error(mnemo: Any) -> None:
    block = MnemoMemoryBlock(url=mnemo.url, api_key=mnemo.api_key, user_id="no spaces allowed")
    with pytest.raises(MnemoError) as refused:
        await block.aget([ChatMessage(role="user", content="anything")])
    assert refused.value.status == 422


async def test_the_memory_block_promises_of_llama_indexs_own_vector_block(mnemo: Any, user: str) -> None:
    """What LlamaIndex's own vector memory block is tested for, where it holds for any memory block:
    messages given as text blocks are stored as "role: text" and come back for a related message;
    no messages, or a message without text, store nothing and get ""."""
    block = MnemoMemoryBlock(url=mnemo.url, api_key=mnemo.api_key, user_id=user)

    def said(role: str, text: str) -> ChatMessage:
        return ChatMessage(role=role, content=None, blocks=[TextBlock(text=text)])

    async def stored() -> list[str]:
        async with AsyncMnemo(mnemo.url, api_key=mnemo.api_key) as client:
            return [m.content async for m in client.list(user_id=user)]

    assert await block.aget(messages=[]) == ""
    await block.aput(messages=[])
    await block.aput(messages=[ChatMessage(role="user", content=None, blocks=[])])
    assert await stored() == []

    await block.aput(
        messages=[
            said("user", "What's the capital of France?"),
            said("assistant", "The capital of France is Paris."),
            said("user", "What about Germany?"),
            said("assistant", "The capital of Germany is Berlin."),
        ]
    )
    assert "assistant: The capital of France is Paris." in await stored()
    assert "capital of France is Paris" in await block.aget(messages=[said("user", "Tell me about Paris.")])
