"""The explorer page at `/ui`: three static files shipped inside the package, served by the service
itself (no CDN, no separate server), under a Content-Security-Policy that allows this origin only."""

from __future__ import annotations

from functools import cache
from html import escape
from pathlib import Path

from litestar import Response, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from ...memtypes.types import SPECS, MemoryType

_DIR = Path(__file__).parent
# Without a charset: the framework adds `; charset=utf-8` to every text type (twice, if given here).
_ASSETS = {"explorer.js": "text/javascript", "explorer.css": "text/css"}
_HEADERS = {
    # Same origin only: scripts, styles and API calls; the favicon is an inline `data:` URL.
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}


# The page names the memory types where these markers stand, filled in from the registry, so that
# a type added there shows in the type filter, the retrieval's checkboxes and the colours.
_TYPE_OPTIONS = "<!-- memory types: options -->"
_TYPE_CHECKBOXES = "<!-- memory types: checkboxes -->"
_TYPE_COLOURS = "/* memory types: colours */"
_PALETTE = 8  # explorer.css's --type-0 … --type-7; a ninth type takes the first colour again


def _type_options() -> str:
    return "".join(f"<option>{escape(t.value)}</option>" for t in MemoryType)


def _type_checkboxes() -> str:
    return "\n".join(
        f'        <label class="check"><input type="checkbox" name="types" value="{escape(t.value)}"'
        f"{' checked' if SPECS[t].searched_by_default else ''}> {escape(t.value)}</label>"
        for t in MemoryType
    )


def _type_colours() -> str:
    return "\n".join(
        f".badge.type-{t.value} {{ background: var(--type-{i % _PALETTE}); color: #fff; }}\n"
        f".bar-used.type-{t.value} {{ background: var(--type-{i % _PALETTE}); }}"
        for i, t in enumerate(MemoryType)
    )


@cache
def _content(name: str) -> bytes:
    text = (_DIR / name).read_text(encoding="utf-8")
    if name == "index.html":
        text = text.replace(_TYPE_OPTIONS, _type_options()).replace(
            _TYPE_CHECKBOXES, _type_checkboxes().lstrip()
        )
    elif name == "explorer.css":
        text = text.replace(_TYPE_COLOURS, _type_colours())
    return text.encode("utf-8")


def _file(name: str, media_type: str) -> Response[bytes]:
    return Response(_content(name), media_type=media_type, headers=_HEADERS)


@get(["/ui", "/ui/"], include_in_schema=False)
async def explorer_page() -> Response[bytes]:
    return _file("index.html", "text/html")


@get("/ui/{name:str}", include_in_schema=False)
async def explorer_asset(name: FromPath[str]) -> Response[bytes]:
    media_type = _ASSETS.get(name)
    if media_type is None:
        raise NotFoundException(f"no asset {name}")
    return _file(name, media_type)
