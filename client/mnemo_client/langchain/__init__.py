"""LangChain: `MnemoRetriever` (a `BaseRetriever`) and remember, recall, forget as LangChain tools,
from `MnemoToolkit(...).get_tools()` (LangChain's toolkit convention) or `mnemo_tools(...)`.
Extra `langchain`.

    retriever = MnemoRetriever(url="http://127.0.0.1:8080", api_key=..., user_id="alice")
    docs = retriever.invoke("what does Alice drink?")   # Documents: content + id, score, type
    top = retriever.invoke("what does Alice drink?", k=3)  # at most the 3 most relevant of them
    tools = MnemoToolkit(url=..., api_key=..., user_id="alice").get_tools()   # for bind_tools / an agent

A retrieval's documents are the memories mnemo packed into `budget_tokens`, most relevant first;
`k` (LangChain's usual name, on the retriever or per call) keeps at most the first `k` of them.
A refusal of mnemo is the client's typed `MnemoError` from the retriever, and a `ToolException` from
a tool (which LangChain hands back to the model as the tool's answer).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from functools import wraps
from typing import Any, ParamSpec

from langchain_core.callbacks import AsyncCallbackManagerForRetrieverRun, CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from langchain_core.tools import BaseTool, BaseToolkit, StructuredTool, ToolException
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from mnemo_client.agent_tools import FORGET, RECALL, REMEMBER, MemoryTools, clients_of, scope_of
from mnemo_client.async_client import AsyncMnemo
from mnemo_client.errors import MnemoError
from mnemo_client.models import RetrieveResult
from mnemo_client.sync_client import Mnemo

__all__ = ["MnemoRetriever", "MnemoToolkit", "mnemo_tools"]

P = ParamSpec("P")


class _MnemoFields(BaseModel):
    """The service (`url` + `api_key`, or `client` / `async_client`) and the scope (`user_id`,
    `agent_id`, `namespace`) a LangChain component of mnemo acts in; `budget_tokens`: how much one
    retrieval may return."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    url: str | None = None
    api_key: str | None = None
    client: Mnemo | None = None
    async_client: AsyncMnemo | None = None
    user_id: str | None = None
    agent_id: str | None = None
    namespace: str | None = None
    budget_tokens: int = 1000


class MnemoRetriever(BaseRetriever, _MnemoFields):
    """Memories relevant to the query, as Documents (`page_content` the memory; metadata `id`,
    `score`, `type`, `tokens`, `occurred_at`). Give `url` (+ `api_key`) or `client` / `async_client`;
    `user_id` / `agent_id` / `namespace` scope the search, `types` limits the memory types, `k` the
    number of documents (at most `k` of those packed into `budget_tokens`; a call's `k` overrides it)."""

    types: list[str] | None = None
    k: int | None = Field(default=None, ge=0)
    _sync: Mnemo | None = PrivateAttr(default=None)
    _async: AsyncMnemo | None = PrivateAttr(default=None)

    def model_post_init(self, context: Any) -> None:
        if self.url is None and self.client is None and self.async_client is None:
            raise ValueError("MnemoRetriever: give url (and api_key), or a client")
        self._sync, self._async = clients_of(self.url, self.api_key, self.client, self.async_client)

    def _args(self) -> dict[str, Any]:
        return {
            "scope": scope_of(self.user_id, self.agent_id, self.namespace),
            "types": self.types,
            "budget_tokens": self.budget_tokens,
        }

    def _first(self, documents: list[Document], k: int | None) -> list[Document]:
        """The `k` most relevant (a call's `k`, else the retriever's), or all."""
        k = self.k if k is None else k
        if k is not None and k < 0:
            raise ValueError(f"MnemoRetriever: k must be 0 or more, not {k}")
        return documents if k is None else documents[:k]

    @staticmethod
    def documents(result: RetrieveResult) -> list[Document]:
        return [
            Document(
                page_content=m.content,
                id=m.id,
                metadata={
                    "id": m.id,
                    "score": m.score,
                    "type": m.type.value,
                    "tokens": m.tokens,
                    "occurred_at": m.occurred_at,
                    "external_id": m.external_id,
                },
            )
            for m in result.memories
        ]

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun, k: int | None = None
    ) -> list[Document]:
        if self._sync is None:
            raise TypeError("MnemoRetriever has an async client only: use ainvoke")
        return self._first(self.documents(self._sync.retrieve(query, **self._args())), k)

    async def _aget_relevant_documents(
        self, query: str, *, run_manager: AsyncCallbackManagerForRetrieverRun, k: int | None = None
    ) -> list[Document]:
        if self._async is None:
            raise TypeError("MnemoRetriever has a sync client only: use invoke")
        return self._first(self.documents(await self._async.retrieve(query, **self._args())), k)


def _tool_error(fn: Callable[P, Any]) -> Callable[P, Any]:
    @wraps(fn)
    def call(*args: P.args, **kwargs: P.kwargs) -> Any:
        try:
            return fn(*args, **kwargs)
        except MnemoError as error:
            raise ToolException(f"mnemo refused: {error}") from error

    return call


def _atool_error(fn: Callable[P, Awaitable[Any]]) -> Callable[P, Awaitable[Any]]:
    @wraps(fn)
    async def call(*args: P.args, **kwargs: P.kwargs) -> Any:
        try:
            return await fn(*args, **kwargs)
        except MnemoError as error:
            raise ToolException(f"mnemo refused: {error}") from error

    return call


def mnemo_tools(
    url: str | None = None,
    api_key: str | None = None,
    *,
    client: Mnemo | None = None,
    async_client: AsyncMnemo | None = None,
    user_id: str | None = None,
    agent_id: str | None = None,
    namespace: str | None = None,
    budget_tokens: int = 1000,
    names: Sequence[str] = ("remember", "recall", "forget"),
) -> list[BaseTool]:
    """remember / recall / forget as LangChain tools acting in one scope (sync and async)."""
    if url is None and client is None and async_client is None:
        raise TypeError("give url (and api_key), or a client")
    clients = clients_of(url, api_key, client, async_client)
    tools = MemoryTools(*clients, scope_of(user_id, agent_id, namespace), budget_tokens)
    made: dict[str, tuple[Callable[..., str], Callable[..., Awaitable[str]], str]] = {
        "remember": (tools.remember, tools.aremember, REMEMBER),
        "recall": (tools.recall, tools.arecall, RECALL),
        "forget": (tools.forget, tools.aforget, FORGET),
    }
    return [
        StructuredTool.from_function(
            func=_tool_error(made[name][0]) if tools.client else None,
            coroutine=_atool_error(made[name][1]) if tools.async_client else None,
            name=name,
            description=made[name][2],
            handle_tool_error=True,
        )
        for name in names
    ]


class MnemoToolkit(BaseToolkit, _MnemoFields):
    """remember / recall / forget in one scope, as LangChain toolkits give tools: `get_tools()`."""

    def get_tools(self) -> list[BaseTool]:
        return mnemo_tools(
            self.url, self.api_key, client=self.client, async_client=self.async_client,
            user_id=self.user_id, agent_id=self.agent_id, namespace=self.namespace,
            budget_tokens=self.budget_tokens,
        )  # fmt: skip
