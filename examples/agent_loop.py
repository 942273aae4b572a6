"""A minimal agent loop on mnemo-client: recall before answering, remember after.

    mnemo serve &                       # or point --url at a running mnemo
    python examples/agent_loop.py --user alice

Type messages; `remember: <fact>` stores a fact, `done` ends the task (its scratchpad is archived).
`answer()` stands in for your model call: it receives the prompt with mnemo's context in it.
"""

from __future__ import annotations

import argparse
import uuid

from mnemo_client import Mnemo, MnemoError


def answer(prompt: str) -> str:
    """Your LLM call goes here; this stand-in shows what the model would be given."""
    return f"(a model would answer this prompt)\n{prompt}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default="http://127.0.0.1:8080")
    parser.add_argument("--api-key")
    parser.add_argument("--user", default="me")
    args = parser.parse_args()
    scope = {"user_id": args.user}
    task = f"task-{uuid.uuid4().hex[:8]}"
    with Mnemo(args.url, api_key=args.api_key) as mnemo:
        thread = f"chat-{uuid.uuid4().hex[:8]}"
        while True:
            try:
                message = input("you> ").strip()
            except EOFError:
                break
            if not message:
                continue
            if message == "done":
                print(f"archived {mnemo.working(task).clear().archived} working item(s)")
                break
            if message.startswith("remember:"):
                fact = message.removeprefix("remember:").strip()
                print(mnemo.write([{"type": "semantic", "content": fact, "scope": scope}]).results[0].status)
                continue
            try:  # recall: the task's scratchpad first, then what is relevant, within 800 tokens
                context = mnemo.retrieve(message, scope=scope, budget_tokens=800, task_id=task).context
            except MnemoError as error:  # memory is a help, never a reason to fail the turn
                print(f"(mnemo: {error.code}: {error.detail})")
                context = ""
            reply = answer(f"Relevant memory:\n{context}\n\nUser: {message}")
            print(f"agent> {reply}")
            # Remember the exchange (episodic) and note progress on the task (working memory).
            in_thread = {**scope, "thread_id": thread}
            turns = [
                {"type": "episodic", "content": f"user: {message}", "scope": in_thread},
                {"type": "episodic", "content": f"assistant: {reply}", "scope": in_thread},
            ]
            mnemo.write(turns, prefilter=False, dedup=False)
            mnemo.working(task).append(f"User asked: {message[:200]}", priority=3)


if __name__ == "__main__":
    main()
