"""Forget by topic from the explorer, in a real headless Chromium: the preview lists the matches with
a ticked checkbox each and why they matched, removes nothing; unticking one keeps it, and the
forget removes exactly the ticked ones."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.e2e.live_server import LiveApp, live_app  # noqa: F401 (a fixture)
from tests.e2e.surfaces.test_explorer_browser import CHROMIUM, browser, explorer_page  # noqa: F401 (a fixture)

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium (.ci/run installs it)")
SCOPE = {"user_id": "ines"}
TENNIS = ["Ines plays tennis on Saturday mornings.", "Ines bought a new tennis racket in May."]
BEES = "Ines keeps bees in the garden."


async def test_a_topic_previewed_with_checkboxes_and_only_the_ticked_forgotten(
    live_app: LiveApp,  # noqa: F811
    browser: Any,  # noqa: F811
) -> None:
    async with live_app() as (url, _), httpx.AsyncClient(base_url=url, timeout=60) as api:
        memories = [{"type": "semantic", "content": c, "scope": SCOPE} for c in [*TENNIS, BEES]]
        written = await api.post("/v1/memories", json={"memories": memories})
        assert written.status_code == 201, written.text
        page, watched = await explorer_page(browser, url)
        await page.get_by_role("tab", name="Forget a subject").click()
        await page.get_by_label("About").fill("tennis")
        await page.get_by_role("button", name="Preview", exact=True).click()
        rows = page.locator("#topic-table tbody tr")
        await rows.first.wait_for()
        assert await rows.count() == 2
        assert "tennis" in await rows.first.inner_text()  # why it matched, in words
        assert BEES not in await page.inner_text("#topic-table")
        boxes = page.locator("#topic-table input[type=checkbox]")
        assert all([await boxes.nth(i).is_checked() for i in range(2)])
        kept = await rows.nth(1).locator("td").nth(1).inner_text()
        await boxes.nth(1).uncheck()
        assert len((await api.get("/v1/memories", params=SCOPE)).json()["memories"]) == 3  # nothing yet
        page.once("dialog", lambda dialog: dialog.accept())
        await page.get_by_role("button", name="Forget the ticked memories").click()
        await page.locator("#status", has_text="Forgot 1 memories").wait_for()
        left = sorted(m["content"] for m in (await api.get("/v1/memories", params=SCOPE)).json()["memories"])
        assert left == sorted([kept, BEES])
        assert watched.errors == []
        await page.close()
