"""Each client model and the name of the server's schema component it mirrors: the drift test of
the service compares every one with the server's OpenAPI schema. Every model of `models` and
`state_models` is in it by itself (its own name, or the server's where the two differ), so none
escapes the comparison."""

from __future__ import annotations

from pydantic import BaseModel

from mnemo_client import models, state_models

# The client's name → the server's component, where they differ.
_SERVER_NAMES = {"RetrieveResult": "RetrieveResponse"}
_BASES = (models.RequestModel, models.ResponseModel)

SERVER_SCHEMAS: dict[type[BaseModel], str] = {
    cls: _SERVER_NAMES.get(cls.__name__, cls.__name__)
    for module in (models, state_models)
    for cls in vars(module).values()
    if isinstance(cls, type)
    and issubclass(cls, BaseModel)
    and cls.__module__ == module.__name__
    and cls not in _BASES
}
