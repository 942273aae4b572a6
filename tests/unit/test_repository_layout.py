"""The house's rules, checked on the tree itself: one import package `mnemo` whose packages pyproject
lists, sizes that guide (rooms of about 15 modules, modules of about 400 lines: past the guide and
its tolerance only with a `Size:` reason in the docstring), and benchmark results in git of at most
2 MB (ARCHITECTURE.md, "The house").

The sizes are a guide, not a wall: a wall at exactly 400 lines is met by joining lines or splitting
at an arbitrary one. So a module may pass the guide by its tolerance with nothing to say, and beyond
it with a reason (`Size: …` in its docstring; a folder's in its `__init__.py`), up to a hard bound
for modules. `python -m tests.unit.test_repository_layout` prints every module and folder past its
guide, with its reason."""

from __future__ import annotations

import ast
import shutil
import subprocess
import tomllib
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.clean_wheels import CleanWheels

ROOT = Path(__file__).resolve().parents[2]
# Folders of the repository that are not part of the server's `mnemo` package (benchmarks/ is its own
# distribution, mnemo-bench, which installs `mnemo.benchmarks`).
NOT_PACKAGE = {"tests", "client", "benchmarks", "deploy", "docs", "examples", "build", ".venv", ".typecheck"}
MODULES_PER_FOLDER = 15  # the guide
FOLDER_TOLERANCE = 2  # past the guide by this many modules, a folder needs no reason
LINES_PER_MODULE = 400  # the guide
MODULE_TOLERANCE = 40  # past the guide by this many lines, a module needs no reason
HARD_MAX_LINES_PER_MODULE = 500  # past the guide only with a reason, and never this far
MAX_TRACKED_RESULTS_BYTES = 2_000_000


def _package_dirs() -> list[Path]:
    found = [ROOT]
    for init in sorted(ROOT.rglob("__init__.py")):
        relative = init.parent.relative_to(ROOT)
        if relative.parts and relative.parts[0] not in NOT_PACKAGE and not relative.parts[0].startswith("."):
            found.append(init.parent)
    return found


def _dotted(folder: Path) -> str:
    return ".".join(("mnemo", *folder.relative_to(ROOT).parts))


def test_pyproject_lists_every_package_of_mnemo_and_nothing_else() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert config["package-dir"] == {"mnemo": "."}
    assert sorted(config["packages"]) == sorted(_dotted(d) for d in _package_dirs())


def _client_package_dirs() -> list[Path]:
    """The client distribution's packages: mnemo_client (with mcp/) and mnemo_hook (not the copies a
    non-editable `pip install ./client` leaves in client/build/)."""
    return sorted(init.parent for init in (ROOT / "client").rglob("__init__.py") if "build" not in init.parts)


def _bench_package_dirs() -> list[Path]:
    """The harness's distribution (benchmarks/, mnemo-bench): `mnemo.benchmarks` and its folders; not
    its tests, a package only so that its import contract covers them, and not shipped."""
    bench = ROOT / "benchmarks"
    inits = [init.relative_to(bench) for init in bench.rglob("__init__.py")]
    return sorted(bench / init.parent for init in inits if not {"build", "tests"} & set(init.parts))


def test_the_harness_pyproject_lists_every_package_of_mnemo_benchmarks() -> None:
    config = tomllib.loads((ROOT / "benchmarks" / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert config["package-dir"] == {"mnemo.benchmarks": "."}
    assert sorted(config["packages"]) == sorted(_dotted(d) for d in _bench_package_dirs())


@dataclass(frozen=True)
class Size:
    """A module (its lines) or a folder (its modules) past its guide."""

    path: str
    size: int
    guide: int
    tolerance: int
    reason: str | None  # the docstring's `Size:` line

    @property
    def needs_reason(self) -> bool:
        return self.size > self.guide + self.tolerance and self.reason is None


def _size_reason(module: Path) -> str | None:
    """The reason a module's docstring gives for its size (a line starting `Size:`), if any."""
    tree = ast.parse(module.read_text())
    docstring = ast.get_docstring(tree) or ""
    return next((line for line in docstring.splitlines() if line.startswith("Size:")), None)


def _folders() -> list[Path]:
    return [*_package_dirs(), *_client_package_dirs(), *_bench_package_dirs()]


def size_report() -> list[Size]:
    """Every folder past its guide of modules and every module past its guide of lines."""
    report = []
    for folder in _folders():
        modules = [m for m in folder.glob("*.py") if m.name != "__init__.py"]
        if len(modules) > MODULES_PER_FOLDER:
            init = folder / "__init__.py"
            reason = _size_reason(init) if init.exists() else None
            report.append(
                Size(
                    str(folder.relative_to(ROOT)), len(modules), MODULES_PER_FOLDER, FOLDER_TOLERANCE, reason
                )
            )
        for module in folder.glob("*.py"):
            lines = len(module.read_text().splitlines())
            if lines > LINES_PER_MODULE:
                path = str(module.relative_to(ROOT))
                report.append(Size(path, lines, LINES_PER_MODULE, MODULE_TOLERANCE, _size_reason(module)))
    return sorted(report, key=lambda size: (-size.size / size.guide, size.path))


def test_a_folder_past_its_guide_of_modules_says_why() -> None:
    """About 15 modules a folder: past 17, its package docstring says why (`Size: …`)."""
    folders = [s for s in size_report() if s.guide == MODULES_PER_FOLDER]
    assert [s.path for s in folders if s.needs_reason] == []


def test_a_module_past_its_guide_of_lines_says_why() -> None:
    """About 400 lines a module: past 440, its docstring says why (`Size: …`), up to a hard bound,
    rather than be split at an arbitrary line or have lines joined."""
    modules = [s for s in size_report() if s.guide == LINES_PER_MODULE]
    assert {s.path: s.size for s in modules if s.needs_reason} == {}
    assert {s.path: s.size for s in modules if s.size > HARD_MAX_LINES_PER_MODULE} == {}


def test_the_report_tells_the_tolerance_from_a_missing_reason() -> None:
    assert not Size("m.py", 440, LINES_PER_MODULE, MODULE_TOLERANCE, None).needs_reason
    assert Size("m.py", 441, LINES_PER_MODULE, MODULE_TOLERANCE, None).needs_reason
    assert not Size("m.py", 441, LINES_PER_MODULE, MODULE_TOLERANCE, "Size: one table").needs_reason


@pytest.mark.skipif(not (ROOT / ".git").exists() or shutil.which("git") is None, reason="not a git checkout")
def test_benchmark_results_in_git_stay_under_2_mb() -> None:
    tracked = subprocess.run(
        ["git", "ls-files", "-z", "benchmarks/results"], cwd=ROOT, capture_output=True, check=True
    ).stdout.split(b"\0")
    sizes = {name.decode(): (ROOT / name.decode()).stat().st_size for name in tracked if name}
    biggest = sorted(sizes.items(), key=lambda item: -item[1])[:5]
    assert sum(sizes.values()) <= MAX_TRACKED_RESULTS_BYTES, biggest


IN_GIT = pytest.mark.skipif(
    not (ROOT / ".git").exists() or shutil.which("git") is None, reason="not a git checkout"
)


@pytest.mark.slow
@IN_GIT
def test_the_wheel_installs_one_import_package_and_declares_the_client(clean_wheels: CleanWheels) -> None:
    wheel = clean_wheels.wheel("mnemo_server-*.whl")  # the distribution mnemo-server
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        metadata = next(n for n in names if n.endswith(".dist-info/METADATA"))
        lines = archive.read(metadata).decode().splitlines()
        requires = [line for line in lines if line.startswith("Requires-Dist:")]
    top_level = {name.split("/")[0] for name in names if not name.split("/")[0].endswith(".dist-info")}
    assert top_level == {"mnemo"}
    for expected in (
        "mnemo/__init__.py",
        "mnemo/api/http/app.py",
        "mnemo/api/ui/index.html",
        "mnemo/cli/main.py",
        "mnemo/lab/__init__.py",  # the one door of the server the harness (mnemo-bench) may import
        "mnemo/lab/app.py",  # and the work behind it
    ):
        assert expected in names
    assert not [n for n in names if n.startswith(("mnemo/tests/", "mnemo/client/", "mnemo/benchmarks/"))]
    assert any(line.startswith("Requires-Dist: mnemo-client[mcp]") for line in requires)
    assert any(line.startswith("Requires-Dist: mnemo-bench==") and "bench" in line for line in requires)
    # The licence as an SPDX expression (a table is deprecated: setuptools warns on every install),
    # and its text shipped in the wheel.
    assert "License-Expression: Apache-2.0" in lines
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)


@pytest.mark.slow
@IN_GIT
def test_the_harness_wheel_adds_mnemo_benchmarks_to_the_servers_package(clean_wheels: CleanWheels) -> None:
    wheel = clean_wheels.wheel("mnemo_bench-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        metadata = archive.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    packaged = {n for n in names if not n.split("/")[0].endswith(".dist-info")}
    assert {"mnemo/benchmarks/cli.py", "mnemo/benchmarks/peers/mem0/install.sh"} <= packaged
    assert all(n.startswith("mnemo/benchmarks/") for n in packaged)  # never the server's own files
    assert not [n for n in packaged if n.startswith("mnemo/benchmarks/tests/")]  # its tests stay in git
    assert "Requires-Dist: mnemo-server==0.1.0" in metadata.splitlines()


if __name__ == "__main__":
    for size in size_report():
        unit = "modules" if size.guide == MODULES_PER_FOLDER else "lines"
        verdict = "NEEDS A REASON" if size.needs_reason else (size.reason or "within the tolerance")
        print(f"{size.path}: {size.size} {unit} (guide {size.guide}, +{size.tolerance}): {verdict}")
