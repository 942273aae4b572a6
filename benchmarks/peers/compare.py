"""Other memory systems timed beside mnemo, in the same `mnemo bench latency` run.

`mnemo bench latency --peers mem0`: after mnemo's own measurements at each size (its server stopped
by then), each peer is loaded with the same memories, the same texts with the same vectors
(`scale_chunks`, from the same pool of real embeddings, re-embedded here by the same embedder), and
asked the same questions, one at a time. A peer runs in a venv of its own (its dependencies never
meet mnemo's), as a child process running its `runner.py`, which imports nothing of mnemo: this
module writes the runner's input folder and reads its result back into `results.json`
(`sizes.<n>.peers.<name>`); `write_peer_outputs` adds the comparison to `summary.md` and `peers.png`.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..latency.scale_data import SCALE_USER, TextPool, pool_texts, scale_chunks

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]  # the repository root (benchmarks/peers/ -> benchmarks/ -> root)
PEERS = ("mem0",)
RUN_TIMEOUT_S = 3_600.0  # a peer's load and searches at one size; bounded by requests and seconds


def parse_peers(text: str) -> tuple[str, ...]:
    """`--peers mem0` (comma-separated names among PEERS)."""
    names = tuple(dict.fromkeys(n.strip() for n in text.split(",") if n.strip()))
    unknown = [n for n in names if n not in PEERS]
    if not names or unknown:
        raise argparse.ArgumentTypeError(f"expected peers among {', '.join(PEERS)}; got {text!r}")
    return names


def peer_python(name: str, root: Path = ROOT) -> Path:
    """The interpreter of the peer's venv, as `benchmarks/peers/<name>/install.sh` builds it."""
    return root / f".venv-{name}" / "bin" / "python"


def missing_venvs(names: tuple[str, ...], root: Path = ROOT) -> list[str]:
    """How to install each peer whose venv is not there (checked before a long run starts)."""
    return [
        f"{name}: no {peer_python(name, root)}; run benchmarks/peers/{name}/install.sh"
        for name in names
        if not peer_python(name, root).exists()
    ]


def peer_corpus(n: int, pool: TextPool, seed: int) -> tuple[list[str], np.ndarray]:
    """The `n` memories of the latency run: each one's text and its vector, in load order."""
    texts: list[str] = []
    chunks = []
    for _type, _count, _start, own, vectors in scale_chunks(n, pool, seed):
        texts += [pool.texts[i] for i in own]
        chunks.append(vectors)
    return texts, np.concatenate(chunks)


@dataclass(frozen=True)
class PeerBounds:
    requests: int  # timed searches, as many as mnemo's requests per concurrency level
    max_seconds: float
    warmup: int
    top_k: int = 20  # mem0's default
    qdrant_on_disk: bool = False


def run_peer(
    name: str, texts: list[str], vectors: np.ndarray, questions: list[str], bounds: PeerBounds, work: Path
) -> dict[str, Any]:
    """The peer's runner on one corpus, in its venv; its result, checked for network use and LLM calls."""
    folder = Path(tempfile.mkdtemp(prefix=f"mnemo-peer-{name}-", dir=work))
    try:
        corpus = {"texts": texts, "questions": questions, "user_id": SCALE_USER, **bounds.__dict__}
        (folder / "corpus.json").write_text(json.dumps(corpus), encoding="utf-8")
        np.save(folder / "vectors.npy", vectors.astype(np.float32))
        out, log = folder / "result.json", folder / "runner.log"
        started = time.perf_counter()
        with log.open("w") as stderr:
            done = subprocess.run(  # noqa: S603 - our own runner, in the venv install.sh built
                [str(peer_python(name)), str(HERE / name / "runner.py"), str(folder), str(out)],
                stdout=stderr,
                stderr=stderr,
                timeout=RUN_TIMEOUT_S,
                check=False,
            )
        if done.returncode != 0:
            tail = log.read_text(errors="replace")[-2_000:]
            raise RuntimeError(f"peer {name} failed (exit {done.returncode}):\n{tail}")
        result: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    result["runner_wall_s"] = round(time.perf_counter() - started, 1)
    if result["network_attempts"] or result["llm_calls"]:
        raise RuntimeError(f"peer {name} tried the network or an LLM; its timings do not count: {result}")
    return result


class PeerRunner:
    """Runs every peer on each size of a latency run that has no peer results yet (its `after_size`)."""

    def __init__(
        self, names: tuple[str, ...], pool_size: int, seed: int, bounds: PeerBounds, work: Path | None
    ) -> None:
        if problems := missing_venvs(names):
            raise SystemExit("peers not installed:\n" + "\n".join(problems))
        self.names, self.pool_size, self.seed, self.bounds = names, pool_size, seed, bounds
        self.work = work or Path(tempfile.gettempdir())
        self.pool: TextPool | None = None

    async def prepare(self) -> None:
        """run_latency's pool: the same texts, embedded by the same embedder (deterministic)."""
        from mnemo.lab import configured_embedder

        texts, questions = pool_texts(self.pool_size, self.seed)
        embedder = configured_embedder()
        vectors = np.asarray(await embedder.embed(texts), dtype=np.float32)
        embedder.close()
        self.pool = TextPool(texts, vectors, questions)

    def compare(self, results: dict[str, Any], say: Callable[[str], None]) -> None:
        if self.pool is None:
            raise RuntimeError("PeerRunner.prepare() first")
        self.work.mkdir(parents=True, exist_ok=True)
        for size, run in results["sizes"].items():
            if "peers" in run:
                continue
            texts, vectors = peer_corpus(int(size), self.pool, self.seed)
            run["peers"] = {}
            for name in self.names:
                say(f"  {size}: {name}: loading {len(texts)} memories, then timing its search")
                peer = run_peer(name, texts, vectors, self.pool.questions, self.bounds, self.work)
                run["peers"][name] = peer
                say(f"  {size}: {name}: search p50 {peer['search_ms']['p50']:.1f} ms")


def comparison_rows(sizes: dict[str, Any]) -> list[list[str]]:
    """Per size: mnemo's one-client retrieval over HTTP, then each peer's search, p50/p95/p99 and
    the peer's multiple of mnemo at p50 and p95."""
    rows = []
    for size, run in sizes.items():
        peers = run.get("peers") or {}
        mnemo = (run.get("http") or {}).get("1")
        if not peers or mnemo is None:
            continue
        ms = mnemo["http_ms"]
        rows.append(
            [
                f"{int(size):,}",
                "mnemo: retrieval over HTTP, one client",
                *_ms(ms),
                "1.0 / 1.0",
                str(mnemo.get("load_avg_1m", "")),
            ]
        )
        if "embed_ms" in mnemo:
            rows.append(
                [
                    f"{int(size):,}",
                    "mnemo: its query embedding alone (embed stage)",
                    *_ms(mnemo["embed_ms"]),
                    "",
                    "",
                ]
            )
        for name, peer in peers.items():
            found = peer["search_ms"]
            ratio = f"{found['p50'] / ms['p50']:.1f} / {found['p95'] / ms['p95']:.1f}"
            label = f"{peer['version']}: Memory.search, in-process"
            rows.append([f"{int(size):,}", label, *_ms(found), ratio, str(peer["load_avg_1m"])])
            rows.append(
                [f"{int(size):,}", f"{name}: its query embedding alone", *_ms(peer["query_embed_ms"]), "", ""]
            )
    return rows


def _ms(p: dict[str, float]) -> list[str]:
    return [f"{p['p50']:.1f}", f"{p['p95']:.1f}", f"{p['p99']:.1f}"]


def peer_lines(results: dict[str, Any]) -> list[str]:
    from ..report import table

    sizes = results["sizes"]
    rows = comparison_rows(sizes)
    if not rows:
        return []
    details = [
        f"- {name} at {int(size):,}: {peer['memories']:,} memories loaded in {peer['load_s']} s "
        f"(Qdrant {peer['qdrant']}), {peer['requests']} searches of top_k {peer['top_k']} "
        f"({peer['mean_results']} results on average), peak RSS {peer['peak_rss_mib']:.0f} MiB, "
        f"LLM calls {peer['llm_calls']}, network attempts {len(peer['network_attempts'])}"
        for size, run in sizes.items()
        for name, peer in (run.get("peers") or {}).items()
    ]
    return [
        "",
        "## Peers: the same memories and questions (ms)",
        "",
        "mnemo: one client's retrievals over HTTP (query embedding, the four types' ranked searches, "
        f"packing into {results['options']['budget']} tokens). A peer: its own search call in-process "
        "(its query embedding included, no HTTP), over the same texts with the same vectors, one user "
        "scope holding them all, one question at a time; run after mnemo's server stopped. "
        "`× mnemo` is the peer's multiple of mnemo's time at p50 / p95; `load` is the 1-minute load "
        "average at the end of each measurement.",
        "",
        table(["memories", "system", "p50", "p95", "p99", "× mnemo", "load"], rows),
        "",
        *details,
        "",
        "![peers](peers.png)",
        "",
    ]


def write_peer_outputs(results: dict[str, Any], out: Path) -> None:
    """Appends the comparison to the summary `write_latency_outputs` just wrote, and plots it."""
    from ..report import bar_plot

    lines = peer_lines(results)
    if not lines:
        return
    with (out / "summary.md").open("a", encoding="utf-8") as summary:
        summary.write("\n".join(lines))
    compared = {s: r for s, r in results["sizes"].items() if r.get("peers") and "1" in r.get("http", {})}
    names = sorted({name for run in compared.values() for name in run["peers"]})
    series = {}
    for point in ("p50", "p95"):
        series[f"mnemo {point}"] = [run["http"]["1"]["http_ms"][point] for run in compared.values()]
        for name in names:
            series[f"{name} {point}"] = [
                run["peers"].get(name, {}).get("search_ms", {}).get(point, float("nan"))
                for run in compared.values()
            ]
    bar_plot(
        out / "peers.png",
        "search latency, one at a time (ms)",
        "ms",
        [f"{int(s):,} memories" for s in compared],
        series,
    )
