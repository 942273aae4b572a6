"""Calling a vendor client's method with placeholder arguments made from its signature: the 501
checks call each method mnemo does not serve, as an application would, without spelling out each
one's arguments by hand."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

PLACEHOLDERS: list[tuple[str, Any]] = [
    ("Dict", {}),
    ("dict", {}),
    ("Sequence", []),
    ("List", []),
    ("list", []),
    ("int", 1),
    ("float", 1.0),
    ("bool", False),
]


def placeholder(parameter: inspect.Parameter) -> Any:
    annotation = str(parameter.annotation)
    if annotation.startswith("typing.Optional") or "None" in annotation.split("[")[0]:
        return "x" if "str" in annotation else None
    return next((value for name, value in PLACEHOLDERS if annotation.startswith(name)), "x")


def call_with_placeholders(client: Any, method_name: str) -> Any:
    """`client`'s method `method_name` (dotted for a sub-client's: `graph.episode.get`), called with every
    required argument given a placeholder of its type (strings `x`)."""
    method: Callable[..., Any] = client
    for part in method_name.split("."):
        method = getattr(method, part)
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    for name, parameter in inspect.signature(method).parameters.items():
        if parameter.default is not inspect.Parameter.empty or parameter.kind in (
            inspect.Parameter.VAR_POSITIONAL,
            inspect.Parameter.VAR_KEYWORD,
        ):
            continue
        if parameter.kind is inspect.Parameter.KEYWORD_ONLY:
            kwargs[name] = placeholder(parameter)
        else:
            args.append(placeholder(parameter))
    return method(*args, **kwargs)
