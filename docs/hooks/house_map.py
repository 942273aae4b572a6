"""The house's map, drawn from the code's own imports: `python docs/hooks/house_map.py docs/house.svg`
(`make docs` runs it; tests/unit/test_house_map.py fails while the drawn map is not the code's).

Floors are the layers of the import-linter contract in pyproject.toml, top to bottom, with the light
client (`client/`, its own distribution) on the ground floor beside the vocabulary. Each room shows
the first line of its `__init__.py` and its sub-rooms (packages, then modules); a room that is one
module shows its own docstring's. Tests (`tests/`, the harness's `benchmarks/tests/`) are not
rooms. An arrow is a room
importing another (grimp's graph, the one import-linter checks); arrows into the ground floor are
not drawn (nearly every room stands on it) but listed under the map. A red arrow points up a floor,
an orange one along it. Circles are groups of modules that import each other round.
"""

from __future__ import annotations

import ast
import sys
import tomllib
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[2]
CLIENT = "mnemo_client"
GROUND = ("memtypes", "client")
WIDTH = 1400
FLOOR_GAP = 70
COLOURS = {
    "cli": "#e8f3e0",
    "benchmarks": "#e3ecf6",
    "api": "#e2f2e4",
    "retrieval": "#ece6f6",
    "ingest": "#e0f2f1",
    "backends": "#f6e6ea",
    "sessions": "#e6eef4",
    "memtypes": "#f4eedf",
    "client": "#f6e9f3",
}
CHAR_W = 6.2  # width of a character of the cells' 11 px sans-serif, near enough to lay them out


@dataclass
class Room:
    name: str
    words: str
    parts: list[str]
    x: float = 0.0
    y: float = 0.0
    w: float = 0.0
    h: float = 0.0
    cells: list[tuple[float, float, float, str]] = field(default_factory=list)


def floors() -> list[list[str]]:
    """The layers contract's floors, as room names, plus the client on the ground floor."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    contract = next(c for c in config["tool"]["importlinter"]["contracts"] if c["type"] == "layers")
    found = [
        [part.strip().removeprefix("mnemo.") for part in layer.split("|")] for layer in contract["layers"]
    ]
    found[-1] += ["client"]
    return found


def _folder(room: str) -> Path:
    """The room's folder, or its module where the room is one."""
    if room == "client":
        return ROOT / "client" / CLIENT
    return ROOT / room if (ROOT / room).is_dir() else ROOT / f"{room}.py"


def _shown(room: str) -> str:
    return _folder(room).name if room != "client" and not _folder(room).is_dir() else room + "/"


def _first_line(folder: Path) -> str:
    source = folder / "__init__.py" if folder.is_dir() else folder
    doc = ast.get_docstring(ast.parse(source.read_text())) or ""
    return doc.split("\n\n")[0].replace("\n", " ")


def _parts(folder: Path) -> list[str]:
    if not folder.is_dir():
        return [folder.name]
    packages = sorted(p.name + "/" for p in folder.iterdir() if (p / "__init__.py").exists())
    modules = sorted(p.name for p in folder.glob("*.py") if p.name != "__init__.py")
    return packages + modules


def _room_of(module: str) -> str | None:
    if module == CLIENT or module.startswith(CLIENT + "."):
        return "client"
    parts = module.split(".")
    if parts[0] == "mnemo" and len(parts) > 1 and "tests" not in parts[1:]:
        return parts[1]
    return None


def import_graph() -> tuple[set[tuple[str, str]], list[list[str]]]:
    """Rooms' arrows (importer, imported) and the module circles (each sorted, longest first)."""
    graph = grimp.build_graph("mnemo", CLIENT, cache_dir=None)
    modules = sorted(m for m in graph.modules if _room_of(m))
    edges: dict[str, list[str]] = {m: [] for m in modules}
    arrows = set()
    for module in modules:
        for imported in sorted(graph.find_modules_directly_imported_by(module)):
            if imported not in edges:
                continue
            edges[module].append(imported)
            pair = (_room_of(module), _room_of(imported))
            if pair[0] != pair[1]:
                arrows.add(pair)
    return arrows, _circles(edges)  # type: ignore[return-value]


def _circles(edges: dict[str, list[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components with more than one module."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in edges[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10 * len(edges)))
    for node in edges:
        if node not in index:
            visit(node)
    return sorted(found, key=lambda c: (-len(c), c))


def _lay_out(rooms: list[list[Room]]) -> float:
    """Places every room and its cells; returns the bottom of the lowest floor."""
    y = 110.0
    for floor in rooms:
        gap = 20.0
        weights = [max(len(r.parts), 4) for r in floor]
        total = WIDTH - 40 - gap * (len(floor) - 1)
        x = 20.0
        height = 0.0
        for room, weight in zip(floor, weights, strict=True):
            room.x, room.y, room.w = x, y, total * weight / sum(weights)
            cx, cy = room.x + 8, room.y + 52
            for part in room.parts:
                cw = len(part) * (CHAR_W + (0.9 if part.endswith("/") else 0.0)) + 12
                if cx + cw > room.x + room.w - 8:
                    cx, cy = room.x + 8, cy + 24
                room.cells.append((cx, cy, cw, part))
                cx += cw + 4
            room.h = cy + 30 - room.y
            height = max(height, room.h)
            x += room.w + gap
        for room in floor:
            room.h = height
        y += height + FLOOR_GAP
    return y - FLOOR_GAP


def _arrow(start: Room, end: Room, floor_of: dict[str, int], slot: tuple[int, int]) -> str:
    up = floor_of[end.name] < floor_of[start.name]
    along = floor_of[end.name] == floor_of[start.name]
    colour = "#c0392b" if up else "#e67e22" if along else "#5d6d7e"
    share = (slot[0] + 1) / (slot[1] + 1)
    if along:
        x1, y1 = start.x + start.w * share, start.y + start.h
        x2, y2 = end.x + end.w * share, end.y + end.h
        path = f"M{x1:.0f},{y1:.0f} C{x1:.0f},{y1 + 40:.0f} {x2:.0f},{y2 + 40:.0f} {x2:.0f},{y2:.0f}"
    elif up:
        x1, y1 = start.x + start.w * share, start.y
        x2, y2 = end.x + end.w * share, end.y + end.h
        path = f"M{x1:.0f},{y1:.0f} L{x2:.0f},{y2:.0f}"
    else:
        x1, y1 = start.x + start.w * share, start.y + start.h
        x2, y2 = end.x + end.w / 2, end.y
        path = f"M{x1:.0f},{y1:.0f} C{x1:.0f},{y1 + 30:.0f} {x2:.0f},{y2 - 30:.0f} {x2:.0f},{y2:.0f}"
    return (
        f'<path d="{path}" fill="none" stroke="{colour}" stroke-width="1.6" opacity="0.8" '
        f'marker-end="url(#head)"><title>{_shown(start.name)} imports {_shown(end.name)}</title></path>'
    )


def _room(name: str) -> Room:
    return Room(name, _first_line(_folder(name)), _parts(_folder(name)))


def house() -> str:
    """The map as an SVG document."""
    layout = floors()
    rooms = [
        [Room(name, _first_line(_folder(name)), _parts(_folder(name))) for name in floor] for floor in layout
    ]
    by_name = {room.name: room for floor in rooms for room in floor}
    floor_of = {room.name: i for i, floor in enumerate(rooms) for room in floor}
    arrows, circles = import_graph()
    bottom = _lay_out(rooms)
    drawn = sorted(a for a in arrows if a[1] != GROUND[0] and a[0] in by_name and a[1] in by_name)
    ground = sorted(a for a in arrows if a[1] == GROUND[0] and a[0] in by_name)
    upward = [a for a in drawn if floor_of[a[1]] <= floor_of[a[0]]]
    height = bottom + 110 + 16 * len(circles)
    listed = "; ".join(f"{_shown(a)} imports {_shown(b)}" for a, b in sorted(arrows))
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height:.0f}" '
        f'viewBox="0 0 {WIDTH} {height:.0f}" font-family="sans-serif">',
        "<title>The rooms of mnemo, drawn from the code's own imports (make docs)</title>",
        "<desc>" + escape(listed) + "</desc>",
        '<defs><marker id="head" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#5d6d7e"/></marker></defs>',
        f'<rect width="{WIDTH}" height="{height:.0f}" fill="#ffffff"/>',
        '<text x="20" y="40" font-size="26" font-weight="bold">mnemo</text>',
        f'<text x="20" y="66" font-size="14" fill="#555">{len(by_name)} rooms on {len(rooms)} floors · '
        f"{len(arrows)} arrows between rooms ({len(upward)} up or along a floor) · "
        f"circles of modules: {len(circles)}</text>",
    ]
    for floor in rooms:
        for room in floor:
            out += _room_svg(room)
    out += _arrows_svg(drawn, by_name, floor_of)
    out += _notes_svg(ground, circles, bottom)
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _room_svg(room: Room) -> list[str]:
    """A room: its box, its name, the first words of its docstring and a cell per part."""
    colour = COLOURS.get(room.name, "#eeeeee")
    out = [
        f'<rect x="{room.x:.0f}" y="{room.y:.0f}" width="{room.w:.0f}" height="{room.h:.0f}" '
        f'fill="{colour}" stroke="#555" stroke-width="1"/>'
    ]
    if room.name in GROUND[:1]:
        out.append(
            f'<rect x="{room.x:.0f}" y="{room.y + room.h - 5:.0f}" width="{room.w:.0f}" '
            'height="5" fill="#222"/>'
        )
    label = "client/ (mnemo-client)" if room.name == "client" else _shown(room.name)
    out.append(
        f'<text x="{room.x + 8:.0f}" y="{room.y + 20:.0f}" font-size="16" font-weight="bold">'
        f"{escape(label)}</text>"
    )
    limit = int((room.w - 16) / 6.0)
    words = room.words if len(room.words) <= limit else room.words[: limit - 1] + "…"
    out.append(
        f'<text x="{room.x + 8:.0f}" y="{room.y + 38:.0f}" font-size="11" fill="#444">{escape(words)}</text>'
    )
    for cx, cy, cw, part in room.cells:
        fill = "#ffffff" if part.endswith("/") else "#fbfbfb"
        out.append(
            f'<rect x="{cx:.0f}" y="{cy:.0f}" width="{cw:.0f}" height="20" fill="{fill}" '
            f'stroke="#999" stroke-width="0.6" opacity="0.85"/>'
        )
        weight = ' font-weight="bold"' if part.endswith("/") else ""
        out.append(f'<text x="{cx + 6:.0f}" y="{cy + 14:.0f}" font-size="11"{weight}>{escape(part)}</text>')
    return out


def _arrows_svg(
    drawn: list[tuple[str, str]], by_name: dict[str, Room], floor_of: dict[str, int]
) -> list[str]:
    """The drawn arrows, each room's spread over its side (its slot among its own)."""
    counts: dict[str, int] = {}
    for start, _ in drawn:
        counts[start] = counts.get(start, 0) + 1
    seen: dict[str, int] = {}
    out = []
    for start, end in drawn:
        slot = (seen.get(start, 0), counts[start])
        seen[start] = slot[0] + 1
        out.append(_arrow(by_name[start], by_name[end], floor_of, slot))
    return out


def _notes_svg(ground: list[tuple[str, str]], circles: list[list[str]], bottom: float) -> list[str]:
    """The notes under the map: the arrows into the ground floor, the key, the circles."""
    notes = [
        "Arrows into the ground floor, not drawn: "
        + ", ".join(f"{a}/ → {b}/" for a, b in ground)
        + ". Black foot: the vocabulary every room stands on.",
        "Grey arrow: down a floor. Orange: along a floor. Red: up a floor. Bold cells are packages.",
        f"Circles of modules: {len(circles)}" + (":" if circles else "."),
        *("  " + " ↔ ".join(circle) for circle in circles),
    ]
    return [
        f'<text x="20" y="{bottom + 30 + 16 * i:.0f}" font-size="12" fill="#444">{escape(note)}</text>'
        for i, note in enumerate(notes)
    ]


if __name__ == "__main__":
    Path(sys.argv[1]).write_text(house())
