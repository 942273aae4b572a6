"""The docs site: its generated pages name every setting, route and result file, every link leads
somewhere both in the repository and in the site, and it builds offline.

The configuration and HTTP API reference pages are written from the settings models and the app's
OpenAPI schema into docs/reference/ by docs/hooks/generated_pages.py, which as an MkDocs hook also
makes the site's benchmarks pages from benchmarks/README.md and JOURNAL.md; these tests hold it to
that, follow every link of the Markdown a reader meets in the repository, and build the site itself
(strictly: a link or anchor it cannot resolve fails the build) to see that it asks nothing of the
network.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
from pydantic import BaseModel

from mnemo.api.config.settings import Settings
from tests.conftest import module_from_file

ROOT = Path(__file__).resolve().parents[2]


def _hook() -> ModuleType:
    return module_from_file(ROOT / "docs" / "hooks" / "generated_pages.py")


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


def test_the_reference_pages_in_the_repository_are_the_ones_the_code_writes() -> None:
    hook = _hook()
    assert (ROOT / "docs" / hook.CONFIGURATION).read_text() == hook.configuration_page(), (
        "docs/reference/configuration.md is out of date: python docs/hooks/generated_pages.py"
    )
    assert (ROOT / "docs" / hook.HTTP_API).read_text() == hook.http_api_page(hook.openapi_schema()), (
        "docs/reference/http-api.md is out of date: python docs/hooks/generated_pages.py"
    )


_LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)")
_CODE = re.compile(r"^```.*?^```|`[^`\n]*`", re.MULTILINE | re.DOTALL)


def _read_in_the_repository() -> list[Path]:
    """The Markdown a reader follows from the README: the docs, the benchmarks' pages."""
    docs = [p for p in sorted((ROOT / "docs").rglob("*.md")) if "hooks" not in p.parts]
    return [ROOT / "README.md", *docs, *sorted((ROOT / "benchmarks").glob("*.md"))]


def test_every_link_of_the_docs_leads_to_a_file_of_the_repository() -> None:
    dead = []
    for page in _read_in_the_repository():
        for target in _LINK.findall(_CODE.sub("", page.read_text())):
            if re.match(r"[a-z]+:|#", target):
                continue
            if not (page.parent / target.split("#")[0]).exists():
                dead.append(f"{page.relative_to(ROOT)}: {target}")
    assert dead == []


def test_a_docs_link_to_the_benchmarks_files_leads_to_their_site_pages() -> None:
    hook = _hook()
    assert (
        hook.site_links("[B](../benchmarks/README.md#latency)", "engine.md") == "[B](benchmarks.md#latency)"
    )
    assert hook.site_links("[J](../../benchmarks/JOURNAL.md)", "integrations/hooks.md") == (
        "[J](../benchmarks-journal.md)"
    )
    assert hook.site_links("[C](configuration.md)", "engine.md") == "[C](configuration.md)"


def test_the_benchmarks_page_is_the_benchmarks_readme_with_its_files_named() -> None:
    page = _hook().benchmarks_page()
    readme = (ROOT / "benchmarks" / "README.md").read_text()
    assert page.splitlines()[0] == readme.splitlines()[0] and len(page.splitlines()) == len(
        readme.splitlines()
    )
    # A link to a file beside the README would be a broken link in the site: it becomes its path.
    assert not re.search(r"\]\((?![a-z]+:|#|benchmarks-(?:journal|tried)\.md)[^)]+\)", page)
    assert "`benchmarks/results/write/summary.md`" in page


def test_the_results_page_is_read_in_five_minutes_and_the_journal_is_a_page_too() -> None:
    # The current figures and their commands; how they came about is the journal's.
    assert len((ROOT / "benchmarks" / "README.md").read_text().splitlines()) <= 120
    journal = _hook().benchmarks_page("benchmarks-journal.md")
    assert "[the results page](benchmarks.md)" in journal
    # The journal grows with every experiment; past this, its oldest entries want a page of their own.
    assert len((ROOT / "benchmarks" / "JOURNAL.md").read_text().splitlines()) <= 560
    tried = _hook().benchmarks_page("benchmarks-tried.md")
    assert "[the lab journal](benchmarks-journal.md)" in tried


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


def test_no_heading_cuts_a_sentence_in_two() -> None:
    # The text before a heading ends a sentence, a list, a table or a block: a heading after a
    # paragraph's last word (or its comma) cuts the sentence it sits in.
    cut = []
    for page in _read_in_the_repository():
        text = re.sub(r"^```.*?^```", "```", page.read_text(), flags=re.MULTILINE | re.DOTALL)
        last = ""
        for number, line in enumerate(text.splitlines(), 1):
            prose = not last.startswith(("#", "|", "-", "*", "<", "!", "["))
            ends_a_word = prose and re.search(r"[\w,]$", last)
            if line.startswith("#") and ends_a_word:
                cut.append(f"{page.relative_to(ROOT)}:{number}: …{last[-50:]}")
            last = line.rstrip() or last
    assert cut == []


def test_no_page_repeats_another_pages_paragraph() -> None:
    # A paragraph copied onto a second page drifts from its first, or speaks of the other page's
    # subject (an adapter's page describing another adapter's class). A line repeated on purpose
    # (each adapter's page says in one line whose scope its tools act in) is shorter than this.
    pages: dict[str, list[str]] = {}
    for page in _read_in_the_repository():
        if page.parent.name == "reference":  # written from the schema: each route's answers alike
            continue
        text = re.sub(r"^```.*?^```", "", page.read_text(), flags=re.MULTILINE | re.DOTALL)
        for paragraph in re.split(r"\n\s*\n", text):
            words = " ".join(paragraph.split())
            if len(words) >= 150 and not words.startswith(("|", "#")):
                pages.setdefault(words, []).append(str(page.relative_to(ROOT)))
    assert {words[:80]: where for words, where in pages.items() if len(where) > 1} == {}
