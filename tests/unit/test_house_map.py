"""The house's map (docs/house.svg, ARCHITECTURE.md's picture) is drawn from the code's own imports by
docs/hooks/house_map.py; `make docs` redraws it. The drawn map must be the code's: a room, a
module or an arrow that changed without a redraw fails here."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

from tests.conftest import module_from_file

ROOT = Path(__file__).resolve().parents[2]


def _map() -> ModuleType:
    return module_from_file(ROOT / "docs" / "hooks" / "house_map.py")


def test_the_drawn_map_is_the_codes() -> None:
    drawn = (ROOT / "docs" / "house.svg").read_text()
    assert drawn == _map().house(), "docs/house.svg is not the code's map: run `make docs` and commit it"


def test_the_map_draws_the_rooms_and_the_arrows_of_the_import_graph() -> None:
    house_map = _map()
    arrows, _circles = house_map.import_graph()
    # What the layers contract promises, read off the graph the map is drawn from.
    assert ("api", "backends") in arrows and ("cli", "api") in arrows and ("api", "client") in arrows
    assert ("memtypes", "api") not in arrows and ("backends", "retrieval") not in arrows
    assert ("benchmarks", "lab") in arrows and ("benchmarks", "api") not in arrows  # the harness's one door
    svg = house_map.house()
    for floor in house_map.floors():
        for room in floor:
            assert f">{house_map._shown(room)}" in svg  # a folder as `api/`, a one-module room as `name.py`
    for start, end in arrows:
        assert f"{house_map._shown(start)} imports {house_map._shown(end)}" in svg
    assert "ARCHITECTURE" not in svg and "farm" not in svg
