"""The frameworks' own test files vendored into client/tests/vendor/ and client-ts/test/vendor/ differ from
upstream by exactly their kept diff (`upstream/*.diff` beside them), so that nobody edits a vendored test
silently: the diff, taken back out of the vendored file, gives upstream's file at the pinned commit,
byte for byte (its git blob id, which the diff's first line names and which `git ls-tree <commit>
<path>` in the upstream repository shows).

To vendor a file or change a vendored one: edit the copy, then write its diff again from upstream's
file at the pinned commit (`git show <commit>:<path> > upstream.file`):

    python -m tests.unit.test_vendored_suites upstream.file owner/repo@<commit>:<path> <vendored file>
"""

from __future__ import annotations

import difflib
import hashlib
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
# The client's tests: Python's in client/tests/, TypeScript's in client-ts/test/. What they vendor stands
# in vendor/ below them (Python suites under pytest, TypeScript ones under vitest), the kept diffs in
# vendor/upstream/.
TEST_FOLDERS = (REPO / "client" / "tests", REPO / "client-ts" / "test")
VENDOR_FOLDERS = tuple(folder / "vendor" for folder in TEST_FOLDERS)
DIFF_FOLDERS = tuple(folder / "upstream" for folder in VENDOR_FOLDERS)
ORIGIN = re.compile(
    r"^--- (?P<repo>[\w.-]+/[\w.-]+)@(?P<commit>[0-9a-f]{40}) (?P<path>\S+)"
    r" \(git blob (?P<blob>[0-9a-f]{40})\)$"
)
HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(?P<start>\d+)(?:,(?P<length>\d+))? @@")
# A vendored file says where it was copied from in its first lines.
VENDORED_MARK = "Copied from "


@dataclass(frozen=True)
class KeptDiff:
    diff: Path
    repo: str
    commit: str
    upstream_path: str
    blob: str
    vendored: Path
    hunks: list[tuple[int, list[str]]]  # (the hunk's first line in the vendored file, its lines)


def git_blob_id(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


def read_diff(diff: Path) -> KeptDiff:
    lines = diff.read_text(encoding="utf-8").splitlines(keepends=True)
    origin = ORIGIN.match(lines[0].rstrip("\n"))
    assert origin, f"{diff}: the first line names no repo@commit path (git blob id): {lines[0]!r}"
    assert lines[1].startswith("+++ "), f"{diff}: the second line names no vendored file"
    hunks: list[tuple[int, list[str]]] = []
    for line in lines[2:]:
        if hunk := HUNK.match(line):
            # An empty range names the line before it, so its first line is the next one.
            empty = hunk["length"] == "0"
            hunks.append((int(hunk["start"]) + (1 if empty else 0), []))
        else:
            assert hunks and line[:1] in " +-", f"{diff}: not a unified diff line: {line!r}"
            hunks[-1][1].append(line)
    return KeptDiff(diff, origin["repo"], origin["commit"], origin["path"], origin["blob"],
                    REPO / lines[1][4:].strip(), hunks)  # fmt: skip


def upstream_of(kept: KeptDiff) -> bytes:
    """The vendored file with the diff taken back out: upstream's file, if the two still agree.
    Strict: every line the diff says the vendored file has must be there, where it says."""
    vendored = kept.vendored.read_text(encoding="utf-8").splitlines(keepends=True)
    out: list[str] = []
    at = 0
    for start, lines in kept.hunks:
        first = start - 1
        assert first >= at, f"{kept.diff}: hunks out of order at line {start}"
        out += vendored[at:first]
        at = first
        for line in lines:
            tag, text = line[0], line[1:]
            if tag in " +":
                here = vendored[at] if at < len(vendored) else "(end of file)"
                assert here == text, (
                    f"{kept.vendored.relative_to(REPO)} line {at + 1} is not what {kept.diff.name} "
                    f"says it is:\n  file: {here!r}\n  diff: {text!r}\n" + __doc__.split("\n\n")[1]
                )
                at += 1
            if tag in " -":
                out.append(text)
    out += vendored[at:]
    return "".join(out).encode("utf-8")


def write_diff(upstream: Path, origin: str, vendored: Path) -> Path:
    """Write `vendored`'s kept diff against `upstream` (the file at `origin`, repo@commit:path), to
    the upstream/ file the vendored file names."""
    repo_commit, path = origin.split(":", 1)
    data = upstream.read_bytes()
    new = vendored.read_text(encoding="utf-8").splitlines(keepends=True)
    old = data.decode("utf-8").splitlines(keepends=True)
    named = re.search(r"upstream/([\w.-]+\.diff)", "".join(new[:30]))
    assert named, f"{vendored} names no upstream/<name>.diff in its first lines"
    diff = vendored.parent / "upstream" / named[1]
    body = list(difflib.unified_diff(old, new, n=3))[2:]
    header = [f"--- {repo_commit} {path} (git blob {git_blob_id(data)})\n",
              f"+++ {vendored.resolve().relative_to(REPO)}\n"]  # fmt: skip
    diff.parent.mkdir(exist_ok=True)
    diff.write_text("".join(header + body), encoding="utf-8")
    return diff


DIFFS = sorted(d for folder in DIFF_FOLDERS if folder.is_dir() for d in folder.glob("*.diff"))


def test_there_are_kept_diffs() -> None:
    assert len(DIFFS) >= 4


@pytest.mark.parametrize("diff", DIFFS, ids=lambda d: d.name)
def test_the_kept_diff_takes_the_vendored_file_back_to_upstream(diff: Path) -> None:
    kept = read_diff(diff)
    assert kept.vendored.is_file(), f"{diff.name} names {kept.vendored}, which is not there"
    assert kept.commit in kept.vendored.read_text(encoding="utf-8")[:2000], "the file names its commit"
    got = git_blob_id(upstream_of(kept))
    assert got == kept.blob, (
        f"{kept.vendored.relative_to(REPO)} less {diff.name} is not {kept.repo}@{kept.commit[:8]} "
        f"{kept.upstream_path} (git blob {got}, not {kept.blob}): a vendored test was edited without "
        "its diff.\n" + __doc__.split("\n\n")[1]
    )


def vendored_files() -> set[Path]:
    tests = [f for folder in TEST_FOLDERS for f in folder.rglob("*") if f.suffix in {".py", ".ts"}]
    return {f for f in tests if VENDORED_MARK in f.read_text(encoding="utf-8")[:1500]}


def test_every_vendored_file_has_its_kept_diff() -> None:
    kept = {read_diff(d).vendored for d in DIFFS}
    vendored = vendored_files()
    assert vendored, "no vendored suite found"
    assert vendored <= kept, f"vendored without a kept diff: {sorted(map(str, vendored - kept))}"


def test_every_vendored_file_stands_in_vendor() -> None:
    # vendor/ says which code is upstream's, as upstream wrote it (the linters leave it alone).
    outside = [f for f in vendored_files() if not any(f.is_relative_to(v) for v in VENDOR_FOLDERS)]
    assert not outside, f"vendored outside a vendor/ folder: {sorted(map(str, outside))}"


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    print(write_diff(Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])))
