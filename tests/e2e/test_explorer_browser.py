"""The explorer at `/ui` in a real headless Chromium (Debian's `chromium`, driven by Playwright; never
`playwright install`): it loads from the service alone with no console errors, the playground shows
a memory with its tokens and score bars, and a delete from the page removes the memory."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from mnemo.benchmarks.latency.explorer import CHROMIUM as CHROMIUM_PATH
from mnemo.benchmarks.latency.explorer import CHROMIUM_ARGS
from tests.e2e.live_server import LiveApp, live_app  # noqa: F401 (a fixture)
from tests.e2e.test_export_import import MEMORIES

CHROMIUM = Path(CHROMIUM_PATH)
# Set to a folder to (re)write the README's screenshots: MNEMO_UI_SCREENSHOTS=docs pytest -k explorer
SCREENSHOTS = os.environ.get("MNEMO_UI_SCREENSHOTS")
TEA = MEMORIES[0]["content"]  # importance given by the caller: tier "caller"

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium (.ci/run installs it)")


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        await chromium.close()


class Watched:
    """Every request the page makes and every console error or uncaught exception it has."""

    def __init__(self, page: Any) -> None:
        self.requests: list[str] = []
        self.errors: list[str] = []
        page.on("request", lambda r: self.requests.append(r.url))
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))

    def foreign(self, base: str) -> list[str]:
        origin = urlsplit(base)[:2]
        return [u for u in self.requests if not u.startswith("data:") and urlsplit(u)[:2] != origin]


async def shot(page: Any, name: str) -> None:
    if SCREENSHOTS:
        await page.screenshot(path=str(Path(SCREENSHOTS) / f"explorer-{name}.png"), full_page=True)


async def test_explorer_page_playground_and_delete(live_app: LiveApp, browser: Any) -> None:  # noqa: F811
    async with live_app() as (url, _), httpx.AsyncClient(base_url=url, timeout=60) as api:
        written = await api.post("/v1/memories", json={"memories": MEMORIES})
        assert written.status_code == 201, written.text
        tea_id = written.json()["results"][0]["id"]

        page = await browser.new_page(viewport={"width": 1366, "height": 800})  # a laptop screen
        watched = Watched(page)
        await page.goto(f"{url}/ui")
        await page.wait_for_selector("#memory-table tbody tr")
        assert await page.locator("#memory-table tbody tr").count() == len(MEMORIES)
        await page.get_by_role("button", name=TEA).click()
        await page.wait_for_selector("#detail-history li")
        assert "created" in await page.inner_text("#detail-history")
        assert "tier: caller" in await page.inner_text("#detail-fields")
        await shot(page, "memories")

        # -- the playground: the memory, its tokens and its explained score as stacked bars --------
        await page.get_by_role("tab", name="Retrieval playground").click()
        await page.get_by_label("Query").fill("What should I offer Alice to drink?")
        await page.get_by_role("button", name="Retrieve").click()
        first = page.locator("#play-hits li").first
        await first.wait_for()
        assert TEA in await first.inner_text()
        hits = (await api.post("/v1/retrieve", json={"query": "What should I offer Alice to drink?"})).json()
        assert f"{hits['memories'][0]['tokens']} tokens" in await first.inner_text()
        segments = first.locator(".score-bar .term")
        assert await segments.count() >= 2  # relevance and at least one more term (importance, recency)
        assert await first.locator(".term-relevance").count() == 1
        label = await first.locator(".score-bar").get_attribute("aria-label")
        assert label is not None and "relevance" in label
        assert TEA in await page.inner_text("#play-context")
        assert await page.locator("#play-budget-bars li").count() >= 1
        await shot(page, "playground")

        # -- working memory and a thread's history ------------------------------------------------
        item = {"content": "Alice wants a window seat on the Lisbon flight.", "priority": 8,
                "scope": {"user_id": "alice"}}  # fmt: skip
        assert (await api.post("/v1/working/trip-1/items", json=item)).status_code == 201
        thread = (await api.post("/v1/threads", json={"scope": {"user_id": "alice"}})).json()["id"]
        turns = [("user", "Book me a flight to Lisbon in April."), ("assistant", "Done: TP 1234.")]
        for role, content in turns:
            turn = await api.post(f"/v1/threads/{thread}/turns", json={"role": role, "content": content})
            assert turn.status_code == 201
        await page.get_by_role("tab", name="Working memory & threads").click()
        await page.get_by_label("user_id").fill("alice")
        await page.get_by_role("button", name="List the scope's tasks and threads").click()
        await page.get_by_role("button", name=thread).wait_for()  # the scope's thread, listed
        await page.locator("#scope-tasks").get_by_role("button", name="trip-1").click()  # and its task
        await page.locator("#task-table tbody tr").first.wait_for()
        assert "window seat" in await page.inner_text("#task-table")
        await page.get_by_label("Thread id").fill(thread)
        await page.get_by_role("button", name="Show thread history").click()
        await page.locator("#thread-context", has_text="TP 1234").wait_for()
        await shot(page, "live")

        # -- a delete from the page removes the memory ---------------------------------------------
        await page.get_by_role("tab", name="Memories").click()
        await page.get_by_role("button", name=TEA).click()
        await page.wait_for_selector("#detail:not([hidden])")
        page.once("dialog", lambda dialog: dialog.accept())
        await page.get_by_role("button", name="Delete").click()
        await page.locator("#status", has_text="Deleted memory").wait_for()  # (the CSP forbids eval)
        assert (await api.get(f"/v1/memories/{tea_id}")).status_code == 404
        assert await page.locator("#memory-table tbody tr").count() == len(MEMORIES) - 1

        assert watched.foreign(url) == []
        assert watched.errors == []
        await page.close()


async def test_keyboard_reaches_every_view(live_app: LiveApp, browser: Any) -> None:  # noqa: F811
    async with live_app() as (url, _):
        page = await browser.new_page()
        await page.goto(f"{url}/ui")
        await page.get_by_role("tab", name="Memories").focus()
        await page.keyboard.press("ArrowRight")
        assert await page.get_by_role("tabpanel", name="Retrieval playground").is_visible()
        await page.keyboard.press("ArrowRight")
        assert await page.get_by_role("tabpanel", name="Working memory & threads").is_visible()
        focused = await page.evaluate("document.activeElement.textContent")
        assert focused == "Working memory & threads"
        for name in ("API key", "user_id", "Query", "Task id", "Thread id"):
            assert await page.get_by_label(name, exact=True).count() == 1  # every input is labelled
        await page.close()
