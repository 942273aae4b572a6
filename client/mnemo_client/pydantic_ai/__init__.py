"""pydantic-ai: `mnemo_toolset(...)`, remember / recall / forget as a toolset (extra `pydantic-ai`).

    memory = mnemo_toolset(url="http://127.0.0.1:8080", api_key=..., user_id="alice")
    agent = Agent("openai:gpt-5", toolsets=[memory])

The tools act in the scope given here, never one the model picks. Input mnemo refuses (a 4xx naming
the field) becomes `ModelRetry`, so the model reads why and may call again; any other refusal
(unavailable, unauthorized) is the client's typed `MnemoError` and ends the run, as errors do there.
"""

from __future__ import annotations

from typing import Any

from pydantic_ai import ModelRetry, Tool
from pydantic_ai.toolsets import FunctionToolset

from mnemo_client.agent_tools import async_tool_functions, scope_of
from mnemo_client.async_client import AsyncMnemo
from mnemo_client.errors import InvalidInput, MnemoError

__all__ = ["mnemo_toolset"]


def mnemo_toolset(
    url: str | None = None,
    api_key: str | None = None,
    *,
    client: AsyncMnemo | None = None,
    user_id: str | None = None,
    agent_id: str | None = None,
    namespace: str | None = None,
    budget_tokens: int = 1000,
    max_retries: int | None = None,
) -> FunctionToolset[Any]:
    """A `FunctionToolset` with remember, recall and forget, acting in one scope."""
    scope = scope_of(user_id, agent_id, namespace)
    functions = async_tool_functions(
        "mnemo_toolset", url, api_key, client, scope, budget_tokens, _retry_if_fixable
    )
    tools = [Tool(fn, name=fn.__name__, description=text, takes_ctx=False) for fn, text in functions]
    return FunctionToolset(tools, max_retries=max_retries, id="mnemo")


def _retry_if_fixable(error: MnemoError) -> None:
    """Input mnemo refused, or a memory that is not there: the model reads why and may call again."""
    if isinstance(error, InvalidInput) or (error.status is not None and error.status in (400, 404, 409)):
        raise ModelRetry(f"mnemo refused ({error.code}): {error.detail}") from error
