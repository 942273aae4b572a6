"""LlamaIndex Memory with a mnemo long-term memory block
(from a clone of mnemo: `pip install './client[llama-index]'`).

MNEMO_URL=http://127.0.0.1:8080 MNEMO_API_KEY=... python examples/llama_index/memory_block.py
"""

import asyncio
import os

from llama_index.core.base.llms.types import ChatMessage
from llama_index.core.memory import Memory

from mnemo_client.llama_index import MnemoMemoryBlock


async def main() -> None:
    block = MnemoMemoryBlock(url=os.environ.get("MNEMO_URL", "http://127.0.0.1:8080"),
                             api_key=os.environ.get("MNEMO_API_KEY"),
                             user_id=os.environ.get("MNEMO_USER", "alice"), budget_tokens=500)  # fmt: skip
    # A small short-term window, so that older messages overflow into mnemo.
    memory = Memory.from_defaults(
        session_id="demo", token_limit=40, token_flush_size=20, memory_blocks=[block]
    )
    await memory.aput(ChatMessage(role="user", content="I'm flying to Lisbon in May with my sister Ana."))
    await memory.aput(ChatMessage(role="assistant", content="Great, Lisbon in May it is."))
    await memory.aput(ChatMessage(role="user", content="Remind me: which restaurants are vegetarian?"))
    for message in await memory.aget(input="Where am I flying in May?"):
        print(message.role.value, message.content)


asyncio.run(main())
