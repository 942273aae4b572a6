"""The Markdown whose code blocks run as tests: the README, the client's README, the examples' and
every page of the docs site, the site's pages in the order of its nav (then any page it leaves out),
as a reader meets them: a block may use what an earlier one wrote."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.MULTILINE | re.DOTALL)  # a code block: its language, its text


def _nav_pages(entry: Any) -> list[str]:
    if isinstance(entry, str):
        return [entry]
    if isinstance(entry, list):
        return [page for item in entry for page in _nav_pages(item)]
    if isinstance(entry, dict):
        return [page for value in entry.values() for page in _nav_pages(value)]
    return []


def docs_pages() -> list[Path]:
    """The site's pages that are files in the tree (the generated reference pages are not)."""
    nav = _nav_pages(yaml.safe_load((ROOT / "mkdocs.yml").read_text())["nav"])
    in_nav = [DOCS / page for page in nav if (DOCS / page).exists()]
    rest = sorted(set(DOCS.glob("**/*.md")) - set(in_nav))
    return [*in_nav, *rest]


def documents() -> list[Path]:
    return [
        ROOT / "README.md",
        ROOT / "client" / "README.md",
        *sorted((ROOT / "examples").glob("**/*.md")),
        *docs_pages(),
    ]
