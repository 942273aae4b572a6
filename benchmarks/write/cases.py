"""The labelled set of `mnemo bench write`: what the write path must keep, absorb, update and drop.

Four kinds of case over every memory type, each in a scope of its own (`user_id = wb-<case id>`):

- `distinct`: look-alike memories that are different facts (another account number, invoice, IP,
  name, due time or event time; short facts) — every one must stay visible.
- `duplicate`: the same memory again, `exact` or as a `paraphrase` — exactly one must stay visible.
- `update`: a newer statement of the same fact — the newer must win (the old one superseded, or
  the newer ranked above it for a question about it).
- `noise`: filler, greetings, acknowledgements, content with no word character — must be dropped.

Cases come from templates (`mnemo.benchmarks.write.templates`) filled with varied names, numbers and
wordings (seeded), plus the hand-written ones of the issue. Times are fixed so a run is reproducible.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

NAMES = (
    "Alice",
    "Bob",
    "Carol",
    "Dave",
    "Eve",
    "Frank",
    "Grace",
    "Heidi",
    "Ivan",
    "Judy",
    "Mallory",
    "Niaj",
    "Olivia",
    "Peggy",
    "Rupert",
    "Sybil",
    "Trent",
    "Victor",
    "Walter",
    "Yusuf",
    "Zoe",
    "Mei",
    "Arjun",
    "Lucia",
    "Kenji",
    "Amara",
    "Sven",
    "Priya",
    "Tomasz",
    "Ines",
)
CITIES = ("Boston", "Denver", "Lisbon", "Berlin", "Osaka", "Lagos", "Quito", "Oslo", "Austin", "Porto")
FOODS = ("peanuts", "shellfish", "gluten", "lactose", "sesame", "eggs", "soy", "kiwi")
CONDITIONS = ("diabetic", "vegetarian", "vegan", "left-handed", "colour-blind", "asthmatic", "pregnant")
PLANS = ("enterprise", "team", "starter", "business")
DRINKS = ("green tea", "black coffee", "sparkling water", "oat milk lattes", "mint tea", "espresso")
MONTHS = ("March", "July", "October")
SERVICES = ("nginx", "redis", "postgres", "rabbitmq", "grafana", "consul")
NOISE = (
    "ok thanks",
    "Bob: sure!",
    "\u200b\u200b\u200b",
    "\u200b \u200c \u200d",
    "\ufeff",
    "\x00\x00",
    "\x01\x02\x7f",
    "ok",
    "Thanks!!",
    "thank you so much!",
    "got it",
    "Alice: got it.",
    "lol",
    "haha ok",
    "hi there!",
    "Good morning!",
    "hey",
    "👍",
    "...",
    "?!",
    "   \t  ",
    "Sounds good.",
    "cool cool",
    "noted",
    "bye!",
    "Carol: ok, thanks!",
    "yep",
    "np",
    "Makes sense.",
    "okay okay",
    "User: thanks!",
    "hmm",
    "no worries",
)
TYPES = ("episodic", "semantic", "procedural", "prospective")
KINDS = ("distinct", "duplicate", "update", "noise")
NOW = "2025-06-30T12:00:00Z"


@dataclass
class Case:
    id: str
    type: str
    kind: str
    variant: str
    steps: list[list[dict[str, Any]]]  # each step is one POST /v1/memories
    query: str | None = None  # update cases: a question about the fact
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def memories(self) -> list[dict[str, Any]]:
        return [m for step in self.steps for m in step]


def day(d: int, hour: int = 9, minute: int = 0) -> str:
    return f"2025-{5 + d // 28:02d}-{1 + d % 28:02d}T{hour:02d}:{minute:02d}:00Z"


class Builder:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.cases: list[Case] = []

    def add(
        self, memory_type: str, kind: str, variant: str, steps: list[list[dict[str, Any]]], **kw: Any
    ) -> None:
        for step in steps:
            for m in step:
                m.setdefault("type", memory_type)
        case_id = f"{memory_type[:4]}-{kind[:4]}-{len(self.cases):04d}"
        self.cases.append(Case(case_id, memory_type, kind, variant, steps, **kw))

    def names(self, k: int) -> list[str]:
        return self.rng.sample(NAMES, k)

    def look_alikes(self, memory_type: str, variant: str, memories: list[dict[str, Any]]) -> None:
        """Half the groups in one request (batch dedup), half one request each (against the store)."""
        steps = [memories] if self.rng.random() < 0.5 else [[m] for m in memories]
        self.add(memory_type, "distinct", variant, steps)


def duplicate(
    b: Builder,
    memory_type: str,
    first: str,
    second: str,
    exact: bool,
    first_extra: dict[str, Any] | None = None,
    second_extra: dict[str, Any] | None = None,
) -> None:
    a = {"content": first, **(first_extra or {})}
    c = {"content": first if exact else second, **(second_extra or first_extra or {})}
    steps = [[a, c]] if b.rng.random() < 0.3 else [[a], [c]]
    b.add(memory_type, "duplicate", "exact" if exact else "paraphrase", steps)


def update(
    b: Builder, memory_type: str, variant: str, old: dict[str, Any], new: dict[str, Any], query: str
) -> None:
    if memory_type != "prospective":  # the newer statement is told four weeks later
        old.setdefault("occurred_at", day(1, 9))
        new.setdefault("occurred_at", day(29, 9))
    b.add(memory_type, "update", variant, [[old], [new]], query=query)
