"""The peer benchmark's own parts (benchmarks/peers/), without installing a peer: argument parsing,
the corpus a peer is loaded with, the runner's arithmetic and network guard, and how a peer's result
joins the latency report. Running mem0 itself is `mnemo bench latency --peers mem0`
(benchmarks/peers/mem0/README.md)."""

from __future__ import annotations

import argparse
import importlib.util
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from mnemo.benchmarks.cli import _peers
from mnemo.benchmarks.latency.scale_data import TextPool, scale_points
from mnemo.benchmarks.metrics import percentiles
from mnemo.benchmarks.peers.compare import (
    comparison_rows,
    missing_venvs,
    peer_corpus,
    peer_lines,
    write_peer_outputs,
)

RUNNER = Path(__file__).resolve().parents[2] / "benchmarks" / "peers" / "mem0" / "runner.py"


def _runner() -> Any:
    """runner.py as a module: it runs in mem0's venv, but its pure parts need nothing of mem0."""
    spec = importlib.util.spec_from_file_location("mem0_peer_runner", RUNNER)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_peers_parse_known_names_and_reject_others() -> None:
    assert _peers("mem0") == ("mem0",)
    assert _peers(" mem0 , mem0") == ("mem0",)
    for bad in ("", "zep", "mem0,letta"):
        with pytest.raises(argparse.ArgumentTypeError):
            _peers(bad)


def test_a_missing_venv_says_how_to_install_it(tmp_path: Path) -> None:
    [problem] = missing_venvs(("mem0",), root=tmp_path)
    assert "benchmarks/peers/mem0/install.sh" in problem
    (tmp_path / ".venv-mem0" / "bin").mkdir(parents=True)
    (tmp_path / ".venv-mem0" / "bin" / "python").touch()
    assert missing_venvs(("mem0",), root=tmp_path) == []


async def test_a_peer_gets_the_very_texts_and_vectors_of_mnemos_store(
    five_texts: tuple[TextPool, Any],
) -> None:
    pool, writer = five_texts
    stored = [
        (p.payload["content"], p.vector)
        for _, points, _ in [x async for x in scale_points(40, pool, writer, 3)]
        for p in points
    ]

    texts, peer_vectors = peer_corpus(40, pool, 3)
    assert texts == [content for content, _ in stored]
    assert np.array_equal(peer_vectors, np.asarray([v for _, v in stored], dtype=np.float32))
    assert peer_vectors.dtype == np.float32 and peer_vectors.shape == (40, 384)


def test_the_runner_computes_percentiles_as_mnemo_does() -> None:
    runner = _runner()
    for values in ([5.0], [3.0, 1.0, 2.0], [float(v) for v in range(1, 301)], [0.5 * v for v in range(97)]):
        assert runner.percentiles(values) == percentiles(values)


def test_the_runner_refuses_and_records_every_network_call() -> None:
    """In a child process (the guard patches the socket module for good)."""
    code = (
        "import importlib.util, socket, sys\n"
        f"spec = importlib.util.spec_from_file_location('r', {str(RUNNER)!r})\n"
        "r = importlib.util.module_from_spec(spec); spec.loader.exec_module(r)\n"
        "r.refuse_network()\n"
        "for call in (lambda: socket.socket().connect(('127.0.0.1', 9)),\n"
        "             lambda: socket.getaddrinfo('example.org', 443)):\n"
        "    try:\n"
        "        call(); sys.exit('a connection went through')\n"
        "    except OSError:\n"
        "        pass\n"
        "a, b = socket.socketpair(socket.AF_UNIX)\n"  # local IPC stays possible
        "print(len(r.network_attempts), r.network_attempts[0].split()[0], r.network_attempts[1].split()[0])\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.split() == ["2", "connect", "getaddrinfo"]
    assert socket.socket.connect.__name__ == "connect"  # this process untouched


def _level(p50: float, p95: float) -> dict[str, Any]:
    embed = {"p50": 5.0, "p95": 6.0, "p99": 7.0}
    return {"http_ms": {"p50": p50, "p95": p95, "p99": p95 + 1}, "embed_ms": embed, "load_avg_1m": 1.5}


def _peer(p50: float, p95: float) -> dict[str, Any]:
    return {
        "version": "mem0ai 2.2.1",
        "memories": 10_000,
        "load_s": 4.2,
        "qdrant": "local, in memory",
        "requests": 300,
        "top_k": 20,
        "mean_results": 20.0,
        "peak_rss_mib": 900.0,
        "llm_calls": 0,
        "network_attempts": [],
        "load_avg_1m": 1.8,
        "search_ms": {"p50": p50, "p95": p95, "p99": p95 + 5},
        "query_embed_ms": {"p50": 6.0, "p95": 9.0, "p99": 12.0},
    }


def _results() -> dict[str, Any]:
    return {
        "options": {"budget": 2000},
        "sizes": {
            "10000": {
                "http": {"1": _level(20.0, 25.0), "4": _level(60.0, 70.0)},
                "peers": {"mem0": _peer(110.0, 350.0)},
            },
            "100000": {"http": {"1": _level(21.0, 26.0)}},  # not compared (a run stopped early)
        },
    }


def test_rows_set_each_peer_beside_mnemos_one_client_retrievals() -> None:
    rows = comparison_rows(_results()["sizes"])
    assert [row[:2] for row in rows] == [
        ["10,000", "mnemo: retrieval over HTTP, one client"],
        ["10,000", "mnemo: its query embedding alone (embed stage)"],
        ["10,000", "mem0ai 2.2.1: Memory.search, in-process"],
        ["10,000", "mem0: its query embedding alone"],
    ]
    assert rows[0][2:5] == ["20.0", "25.0", "26.0"]
    assert rows[2][2:6] == ["110.0", "350.0", "355.0", "5.5 / 14.0"]  # 110/20 and 350/25


def test_the_report_gains_a_peer_section_and_plot_only_when_peers_ran(tmp_path: Path) -> None:
    results = _results()
    (tmp_path / "summary.md").write_text("# mnemo bench latency\n", encoding="utf-8")
    write_peer_outputs(results, tmp_path)
    summary = (tmp_path / "summary.md").read_text(encoding="utf-8")
    assert summary.startswith("# mnemo bench latency\n")
    assert "## Peers: the same memories and questions (ms)" in summary
    assert (
        "| 10,000 | mem0ai 2.2.1: Memory.search, in-process | 110.0 | 350.0 | 355.0 | 5.5 / 14.0 | 1.8 |"
        in summary
    )
    assert "LLM calls 0, network attempts 0" in summary
    assert (tmp_path / "peers.png").stat().st_size > 0

    del results["sizes"]["10000"]["peers"]
    assert peer_lines(results) == []
    (tmp_path / "peers.png").unlink()
    write_peer_outputs(results, tmp_path)
    assert not (tmp_path / "peers.png").exists()
