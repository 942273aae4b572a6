"""The docs site: its generated pages name every setting, route and result file, and it builds offline.

The configuration and HTTP API reference pages and the benchmarks page are written at build time by an
MkDocs hook (docs/hooks/generated_pages.py) from the settings models, the app's OpenAPI schema and
benchmarks/README.md; these tests hold the hook to that, and build the site itself to see that it
asks nothing of the network.
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
from pydantic import BaseModel

from mnemo.api.config.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


def _hook() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "generated_pages", ROOT / "docs" / "hooks" / "generated_pages.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # a dataclass of the module looks itself up there
    spec.loader.exec_module(module)
    return module


def _variables() -> list[str]:
    names = []
    for name, field in Settings.model_fields.items():
        group = field.annotation
        if isinstance(group, type) and issubclass(group, BaseModel):
            names += [f"MNEMO_{name.upper()}__{inner.upper()}" for inner in group.model_fields]
        else:
            names.append(f"MNEMO_{name.upper()}")
    return names


def test_the_configuration_page_has_a_row_for_every_setting() -> None:
    page = _hook().configuration_page()
    rows = re.findall(r"^\| `(MNEMO_\w+)` \|", page, re.MULTILINE)
    assert sorted(rows) == sorted(_variables())
    assert "| `MNEMO_DATA_DIR` | Path | `./data` |" in page
    assert "| `MNEMO_REDIS__URL` |" in page


def _groups() -> list[str]:
    return ["server"] + [
        name
        for name, field in Settings.model_fields.items()
        if isinstance(field.annotation, type) and issubclass(field.annotation, BaseModel)
    ]


def _meanings(page: str, group: str) -> dict[str, str]:
    """The meaning cell of each row of one group's table on the configuration page."""
    heading = "## Server" if group == "server" else f"## `{group}`"
    section = page.split(f"\n{heading}\n", 1)[1].split("\n## ", 1)[0]
    meanings = {}
    for line in section.splitlines():
        if match := re.match(r"^\| `(MNEMO_\w+)` \|", line):
            cells = re.split(r"(?<!\\)\|", line)
            meanings[match.group(1)] = cells[-2].strip()
    return meanings


@pytest.mark.parametrize("group", _groups())
def test_every_setting_says_what_it_means(group: str) -> None:
    # An operator reads the configuration page, not the model's source: an empty cell is a knob
    # nobody can set on purpose.
    meanings = _meanings(_hook().configuration_page(), group)
    assert meanings, f"no rows for {group}"
    assert [name for name, meaning in meanings.items() if not meaning] == []


def test_the_http_api_page_has_every_route_of_the_schema_and_every_model() -> None:
    hook = _hook()
    schema = hook.openapi_schema()
    page = hook.http_api_page(schema)
    for path, item in schema["paths"].items():
        for method in item.keys() & {"get", "post", "put", "patch", "delete"}:
            assert f"### `{method.upper()} {path}`" in page
    for name in schema["components"]["schemas"]:
        assert f"\n### {name}\n" in page
    assert "### `POST /v1/retrieve`" in page and "Body (`application/json`): [RetrieveRequest]" in page


def test_the_benchmarks_page_is_the_benchmarks_readme_with_its_files_named() -> None:
    page = _hook().benchmarks_page()
    readme = (ROOT / "benchmarks" / "README.md").read_text()
    assert page.splitlines()[0] == readme.splitlines()[0] and len(page.splitlines()) == len(
        readme.splitlines()
    )
    # A link to a file beside the README would be a broken link in the site: it becomes its path.
    assert not re.search(r"\]\((?![a-z]+:|#)[^)]+\)", page)
    assert "`benchmarks/results/write/summary.md`" in page


def test_the_benchmarks_readme_stays_at_most_400_lines() -> None:
    # Current results with their commands, and one short table of what was tried per area: a longer
    # page is a journal, and the journal is git's.
    assert len((ROOT / "benchmarks" / "README.md").read_text().splitlines()) <= 400


@pytest.mark.slow
def test_the_site_builds_strictly_and_loads_nothing_from_elsewhere(tmp_path: Path) -> None:
    site = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "--site-dir", str(site)],
        cwd=ROOT,
        check=True,
        timeout=300,
    )
    pages = list(site.glob("**/*.html"))
    assert (site / "reference" / "configuration.html").exists() and (
        site / "reference" / "http-api.html"
    ).exists()
    assert len(pages) >= 20
    # An asset (stylesheet, script, font, image) from another host would fail offline; plain links
    # to elsewhere (<a href>) are fine.
    asset = re.compile(r"<(?:link|script|img|source)\b[^>]*\b(?:href|src)=\"(?:https?:)?//", re.IGNORECASE)
    for page in pages:
        assert not asset.search(page.read_text()), page
    for css in site.glob("**/*.css"):
        assert not re.search(r"@import\s+url\(\s*['\"]?(?:https?:)?//", css.read_text()), css
