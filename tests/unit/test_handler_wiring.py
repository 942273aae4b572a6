"""Handlers declare what they use and read nothing themselves: the app's state and the request's
headers are read by api/http/providers.py (tenant, components, bindings, fairness, metrics), by the
guards and middleware of api/guards/, and by app.py, which builds that state; nowhere else in api/."""

from __future__ import annotations

import re
from pathlib import Path

API = Path(__file__).resolve().parents[2] / "api"
ALLOWED = {API / "http" / "providers.py", API / "http" / "app.py"}
READS_STATE_OR_HEADERS = re.compile(
    r"\b(?:request|connection)\.(?:app\.state|headers)\b|Litestar\.from_scope\(|\bscope\[\"(?:app|headers)\"\]"
)


def test_no_route_module_reads_the_app_state_or_the_request_headers() -> None:
    modules = [m for m in API.rglob("*.py") if m not in ALLOWED and (API / "guards") not in m.parents]
    assert API / "http" / "routes.py" in modules  # the scan sees the route modules
    offending = {
        f"{module.relative_to(API.parent)}:{n}": line.strip()
        for module in modules
        for n, line in enumerate(module.read_text().splitlines(), start=1)
        if READS_STATE_OR_HEADERS.search(line)
    }
    assert offending == {}


def test_the_pattern_finds_what_it_is_for() -> None:
    found = [
        'tenant = request.headers.get("authorization")',
        "fairness = request.app.state.fairness",
        "services = connection.app.state.services",
        "app = Litestar.from_scope(scope)",
        'app = scope["app"]',
    ]
    assert all(READS_STATE_OR_HEADERS.search(line) for line in found)
    assert not READS_STATE_OR_HEADERS.search('authorization = (ctx.headers or {}).get("authorization")')
