"""Added cost of the meaning check of the newer-first lift, per retrieval (issue 38.4).

600 semantic facts about 20 people (30 each, a month apart: every pair of one person's facts passes
the name and time checks, the worst case for the vectors read), on Qdrant Edge with MiniLM; the same
queries through two Retrievers on one index, alternating: meaning check on (0.55) and off (0).
Pass 1 reads every compared vector from the engine (cold cache), pass 2 finds them cached.
Run from the repository root: `PYTHONPATH=. .venv/bin/python benchmarks/results/lift-cost-issue38/measure.py
benchmarks/results/lift-cost-issue38`."""
import os
import asyncio, json, random, statistics, sys, tempfile, time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from mnemo.backends.embedding.embedder import SentenceTransformerEmbedder
from mnemo.memtypes.records import MemoryIn, Scope
from mnemo.memtypes.requests import RetrieveRequest
from mnemo.memtypes.types import MemoryType
from mnemo.retrieval.pipeline import RetrievalConfig, Retriever
from tests.backends.constructed_store import constructed_store, TENANT

PEOPLE = ["Alice","Bob","Carol","Dave","Eve","Frank","Grace","Heidi","Ivan","Judy","Mallory","Niaj","Olivia","Peggy","Rupert","Sybil","Trent","Victor","Walter","Yolanda"]
ATTRS = ["is allergic to {x}", "lives in {x}", "works as a {x}", "has a pet {x}", "likes to drink {x}", "plays the {x}", "was born in {x}", "drives a {x}", "reads books about {x}", "collects {x}"]
VALUES = ["peanuts","Denver","pilot","cat","green tea","violin","Lisbon","Volvo","history","stamps","shellfish","Boston","nurse","dog","coffee","piano","Osaka","Toyota","gardening","coins"]
QUESTIONS = ["What is {n} allergic to?","Where does {n} live?","What is {n}'s job?","What pet does {n} have?","What does {n} like to drink?","Which instrument does {n} play?"]
NOW = datetime(2026, 8, 1, tzinfo=UTC)

async def main(out: Path) -> None:
    rng = random.Random(7)
    memories = []
    for n in PEOPLE:
        for k in range(30):
            text = f"{n} {ATTRS[k % len(ATTRS)].format(x=rng.choice(VALUES))}."
            memories.append(MemoryIn(type=MemoryType.SEMANTIC, content=text, scope=Scope(user_id="u"), occurred_at=NOW - timedelta(days=30 * k + 1)))
    embedder = SentenceTransformerEmbedder()
    async with constructed_store(Path(tempfile.mkdtemp()) / "edge", embedder, memories) as store:
        on = Retriever(store.index, embedder, store.tokenizers, RetrievalConfig(), sparse=store.sparse)
        off = Retriever(store.index, embedder, store.tokenizers, RetrievalConfig(newer_first_min_cosine=0.0), sparse=store.sparse)
        queries = [q.format(n=n) for n in PEOPLE for q in QUESTIONS]
        times = {f"{c} pass {p}": [] for p in (1, 2) for c in ("on", "off")}; totals = {k: [] for k in times}
        for rep in range(2):
            for i, q in enumerate(queries):
                for name, r in (("on", on), ("off", off)) if (i + rep) % 2 == 0 else (("off", off), ("on", on)):
                    name = f"{name} pass {rep + 1}"
                    req = RetrieveRequest(query=q, scope=Scope(user_id="u"), types=[MemoryType.SEMANTIC], budget_tokens=2000, now=NOW)
                    t = time.perf_counter(); resp = await r.retrieve(TENANT, req); totals[name].append((time.perf_counter() - t) * 1000)
                    times[name].append(resp.metadata.timings_ms["search_ms"])
        res = {}
        for name in times:
            s = sorted(times[name]); t = sorted(totals[name])
            res[name] = {"n": len(s), "search_ms_p50": statistics.median(s), "search_ms_p95": s[int(0.95 * len(s))], "total_ms_p50": statistics.median(t), "total_ms_p95": t[int(0.95 * len(t))], "search_ms_mean": statistics.fmean(s)}
        res["load_average"] = os.getloadavg()
        print(json.dumps(res, indent=1))
        (out / "results.json").write_text(json.dumps(res, indent=1))
    embedder.close()

asyncio.run(main(Path(sys.argv[1])))
