"""The explorer page at `/ui`: three static files shipped inside the package, served by the service
itself (no CDN, no separate server), under a Content-Security-Policy that allows this origin only."""

from __future__ import annotations

from pathlib import Path

from litestar import Response, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

_DIR = Path(__file__).parent
_ASSETS = {
    "explorer.js": "text/javascript; charset=utf-8",
    "explorer.css": "text/css; charset=utf-8",
}
_HEADERS = {
    # Same origin only: scripts, styles and API calls; the favicon is an inline `data:` URL.
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}


def _file(name: str, media_type: str) -> Response[bytes]:
    return Response((_DIR / name).read_bytes(), media_type=media_type, headers=_HEADERS)


@get(["/ui", "/ui/"], include_in_schema=False)
async def explorer_page() -> Response[bytes]:
    return _file("index.html", "text/html; charset=utf-8")


@get("/ui/{name:str}", include_in_schema=False)
async def explorer_asset(name: FromPath[str]) -> Response[bytes]:
    media_type = _ASSETS.get(name)
    if media_type is None:
        raise NotFoundException(f"no asset {name}")
    return _file(name, media_type)
