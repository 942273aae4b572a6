"""The model registry: what a target model's context window is and how it counts tokens.

Only models whose tokenizer tiktoken reproduces exactly are listed: a budget is a promise.
"""

from __future__ import annotations

from dataclasses import dataclass

from memtypes.errors import FieldProblem, UnknownModel


@dataclass(frozen=True)
class ModelSpec:
    name: str
    context_window: int
    encoding: str


_MODELS = [
    ModelSpec("gpt-4o", 128_000, "o200k_base"),
    ModelSpec("gpt-4o-mini", 128_000, "o200k_base"),
    ModelSpec("gpt-4.1", 1_047_576, "o200k_base"),
    ModelSpec("gpt-4.1-mini", 1_047_576, "o200k_base"),
    ModelSpec("gpt-4.1-nano", 1_047_576, "o200k_base"),
    ModelSpec("o1", 200_000, "o200k_base"),
    ModelSpec("o3", 200_000, "o200k_base"),
    ModelSpec("o3-mini", 200_000, "o200k_base"),
    ModelSpec("o4-mini", 200_000, "o200k_base"),
    ModelSpec("gpt-4-turbo", 128_000, "cl100k_base"),
    ModelSpec("gpt-4", 8_192, "cl100k_base"),
    ModelSpec("gpt-3.5-turbo", 16_385, "cl100k_base"),
]
MODEL_REGISTRY: dict[str, ModelSpec] = {m.name: m for m in _MODELS}


def resolve_model(name: str) -> ModelSpec:
    try:
        return MODEL_REGISTRY[name]
    except KeyError:
        known = ", ".join(sorted(MODEL_REGISTRY))
        raise UnknownModel(
            f"unknown model {name!r}; known models: {known}",
            problems=[FieldProblem("model", f"unknown model; known: {known}")],
        ) from None
