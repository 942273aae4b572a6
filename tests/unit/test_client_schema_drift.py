"""The Python client's models against the OpenAPI schema the server serves: every model of
`mnemo_client.models` and `state_models` (through `mnemo_client.schemas`) has the properties, the
required ones and the JSON types of the server's component it mirrors, so a drift on either side
fails here (the TypeScript client is generated from the same schema instead)."""

from __future__ import annotations

from typing import Any

from mnemo.api.config.settings import Settings
from mnemo.api.http.app import create_app
from mnemo_client.schemas import SERVER_SCHEMAS


def _shape(schema: dict[str, Any], components: dict[str, Any]) -> Any:
    """A property's JSON type, reduced to what both sides must agree on (nullability aside)."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        target = components.get(name, {})
        return ("enum", *sorted(target["enum"])) if "enum" in target else f"ref:{name}"
    if "enum" in schema:
        return ("enum", *sorted(schema["enum"]))
    options = schema.get("anyOf") or schema.get("oneOf")
    if options:
        shapes = {_shape(o, components) for o in options} - {"null"}
        return next(iter(shapes)) if len(shapes) == 1 else tuple(sorted(map(str, shapes)))
    kind = schema.get("type")
    if isinstance(kind, list):
        kinds = [k for k in kind if k != "null"]
        kind = kinds[0] if len(kinds) == 1 else tuple(sorted(kinds))
    if kind == "array":
        return ("array", _shape(schema.get("items", {}), components))
    if kind == "object":
        extra = schema.get("additionalProperties")
        return ("object", _shape(extra, components) if isinstance(extra, dict) else None)
    if kind == "integer":
        return "number" if schema.get("format") == "float" else "integer"
    return kind


def test_client_models_match_the_server_openapi_schema() -> None:
    spec = create_app(Settings()).openapi_schema.to_schema()  # what /schema/openapi.json serves
    components = spec["components"]["schemas"]
    client_components: dict[str, Any] = {}
    for model in SERVER_SCHEMAS:
        client_components |= model.model_json_schema(ref_template="#/components/schemas/{model}").get(
            "$defs", {}
        )
    names = {cls.__name__: server for cls, server in SERVER_SCHEMAS.items()}
    for cls, server_name in SERVER_SCHEMAS.items():
        server = components[server_name]
        # A deprecated field is one the client no longer sends (the server takes it for a release).
        properties = {k: v for k, v in server["properties"].items() if not v.get("deprecated")}
        client = cls.model_json_schema(ref_template="#/components/schemas/{model}")
        assert set(client["properties"]) == set(properties), server_name
        assert set(client.get("required", [])) == set(server.get("required", [])), server_name
        for field, prop in properties.items():
            ours = _shape(client["properties"][field], client_components)
            if isinstance(ours, str) and ours.startswith("ref:"):
                ours = f"ref:{names.get(ours[4:], ours[4:])}"
            theirs = _shape(prop, components)
            assert ours == theirs or ({ours, theirs} <= {"number", "integer"} and ours == "number"), (
                f"{server_name}.{field}: client {ours} vs server {theirs}"
            )
