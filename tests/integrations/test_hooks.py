"""`mnemo-hook` (the light client's command) with recorded Claude Code payloads
(tests/integrations/payloads/), as real processes against a real `mnemo serve`: the prompt hook
injects what clears the relevance floor and nothing else, TodoWrite becomes the session's working
memory and is archived when done, transcripts are written once, everything written carries the
hook's user so that forgetting that user finds it all, and whatever goes wrong the agent sees exit 0
and no output."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mnemo_client import Mnemo
from tests.integrations.askers_day import QUESTION, answers_the_askers_tomorrow, askers_zone_and_reminders
from tests.integrations.conftest import MnemoServer, unused_url

PAYLOADS = Path(__file__).parent / "payloads"
MNEMO_HOOK = str(Path(sys.executable).parent / "mnemo-hook")
EVENTS = {
    "user-prompt-submit": "user_prompt_submit.json",
    "post-tool-use": "post_tool_use_todowrite.json",
    "stop": "stop.json",
    "session-end": "session_end.json",
}
IRRELEVANT = "Priya's favourite lunch spot is the ramen bar on Elm Street."
RELEVANT = (
    "To reach the staging database from a laptop, open the VPN and connect to db-staging.internal:5433."
)


def payload(name: str, session: str, transcript: Path | None = None) -> str:
    text = (PAYLOADS / name).read_text().replace("SESSION", session)
    return text.replace("TRANSCRIPT", str(transcript or "")) if "TRANSCRIPT" in text else text


def hook(
    event: str, stdin: str, env: dict[str, str], timeout: float = 30
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [MNEMO_HOOK, event],
        input=stdin,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture
def session() -> str:
    return str(uuid.uuid4())


@pytest.fixture
def mnemo(mnemo_server: MnemoServer) -> Iterator[Mnemo]:
    """A client of the server with the hooks' key: to store what a hook should find and read what it wrote."""
    with Mnemo(mnemo_server.url, api_key=mnemo_server.keys["a"]) as client:
        yield client


@pytest.fixture
def hook_env(mnemo_server: MnemoServer, tmp_path: Path) -> dict[str, str]:
    return {
        "MNEMO_URL": mnemo_server.url,
        "MNEMO_API_KEY": mnemo_server.keys["a"],
        "MNEMO_HOOK_USER_ID": f"dev-{uuid.uuid4().hex[:8]}",
        "MNEMO_HOOK_STATE_DIR": str(tmp_path / "state"),
        "MNEMO_HOOK_BUDGET_TOKENS": "400",
    }


def without(env: dict[str, str], *names: str) -> dict[str, str]:
    return {k: v for k, v in {**os.environ, **env}.items() if k not in names}


def injected(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stderr
    answer: dict[str, Any] = json.loads(result.stdout)
    assert answer["hookSpecificOutput"]["hookEventName"] == "UserPromptSubmit"
    return str(answer["hookSpecificOutput"]["additionalContext"])


def test_prompt_hook_injects_a_stored_fact_relevant_to_the_prompt(mnemo, hook_env, session) -> None:
    mnemo.write(
        [
            {"type": "semantic", "content": RELEVANT, "scope": {"user_id": hook_env["MNEMO_HOOK_USER_ID"]}},
            {"type": "semantic", "content": IRRELEVANT, "scope": {"user_id": "someone-else"}},
        ]
    )
    context = injected(hook("user-prompt-submit", payload("user_prompt_submit.json", session), hook_env))
    assert RELEVANT in context and "ramen" not in context  # the user's own memories only


def test_todo_list_becomes_working_memory_shown_first_then_cleared_and_archived(
    mnemo, hook_env, session
) -> None:
    for _ in range(2):  # the same list twice: mirrored once
        done = hook("post-tool-use", payload("post_tool_use_todowrite.json", session), hook_env)
        assert done.returncode == 0 and done.stdout == "", done.stderr
    items = mnemo.working(session).items()
    assert [i.content for i in items] == [
        "[in progress] Add the retry column to the jobs table",
        "[pending] Backfill retries for existing jobs",
        "[pending] Run the migration tests",
    ]
    assert items[0].priority > items[1].priority

    context = injected(hook("user-prompt-submit", payload("user_prompt_submit.json", session), hook_env))
    assert context.split("\n\n", 1)[1].startswith("## Working memory\n- [in progress] Add the retry column")

    hook("post-tool-use", payload("post_tool_use_todowrite_progress.json", session), hook_env)
    assert [i.content for i in mnemo.working(session).items()] == [
        "[in progress] Backfill retries for existing jobs",
        "[pending] Run the migration tests",
    ]
    finished = hook("post-tool-use", payload("post_tool_use_todowrite_done.json", session), hook_env)
    assert finished.returncode == 0 and finished.stdout == ""
    assert mnemo.working(session).items() == []  # cleared ...
    archived = [m for m in mnemo.list(type="working") if m.task_id == session]  # ... and archived
    contents = {m.content for m in archived}
    assert {
        "[completed] Add the retry column to the jobs table",
        "[completed] Backfill retries for existing jobs",
        "[completed] Run the migration tests",
    } <= contents
    assert "[in progress] Add the retry column to the jobs table" in contents  # how it went, too
    after = hook("user-prompt-submit", payload("user_prompt_submit.json", session), hook_env)
    assert after.returncode == 0 and "## Working memory" not in after.stdout


def test_transcript_turns_are_written_once(mnemo, hook_env, session, tmp_path) -> None:
    transcript = tmp_path / "transcript.jsonl"
    transcript.write_text((PAYLOADS / "transcript.jsonl").read_text().replace("SESSION", session))
    for event, name in (("stop", "stop.json"), ("stop", "stop.json"), ("session-end", "session_end.json")):
        ran = hook(event, payload(name, session, transcript), hook_env)
        assert ran.returncode == 0 and ran.stdout == "", ran.stderr
    # Even with the hook's own bookkeeping gone, the deterministic ids keep each turn once.
    for state in Path(hook_env["MNEMO_HOOK_STATE_DIR"]).iterdir():
        state.unlink()
    assert hook("stop", payload("stop.json", session, transcript), hook_env).returncode == 0

    turns = sorted(mnemo.list(thread_id=session), key=lambda m: m.occurred_at)
    assert [m.content for m in turns] == [
        "user: Add a retry count to the jobs table; retries should stop after five attempts.",
        "assistant: I'll add a `retry_count` column with a default of 0 and cap retries at five in the "
        "worker.",
        "assistant: The migration adds retry_count; the worker now gives up after five attempts and logs "
        "the job id.",
        "user: Great. Also make the limit configurable — JOB_MAX_RETRIES, default five.",
    ]
    assert all(m.type == "episodic" and m.scope.user_id == hook_env["MNEMO_HOOK_USER_ID"] for m in turns)

    # A new turn appended later: only it is written.
    line = {
        "type": "user",
        "message": {"role": "user", "content": "Ship it after lunch."},
        "uuid": "late-turn",
        "timestamp": "2026-11-20T10:00:00Z",
    }
    with transcript.open("a") as out:
        out.write(json.dumps(line) + "\n")
    assert hook("stop", payload("stop.json", session, transcript), hook_env).returncode == 0
    assert len(list(mnemo.list(thread_id=session))) == 5


@pytest.mark.parametrize("event", sorted(EVENTS))
def test_mnemo_down_means_exit_0_and_no_output(event, hook_env, session, tmp_path) -> None:
    transcript = tmp_path / "transcript.jsonl"
    transcript.write_text((PAYLOADS / "transcript.jsonl").read_text())
    ran = hook(event, payload(EVENTS[event], session, transcript), {**hook_env, "MNEMO_URL": unused_url()})
    assert ran.returncode == 0 and ran.stdout == ""
    assert "mnemo hook:" in ran.stderr  # and why, for whoever reads the hook log


def test_a_hung_mnemo_never_blocks_the_prompt_for_long(hook_env, session) -> None:
    with socket.socket() as silent:  # accepts connections, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}"
        started = time.monotonic()
        ran = hook(
            "user-prompt-submit",
            payload("user_prompt_submit.json", session),
            {**hook_env, "MNEMO_URL": url, "MNEMO_HOOK_TIMEOUT_S": "0.5"},
        )
        elapsed = time.monotonic() - started
    assert ran.returncode == 0 and ran.stdout == "" and "timed out" in ran.stderr
    assert elapsed < 5


@pytest.mark.parametrize("stdin", ["", "not json", "[1, 2]", '{"prompt": 42}', '{"tool_name": "TodoWrite"}'])
def test_garbage_input_never_fails_the_agent(stdin, hook_env) -> None:
    for event in EVENTS:
        ran = hook(event, stdin, hook_env)
        assert ran.returncode == 0 and ran.stdout == "", (event, ran.stderr)


def test_prompt_hook_injects_nothing_when_no_memory_clears_the_floor(mnemo, hook_env, session) -> None:
    user = hook_env["MNEMO_HOOK_USER_ID"]
    mnemo.write([{"type": "semantic", "content": IRRELEVANT, "scope": {"user_id": user}}])
    quiet = hook("user-prompt-submit", payload("user_prompt_submit.json", session), hook_env)
    assert quiet.returncode == 0 and quiet.stdout == "", quiet.stderr
    assert "relevance floor" in quiet.stderr
    # The floor is what kept it out: with the floor at 0 the same memory is injected.
    floor_off = {**hook_env, "MNEMO_HOOK_MIN_SCORE": "0", "MNEMO_HOOK_MIN_CONFIDENCE": "0"}
    assert IRRELEVANT in injected(
        hook("user-prompt-submit", payload("user_prompt_submit.json", session), floor_off)
    )


PTEST_RULE = "Run the parser tests with make ptest, never with plain pytest."


def prompt(text: str, session: str) -> str:
    return json.dumps({"session_id": session, "hook_event_name": "UserPromptSubmit", "prompt": text})


def test_prompt_hook_injects_the_one_stored_rule_that_answers(mnemo, hook_env, session) -> None:
    """A coding agent with one rule stored sees it when it matters: confidence does not depend on
    how many other memories the store holds."""
    user = hook_env["MNEMO_HOOK_USER_ID"]
    mnemo.write([{"type": "procedural", "content": PTEST_RULE, "scope": {"user_id": user}}])
    asked = hook("user-prompt-submit", prompt("how do I run the parser tests?", session), hook_env)
    assert PTEST_RULE in injected(asked)


def test_prompt_hook_reads_tomorrow_on_the_users_clock(mnemo, hook_env, session) -> None:
    """The hook sends its machine's UTC offset: "tomorrow" is the user's, not the server's UTC day."""
    zone, reminders = askers_zone_and_reminders({"user_id": hook_env["MNEMO_HOOK_USER_ID"]})
    mnemo.write(reminders)
    asked = hook("user-prompt-submit", prompt(QUESTION, session), {**hook_env, "TZ": zone})
    assert answers_the_askers_tomorrow(injected(asked))


def test_prompt_hook_injects_nothing_for_a_prompt_the_one_rule_does_not_answer(
    mnemo, hook_env, session
) -> None:
    user = hook_env["MNEMO_HOOK_USER_ID"]
    mnemo.write([{"type": "procedural", "content": PTEST_RULE, "scope": {"user_id": user}}])
    other = hook("user-prompt-submit", prompt("What is the capital of France?", session), hook_env)
    assert other.returncode == 0 and other.stdout == "", other.stderr


def test_prompt_hook_leaves_out_what_is_below_the_floor_and_keeps_the_rest(mnemo, hook_env, session) -> None:
    user = hook_env["MNEMO_HOOK_USER_ID"]
    mnemo.write(
        [
            {"type": "semantic", "content": RELEVANT, "scope": {"user_id": user}},
            {"type": "semantic", "content": IRRELEVANT, "scope": {"user_id": user}},
        ]
    )
    context = injected(hook("user-prompt-submit", payload("user_prompt_submit.json", session), hook_env))
    assert RELEVANT in context and "ramen" not in context
    assert "## Semantic memory (facts and preferences)" in context
    # A floor above every score: nothing.
    high = {**hook_env, "MNEMO_HOOK_MIN_SCORE": "5"}
    assert hook("user-prompt-submit", payload("user_prompt_submit.json", session), high).stdout == ""


def test_forget_of_the_hook_user_finds_everything_the_hooks_wrote(mnemo, hook_env, session, tmp_path) -> None:
    """No MNEMO_HOOK_USER_ID: the OS user (here LOGNAME, read first as getpass does) is the scope."""
    os_user = f"os-{uuid.uuid4().hex[:8]}"
    env = {**without(hook_env, "MNEMO_HOOK_USER_ID"), "LOGNAME": os_user}
    transcript = tmp_path / "transcript.jsonl"
    transcript.write_text((PAYLOADS / "transcript.jsonl").read_text().replace("SESSION", session))
    for event, name in (
        ("post-tool-use", "post_tool_use_todowrite.json"),
        ("post-tool-use", "post_tool_use_todowrite_progress.json"),  # clears: archived records
        ("stop", "stop.json"),
    ):
        ran = subprocess.run(
            [MNEMO_HOOK, event], input=payload(name, session, transcript), env=env,
            capture_output=True, text=True, timeout=30,
        )  # fmt: skip
        assert ran.returncode == 0 and ran.stdout == "", ran.stderr
    written = [m for m in mnemo.list() if session in (m.task_id, m.scope.thread_id)]
    assert {m.type for m in written} >= {"working", "episodic"}  # archived items and turns
    assert {m.scope.user_id for m in written} == {os_user}
    assert mnemo.working(session).items()  # the live task too
    receipt = mnemo.forget(user_id=os_user)
    assert set(receipt.memory_ids) >= {m.id for m in written}
    assert receipt.task_ids == [session]
    assert not [m for m in mnemo.list() if session in (m.task_id, m.scope.thread_id)]
    assert mnemo.working(session).items() == []
