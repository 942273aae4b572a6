"""Every `pip install` the docs and examples show can run: mnemo-client and mnemo-server are on no
package index, so they are installed from the repository (`./client`, `.`) or from built wheels."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [ROOT / "README.md", ROOT / "client" / "README.md", *sorted((ROOT / "examples").rglob("*.py"))]
SOURCES += sorted((ROOT / "examples").rglob("*.md")) + sorted((ROOT / "docs").rglob("*.md"))
_INSTALL = re.compile(r"pip install ([^`\n]+)")


def test_mnemo_distributions_are_never_asked_of_an_index() -> None:
    lines = [(path, m.group(1)) for path in SOURCES for m in _INSTALL.finditer(path.read_text())]
    assert len(lines) >= 6  # the README's install lines and each example's
    for path, line in lines:
        words = shlex.split(line.split("#")[0], posix=True)
        asked = [w for w in words if re.match(r"mnemo[-_](client|server)\b", w)]
        assert asked == [], f"{path.relative_to(ROOT)}: pip install {line} (no index holds {asked})"
