"""Memory resources and the agents that bind them: the model of an `MNEMO_CONFIG` file.

A *resource* is a named slice of memory: the types it holds, its token budget and how that budget
is shared among its types, its working-memory limits, and a key template (`support-{conversation_id}`)
rendered from a request's `context` variables. An *agent* binds resources at one of three levels
of detail (one resource; a list with one shared key; a list of `{id, mode, key}`).

Everything a binding selects lives in the caller's tenant: a rendered key only ever becomes the
`namespace` scope component `<resource id>/<key>`, filtered inside the tenant like `user_id` is.
Pure data and rules, no I/O: `api/config/bindings_config.py` reads the file and reports errors by line.
"""

from __future__ import annotations

import re
import string
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from ..errors import FieldProblem, InvalidInput
from ..models import MODEL_REGISTRY, RegisteredModel
from ..privacy.policy import PrivacyPolicy
from ..types import MemoryType

RESOURCE_ID_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,63}$"
AGENT_NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:@+-]{0,127}$"
VARIABLE_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]{0,63}$"
# A rendered key, and each context value put into one: no `/` (the namespace is `<resource>/<key>`,
# so one resource's keys can never spell another's), no spaces, globs or braces; bounded length so
# the namespace fits a scope component (256 characters).
KEY_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:@+-]{0,159}$"
CONTEXT_VALUE_PATTERN = r"^[A-Za-z0-9._:@+-]{1,128}$"
MAX_CONTEXT_VARIABLES = 32
DEFAULT_KEY = "default"

_VARIABLE = re.compile(VARIABLE_PATTERN)
_KEY = re.compile(KEY_PATTERN)
_CONTEXT_VALUE = re.compile(CONTEXT_VALUE_PATTERN)
_KEY_LITERAL = re.compile(r"^[A-Za-z0-9._:@+-]*$")


def template_variables(template: str) -> tuple[str, ...]:
    """The variables a key template reads, in order; a ValueError says what is wrong with it.

    Only plain `{name}` fields: no attribute or index access, conversions or format specs, which
    would let a template reach into values instead of just placing them.
    """
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise ValueError(f"not a valid key template: {exc}") from None
    names: list[str] = []
    for literal, name, spec, conversion in parsed:
        if not _KEY_LITERAL.fullmatch(literal):
            raise ValueError("a key template's text may only use [A-Za-z0-9._:@+-] (no '/', spaces)")
        if name is None:
            continue
        if not _VARIABLE.fullmatch(name) or spec or conversion:
            raise ValueError(f"{{{name}}}: variables are plain names like {{conversation_id}}")
        names.append(name)
    if not names and not _KEY.fullmatch(template):
        raise ValueError(f"a fixed key must match {KEY_PATTERN}")
    return tuple(names)


def _check_template(template: str) -> str:
    template_variables(template)
    return template


AgentName = Annotated[str, Field(pattern=AGENT_NAME_PATTERN, max_length=128)]
AgentContext = Annotated[
    dict[
        Annotated[str, Field(pattern=VARIABLE_PATTERN, max_length=64)],
        Annotated[str, Field(max_length=1_024)],
    ],
    Field(max_length=MAX_CONTEXT_VARIABLES),
]
KeyTemplate = Annotated[str, Field(min_length=1, max_length=160), AfterValidator(_check_template)]


def render_key(template: str, context: dict[str, str], resource_id: str) -> str:
    """The key a template names for this request's context; a 422 naming the variable otherwise."""
    values: dict[str, str] = {}
    for name in template_variables(template):
        value = context.get(name)
        if value is None:
            raise InvalidInput(
                f"memory {resource_id!r} needs the context variable {name!r} (its key is {template!r})",
                problems=[
                    FieldProblem(f"context.{name}", f"missing: the key of memory {resource_id!r} uses it")
                ],
            )
        if not _CONTEXT_VALUE.fullmatch(value):
            raise InvalidInput(
                f"context variable {name!r} cannot be part of a memory key",
                problems=[
                    FieldProblem(f"context.{name}", f"unsafe in a key: must match {CONTEXT_VALUE_PATTERN}")
                ],
            )
        values[name] = value
    key = template.format_map(values)
    if not _KEY.fullmatch(key):
        raise InvalidInput(
            f"the key of memory {resource_id!r} renders to an unsafe key",
            problems=[
                FieldProblem(f"context.{name}", f"the rendered key must match {KEY_PATTERN}")
                for name in values
            ]
            or [FieldProblem("context", f"the rendered key must match {KEY_PATTERN}")],
        )
    return key


class Mode(StrEnum):
    READ_WRITE = "read-write"
    READ_ONLY = "read-only"


class WorkingLimits(BaseModel):
    """A resource's working-memory settings; what is left out takes the service's settings."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_tokens: int | None = Field(default=None, ge=1, le=1_000_000, description="tokens per task")
    ttl_s: float | None = Field(
        default=None, gt=0.0, le=30 * 86_400.0, description="idle time, then archived"
    )
    budget_tokens: int | None = Field(
        default=None, ge=1, le=200_000, description="retrieval's working budget"
    )


class MemoryResource(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=RESOURCE_ID_PATTERN)
    types: list[MemoryType] = Field(min_length=1, max_length=len(MemoryType))
    budget: int | None = Field(
        default=None, ge=1, le=200_000, description="tokens; unset = the service default"
    )
    allocation: dict[MemoryType, float] | None = Field(
        default=None, description="shares of the budget per type (normalized); unset = the types' defaults"
    )
    key: KeyTemplate = DEFAULT_KEY
    working: WorkingLimits | None = None
    privacy: PrivacyPolicy | None = Field(
        default=None,
        description="secrets and personal data written into it: off | tag | redact | reject; unset = "
        "the tenant's (or the file's) policy",
    )

    @model_validator(mode="after")
    def _consistent(self) -> MemoryResource:
        if len(set(self.types)) != len(self.types):
            raise ValueError("types must not repeat")
        for memory_type, share in (self.allocation or {}).items():
            if memory_type not in self.types:
                raise ValueError(f"allocation names {memory_type.value}, which is not among its types")
            if not 0.0 <= share <= 1.0:
                raise ValueError(f"allocation of {memory_type.value} must be between 0 and 1")
        return self


class ResourceBinding(BaseModel):
    """Level 3: one bound resource with its mode and (optionally) its own key."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=RESOURCE_ID_PATTERN)
    mode: Mode = Mode.READ_WRITE
    key: KeyTemplate | None = None


def _binding_from_name(value: Any) -> Any:
    # Level 2 lists plain resource ids; level 3 lists mappings. Both may be mixed.
    return {"id": value} if isinstance(value, str) else value


class AgentSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=AGENT_NAME_PATTERN)
    memory: str | None = Field(default=None, pattern=RESOURCE_ID_PATTERN, description="level 1")
    memories: list[Annotated[ResourceBinding, BeforeValidator(_binding_from_name)]] | None = Field(
        default=None, min_length=1, max_length=64, description="levels 2 and 3"
    )
    memory_key: KeyTemplate | None = Field(default=None, description="level 2: one key for every resource")
    mask_sensitive: bool = Field(
        default=False, description="mask secrets and personal data in everything this agent reads"
    )

    @model_validator(mode="after")
    def _one_level(self) -> AgentSpec:
        if (self.memory is None) == (self.memories is None):
            raise ValueError("give exactly one of `memory` (one resource) or `memories` (a list)")
        ids = [b.id for b in self.bindings()]
        if len(set(ids)) != len(ids):
            raise ValueError("a resource is bound twice")
        return self

    def bindings(self) -> list[ResourceBinding]:
        if self.memory is not None:
            return [ResourceBinding(id=self.memory, key=self.memory_key)]
        return [
            b if b.key is not None else b.model_copy(update={"key": self.memory_key})
            for b in self.memories or []
        ]


class BindingSet(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    resources: list[MemoryResource] = Field(default_factory=list)
    agents: list[AgentSpec] = Field(default_factory=list)
    privacy: PrivacyPolicy | None = Field(
        default=None,
        description="secrets and personal data in writes: off | tag | redact | reject; unset = the "
        "file's policy (for a tenant's section), else `tag`",
    )


class BindingsConfig(BindingSet):
    """The whole file: global resources and agents, and per-tenant ones that add to or replace them."""

    version: Literal[1] = 1
    # Target models beyond the built-in ones: their context windows and tokenizers (memtypes/models.py).
    models: list[RegisteredModel] = Field(default_factory=list, max_length=256)
    tenants: dict[Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")], BindingSet] = Field(
        default_factory=dict
    )

    def problems(self) -> list[tuple[tuple[str | int, ...], str]]:
        """What the schema cannot see: repeated ids and references to resources nobody defined.

        Each problem comes with the path of the field it is about (for the file's line numbers).
        """
        out: list[tuple[tuple[str | int, ...], str]] = []
        model_names: set[str] = set()
        for i, model in enumerate(self.models):
            if model.name in MODEL_REGISTRY or model.name in model_names:
                out.append((("models", i, "name"), f"model {model.name!r} is already defined"))
            model_names.add(model.name)
        sections: list[tuple[tuple[str | int, ...], BindingSet]] = [((), self)]
        sections += [(("tenants", name), section) for name, section in self.tenants.items()]
        global_ids = {r.id for r in self.resources}
        for where, section in sections:
            for kind, ids in (
                ("resources", [r.id for r in section.resources]),
                ("agents", [a.name for a in section.agents]),
            ):
                field = "id" if kind == "resources" else "name"
                seen: set[str] = set()
                for i, item_id in enumerate(ids):
                    if item_id in seen:
                        out.append(
                            ((*where, kind, i, field), f"{item_id!r} is defined twice in this section")
                        )
                    seen.add(item_id)
            known = global_ids | {r.id for r in section.resources}
            for i, agent in enumerate(section.agents):
                for j, binding in enumerate(agent.bindings()):
                    if binding.id not in known:
                        path = (
                            (*where, "agents", i, "memory")
                            if agent.memory
                            else (*where, "agents", i, "memories", j)
                        )
                        out.append((path, f"unknown memory resource {binding.id!r}"))
        # A global agent must resolve in every tenant too; tenants can only add or replace resources,
        # so checking it against the global resources is enough.
        return out
