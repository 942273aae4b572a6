"""LangChain's own standard tests (the `langchain-tests` package, as LangChain asks of every
integration) for MnemoRetriever and the remember / recall / forget tools, against the real server.

Each class subclasses a standard class and only says how to build the thing under test; no standard
test is overridden or skipped (the package's own `test_no_overrides_DO_NOT_OVERRIDE` checks that).
Each test runs in a user of its own, with the memories its query is about written first."""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.tools import BaseTool
from langchain_tests.integration_tests import RetrieversIntegrationTests, ToolsIntegrationTests
from langchain_tests.unit_tests import ToolsUnitTests

from mnemo_client import Mnemo
from mnemo_client.langchain import MnemoRetriever, mnemo_tools

# More than the standard tests' largest `k` (3), all about the example query, none a near copy of
# another (mnemo keeps one of near copies in a retrieval).
CYCLING_FACTS = (
    "Ravi cycles to work along the canal every morning",
    "Ravi's road bike is a steel Bianchi he rebuilt himself",
    "Ravi rode the Tour of Flanders sportive in April",
    "Ravi keeps his bicycle tyres at 80 psi",
    "Ravi joined a cycling club that rides on Sunday mornings",
)


class _OnTheRealServer:
    """The test's server and user, and the memories the examples are about, before each test."""

    server: Any
    user: str

    @pytest.fixture(autouse=True)
    def _memories(self, mnemo: Any, user: str) -> None:
        self.server, self.user = mnemo, user
        facts = [{"type": "semantic", "content": c, "scope": {"user_id": user}} for c in CYCLING_FACTS]
        with Mnemo(mnemo.url, api_key=mnemo.api_key) as client:
            client.write(facts)


class _OneTool(_OnTheRealServer):
    """The tool of `mnemo_tools` named `tool_name`, on the test's server and user."""

    tool_name: str

    @property
    def tool_constructor(self) -> BaseTool:
        names = (self.tool_name,)
        (tool,) = mnemo_tools(self.server.url, self.server.api_key, user_id=self.user, names=names)
        return tool


class TestMnemoRetrieverStandard(_OnTheRealServer, RetrieversIntegrationTests):
    @property
    def retriever_constructor(self) -> type[MnemoRetriever]:
        return MnemoRetriever

    @property
    def retriever_constructor_params(self) -> dict[str, Any]:
        return {"url": self.server.url, "api_key": self.server.api_key, "user_id": self.user}

    @property
    def retriever_query_example(self) -> str:
        return "How does Ravi get around by bicycle?"


class TestRememberToolStandard(_OneTool, ToolsIntegrationTests):
    tool_name = "remember"

    @property
    def tool_invoke_params_example(self) -> dict[str, Any]:
        return {"content": "Ravi's bike lock code is written in his notebook", "memory_type": "semantic"}


class TestRecallToolStandard(_OneTool, ToolsIntegrationTests):
    tool_name = "recall"

    @property
    def tool_invoke_params_example(self) -> dict[str, Any]:
        return {"query": "Which bike does Ravi ride?"}


class TestForgetToolStandard(_OneTool, ToolsIntegrationTests):
    tool_name = "forget"

    @property
    def tool_invoke_params_example(self) -> dict[str, Any]:
        """A memory of the test's user to forget, written anew each time the example is asked for."""
        with Mnemo(self.server.url, api_key=self.server.api_key) as client:
            (written,) = client.write([{"type": "semantic", "content": "Ravi lent his pump to Ana",
                                        "scope": {"user_id": self.user}}]).results  # fmt: skip
        return {"memory_id": written.id}


@pytest.mark.parametrize("name", ["remember", "recall", "forget"])
class TestToolsUnitStandard(_OneTool, ToolsUnitTests):
    @pytest.fixture(autouse=True)
    def _named(self, name: str) -> None:
        self.tool_name = name

    @property
    def tool_invoke_params_example(self) -> dict[str, Any]:
        return {"remember": {"content": "Ravi oils his chain monthly"}, "recall": {"query": "Ravi's bike"},
                "forget": {"memory_id": "00000000-0000-0000-0000-000000000000"}}[self.tool_name]  # fmt: skip
