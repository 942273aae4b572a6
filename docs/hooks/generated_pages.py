"""The pages written from the tree itself, so they cannot drift.

`reference/configuration.md` is a table of every setting, walked from the settings models
(`mnemo.api.config.settings.Settings` and its groups); `reference/http-api.md` is every route of the
OpenAPI schema the app serves at `/schema/openapi.json`, with its parameters, body and answers. Both
are files under docs/, so that their links work in the repository too: `python
docs/hooks/generated_pages.py` rewrites them, and tests/unit/test_docs_site.py fails while they differ
from the code.

As an MkDocs hook it adds the benchmarks' pages to the site: `benchmarks.md` is `benchmarks/README.md`
(the results), `benchmarks-journal.md` is `benchmarks/JOURNAL.md` (how each figure came about) and
`benchmarks-tried.md` is `benchmarks/TRIED.md` (what was tried and left off), their links to files
beside them named as paths (the site holds pages, not the results). A docs page links to those pages
as the repository has them (`../benchmarks/README.md`), which works when reading docs/ in the
repository; the hook points such a link at the site's page.
"""

from __future__ import annotations

import json
import posixpath
import re
import types
import typing
from pathlib import Path, PurePath
from typing import Any

from pydantic import BaseModel, SecretStr
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

ROOT = Path(__file__).resolve().parents[2]
CONFIGURATION = "reference/configuration.md"
HTTP_API = "reference/http-api.md"
# Each benchmarks page of the site → the file of the repository it is made from.
BENCHMARK_PAGES = {
    "benchmarks.md": "benchmarks/README.md",
    "benchmarks-journal.md": "benchmarks/JOURNAL.md",
    "benchmarks-tried.md": "benchmarks/TRIED.md",
}
_SITE_PAGE = {source: page for page, source in BENCHMARK_PAGES.items()}
_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")
_METHODS = ("get", "post", "put", "patch", "delete")


def _cell(text: str) -> str:
    """One Markdown table cell: pipes escaped, line breaks joined."""
    return " ".join(text.split()).replace("|", "\\|")


def _type_name(annotation: Any) -> str:
    origin = typing.get_origin(annotation)
    if origin is typing.Literal:
        return " \\| ".join(f"`{value}`" for value in typing.get_args(annotation))
    if origin in (typing.Union, types.UnionType):
        shown = [_type_name(arg) for arg in typing.get_args(annotation) if arg is not type(None)]
        return " \\| ".join(shown) + (" or unset" if type(None) in typing.get_args(annotation) else "")
    if annotation is SecretStr:
        return "secret"
    if origin is not None:
        args = ", ".join(_type_name(arg) for arg in typing.get_args(annotation))
        return f"{getattr(origin, '__name__', str(origin))}[{args}]"
    return getattr(annotation, "__name__", str(annotation))


def _default(field: FieldInfo) -> str:
    value = field.default
    if value is PydanticUndefined and field.default_factory is not None:
        value = field.default_factory()  # type: ignore[call-arg]
    if value is None or value is PydanticUndefined:
        return "unset"
    if isinstance(value, PurePath) and not value.is_absolute():
        return f"`./{value}`"
    if isinstance(value, str):
        return f"`{value}`" if value else '`""` (empty)'
    if isinstance(value, (dict, list, tuple)) and not value:
        return "empty"
    if isinstance(value, (dict, list, tuple, bool, int, float)):
        return f"`{json.dumps(value, default=str)}`"
    return f"`{value}`"


def _group_rows(prefix: str, model: type[BaseModel]) -> list[str]:
    rows = []
    for name, field in model.model_fields.items():
        variable = f"`{prefix}{name.upper()}`"
        rows.append(
            f"| {variable} | {_type_name(field.annotation)} | {_default(field)} "
            f"| {_cell(field.description or '')} |"
        )
    return rows


def configuration_page() -> str:
    """Every setting: the server-wide ones, then each component's group."""
    from mnemo.api.config.settings import Settings

    header = ["| variable | type | default | meaning |", "|---|---|---|---|"]
    top: list[str] = []
    groups: list[tuple[str, type[BaseModel]]] = []
    for name, field in Settings.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            groups.append((name, annotation))
        else:
            top.append(
                f"| `MNEMO_{name.upper()}` | {_type_name(annotation)} | {_default(field)} "
                f"| {_cell(field.description or '')} |"
            )
    lines = [
        "# Configuration reference",
        "",
        "Every setting of `mnemo serve`, written from the settings models (`api/config/settings.py` and",
        "the models of its groups) by `docs/hooks/generated_pages.py`; a test fails while it is out of",
        "date. Each is an environment variable (or a line of a `.env` file in the working directory). A",
        "group's field is set as `MNEMO_<GROUP>__<FIELD>`. How they fit together:",
        "[Configuration](../configuration.md).",
        "",
        "## Server",
        "",
        *header,
        *top,
    ]
    for name, model in groups:
        lines += ["", f"## `{name}`", "", *header, *_group_rows(f"MNEMO_{name.upper()}__", model)]
    return "\n".join(lines) + "\n"


def _schema_type(schema: dict[str, Any]) -> str:
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return f"[{name}](#{name.lower()})"
    if "enum" in schema:
        return " \\| ".join(f"`{value}`" for value in schema["enum"])
    if "const" in schema:
        return f"`{schema['const']}`"
    for key in ("oneOf", "anyOf"):
        if key in schema:
            return " \\| ".join(_schema_type(option) for option in schema[key])
    kind = schema.get("type", "any")
    if isinstance(kind, list):
        return " \\| ".join(kind)
    if kind == "array":
        return f"array of {_schema_type(schema.get('items', {}))}"
    if kind == "object" and "additionalProperties" in schema and schema["additionalProperties"] is not True:
        extra = schema["additionalProperties"]
        return f"object of {_schema_type(extra)}" if isinstance(extra, dict) else "object"
    return str(kind)


def _operation_lines(path: str, method: str, operation: dict[str, Any]) -> list[str]:
    lines = [f"### `{method.upper()} {path}`", ""]
    if operation.get("summary"):
        lines += [operation["summary"], ""]
    if operation.get("description"):
        lines += [operation["description"].strip(), ""]
    parameters = operation.get("parameters", [])
    if parameters:
        lines += ["| parameter | in | type | required | meaning |", "|---|---|---|---|---|"]
        for parameter in parameters:
            lines.append(
                f"| `{parameter['name']}` | {parameter['in']} | {_schema_type(parameter.get('schema', {}))} "
                f"| {'yes' if parameter.get('required') else 'no'} "
                f"| {_cell(parameter.get('description', ''))} |"
            )
        lines.append("")
    body = operation.get("requestBody", {}).get("content", {})
    for media, content in body.items():
        lines += [f"Body (`{media}`): {_schema_type(content.get('schema', {}))}", ""]
    errors = []
    for status, response in operation.get("responses", {}).items():
        if not status.startswith("2"):
            errors.append(status)
            continue
        shown = [
            f"{_schema_type(content.get('schema', {}))} (`{media}`)"
            for media, content in response.get("content", {}).items()
        ]
        lines.append(f"Answers **{status}**: {', '.join(shown) or 'no body'}.")
    if errors:
        lines.append(f"Errors ([problem details](#problemdetails)): {', '.join(sorted(errors))}.")
    return [*lines, ""]


def _component_lines(name: str, schema: dict[str, Any]) -> list[str]:
    lines = [f"### {name}", ""]
    if schema.get("description"):
        lines += [_cell(schema["description"]), ""]
    properties = schema.get("properties", {})
    if not properties:
        return [*lines, f"Type: {_schema_type(schema)}", ""]
    required = set(schema.get("required", []))
    lines += ["| field | type | required | meaning |", "|---|---|---|---|"]
    for field, spec in properties.items():
        lines.append(
            f"| `{field}` | {_schema_type(spec)} | {'yes' if field in required else 'no'} "
            f"| {_cell(spec.get('description', ''))} |"
        )
    return [*lines, ""]


def openapi_schema() -> dict[str, Any]:
    """The schema the app serves, from an app that is created but never started (no engine opens)."""
    from mnemo.api.config.settings import Settings
    from mnemo.api.http.app import create_app

    schema: dict[str, Any] = create_app(Settings()).openapi_schema.to_schema()
    return schema


def http_api_page(schema: dict[str, Any]) -> str:
    """Every route of the schema, in the schema's order, then every model it names."""
    lines = [
        "# HTTP API reference",
        "",
        f"{schema['info']['title']} {schema['info']['version']}, written from the OpenAPI schema the",
        "service serves at `/schema/openapi.json` (and as YAML, `/schema/openapi.yaml`) by",
        "`docs/hooks/generated_pages.py` (a test fails while it is out of date). Errors are RFC 9457",
        "problem details (`application/problem+json`): see",
        "[the HTTP integration](../integrations/http.md#errors). `/metrics` and `/mcp` are not in the",
        "schema: see [Observability](../observability.md) and [MCP](../integrations/mcp.md).",
        "",
        "## Routes",
        "",
    ]
    for path, item in schema["paths"].items():
        for method in _METHODS:
            if method in item:
                lines += _operation_lines(path, method, item[method])
    lines += ["## Models", ""]
    for name, component in schema.get("components", {}).get("schemas", {}).items():
        lines += _component_lines(name, component)
    return "\n".join(lines) + "\n"


def benchmarks_page(page: str = "benchmarks.md") -> str:
    """A benchmarks file as a site page: each link to a file beside it (results, scripts) written as
    its path, each link to the other benchmarks file to its page."""
    source = BENCHMARK_PAGES[page]
    text = (ROOT / source).read_text()

    def named(match: re.Match[str]) -> str:
        label, target = match.group(1), match.group(2)
        if re.match(r"[a-z]+:|#", target):
            return match.group(0)
        path, _, anchor = target.partition("#")
        if (other := _SITE_PAGE.get(posixpath.normpath(posixpath.join("benchmarks", path)))) is not None:
            return f"[{label}]({other}{'#' + anchor if anchor else ''})"
        named_path = f"`benchmarks/{target}`"
        return named_path if label.strip("`") in target else f"{label} ({named_path})"

    return _LINK.sub(named, text)


def site_links(markdown: str, page_path: str) -> str:
    """A docs page's links to the benchmarks files (relative to the page in the repository, e.g.
    `../benchmarks/README.md#…` from docs/) pointed at their pages in the site."""
    folder = posixpath.dirname(posixpath.join("docs", page_path))

    def pointed(match: re.Match[str]) -> str:
        label, target = match.group(1), match.group(2)
        path, _, anchor = target.partition("#")
        page = _SITE_PAGE.get(posixpath.normpath(posixpath.join(folder, path)))
        if page is None or re.match(r"[a-z]+:", target):
            return match.group(0)
        relative = posixpath.relpath(page, posixpath.dirname(page_path) or ".")
        return f"[{label}]({relative}{'#' + anchor if anchor else ''})"

    return _LINK.sub(pointed, markdown)


def on_files(files: Any, config: Any) -> Any:
    """Adds the benchmarks' pages to the site's files (MkDocs calls this once per build)."""
    from mkdocs.structure.files import File

    for page in BENCHMARK_PAGES:
        if (ROOT / BENCHMARK_PAGES[page]).exists():
            files.append(File.generated(config, page, content=benchmarks_page(page)))
    return files


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    return site_links(markdown, page.file.src_uri)


def write_reference_pages() -> None:
    """docs/reference/: the configuration and HTTP API pages, as the code has them now."""
    (ROOT / "docs" / CONFIGURATION).parent.mkdir(exist_ok=True)
    (ROOT / "docs" / CONFIGURATION).write_text(configuration_page())
    (ROOT / "docs" / HTTP_API).write_text(http_api_page(openapi_schema()))


if __name__ == "__main__":
    write_reference_pages()
    print(f"wrote docs/{CONFIGURATION} and docs/{HTTP_API}")
