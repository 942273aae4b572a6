"""MkDocs hook: the pages written from the tree itself at every build, so they cannot drift.

`reference/configuration.md` is a table of every setting, walked from the settings models
(`mnemo.api.config.settings.Settings` and its groups); `reference/http-api.md` is every route of the
OpenAPI schema the app serves at `/schema/openapi.json`, with its parameters, body and answers;
`benchmarks.md` is `benchmarks/README.md`, its links to files beside it named as paths (the site
holds pages, not the results). None is a file under docs/: they exist only in the built site
(`make docs`).
"""

from __future__ import annotations

import json
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
BENCHMARKS = "benchmarks.md"
HTTP_API = "reference/http-api.md"
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
        "Every setting of `mnemo serve`, written from the settings models at each build of this site",
        "(`api/config/settings.py` and the models of its groups), so it is never out of date. Each is",
        "an environment variable (or a line of a `.env` file in the working directory). A group's field",
        "is set as `MNEMO_<GROUP>__<FIELD>`. How they fit together: [Configuration](../configuration.md).",
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
        "service serves at `/schema/openapi.json` (and as YAML, `/schema/openapi.yaml`) at each build of",
        "this site. Errors are RFC 9457 problem details (`application/problem+json`): see",
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


def benchmarks_page() -> str:
    """benchmarks/README.md, each link to a file beside it (results, scripts) written as its path."""
    text = (ROOT / "benchmarks" / "README.md").read_text()

    def named(match: re.Match[str]) -> str:
        label, target = match.group(1), match.group(2)
        if re.match(r"[a-z]+:|#", target):
            return match.group(0)
        path = f"`benchmarks/{target}`"
        return path if label.strip("`") in target else f"{label} ({path})"

    return re.sub(r"\[([^\]]+)\]\(([^)]+)\)", named, text)


def on_files(files: Any, config: Any) -> Any:
    """Adds the generated pages to the site's files (MkDocs calls this once per build)."""
    from mkdocs.structure.files import File

    files.append(File.generated(config, CONFIGURATION, content=configuration_page()))
    files.append(File.generated(config, HTTP_API, content=http_api_page(openapi_schema())))
    files.append(File.generated(config, BENCHMARKS, content=benchmarks_page()))
    return files
