"""LlamaIndex: `MnemoMemoryBlock`, a long-term memory block on mnemo (extra `llama-index`).

    block = MnemoMemoryBlock(url="http://127.0.0.1:8080", api_key=..., user_id="alice", budget_tokens=800)
    memory = Memory.from_defaults(session_id="s1", token_limit=4000, memory_blocks=[block])

When the short-term history overflows, Memory hands the oldest messages to `aput`, which stores each
as a mnemo memory (episodic by default) in the block's scope; mnemo's write prefilter drops the ones
with nothing worth keeping. `aget` retrieves for the latest message and returns mnemo's packed
context, never more than `budget_tokens`.
A refusal of mnemo is the client's typed `MnemoError`.
"""

from __future__ import annotations

from typing import Any

from llama_index.core.base.llms.types import ChatMessage
from llama_index.core.memory.memory import BaseMemoryBlock
from pydantic import Field

from mnemo_client.agent_tools import scope_of
from mnemo_client.async_client import AsyncMnemo
from mnemo_client.models import EVENT_TYPE

__all__ = ["MnemoMemoryBlock"]


def _text(message: ChatMessage) -> str:
    return (
        (message.content or "").strip() if isinstance(message.content, str | None) else str(message.content)
    )


class MnemoMemoryBlock(BaseMemoryBlock[str]):
    """Long-term memory in mnemo for LlamaIndex's `Memory`."""

    name: str = Field(default="mnemo", description="The name of the memory block.")
    description: str | None = Field(default="Relevant long-term memories from mnemo.")
    url: str = Field(default="http://127.0.0.1:8080", description="The mnemo service.")
    api_key: str | None = Field(default=None, repr=False)
    user_id: str | None = None
    agent_id: str | None = None
    namespace: str | None = None
    memory_type: str = Field(default=EVENT_TYPE.value, description="The type stored messages become.")
    budget_tokens: int = Field(default=1000, description="The most tokens `aget` returns.")
    roles: tuple[str, ...] = Field(default=("user", "assistant"), description="The roles worth storing.")

    def _client(self) -> AsyncMnemo:
        # One per call: LlamaIndex's sync methods run the async ones in loops of their own.
        return AsyncMnemo(self.url, api_key=self.api_key)

    @property
    def scope(self) -> dict[str, str]:
        return scope_of(self.user_id, self.agent_id, self.namespace)

    async def _aput(self, messages: list[ChatMessage]) -> None:
        memories = [
            {"type": self.memory_type, "content": f"{m.role.value}: {_text(m)}", "scope": self.scope}
            for m in messages
            if m.role.value in self.roles and _text(m)
        ]
        if memories:
            async with self._client() as mnemo:
                await mnemo.write(memories)

    async def _aget(self, messages: list[ChatMessage] | None = None, **block_kwargs: Any) -> str:
        latest = next((_text(m) for m in reversed(messages or []) if _text(m)), "")
        if not latest:
            return ""
        async with self._client() as mnemo:
            result = await mnemo.retrieve(latest, scope=self.scope, budget_tokens=self.budget_tokens)
        return result.context
