"""`mnemo bench explorer`: the explorer page (`/ui`) in headless Chromium against a real server over a
data dir of N memories: first contentful paint, the first page of memories on screen, and a
playground retrieval (the browser's own fetch time and click-to-rendered time).

The data dir is built as `mnemo bench latency` builds its own (benchmarks/latency/scale_data.py: real
payloads through the write pipeline's `build_record`, vectors synthesized from a pool of real
embeddings, HNSW built once), then served by a child process (benchmarks/server.py). Chromium is
Debian's (`/usr/bin/chromium`), driven by Playwright; nothing is downloaded.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from mnemo.lab import configured_embedder

from ..report import machine
from ..server import serve
from .scale_data import TextPool, load_scale_store, pool_texts

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip
_FETCH_MS = re.compile(r"in (\d+) ms")


async def _measure(url: str, questions: list[str], runs: int) -> dict[str, Any]:
    from playwright.async_api import async_playwright

    fcp, first_page, fetch, rendered = [], [], [], []
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for run in range(runs + 1):  # the first run warms the server and the browser up
                # A fresh context per run: nothing cached. The page's CSP forbids eval, which
                # Playwright's `evaluate` of a string needs; bypassing it here changes no timing.
                context = await browser.new_context(bypass_csp=True, viewport={"width": 1366, "height": 800})
                page = await context.new_page()
                await page.goto(f"{url}/ui")
                await page.locator("#memory-table tbody tr").first.wait_for(timeout=60_000)
                shown_ms = await page.evaluate("performance.now()")
                paint = await page.evaluate(
                    "performance.getEntriesByName('first-contentful-paint').map(e => e.startTime)"
                )
                await page.get_by_role("tab", name="Retrieval playground").click()
                await page.get_by_label("Query").fill(questions[run % len(questions)])
                started = time.perf_counter()
                await page.get_by_role("button", name="Retrieve").click()
                await page.locator("#status", has_text="Retrieved").wait_for(timeout=60_000)
                click_ms = (time.perf_counter() - started) * 1000
                status = await page.inner_text("#status")
                await context.close()
                if run == 0:
                    continue
                fcp.append(paint[0])
                first_page.append(shown_ms)
                rendered.append(click_ms)
                if match := _FETCH_MS.search(status):
                    fetch.append(float(match.group(1)))
        finally:
            await browser.close()

    def summary(values: list[float]) -> dict[str, float]:
        return {"p50": round(statistics.median(values), 1), "max": round(max(values), 1)} if values else {}

    return {
        "runs": runs,
        "first_contentful_paint_ms": summary(fcp),
        "first_page_shown_ms": summary(first_page),
        "playground_fetch_ms": summary(fetch),
        "playground_click_to_rendered_ms": summary(rendered),
        "load_avg_1m": round(os.getloadavg()[0], 2),
    }


async def run_explorer(
    sizes: tuple[int, ...], runs: int, pool_size: int, seed: int, say: Callable[[str], None]
) -> dict[str, Any]:
    texts, questions = pool_texts(pool_size, seed)
    embedder = configured_embedder()
    pool = TextPool(texts, np.asarray(await embedder.embed(texts), dtype=np.float32), questions)
    embedder.close()
    results: dict[str, Any] = {"machine": machine(), "runs": runs, "sizes": {}}
    scratch = Path(tempfile.mkdtemp(prefix="mnemo-explorer-"))
    try:
        for n in sizes:
            say(f"size {n}: building the data dir")
            built = await load_scale_store(scratch / f"n{n}", n, pool, seed)
            say(f"size {n}: loaded in {built['load_s']} s, HNSW in {built['optimize_s']} s; measuring")
            async with serve(scratch / f"n{n}", scratch / f"server-{n}.log") as server:
                results["sizes"][str(n)] = {
                    "memories": n,
                    **built,
                    **await _measure(server.url, questions, runs),
                }
            shutil.rmtree(scratch / f"n{n}", ignore_errors=True)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return results


def write_explorer_outputs(results: dict[str, Any], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    lines = [
        "| memories | FCP p50 (ms) | first page shown p50 (ms) | playground fetch p50 (ms) "
        "| click → rendered p50 (ms) | load avg |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for n, r in results["sizes"].items():
        keys = ("first_contentful_paint_ms", "first_page_shown_ms", "playground_fetch_ms")
        p50s = [str(r[k].get("p50")) for k in (*keys, "playground_click_to_rendered_ms")]
        lines.append(f"| {int(n):,} | {' | '.join(p50s)} | {r['load_avg_1m']} |")
    (out / "summary.md").write_text("\n".join(lines) + "\n")
