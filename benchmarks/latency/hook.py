"""The prompt hook's whole-process latency: `mnemo-hook user-prompt-submit` (the light client's command, as
`mnemo-hook install` writes it into the agent's settings), start to exit.

It runs on every prompt of a coding agent, interpreter start-up included, so that is what is timed:
a fresh process per run against a warm server (started here on a scratch data dir, or `--url` for a
running one), with stored facts and a session's working memory to retrieve. Also timed, as the floor:
the bare interpreter (`python -c pass`) on the same machine in the same minutes.

    python -m mnemo.benchmarks.latency.hook --runs 100 --out benchmarks/out/hook
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from mnemo_client import Mnemo, MnemoConnectionError

PROMPTS = [
    "How do I connect to the staging database?",
    "Why did the nightly export fail again?",
    "Add a retry limit to the job worker",
    "Which port does the cache listen on?",
]


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _time_runs(command: list[str], stdin: list[str], env: dict[str, str]) -> list[float]:
    out = []
    for text in stdin:
        started = time.perf_counter()
        done = subprocess.run(command, input=text, env=env, capture_output=True, text=True, check=False)  # noqa: S603
        out.append((time.perf_counter() - started) * 1000)
        if done.returncode != 0:
            raise RuntimeError(f"{command} failed: {done.stderr}")
    return out


def _time_requests(url: str, user: str, session: str, runs: int) -> list[float]:
    out = []
    with Mnemo(url, timeout=30) as client:
        for i in range(runs):
            body = {"query": PROMPTS[i % len(PROMPTS)], "scope": {"user_id": user}, "budget_tokens": 1000}
            started = time.perf_counter()
            client.request("POST", "/v1/retrieve", json={**body, "task_id": session}).raise_for_status()
            out.append((time.perf_counter() - started) * 1000)
    return out


def _start_server(data_dir: Path) -> tuple[subprocess.Popen[bytes], str]:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = dict(os.environ, MNEMO_DATA_DIR=str(data_dir), MNEMO_PORT=str(port), HF_HUB_OFFLINE="1")
    env.pop("MNEMO_API_KEYS", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "mnemo.cli.main", "serve"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    with Mnemo(url, timeout=1) as client:
        while time.monotonic() < deadline:
            try:
                if client.request("GET", "/ready").status == 200:
                    return proc, url
            except MnemoConnectionError:
                time.sleep(0.3)
    proc.terminate()
    raise RuntimeError("mnemo serve did not become ready")


def _seed(url: str, user: str, session: str, facts: int) -> None:
    memories = [
        {
            "type": "semantic",
            "content": f"Service {i} of the platform listens on port {5000 + i}, owned by team {i % 7}.",
            "scope": {"user_id": user},
        }
        for i in range(facts)
    ]
    with Mnemo(url, timeout=300) as mnemo:
        mnemo.write(memories, dedup=False)
        todos = ["Add the retry column", "Backfill retries", "Run the migration tests"]
        for i, todo in enumerate(todos):
            mnemo.working(session).append(f"[pending] {todo}", priority=5 + i)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--facts", type=int, default=500, help="semantic memories stored for the user")
    parser.add_argument("--url", help="a running (keyless) mnemo; default: start one on a scratch dir")
    parser.add_argument("--out", type=Path, help="write results.json here")
    args = parser.parse_args(argv)
    prompt_hook = [str(Path(sys.executable).parent / "mnemo-hook"), "user-prompt-submit"]
    user, session = "bench-user", str(uuid.uuid4())
    with tempfile.TemporaryDirectory() as scratch:
        proc, url = (None, args.url) if args.url else _start_server(Path(scratch) / "data")
        try:
            _seed(url, user, session, args.facts)
            env = dict(os.environ, MNEMO_URL=url, MNEMO_HOOK_USER_ID=user, MNEMO_HOOK_BUDGET_TOKENS="1000")
            events = [
                json.dumps({"session_id": session, "hook_event_name": "UserPromptSubmit", "prompt": p})
                for p in PROMPTS
            ]
            stdin = [events[i % len(events)] for i in range(args.runs)]
            _time_runs(prompt_hook, stdin[: args.warmup], env)  # warm the server
            load_before = os.getloadavg()
            hook = _time_runs(prompt_hook, stdin, env)
            # The parts: the process alone (mnemo down: refused at once) and the request alone.
            down = dict(env, MNEMO_URL="http://127.0.0.1:9")
            process = _time_runs(prompt_hook, stdin, down)
            request = _time_requests(url, user, session, args.runs)
            bare = _time_runs([sys.executable, "-c", "pass"], [""] * args.runs, env)
            load_after = os.getloadavg()
        finally:
            if proc is not None:
                proc.terminate()
                proc.wait(timeout=60)
    result = {
        "runs": args.runs,
        "facts": args.facts,
        "hook_ms": {
            "p50": _percentile(hook, 0.5),
            "p95": _percentile(hook, 0.95),
            "mean": statistics.fmean(hook),
            "max": max(hook),
        },
        "hook_process_only_ms": {"p50": _percentile(process, 0.5), "p95": _percentile(process, 0.95)},
        "retrieve_request_ms": {"p50": _percentile(request, 0.5), "p95": _percentile(request, 0.95)},
        "bare_python_ms": {"p50": _percentile(bare, 0.5), "p95": _percentile(bare, 0.95)},
        "loadavg_1m": {"before": load_before[0], "after": load_after[0]},
        "cpus": os.cpu_count(),
    }
    print(json.dumps(result, indent=2))
    parts = ("hook_ms", "hook_process_only_ms", "retrieve_request_ms", "bare_python_ms")
    cells = " | ".join(f"{result[k]['p50']:.0f} / {result[k]['p95']:.0f}" for k in parts)
    print(f"| {args.runs} | {cells} | {load_before[0]:.1f}→{load_after[0]:.1f} |")
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "results.json").write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
