"""The explorer's page and assets name their charset once (`text/html; charset=utf-8`), as a browser
and a proxy parse it."""

from __future__ import annotations

from tests.e2e.conftest import AppFactory


async def test_the_explorer_names_its_charset_once(app_client: AppFactory) -> None:
    async with app_client() as client:
        for path, media_type in (
            ("/ui", "text/html"),
            ("/ui/explorer.js", "text/javascript"),
            ("/ui/explorer.css", "text/css"),
        ):
            response = await client.get(path)
            assert response.status_code == 200, path
            assert response.headers["content-type"] == f"{media_type}; charset=utf-8", path
