"""A seeded generator of multi-session conversations with planted memories and known answers.

Each user has a run of dated sessions of chit-chat. Into them the generator plants facts and
preferences (a semantic memory plus the episodic turn where it was said), procedures, intentions
(prospective, with a due date) and dated events, and asks one question per planted item whose
relevant ids are known by construction. The filler turns are the distractors. The output is in the
shared dataset format (`memories.jsonl`, `queries.jsonl`) and depends only on `size` and `seed`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any


def _options(text: str) -> tuple[str, ...]:
    """`"a|b|c"` → `("a", "b", "c")`: long option lists stay readable as one wrapped string."""
    return tuple(part.strip() for part in text.split("|"))


NAMES = _options(
    "Maya|Ravi|Lena|Omar|Chloe|Tomas|Aiko|Bruno|Priya|Jonas|Sofia|Kwame|Elena|Felix|Nadia|"
    "Mateo|Ingrid|Hugo|Amara|Lucas|Yara|Daniel|Mei|Oscar|Leila|Samuel|Zofia|Victor|Hana|Emil"
)
CITIES = _options("Porto|Lisbon|Oslo|Kyoto|Lima|Dublin|Austin|Tallinn|Hobart|Quito|Leeds|Lyon|Graz|Turku")
SIBLINGS = _options("sister|brother|cousin|aunt|uncle")
DRINKS = _options("green tea|oat-milk flat white|sparkling water|chai|black coffee|mint tea|hot chocolate")
FOODS = _options(
    "spicy ramen|mushroom risotto|fish tacos|lentil soup|pad thai|margherita pizza|falafel wraps"
)
JOBS = _options("nurse|data engineer|carpenter|high-school teacher|product designer|pharmacist|pilot")
PETS = _options(
    "a grey cat named Pixel|a beagle named Biscuit|two goldfish|a parrot named Kiwi|a rabbit named Clover"
)
ACTIVITIES = _options(
    "kayaking|rock climbing|a pottery class|a half marathon|a jazz concert|a cooking workshop"
)
PLACES = _options(
    "Lake Tahoe|the old harbour|Mount Rainier|the city museum|the riverside park|the botanical garden"
)
SYSTEMS = _options("build server|staging database|VPN client|printer queue|CI runners|backup job|mail relay")
CHORES = _options(
    "renew the passport|book the dentist|pay the electricity bill|return the library books|call the bank"
)
TOPICS = _options(
    "podcast|weather forecast|weekend trip|commute|video|football match|documentary|"
    "renovation|birthday party|hiking trail|board game|recipe|concert|novel|gym routine|"
    "garden|car repair|job interview|movie|farmers market|phone upgrade|chess club|"
    "museum exhibit|bike ride"
)
ADJECTIVES = _options("new|strange|long|noisy|lovely|expensive|weird|quiet|busy|funny|late|surprising")
FILLER = (
    "{n}: Did you hear anything about the {t}?",
    "Assistant: I don't have much on the {t}, but happy to chat about it.",
    "{n}: Honestly the {t} made my day a bit better.",
    "Assistant: That sounds nice! What did you like most about the {t}?",
    "{n}: Not sure yet, I keep thinking about that {t}.",
    "Assistant: Let me know if you want me to look into the {t} for you.",
    "{n}: Anyway, enough about the {t}. How are things on your side?",
    "{n}: My friend told me about the {t} last night.",
    "Assistant: Sounds like the {t} was quite something.",
    "{n}: I might skip the {t} this time, too much going on.",
)


@dataclass(frozen=True)
class Plant:
    """One planted item: what is stored, what was said, and the question that needs it."""

    category: str
    memory_type: str | None  # the derived (non-episodic) memory, if any
    memory_text: str | None
    turn_text: str | None  # the episodic turn that states it, if any
    question: str


def _plants(rng: random.Random, name: str) -> list[Plant]:
    """Every item that can be planted for one user, each slot filled once (so answers are unique)."""
    # Drawn in this order, whatever order the items are listed in: a seed gives the same dataset.
    sibling, city = rng.choice(SIBLINGS), rng.choice(CITIES)
    drink, food, job = rng.choice(DRINKS), rng.choice(FOODS), rng.choice(JOBS)
    pet = rng.choice(PETS)
    systems = rng.sample(SYSTEMS, 2)
    chores = rng.sample(CHORES, 2)
    activity, place = rng.choice(ACTIVITIES), rng.choice(PLACES)
    return [
        *_facts(name, sibling, city, job, pet),
        *_preferences(name, drink, food),
        *(_procedure(system) for system in systems),
        *(_intention(name, chore) for chore in chores),
        _outing(name, activity, place),
    ]


def _facts(name: str, sibling: str, city: str, job: str, pet: str) -> list[Plant]:
    return [
        Plant(
            "fact",
            "semantic",
            f"{name}'s {sibling} lives in {city}.",
            f"{name}: My {sibling} finally settled down in {city}, we visit whenever we can.",
            f"Where does {name}'s {sibling} live?",
        ),
        Plant(
            "fact",
            "semantic",
            f"{name} works as a {job}.",
            f"{name}: Long shift today, being a {job} is exhausting sometimes.",
            f"What is {name}'s job?",
        ),
        Plant(
            "fact",
            "semantic",
            f"{name} has {pet}.",
            f"{name}: I have to get home early to feed {pet.removeprefix('a ')}.",
            f"What pet does {name} have?",
        ),
    ]


def _preferences(name: str, drink: str, food: str) -> list[Plant]:
    return [
        Plant(
            "preference",
            "semantic",
            f"{name} prefers {drink} over other drinks.",
            f"{name}: If you're offering, I'd always pick {drink}.",
            f"What should I offer {name} to drink?",
        ),
        Plant(
            "preference",
            "semantic",
            f"{name}'s favourite food is {food}.",
            f"{name}: Nothing beats {food} after a long week.",
            f"What dish would {name} enjoy for dinner?",
        ),
    ]


def _procedure(system: str) -> Plant:
    """Stored, never said in a turn."""
    return Plant(
        "procedure",
        "procedural",
        f"To restart the {system}: stop its service, clear the lock file in /var/run, start it again "
        f"and check the health page.",
        None,
        f"How do I bring the {system} back up after it hangs?",
    )


def _intention(name: str, chore: str) -> Plant:
    return Plant(
        "intention",
        "prospective",
        f"Remind {name} to {chore}.",
        f"{name}: Please remind me that I still need to {chore}.",
        f"What did {name} ask to be reminded to do about the {chore.split()[-1]}?",
    )


def _outing(name: str, activity: str, place: str) -> Plant:
    """An event told in a turn only: the question asks when it happened."""
    return Plant(
        "temporal",
        None,
        None,
        f"{name}: Yesterday we went for {activity} near {place}, it was amazing!",
        f"When did {name} go for {activity}?",
    )


@dataclass
class _Builder:
    rng: random.Random
    memories: list[dict[str, Any]] = field(default_factory=list)
    queries: list[dict[str, Any]] = field(default_factory=list)

    def add(self, user: str, kind: str, content: str, at: datetime, **extra: Any) -> str:
        memory_id = f"{user}:m{len(self.memories)}"
        row = {"id": memory_id, "type": kind, "content": content, "scope": {"user_id": user}}
        row["occurred_at"] = _iso(at)
        self.memories.append(row | extra)
        return memory_id


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


START = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)
MEMORIES_PER_USER = 400
TURNS_PER_SESSION = 12


def generate(size: int, seed: int = 0) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """`size` memories (exactly) and one query per planted item, deterministic for `(size, seed)`."""
    if size < 1:
        raise ValueError("size must be at least 1")
    builder = _Builder(random.Random(seed))
    users = max(1, -(-size // MEMORIES_PER_USER))
    for u in range(users):
        quota = size // users + (1 if u < size % users else 0)
        _user(builder, f"user-{u:05d}", NAMES[u % len(NAMES)], quota)
    return builder.memories, builder.queries


def _user(b: _Builder, user: str, name: str, quota: int) -> None:
    rng = b.rng
    first_query = len(b.queries)
    plants = _plants(rng, name)
    rng.shuffle(plants)
    # Each planted item costs one or two memories; plant while they leave room for some filler.
    plants = plants[: max(0, min(len(plants), quota // 6))]
    sessions = max(1, -(-quota // TURNS_PER_SESSION))
    where = sorted(rng.randrange(sessions) for _ in plants)
    day = START + timedelta(days=rng.randrange(30))
    used = 0
    for session in range(sessions):
        at = day + timedelta(hours=rng.randrange(8, 20))
        todo = [p for p, s in zip(plants, where, strict=True) if s == session]
        turns = min(TURNS_PER_SESSION, quota - used)
        for turn in range(turns):
            moment = at + timedelta(minutes=turn)
            fits = bool(todo) and _cost(todo[-1]) <= quota - used
            if fits and (turns - turn <= 2 * len(todo) or rng.random() < 0.3):
                used += _plant(b, user, todo.pop(), moment, day)
            else:
                topic = f"{rng.choice(ADJECTIVES)} {rng.choice(TOPICS)}"
                line = rng.choice(FILLER).format(n=name, t=topic)
                b.add(user, "episodic", line, moment)
                used += 1
            if used >= quota:
                break
        day += timedelta(days=rng.randrange(2, 9))
        if used >= quota:
            break
    for query in b.queries[first_query:]:
        query["now"] = _iso(day)


def _cost(plant: Plant) -> int:
    return (plant.turn_text is not None) + (plant.memory_type is not None)


def _plant(b: _Builder, user: str, plant: Plant, moment: datetime, day: datetime) -> int:
    relevant: list[str] = []
    if plant.turn_text is not None:
        relevant.append(b.add(user, "episodic", plant.turn_text, moment))
    if plant.memory_type is not None and plant.memory_text is not None:
        extra: dict[str, Any] = {"importance": 0.7}
        if plant.memory_type == "prospective":
            extra["due_at"] = _iso(day + timedelta(days=b.rng.randrange(3, 21)))
        relevant.append(b.add(user, plant.memory_type, plant.memory_text, moment, **extra))
    b.queries.append(
        {
            "id": f"{user}:q{len(b.queries)}",
            "query": plant.question,
            "scope": {"user_id": user},
            "relevant_ids": relevant,
            "category": plant.category,
        }
    )
    return len(relevant)
