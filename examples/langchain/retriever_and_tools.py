"""mnemo in LangChain: a retriever in a chain, and remember/recall/forget tools
(from a clone of mnemo: `pip install './client[langchain]'`). A fake chat model stands in for yours.

    MNEMO_URL=http://127.0.0.1:8080 MNEMO_API_KEY=... python examples/langchain/retriever_and_tools.py
"""

import os

from langchain_core.language_models.fake_chat_models import FakeMessagesListChatModel
from langchain_core.messages import AIMessage

from mnemo_client.langchain import MnemoRetriever, mnemo_tools

url, key, user = os.environ.get("MNEMO_URL", "http://127.0.0.1:8080"), os.environ.get("MNEMO_API_KEY"), "ravi"
user = os.environ.get("MNEMO_USER", user)

# The model calls the remember tool (a real model would decide to; this one is scripted).
tools = {t.name: t for t in mnemo_tools(url, api_key=key, user_id=user)}
model = FakeMessagesListChatModel(responses=[AIMessage("", tool_calls=[
    {"name": "remember", "id": "1", "args": {"content": "Ravi is allergic to peanuts"}}])])  # fmt: skip
for call in model.invoke("Note that I am allergic to peanuts").tool_calls:
    print(tools[call["name"]].invoke(call).content)

# The retriever gives Documents with the memory's id, score and type in their metadata.
retriever = MnemoRetriever(url=url, api_key=key, user_id=user, budget_tokens=500)
for doc in retriever.invoke("what is Ravi allergic to?"):
    print(doc.page_content, doc.metadata["type"], round(doc.metadata["score"], 2))
