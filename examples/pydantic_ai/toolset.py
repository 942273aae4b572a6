"""A pydantic-ai agent with mnemo's remember/recall/forget toolset
(from a clone of mnemo: `pip install './client[pydantic-ai]'`).
pydantic-ai's FunctionModel stands in for your model.

    MNEMO_URL=http://127.0.0.1:8080 MNEMO_API_KEY=... python examples/pydantic_ai/toolset.py
"""

import os

from pydantic_ai import Agent
from pydantic_ai.messages import ModelResponse, TextPart, ToolCallPart
from pydantic_ai.models.function import FunctionModel

from mnemo_client.pydantic_ai import mnemo_toolset

steps = [
    [ToolCallPart("remember", {"content": "Alice's cat is called Mochi"})],
    [ToolCallPart("recall", {"query": "the cat's name"})],
]


def model(messages, info):
    if steps:
        return ModelResponse(parts=steps.pop(0))
    return ModelResponse(parts=[TextPart(messages[-1].parts[0].content)])  # say what recall found


toolset = mnemo_toolset(os.environ.get("MNEMO_URL", "http://127.0.0.1:8080"), os.environ.get("MNEMO_API_KEY"),
                        user_id=os.environ.get("MNEMO_USER", "alice"))  # fmt: skip
print(Agent(FunctionModel(model), toolsets=[toolset]).run_sync("What is my cat called?").output)
