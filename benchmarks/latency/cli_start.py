"""How long the command line takes to answer without doing anything: `mnemo --version`, `mnemo --help`
and every `mnemo … --help` (the subcommands found in each help, as a user finds them),
`mnemo-hook --help`, `mnemo-mcp --help`, each a fresh process, start to exit (interpreter start-up
included: that is what a user waits for). Also timed, as the floor: the bare interpreter
(`python -c pass`), in the same minutes. The machine's load is recorded beside.

    python -m mnemo.benchmarks.latency.cli_start --runs 10 --out benchmarks/out/cli-start
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path


def command_lines() -> list[list[str]]:
    """Every command line that only answers: `mnemo --version`, each `mnemo … --help` (found as a user
    would, in the `{a,b,…}` of each help's usage), the light client's `--help`s."""
    scripts = Path(sys.executable).parent
    lines, todo = [["mnemo", "--version"]], [["mnemo"]]
    while todo:
        path = todo.pop(0)
        lines.append([*path, "--help"])
        helped = subprocess.run(  # noqa: S603 - our own script
            [str(scripts / "mnemo"), *path[1:], "--help"], capture_output=True, text=True, check=True
        ).stdout
        usage = helped.split("\n\n", 1)[0]  # a command's subcommands: `{a,b,…} ...` (the rest of the line)
        for choices in re.findall(r"\{([\w,-]+)\}\s+\.\.\.", usage):
            todo += [[*path, name] for name in choices.split(",")]
    return [*lines, ["mnemo-hook", "--help"], ["mnemo-hook", "install", "--help"], ["mnemo-mcp", "--help"]]


def _seconds(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)  # noqa: S603 - our own scripts
    return time.perf_counter() - start


def measure(runs: int) -> dict[str, dict[str, float]]:
    """Each command line → its median and slowest seconds over `runs` fresh processes."""
    scripts = Path(sys.executable).parent
    timed = {}
    for line in [["python", "-c", "pass"], *command_lines()]:
        argv = [sys.executable, *line[1:]] if line[0] == "python" else [str(scripts / line[0]), *line[1:]]
        seconds = [_seconds(argv) for _ in range(runs)]
        timed[" ".join(line)] = {"median_s": statistics.median(seconds), "max_s": max(seconds)}
    return timed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10, help="fresh processes per command line")
    parser.add_argument("--out", type=Path, help="directory to write results.json to")
    args = parser.parse_args(argv)
    load_before = os.getloadavg()
    timed = measure(args.runs)
    for line, times in timed.items():
        print(f"{times['median_s'] * 1000:7.0f} ms median {times['max_s'] * 1000:7.0f} ms max  {line}")
    slowest = max((line for line in timed if line.startswith("mnemo")), key=lambda k: timed[k]["median_s"])
    load = {"before": load_before, "after": os.getloadavg()}
    print(f"slowest: {slowest}; load average (1, 5, 15 min) {load}, {os.cpu_count()} cores")
    result = {"runs": args.runs, "cpus": os.cpu_count(), "load_average": load, "slowest": slowest}
    result["commands"] = timed
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "results.json").write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
