"""A minimal agent loop on mnemo-client: recall before answering, remember after.

    mnemo serve &                       # or point --url (or MNEMO_URL) at a running mnemo
    python examples/agent_loop.py --user alice

Type messages; `remember: <fact>` stores a fact, `done` ends the task (its scratchpad is archived).
`answer()` stands in for your model call: it receives the prompt with mnemo's context in it. What
the loop remembers of a turn is the user's message and the agent's own answer, never the prompt
(memories recalled into the prompt would otherwise be stored again inside every answer).
"""

from __future__ import annotations

import argparse
import os
import sys
import uuid

from mnemo_client import Mnemo, MnemoConnectionError, MnemoError


def answer(prompt: str) -> str:
    """Your LLM call goes here. This stand-in answers with how much context it was given."""
    memory = prompt.split("\n\nUser:")[0].removeprefix("Relevant memory:\n").strip()
    lines = len(memory.splitlines()) if memory else 0
    return f"(a model would answer here, with {lines} line(s) of memory in its prompt)"


def main() -> int:
    parser = argparse.ArgumentParser(description="A minimal agent loop on a running mnemo.")
    parser.add_argument("--url", default=os.environ.get("MNEMO_URL", "http://127.0.0.1:8080"))
    parser.add_argument("--api-key", default=os.environ.get("MNEMO_API_KEY"))
    parser.add_argument("--user", default="me")
    args = parser.parse_args()
    try:
        return chat(args)
    except MnemoConnectionError:
        print(f"no mnemo answers at {args.url}: start one with `mnemo serve`, or give --url", file=sys.stderr)
        return 2


def chat(args: argparse.Namespace) -> int:
    scope = {"user_id": args.user}
    task = f"task-{uuid.uuid4().hex[:8]}"
    with Mnemo(args.url, api_key=args.api_key) as mnemo:
        mnemo.request("GET", "/health").raise_for_status()  # say at once when no server answers
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
            except MnemoConnectionError:
                raise
            except MnemoError as error:  # memory is a help, never a reason to fail the turn
                print(f"(mnemo: {error.code}: {error.detail})")
                context = ""
            prompt = f"Relevant memory:\n{context}\n\nUser: {message}"
            print(prompt)
            reply = answer(prompt)
            print(f"agent> {reply}")
            # Remember the exchange (episodic: the user's turn and the agent's own answer) and note
            # progress on the task (working memory).
            in_thread = {**scope, "thread_id": thread}
            turns = [
                {"type": "episodic", "content": f"user: {message}", "scope": in_thread},
                {"type": "episodic", "content": f"assistant: {reply}", "scope": in_thread},
            ]
            mnemo.write(turns, prefilter=False, dedup=False)
            mnemo.working(task).append(f"User asked: {message[:200]}", priority=3)
    return 0


if __name__ == "__main__":
    sys.exit(main())
