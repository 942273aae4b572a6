"""The Markdown people read wraps: no line of prose over 200 characters (a reader's editor or diff
shows it whole, and a long line is where a size rule is met by joining lines).

Left out: the pages written by a program (docs/reference/, docs/cli.md), the rows of a table (a
Markdown table row cannot wrap) and the lines of a fenced code block (output shown as it is)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MAX_CHARS = 200
READ = ["README.md", "ARCHITECTURE.md", "CHANGELOG.md", "benchmarks/README.md", "benchmarks/JOURNAL.md",
        "benchmarks/TRIED.md", "client/README.md", "client-ts/README.md", "deploy/README.md"]  # fmt: skip
GENERATED = {"docs/cli.md"}


def _pages() -> list[Path]:
    docs = sorted((ROOT / "docs").rglob("*.md"))
    written = [p for p in docs if "reference" not in p.relative_to(ROOT / "docs").parts]
    return [
        *(ROOT / name for name in READ),
        *(p for p in written if str(p.relative_to(ROOT)) not in GENERATED),
    ]


def long_prose_lines(text: str, max_chars: int = MAX_CHARS) -> list[int]:
    """The numbers of the lines of prose longer than `max_chars` (tables and code blocks aside)."""
    found, fenced = [], False
    for n, line in enumerate(text.splitlines(), start=1):
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
            continue
        if fenced or line.lstrip().startswith("|"):
            continue
        if len(line) > max_chars:
            found.append(n)
    return found


def test_no_line_of_prose_is_longer_than_200_characters() -> None:
    pages = _pages()
    assert ROOT / "docs" / "index.md" in pages and ROOT / "ARCHITECTURE.md" in pages
    too_long = {
        f"{page.relative_to(ROOT)}:{n}": len(page.read_text().splitlines()[n - 1])
        for page in pages
        for n in long_prose_lines(page.read_text())
    }
    assert too_long == {}


def test_the_check_tells_prose_from_tables_and_code() -> None:
    long = "x" * (MAX_CHARS + 1)
    assert long_prose_lines(f"short\n{long}\n") == [2]
    assert long_prose_lines(f"| a | {long} |\n```\n{long}\n```\n") == []
