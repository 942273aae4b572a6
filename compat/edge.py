"""What the vendor protocols share at the edge: each vendor's key scheme read as mnemo's bearer key
(so the key ring maps it to its tenant, as for the native API), a problem body labelled as the
vendor's client reads errors, the 501 of a method mnemo does not serve, scopes and listings over
the native services, and every vendor write through the native write use case."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from litestar import Request, Response, Router, route
from litestar.enums import HttpMethod, ScopeType
from litestar.handlers import HTTPRouteHandler
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from pydantic import ValidationError

from ..ingest.pipeline import WriteResult
from ..ingest.writes import MemoryWrites
from ..memtypes.errors import PROBLEM_JSON, FieldProblem, InvalidInput, MnemoError, problem_body
from ..memtypes.queries import MemoryFilter
from ..memtypes.records import MemoryIn, MemoryRecord
from ..memtypes.records import Scope as MemoryScope
from ..memtypes.requests import WriteRequest
from ..memtypes.types import MemoryType
from ..retrieval.catalog import Catalog

# A listing a protocol answers with a total (mem0's `count`, its pages by number) reads the scope's
# memories up to this many; a larger scope answers its first ones.
MAX_LISTED = 10_000
_PAGE = 500
_PROBLEM_CONTENT_TYPE = PROBLEM_JSON.encode()  # as the header carries it


@dataclass(frozen=True)
class Vendor:
    prefix: str  # the path the vendor's client is pointed at, e.g. `/mem0`
    scheme: str  # the Authorization scheme its client sends, lower case
    json_errors: bool = False  # its client reads an error's `detail` only from `application/json`
    invalid_status: int = 422  # the status its client takes for a request it got wrong


VENDORS = (
    Vendor("/mem0", "token", json_errors=True),
    # Zep's SDK raises BadRequestError for a 400 only; every other 4xx is its bare ApiError.
    Vendor("/zep", "api-key", invalid_status=400),
    Vendor("/ams", "bearer"),
)


def vendor_of(path: str) -> Vendor | None:
    return next((v for v in VENDORS if path == v.prefix or path.startswith(v.prefix + "/")), None)


# The vendors' routes that do the work of mnemo's write or retrieval (by method and path template):
# the fair-share middleware (api/guards/fairness.py) gives each the lane of mnemo's own route.
HEAVY_ROUTES = {
    ("POST", "/mem0/v3/memories/add"): "writes",
    ("POST", "/mem0/v1/memories"): "writes",
    ("POST", "/mem0/memories"): "writes",
    ("POST", "/mem0/v3/memories/search"): "retrievals",
    ("POST", "/mem0/v2/memories/search"): "retrievals",
    ("POST", "/mem0/search"): "retrievals",
    ("POST", "/ams/v1/long-term-memory"): "writes",
    ("PUT", "/ams/v1/working-memory/{session_id}"): "writes",
    ("POST", "/ams/v1/long-term-memory/search"): "retrievals",
    ("POST", "/ams/v1/memory/prompt"): "retrievals",
    ("POST", "/zep/api/v2/threads/{thread_id}/messages"): "writes",
    ("POST", "/zep/api/v2/graph"): "writes",
    ("POST", "/zep/api/v2/graph/search"): "retrievals",
    ("GET", "/zep/api/v2/threads/{thread_id}/context"): "retrievals",
}
# The vendors' requests that change nothing although their method says they might: reads by POST
# (a search, a listing), and deletes, which free space. Never refused for the lack of space.
STORE_NOTHING = frozenset(
    {route for route, lane in HEAVY_ROUTES.items() if lane == "retrievals"} | {("POST", "/mem0/v3/memories")}
)


def stores_nothing(method: str, path_template: str) -> bool:
    return method == "DELETE" or (method, path_template) in STORE_NOTHING


class VendorEdge:
    """ASGI, around the app: under a vendor's prefix, `Authorization: <its scheme> KEY` becomes
    `Bearer KEY` (every guard and the tenant provider then read it as they read a native call), and
    an error goes out as the vendor's client reads it (its content type, its status for bad input)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        vendor = vendor_of(scope["path"]) if scope["type"] == ScopeType.HTTP else None
        if vendor is None:
            await self.app(scope, receive, send)
            return
        scope["headers"] = [_as_bearer(name, value, vendor.scheme) for name, value in scope["headers"]]

        held: list[Message] = []  # a 422's start and body, while its status is rewritten

        async def send_as_vendor(message: Message) -> None:
            if message["type"] == "http.response.start":
                if vendor.json_errors:
                    message["headers"] = [
                        (
                            name,
                            b"application/json"
                            if name == b"content-type" and value == _PROBLEM_CONTENT_TYPE
                            else value,
                        )
                        for name, value in message.get("headers", ())
                    ]
                if message["status"] == 422 and vendor.invalid_status != 422:
                    held.append(message)
                    return
            elif held:
                held.append(message)
                if message.get("more_body", False):
                    return
                for rewritten in _with_status(held, vendor.invalid_status):
                    await send(rewritten)
                return
            await send(message)

        await self.app(scope, receive, send_as_vendor)


def _with_status(held: list[Message], status: int) -> list[Message]:
    """A held problem response with another status, in its start line and in its body's `status`
    member (RFC 9457: the two agree)."""
    start: Any = held[0]
    chunks: list[Any] = held[1:]
    body = b"".join(chunk.get("body", b"") for chunk in chunks)
    try:
        problem = json.loads(body)
        problem["status"] = status
        body = json.dumps(problem).encode()
    except (ValueError, TypeError):
        pass  # not a problem body: only the start line changes
    headers = [(k, v) for k, v in start.get("headers", ()) if k != b"content-length"]
    headers.append((b"content-length", str(len(body)).encode()))
    rewritten: Any = [
        {**start, "status": status, "headers": headers},
        {"type": "http.response.body", "body": body, "more_body": False},
    ]
    return list(rewritten)


def _as_bearer(name: bytes, value: bytes, scheme: str) -> tuple[bytes, bytes]:
    if name != b"authorization":
        return name, value
    given, _, key = value.partition(b" ")
    if given.decode("latin-1").lower() == scheme and key.strip():
        return name, b"Bearer " + key.strip()
    return name, value


def _problem(
    request: Request[Any, Any, Any], status: int, title: str, code: str, detail: str, **extra: Any
) -> Response[dict[str, Any]]:
    """An RFC 9457 problem response: mnemo's own members, then `extra`."""
    body = problem_body(status, title, detail, code, request.url.path) | extra
    return Response(body, status_code=status, media_type=PROBLEM_JSON)


def not_supported(request: Request[Any, Any, Any], vendor: str, method: str) -> Response[dict[str, Any]]:
    """501, a problem body naming the vendor client's method: never a silent 200."""
    detail = f"{vendor}'s `{method}` is not supported by mnemo (see its compatibility page in the docs)"
    return _problem(request, 501, "Not implemented", "not_supported", detail, method=method)


def unsupported_routes(vendor: str, methods: Mapping[str, str]) -> list[HTTPRouteHandler]:
    """A 501 handler per path of the vendor's API that mnemo does not serve (`methods`: path → the
    client's method that calls it), and one for any other path under the prefix."""
    verbs = [HttpMethod.GET, HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH, HttpMethod.DELETE]

    def answer(path: str, method: str) -> HTTPRouteHandler:
        async def handler(request: Request[Any, Any, Any]) -> Response[dict[str, Any]]:
            return not_supported(request, vendor, method)

        return route(path, http_method=verbs, include_in_schema=False)(handler)

    async def anything(request: Request[Any, Any, Any]) -> Response[dict[str, Any]]:
        return not_supported(request, vendor, f"{request.method} {request.url.path}")

    catch_all = route("/{rest:path}", http_method=verbs, include_in_schema=False)(anything)
    return [*(answer(path, method) for path, method in methods.items()), catch_all]


def memory_scope(named: Mapping[str, str] | None = None, /, **fields: str | None) -> MemoryScope:
    """A scope from a vendor's ids (user_id, agent_id, thread_id, namespace), each checked; a 422 names
    the one that is not an id mnemo keeps, by the vendor's name for it (`named`: scope field → the
    vendor's field, where they differ: mem0's `run_id`, AMS's `session_id`)."""
    for name, value in fields.items():
        try:
            MemoryScope.model_validate({name: value})
        except ValueError:
            field = (named or {}).get(name, name)
            raise InvalidInput(
                f"{field} is not an id mnemo keeps",
                problems=[
                    FieldProblem(field, "1..256 of letters, digits and ._:@/+- (a letter or digit first)")
                ],
            ) from None
    return MemoryScope.model_validate(fields)


async def write(
    writes: MemoryWrites,
    tenant: str,
    items: list[MemoryIn],
    field: str,
    positions: Sequence[int] | None = None,
    *,
    content: str = "content",
    prefilter: bool = False,
    dedup: bool = False,
) -> list[WriteResult]:
    """A vendor's write, through the use case of mnemo's own (`POST /v1/memories`): the service's
    item limit, the tenant's embedding allowance and the privacy policy apply whatever the protocol.
    A refusal names the vendor's field: `field` is its name for the list of items (with `positions`,
    each item's index in it, and `content` its name for an item's text), or for the one item a
    write of one stores."""
    request = WriteRequest(memories=items, prefilter=prefilter, dedup=dedup)
    try:
        return await writes.write(tenant, request)
    except MnemoError as exc:
        exc.problems = [
            FieldProblem(_vendor_field(p.field, field, positions, content), p.message) for p in exc.problems
        ]
        raise


def _vendor_field(native: str, field: str, positions: Sequence[int] | None, content: str) -> str:
    """`memories`, `memories.<i>.<path>` of the native request as the vendor's body names them."""
    head, _, rest = native.partition(".")
    if head != "memories":
        return native
    if not rest or positions is None:
        return field
    index, _, path = rest.partition(".")
    if index.isdigit() and int(index) < len(positions):
        index = str(positions[int(index)])
    if path == "content" or path.startswith("content."):
        path = content + path.removeprefix("content")
    return ".".join(part for part in (field, index, path) if part)


async def records_in_scope(
    catalog: Catalog, flt: MemoryFilter, memory_type: MemoryType | None, cap: int = MAX_LISTED
) -> list[MemoryRecord]:
    """The filter's records of one type (or all), at most `cap`, in the catalog's order."""
    records: list[MemoryRecord] = []
    cursor: str | None = None
    while len(records) < cap:
        page = await catalog.page(flt, memory_type, min(_PAGE, cap - len(records)), cursor)
        records.extend(page.records)
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    return records


def iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).isoformat()


class NotSupported(Exception):
    """A part of a vendor's API that mnemo does not serve, named as its client names it; each
    vendor's router answers it with `not_supported`."""

    def __init__(self, vendor: str, method: str) -> None:
        super().__init__(method)
        self.vendor = vendor
        self.method = method


def invalid_handler(request: Request[Any, Any, Any], exc: ValidationError) -> Response[dict[str, Any]]:
    """A value the translation built that mnemo's models refuse (metadata too large, say): a 422
    naming the field, never a 500."""
    errors = [
        {"field": ".".join(str(p) for p in e["loc"]) or "body", "message": e["msg"]}
        for e in exc.errors(include_url=False, include_input=False)
    ]
    detail = "the request does not make a valid memory"
    return _problem(request, 422, "Invalid input", "invalid_input", detail, errors=errors)


def vendor_router(
    vendor: str, prefix: str, handlers: list[Any], unsupported: Mapping[str, str], tag: str
) -> Router:
    """A vendor's routes under its prefix, with the 501s of what mnemo does not serve. Out of mnemo's
    OpenAPI schema: they are the vendor's API, documented by the vendor and by mnemo's compatibility
    pages, and mnemo's clients are typed from the schema."""
    return Router(
        prefix,
        route_handlers=[*handlers, *unsupported_routes(vendor, unsupported)],
        exception_handlers={NotSupported: not_supported_handler, ValidationError: invalid_handler},
        tags=[tag],
        include_in_schema=False,
    )


def not_supported_handler(request: Request[Any, Any, Any], exc: NotSupported) -> Response[dict[str, Any]]:
    return not_supported(request, exc.vendor, exc.method)
