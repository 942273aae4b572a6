"""OpenAI Agents SDK with a mnemo Session and mnemo's function tools
(from a clone of mnemo: `pip install './client[openai-agents]'`).
The SDK's ScriptedModel stands in for your model.

    MNEMO_URL=http://127.0.0.1:8080 MNEMO_API_KEY=... python examples/openai_agents/session_and_tools.py
"""

import asyncio
import os

from agents import Agent, Runner
from agents.testing import ScriptedModel, assistant_message, function_call

from mnemo_client.openai_agents import MnemoSession, mnemo_function_tools

URL, KEY = os.environ.get("MNEMO_URL", "http://127.0.0.1:8080"), os.environ.get("MNEMO_API_KEY")
USER = os.environ.get("MNEMO_USER", "mei")


async def main() -> None:
    # As SQLiteSession("...") does: the same name (and user) is the same conversation next time.
    session = MnemoSession(f"{USER}-travel", url=URL, api_key=KEY, user_id=USER)
    model = ScriptedModel([
        [function_call("remember", {"content": "Mei prefers aisle seats"}, call_id="c1")],
        [assistant_message("Noted: aisle seats.")],
    ])  # fmt: skip
    agent = Agent(name="assistant", model=model, tools=mnemo_function_tools(URL, api_key=KEY, user_id=USER))
    result = await Runner.run(agent, "I always want an aisle seat.", session=session)
    print(result.final_output)
    for item in await session.get_items():  # the conversation, kept in a mnemo thread
        print(item.get("role") or item.get("type"), str(item.get("content") or item.get("output") or "")[:60])


asyncio.run(main())
