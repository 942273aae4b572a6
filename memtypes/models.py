"""The model registry: what a target model's context window is and how it counts tokens.

Built in are the models whose tokenizer tiktoken reproduces exactly: a budget is a promise. An
`MNEMO_CONFIG` file registers more (`models:`), each with a tiktoken encoding, a Hugging Face
`tokenizer.json` file (exact, read offline), or, where the tokenizer is not public, an explicit
estimate with a safety margin, which retrievals report as `metadata.exact: false`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from .errors import FieldProblem, UnknownModel
from .jsontypes import Share

MODEL_NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:@/+-]{0,99}$"


@dataclass(frozen=True)
class ModelSpec:
    name: str
    context_window: int
    encoding: str  # the name of the counter that counts for this model (backends/tokenizer.py)
    exact: bool = True  # False: an estimate (with a margin), not the model's own tokenizer


class TiktokenTokenizer(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tiktoken: Literal["cl100k_base", "o200k_base"]


class HuggingFaceTokenizer(BaseModel):
    model_config = ConfigDict(extra="forbid")

    huggingface: str = Field(
        min_length=1, max_length=4096, description="a tokenizer.json file (relative: to the config file)"
    )


class Estimate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    chars_per_token: float = Field(default=3.0, gt=0.5, le=10.0)
    margin: Share = Field(default=0.15, description="counts are inflated by this share")


class EstimateTokenizer(BaseModel):
    model_config = ConfigDict(extra="forbid")

    estimate: Estimate = Field(default_factory=Estimate)


class RegisteredModel(BaseModel):
    """One `models:` entry of an `MNEMO_CONFIG` file."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=MODEL_NAME_PATTERN)
    context_window: int = Field(ge=1, le=100_000_000)
    tokenizer: TiktokenTokenizer | HuggingFaceTokenizer | EstimateTokenizer

    @property
    def encoding(self) -> str:
        if isinstance(self.tokenizer, TiktokenTokenizer):
            return self.tokenizer.tiktoken
        kind = "huggingface" if isinstance(self.tokenizer, HuggingFaceTokenizer) else "estimate"
        return f"{kind}:{self.name}"

    def spec(self) -> ModelSpec:
        exact = not isinstance(self.tokenizer, EstimateTokenizer)
        return ModelSpec(self.name, self.context_window, self.encoding, exact)


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


def model_specs(models: Iterable[RegisteredModel]) -> dict[str, ModelSpec]:
    return {m.name: m.spec() for m in models}


def resolve_model(name: str, models: Mapping[str, ModelSpec] = MODEL_REGISTRY) -> ModelSpec:
    try:
        return models[name]
    except KeyError:
        known = ", ".join(sorted(models))
        raise UnknownModel(
            f"unknown model {name!r}; known models: {known}",
            problems=[FieldProblem("model", f"unknown model; known: {known}")],
        ) from None
