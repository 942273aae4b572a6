"""How a request made as an agent resolves: which namespaces it reads, where each write goes.

`Bindings` holds the effective agents of every tenant (a tenant's own section adds to the global
one and replaces what it names again). A namespace is `<resource id>/<rendered key>`: a scope
component like `user_id`, so whatever a context says, a request only ever reaches memories of its
own tenant.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..errors import FieldProblem, InvalidInput, ReadOnlyMemory, UnknownAgent
from ..privacy.policy import DEFAULT_POLICY, PrivacyPolicy
from ..records import MemoryIn, Scope
from ..types import DEFAULT_RETRIEVAL_TYPES, POLICIES, MemoryType
from .bindings import BindingsConfig, BindingSet, MemoryResource, Mode, render_key


@dataclass(frozen=True)
class BoundResource:
    resource: MemoryResource
    mode: Mode
    key_template: str

    @property
    def writable(self) -> bool:
        return self.mode is Mode.READ_WRITE

    def namespace(self, context: Mapping[str, str]) -> str:
        return f"{self.resource.id}/{render_key(self.key_template, dict(context), self.resource.id)}"


@dataclass(frozen=True)
class Agent:
    name: str
    bound: tuple[BoundResource, ...]
    mask_sensitive: bool = False

    def covering(self, memory_type: MemoryType) -> list[BoundResource]:
        return [b for b in self.bound if memory_type in b.resource.types]


@dataclass(frozen=True)
class ReadPlan:
    """What a retrieval through an agent searches, and with which budget."""

    types: tuple[MemoryType, ...]
    namespaces: dict[MemoryType, tuple[str, ...]]  # per type: the namespaces of the resources holding it
    budget: int
    allocation: dict[MemoryType, float]  # sums to 1 over `types`
    working_budget: int | None  # the first bound resource's working budget, if any sets one


def _agents(
    section_agents: Sequence[BindingSet], resources: Mapping[str, MemoryResource]
) -> dict[str, Agent]:
    agents: dict[str, Agent] = {}
    for section in section_agents:
        for spec in section.agents:
            bound = tuple(
                BoundResource(resources[b.id], b.mode, b.key or resources[b.id].key) for b in spec.bindings()
            )
            agents[spec.name] = Agent(spec.name, bound, spec.mask_sensitive)
    return agents


class Bindings:
    """Every tenant's agents. Without a config file there are none, and naming an agent is a 422."""

    def __init__(self, config: BindingsConfig | None = None, source: str | None = None) -> None:
        self.source = source
        config = config or BindingsConfig()
        self.models = tuple(config.models)  # registered target models: their budgets' tokenizers
        global_resources = {r.id: r for r in config.resources}
        self._global = _agents([config], global_resources)
        self._tenants: dict[str, dict[str, Agent]] = {}
        self._global_privacy = _privacy(global_resources, config.privacy or DEFAULT_POLICY)
        self._tenant_privacy: dict[str, tuple[PrivacyPolicy, dict[str, PrivacyPolicy]]] = {}
        for tenant, section in config.tenants.items():
            resources = {**global_resources, **{r.id: r for r in section.resources}}
            # Global agents are re-bound against the tenant's resources, which may replace global ones.
            self._tenants[tenant] = _agents([config, section], resources)
            self._tenant_privacy[tenant] = _privacy(resources, section.privacy or self._global_privacy[0])

    @property
    def configured(self) -> bool:
        return bool(self._global or self._tenants)

    def agent_names(self, tenant: str) -> list[str]:
        return sorted(self._tenants.get(tenant, self._global))

    def privacy_policy(self, tenant: str, namespace: str | None) -> PrivacyPolicy:
        """What a write into `namespace` does with secrets and personal data: the policy of the memory
        resource the namespace belongs to (`<resource id>/<key>`), else the tenant's, else the file's."""
        default, by_resource = self._tenant_privacy.get(tenant, self._global_privacy)
        if namespace is None or "/" not in namespace:
            return default
        return by_resource.get(namespace.split("/", 1)[0], default)

    def agent(self, tenant: str, name: str) -> Agent:
        found = self._tenants.get(tenant, self._global).get(name)
        if found is None:
            why = "no MNEMO_CONFIG is loaded" if not self.configured else "not defined for this tenant"
            raise UnknownAgent(f"unknown agent {name!r}: {why}", problems=[FieldProblem("agent", why)])
        return found


def _privacy(
    resources: Mapping[str, MemoryResource], default: PrivacyPolicy
) -> tuple[PrivacyPolicy, dict[str, PrivacyPolicy]]:
    """A section's policy and its resources' own, where they set one."""
    return default, {rid: r.privacy for rid, r in resources.items() if r.privacy is not None}


def _resource_shares(resource: MemoryResource, types: Sequence[MemoryType]) -> dict[MemoryType, float]:
    """The resource's split of its own budget among `types`, summing to 1."""
    named = resource.allocation or {}
    weights = {t: named.get(t, POLICIES[t].budget_share) for t in types}
    total = sum(weights.values())
    if total <= 0:
        return {t: 1.0 / len(types) for t in types}
    return {t: w / total for t, w in weights.items()}


def plan_read(
    agent: Agent,
    context: Mapping[str, str],
    requested_types: Sequence[MemoryType] | None,
    default_budget: int,
) -> ReadPlan:
    """Types: those the agent's resources hold (all but `working` unless asked), ∩ the request's.

    Every bound resource is readable, read-only or not. The budget is the sum of the budgets of the
    resources searched, split among types as each resource splits its own.
    """
    held = [t for t in MemoryType if agent.covering(t)]
    if requested_types is None:
        types = [t for t in held if t in DEFAULT_RETRIEVAL_TYPES]
    else:
        types = [t for t in requested_types if t in held]
    if not types:
        raise InvalidInput(
            f"the memories of agent {agent.name!r} hold none of these types",
            problems=[FieldProblem("types", f"agent {agent.name!r} holds {', '.join(held) or 'none'}")],
        )
    searched = [b for b in agent.bound if any(t in b.resource.types for t in types)]
    namespace_of = {b.resource.id: b.namespace(context) for b in searched}
    namespaces = {t: tuple(namespace_of[b.resource.id] for b in agent.covering(t)) for t in types}
    budget = 0
    tokens_by_type = dict.fromkeys(types, 0.0)
    for b in searched:
        own_budget = b.resource.budget or default_budget
        budget += own_budget
        for t, share in _resource_shares(b.resource, [t for t in types if t in b.resource.types]).items():
            tokens_by_type[t] += own_budget * share
    total = sum(tokens_by_type.values())
    allocation = {t: v / total for t, v in tokens_by_type.items()}
    working_budget = next(
        (
            b.resource.working.budget_tokens
            for b in agent.bound
            if b.resource.working and b.resource.working.budget_tokens
        ),
        None,
    )
    return ReadPlan(tuple(types), namespaces, min(budget, 200_000), allocation, working_budget)


def write_target(agent: Agent, memory_type: MemoryType, memory: str | None, field: str) -> BoundResource:
    """The bound resource a memory of `memory_type` is written to (`memory` names it when several could)."""
    if memory is not None:
        chosen = next((b for b in agent.bound if b.resource.id == memory), None)
        if chosen is None:
            raise InvalidInput(
                f"agent {agent.name!r} does not bind memory {memory!r}",
                problems=[FieldProblem("memory", "not bound by this agent")],
            )
        if memory_type not in chosen.resource.types:
            raise InvalidInput(
                f"memory {memory!r} does not hold {memory_type.value} memories",
                problems=[
                    FieldProblem(
                        f"{field}.type", f"memory {memory!r} holds {', '.join(chosen.resource.types)}"
                    )
                ],
            )
        candidates = [chosen]
    else:
        candidates = agent.covering(memory_type)
        if not candidates:
            raise InvalidInput(
                f"no memory of agent {agent.name!r} holds {memory_type.value} memories",
                problems=[FieldProblem(f"{field}.type", "not held by any memory this agent binds")],
            )
    writable = [b for b in candidates if b.writable]
    if not writable:
        names = ", ".join(repr(b.resource.id) for b in candidates)
        raise ReadOnlyMemory(
            f"agent {agent.name!r} binds {names} read-only: it cannot write {memory_type.value} memories"
        )
    if len(writable) > 1:
        names = ", ".join(b.resource.id for b in writable)
        raise InvalidInput(
            f"{memory_type.value} memories of agent {agent.name!r} could go to {names}: name one in `memory`",
            problems=[
                FieldProblem("memory", f"required: several writable memories hold {memory_type.value}")
            ],
        )
    return writable[0]


def without_agent(context: object, memory: object = None) -> None:
    """A request not made as an agent gives none of an agent's fields."""
    for field, value in (("context", context), ("memory", memory)):
        if value is not None:
            raise InvalidInput(
                f"{field} is only for requests made as an agent",
                problems=[FieldProblem(field, "given without agent")],
            )


def no_scope(scope: Scope, field: str) -> None:
    """A request made as an agent gives no scope of its own."""
    if scope.items():
        raise InvalidInput(
            "give either agent (with context) or an explicit scope, not both",
            problems=[FieldProblem(field, "an agent's memories decide the scope")],
        )


def writes_as_agent(
    bindings: Bindings,
    tenant: str,
    agent_name: str | None,
    context: Mapping[str, str] | None,
    memory: str | None,
    items: list[MemoryIn],
) -> list[MemoryIn]:
    """Each memory with its scope set to the namespace of the resource it is written to."""
    if agent_name is None:
        without_agent(context, memory)
        return items
    agent = bindings.agent(tenant, agent_name)
    namespaces: dict[str, str] = {}
    out: list[MemoryIn] = []
    for i, item in enumerate(items):
        no_scope(item.scope, f"memories[{i}].scope")
        target = write_target(agent, item.type, memory, f"memories[{i}]")
        namespace = namespaces.get(target.resource.id) or target.namespace(context or {})
        namespaces[target.resource.id] = namespace
        out.append(item.model_copy(update={"scope": Scope(namespace=namespace)}))
    return out
