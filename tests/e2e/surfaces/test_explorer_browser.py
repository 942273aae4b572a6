"""The explorer at `/ui` in a real headless Chromium (Debian's `chromium`, driven by Playwright; never
`playwright install`): it loads from the service alone with no console errors, the playground shows
a memory with its tokens and score bars, and a delete from the page removes the memory."""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from mnemo.benchmarks.latency.explorer import CHROMIUM as CHROMIUM_PATH
from mnemo.benchmarks.latency.explorer import CHROMIUM_ARGS
from tests.e2e.live_server import LiveApp, live_app  # noqa: F401 (a fixture)
from tests.e2e.transfer.test_export_import import MEMORIES

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


async def explorer_page(browser: Any, url: str) -> tuple[Any, Watched]:
    """A new page on a laptop's screen, watched from its first request, at the service's explorer."""
    page = await browser.new_page(viewport={"width": 1366, "height": 800})
    watched = Watched(page)
    await page.goto(f"{url}/ui")
    return page, watched


async def shot(page: Any, name: str) -> None:
    if SCREENSHOTS:
        await page.screenshot(path=str(Path(SCREENSHOTS) / f"explorer-{name}.png"), full_page=True)


async def lists_the_memories_newest_first(page: Any, api: httpx.AsyncClient) -> None:
    """Each memory's scope, tags, due date and time; the page newest first (and it says so)."""
    await page.wait_for_selector("#memory-table tbody tr")
    assert await page.locator("#memory-table tbody tr").count() == len(MEMORIES)
    headers = await page.locator("#memory-table thead th").all_inner_texts()
    assert headers[:6] == ["Type", "Content", "Scope", "Tags", "Due", "Occurred"]
    listed = (await api.get("/v1/memories")).json()["memories"]
    newest = sorted(listed, key=lambda m: m["occurred_at"] or m["created_at"], reverse=True)
    contents = await page.locator("#memory-table tbody td.content").all_inner_texts()
    assert contents == [m["content"] for m in newest]
    assert "newest first" in await page.inner_text("#memory-caption")
    table = await page.locator("#memory-table").bounding_box()
    assert table is not None and table["width"] > 0.9 * 1366  # the window's width, no empty column
    passport = page.locator("#memory-table tbody tr", has_text="renew her passport")
    cells = await passport.locator("td").all_inner_texts()
    assert cells[2] == "user_id=alice" and "2025" in cells[4] and ":" in cells[4]  # the due date and time
    await page.get_by_role("button", name=TEA).click()
    await page.wait_for_selector("#detail-history li")
    assert await page.locator("#detail-chain-title").is_hidden()  # never superseded: no chain of one
    assert "created" in await page.inner_text("#detail-history")
    assert "tier: caller" in await page.inner_text("#detail-fields")
    await shot(page, "memories")


async def explains_a_retrieval(page: Any, api: httpx.AsyncClient) -> None:
    """The playground: the memory, its tokens and its explained score as stacked bars."""
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


async def shows_working_memory_and_a_thread(page: Any, api: httpx.AsyncClient) -> None:
    """A task's working memory and a thread's history, found from the scope's listing."""
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


async def deletes_from_the_page(page: Any, api: httpx.AsyncClient, memory_id: str) -> None:
    """A delete from the page removes the memory; the status line speaks of the view in front."""
    await page.get_by_role("tab", name="Memories").click()
    await page.get_by_role("button", name=TEA).click()
    await page.wait_for_selector("#detail:not([hidden])")
    page.once("dialog", lambda dialog: dialog.accept())
    await page.get_by_role("button", name="Delete").click()
    await page.locator("#status", has_text="Deleted memory").wait_for()  # (the CSP forbids eval)
    assert (await api.get(f"/v1/memories/{memory_id}")).status_code == 404
    # The status line speaks of the view in front: not the Memories view's news on another view.
    await page.get_by_role("tab", name="Forget a subject").click()
    assert await page.inner_text("#status") == ""
    await page.get_by_role("tab", name="Memories").click()
    assert "Deleted memory" in await page.inner_text("#status")
    assert await page.locator("#memory-table tbody tr").count() == len(MEMORIES) - 1


async def test_explorer_page_playground_and_delete(live_app: LiveApp, browser: Any) -> None:  # noqa: F811
    async with live_app() as (url, _), httpx.AsyncClient(base_url=url, timeout=60) as api:
        written = await api.post("/v1/memories", json={"memories": MEMORIES})
        assert written.status_code == 201, written.text
        tea_id = written.json()["results"][0]["id"]

        page, watched = await explorer_page(browser, url)
        await lists_the_memories_newest_first(page, api)
        await explains_a_retrieval(page, api)
        await shows_working_memory_and_a_thread(page, api)
        await deletes_from_the_page(page, api, tea_id)

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


NOW_LOCAL = "2025-03-02T12:00:00"  # the playground's `now`, in the browser's time zone
TEA_AGAIN = "Alice prefers green tea over coffee, especially in the early morning."  # TEA, nearly
DRINK = "What should I offer Alice to drink?"
PEANUTS = MEMORIES[1]["content"]


async def shows_what_a_retrieval_left_out(page: Any, api: httpx.AsyncClient) -> None:
    """What a retrieval left out, and why, with scores; then what each floor cuts."""
    await page.get_by_role("tab", name="Retrieval playground").click()
    await page.get_by_label("Query").fill(DRINK)
    await page.get_by_label("Budget (tokens)").first.fill("40")
    await page.get_by_label("now", exact=True).fill(NOW_LOCAL)  # the same instant as the request below
    await page.get_by_label("Confidence floor").fill("0")  # the budget alone decides, at first
    await page.get_by_role("button", name="Retrieve").click()
    rows = page.locator("#play-left-out tbody tr")
    await rows.first.wait_for()
    now = await page.evaluate("() => new Date(document.getElementById('play-now').value).toISOString()")
    request = {"query": DRINK, "budget_tokens": 40, "explain": True, "now": now, "min_confidence": 0}
    expected = (await api.post("/v1/retrieve", json=request)).json()["left_out"]
    assert {r["reason"] for r in expected} >= {"duplicate", "over_budget"}
    assert await rows.count() == len(expected)
    shown = {}
    for i in range(len(expected)):
        cells = await rows.nth(i).locator("td").all_inner_texts()
        shown[cells[4]] = (cells[0], float(cells[2]), int(cells[3]))
    for memory in expected:
        reason, score, tokens = shown[memory["content"]]
        assert reason == {"duplicate": "merged as a duplicate", "over_budget": "over budget",
                          "type_share": "type share used up"}[memory["reason"]]  # fmt: skip
        assert abs(score - memory["score"]) < 0.002 and tokens == memory["tokens"]
    copy_row = page.locator("#play-left-out tbody tr.left-duplicate")
    assert f'"{TEA}"' in await copy_row.inner_text()  # the better hit it was merged into, named
    caption = await page.inner_text("#play-left-out-caption")
    assert "merged as a duplicate" in caption and "over budget" in caption
    await shot(page, "left-out")

    await page.get_by_label("Score floor").fill("100")  # above every score: nothing clears it
    await page.get_by_role("button", name="Retrieve").click()
    await page.locator("#play-left-out-caption", has_text="below the floor").wait_for()
    assert await page.locator("#play-hits li").count() == 0
    # Every memory is below the floor; the copy of the tea stays what it was: merged into it.
    assert await page.locator("#play-left-out tbody tr.left-below_floor").count() == len(MEMORIES)
    assert await rows.count() == len(MEMORIES) + 1
    # The confidence floor (quality's `min_confidence`) cuts the same way, its words say which floor.
    await page.get_by_label("Score floor").fill("")
    await page.get_by_label("Confidence floor").fill("1")
    await page.get_by_role("button", name="Retrieve").click()
    await page.locator("#play-left-out td.why", has_text="confidence").first.wait_for()
    assert "best confidence" in await page.inner_text("#play-summary")
    await page.get_by_label("Confidence floor").fill("")


async def searches_and_opens_a_hit(page: Any) -> None:
    """The search box: the best hit first, opened, and back to the list."""
    await page.get_by_role("tab", name="Memories").click()
    await page.get_by_label("Search", exact=True).fill("Who is allergic to peanuts?")
    await page.get_by_role("button", name="Search", exact=True).click()
    await page.locator("#memory-caption", has_text="Search").wait_for()
    first = page.locator("#memory-table tbody tr").first
    assert PEANUTS in await first.inner_text()
    await page.get_by_role("button", name=PEANUTS).click()
    await page.locator("#detail-fields", has_text="user_id=bob").wait_for()
    await page.get_by_role("button", name="Back to the list").click()
    await page.locator("#memory-caption", has_text="page 1").wait_for()
    assert await page.locator("#memory-table tbody tr").count() == len(MEMORIES) + 1


async def forgets_a_subject_with_its_receipt(page: Any, api: httpx.AsyncClient) -> None:
    """A preview lists what would go and removes nothing; the forget shows its receipt."""
    await page.get_by_label("user_id").fill("bob")
    await page.get_by_role("button", name="Apply").click()
    await page.get_by_role("tab", name="Forget a subject").click()
    assert "user_id=bob" in await page.inner_text("#forget-subject")
    await page.get_by_role("button", name="Preview what would be forgotten").click()
    await page.locator("#forget-receipt-title", has_text="Preview").wait_for()
    bobs = {m["id"] for m in (await api.get("/v1/memories", params={"user_id": "bob"})).json()["memories"]}
    # Bob's two memories, listed by the preview with what they say, and still there: it removed nothing.
    listed = await page.inner_text("#forget-memory-ids")
    assert len(bobs) == 2 and all(memory_id in listed for memory_id in bobs)
    assert PEANUTS in listed and "semantic; user_id=bob" in listed and "episodic; user_id=bob" in listed
    preview = await page.inner_text("#forget-receipt")
    assert "would remove" in preview and "2 in all" in preview and "Memories it would remove" in preview
    page.once("dialog", lambda dialog: dialog.accept())
    await page.get_by_role("button", name="Forget this subject").click()
    await page.locator("#forget-receipt-title", has_text="Receipt: forgotten").wait_for()
    await page.locator("#status", has_text="Forgot 2 things of user_id=bob").wait_for()
    receipt = await page.inner_text("#forget-receipt")
    assert "removed" in receipt and "2 in all" in receipt
    digest = receipt.split("digest (sha256)")[1].split()[0]
    assert len(digest) == 64 and int(digest, 16) >= 0
    assert (await api.get("/v1/memories", params={"user_id": "bob"})).json()["memories"] == []
    await shot(page, "forget")


async def test_left_out_search_and_forget_from_the_page(live_app: LiveApp, browser: Any) -> None:  # noqa: F811
    async with live_app() as (url, _), httpx.AsyncClient(base_url=url, timeout=60) as api:
        copy = {**MEMORIES[0], "content": TEA_AGAIN}
        written = await api.post("/v1/memories", json={"memories": [*MEMORIES, copy], "dedup": False})
        assert written.status_code == 201, written.text
        page, watched = await explorer_page(browser, url)
        await page.wait_for_selector("#memory-table tbody tr")

        await shows_what_a_retrieval_left_out(page, api)
        await searches_and_opens_a_hit(page)
        await forgets_a_subject_with_its_receipt(page, api)

        assert watched.foreign(url) == []
        assert watched.errors == []
        await page.close()


async def test_switching_the_key_clears_every_panel(live_app: LiveApp, browser: Any) -> None:  # noqa: F811
    async with (
        live_app(api_keys="key-a:alpha,key-b:beta") as (url, _),
        httpx.AsyncClient(base_url=url, timeout=60, headers={"Authorization": "Bearer key-a"}) as alpha,
    ):
        assert (await alpha.post("/v1/memories", json={"memories": MEMORIES})).status_code == 201
        item = {"content": "Alice wants a window seat.", "priority": 8, "scope": {"user_id": "alice"}}
        assert (await alpha.post("/v1/working/trip-1/items", json=item)).status_code == 201
        page, watched = await explorer_page(browser, url)
        await page.locator("#status", has_text="needs an API key").wait_for()
        await page.get_by_label("API key").fill("key-a")
        await page.get_by_label("user_id").fill("alice")
        await page.get_by_role("button", name="Apply").click()
        await page.get_by_role("button", name=TEA).click()  # a memory of tenant alpha, opened
        await page.wait_for_selector("#detail-history li")
        await page.get_by_label("Search", exact=True).fill("tea")
        await page.get_by_role("button", name="Search", exact=True).click()
        await page.locator("#memory-caption", has_text="Search").wait_for()
        await page.get_by_role("tab", name="Retrieval playground").click()
        await page.get_by_label("Query").fill(DRINK)
        await page.get_by_role("button", name="Retrieve").click()
        await page.locator("#play-hits li").first.wait_for()
        await page.get_by_role("tab", name="Working memory & threads").click()
        await page.get_by_role("button", name="List the scope's tasks and threads").click()
        await page.locator("#scope-tasks").get_by_role("button", name="trip-1").click()
        await page.locator("#task-table", has_text="window seat").wait_for()
        await page.get_by_role("tab", name="Forget a subject").click()
        await page.get_by_role("button", name="Preview what would be forgotten").click()
        await page.locator("#forget-receipt:not([hidden])").wait_for()
        assert TEA in await page.text_content("main")
        # A memory being opened as the key is switched: its answer, under the old key, comes late.
        released = asyncio.Event()

        async def late(route: Any) -> None:
            await released.wait()
            await route.continue_()

        await page.route(re.compile(r".*/v1/memories/[0-9a-f-]{36}$"), late)
        await page.get_by_role("tab", name="Memories").click()
        await page.get_by_role("button", name=TEA).click()

        # Another tenant's key: nothing of alpha's stays, in any panel, shown or hidden.
        await page.get_by_label("API key").fill("key-b")
        await page.get_by_label("API key").press("Enter")
        await page.locator("#memory-caption", has_text="0 shown").wait_for()
        async with page.expect_response(re.compile(r".*/v1/memories/[0-9a-f-]{36}$")) as answer:
            released.set()
        assert TEA in await (await answer.value).text()  # alpha's memory reached the page, late
        await page.wait_for_timeout(300)  # and the page had time to show it, had it not dropped it
        main = await page.text_content("main") or ""
        for alphas in (TEA, "window seat", "trip-1", "alpha"):
            assert alphas not in main, alphas
        for panel in (
            "#detail",
            "#play-result",
            "#scope-live",
            "#task-table",
            "#thread-result",
            "#forget-receipt",
        ):
            assert await page.locator(panel).is_hidden(), panel
        assert await page.input_value("#search-query") == ""

        assert watched.foreign(url) == []
        # The first load, keyless, was refused (401): the browser logs that, nothing else.
        assert [e for e in watched.errors if "401" not in e] == []
        await page.close()
