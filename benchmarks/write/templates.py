"""The templates of `mnemo bench write`'s labelled set, per memory type (see mnemo.benchmarks.write.cases)."""

from __future__ import annotations

from .cases import (
    CITIES,
    CONDITIONS,
    DRINKS,
    FOODS,
    MONTHS,
    NAMES,
    NOISE,
    PLANS,
    SERVICES,
    TYPES,
    Builder,
    Case,
    day,
    duplicate,
    update,
)


def _semantic(b: Builder) -> None:
    # In this order: the seeded draws fill the cases one after another.
    _semantic_accounts(b)
    _semantic_look_alikes(b)
    _semantic_duplicates(b)
    _semantic_updates(b)


def _semantic_accounts(b: Builder) -> None:
    """The issue's accounts, with caller ids and without: alike, never one memory."""
    r = b.rng
    for g in range(8):
        ns = r.sample(range(1, 300), 5)
        with_ids = g % 2 == 0
        b.look_alikes(
            "semantic",
            "accounts" + ("-ids" if with_ids else ""),
            [
                {
                    "content": f"Fact {n}: the customer account {n} uses the {PLANS[g % 4]} plan with SSO "
                    f"enabled since 20{n % 25:02d}.",
                    **({"id": f"account-{n}"} if with_ids else {}),
                }
                for n in ns
            ],
        )


def _semantic_look_alikes(b: Builder) -> None:
    """Facts alike but for a name, a number, an identifier, a date or a "not": kept apart."""
    r = b.rng
    for _ in range(5):
        food = r.choice(FOODS)
        b.look_alikes("semantic", "names", [{"content": f"{n} is allergic to {food}."} for n in b.names(4)])
    for _ in range(5):
        b.look_alikes(
            "semantic", "short", [{"content": f"{n}'s PIN is {r.randint(1000, 9999)}."} for n in b.names(4)]
        )
    for _ in range(4):
        cond = r.choice(CONDITIONS)
        b.look_alikes("semantic", "short", [{"content": f"{n} is {cond}."} for n in b.names(4)])
    for _ in range(4):
        port = r.randint(2, 9)
        b.look_alikes(
            "semantic",
            "identifiers",
            [
                {"content": f"Server web-0{i} runs on 10.0.{port}.{i} and serves the checkout API."}
                for i in range(1, 5)
            ],
        )
    for _ in range(4):
        b.look_alikes(
            "semantic",
            "dates",
            [{"content": f"{n}'s birthday is on {r.choice(MONTHS)} {r.randint(1, 28)}."} for n in b.names(4)],
        )
    b.look_alikes(
        "semantic",
        "issue",
        [
            {"content": c}
            for c in (
                "Alice prefers green tea over coffee.",
                "Bob is allergic to peanuts.",
                "Eve's PIN is 4471.",
                "Frank is diabetic.",
            )
        ],
    )
    for _ in range(4):
        a, c = b.names(2)
        b.look_alikes(
            "semantic",
            "negation",
            [
                {"content": f"{a} is allergic to penicillin."},
                {"content": f"{c} is not allergic to penicillin."},
            ],
        )


def _semantic_duplicates(b: Builder) -> None:
    """One fact told twice (the same words, or a paraphrase): merged."""
    r = b.rng
    paraphrases = [
        ("{n} prefers {d} over coffee.", "{n} likes {d} more than coffee."),
        ("{n} lives in {c}.", "{n} lives in the city of {c}."),
        (
            "{n} works as a nurse at the {c} general hospital.",
            "{n} is a nurse at the general hospital in {c}.",
        ),
        ("{n} is allergic to {f}.", "{n} has an allergy to {f}."),
        ("{n}'s favourite drink is {d}.", "The favourite drink of {n} is {d}."),
        ("{n} has two children and a dog.", "{n} has a dog and two children."),
    ]
    for i in range(24):
        first, second = paraphrases[i % len(paraphrases)]
        fill = {"n": r.choice(NAMES), "d": r.choice(DRINKS), "c": r.choice(CITIES), "f": r.choice(FOODS)}
        duplicate(b, "semantic", first.format(**fill), second.format(**fill), exact=i % 3 == 0)


def _semantic_updates(b: Builder) -> None:
    """A fact told anew (by its key, by a "not", or in other words): the newer supersedes."""
    r = b.rng
    for _ in range(8):  # fact_key updates: worded differently, the key says it is the same fact
        n, (c1, c2) = r.choice(NAMES), r.sample(CITIES, 2)
        old = {"content": f"{n} lives in {c1}.", "fact_key": f"{n.lower()}.home"}
        new = {"content": f"{n} moved to {c2} last month.", "fact_key": f"{n.lower()}.home"}
        update(b, "semantic", "fact_key", old, new, f"Where does {n} live?")
    for _ in range(8):
        n, f = r.choice(NAMES), r.choice(FOODS)
        update(
            b,
            "semantic",
            "negation",
            {"content": f"{n} is allergic to {f}."},
            {"content": f"{n} is not allergic to {f}."},
            f"Is {n} allergic to {f}?",
        )
    for i in range(8):  # no key, other words: the newer must rank first
        n = r.choice(NAMES)
        if i % 2 == 0:
            c1, c2 = r.sample(CITIES, 2)
            old_text, new_text, query = f"{n} lives in {c1}.", f"{n} moved to {c2}.", f"Where does {n} live?"
        else:
            d1, d2 = r.sample(DRINKS, 2)
            old_text, new_text = f"{n}'s favourite drink is {d1}.", f"{n}'s favourite drink is now {d2}."
            query = f"What is {n}'s favourite drink?"
        update(b, "semantic", "restated", {"content": old_text}, {"content": new_text}, query)


def _episodic(b: Builder) -> None:
    _episodic_look_alikes(b)
    _episodic_duplicates(b)
    _episodic_updates(b)


def _episodic_look_alikes(b: Builder) -> None:
    """Events alike but for a time, a number, a name or an identifier: kept apart."""
    r = b.rng
    for _ in range(4):  # the logins
        start = r.randint(0, 40)
        b.look_alikes(
            "episodic",
            "logins",
            [
                {
                    "content": f"User logged in from IP 10.0.0.{i} at 09:{i:02d}",
                    "occurred_at": day(start, 9, i),
                }
                for i in r.sample(range(1, 60), 5)
            ],
        )
    for _ in range(5):
        n = r.choice(NAMES)
        days = r.sample(range(0, 50), 4)
        b.look_alikes(
            "episodic",
            "same-words-other-time",
            [{"content": f"{n} went for a run in the park.", "occurred_at": day(d, 7)} for d in days],
        )
    for _ in range(5):
        b.look_alikes(
            "episodic",
            "numbers",
            [
                {
                    "content": f"Deployed version 2.{v}.0 to production.",
                    "occurred_at": day(r.randint(0, 50), 15),
                }
                for v in r.sample(range(1, 40), 4)
            ],
        )
    for _ in range(5):
        amount = r.randint(20, 900)
        b.look_alikes(
            "episodic",
            "names",
            [
                {"content": f"Payment of ${amount}.00 received from {n}.", "occurred_at": day(10, 11)}
                for n in b.names(4)
            ],
        )
    for _ in range(4):
        b.look_alikes(
            "episodic",
            "identifiers",
            [
                {
                    "content": f"{r.choice(NAMES)} called about order #{o}.",
                    "occurred_at": day(r.randint(0, 9), 14),
                }
                for o in r.sample(range(10000, 99999), 4)
            ],
        )


def _episodic_duplicates(b: Builder) -> None:
    """One event told again seconds later (the same words, or near them): merged."""
    r = b.rng
    paraphrases = [
        ("{n} asked about flights to {c}.", "{n} asked about flights to {c}!"),
        ("{n} booked a table for two in {c} on Friday.", "{n} booked a table for two in {c} on Friday"),
        (
            "{n} said the printer on floor three is jammed again.",
            "{n} said that the printer on floor three is jammed again.",
        ),
        ("{n} arrived in {c} this morning.", "{n} arrived in {c} this morning."),
    ]
    for i in range(20):
        first, second = paraphrases[i % len(paraphrases)]
        fill = {"n": r.choice(NAMES), "c": r.choice(CITIES)}
        at = day(r.randint(0, 50), 10, r.randint(0, 50))
        later = at[:-3] + "30Z"  # the same event told again 30 seconds later
        duplicate(
            b,
            "episodic",
            first.format(**fill),
            second.format(**fill),
            exact=i % 3 == 0,
            first_extra={"occurred_at": at},
            second_extra={"occurred_at": later},
        )


def _episodic_updates(b: Builder) -> None:
    """An event told anew with another time: the newer supersedes."""
    r = b.rng
    for _ in range(6):
        n, (h1, h2) = r.choice(NAMES), sorted(r.sample(range(8, 20), 2))
        update(
            b,
            "episodic",
            "restated",
            {"content": f"{n}'s flight lands at {h1}:00."},
            {"content": f"{n}'s flight is delayed and now lands at {h2}:30."},
            f"When does {n}'s flight land?",
        )


def _procedural(b: Builder) -> None:
    r = b.rng
    numbered = (  # (variant, groups, template, the values that make each memory another one)
        ("identifiers", 5, "For error E{0}, clear the cache and retry the request.", range(100, 999)),
        (
            "numbers",
            5,
            "Before deploying release 4.{0}, run migration 00{0}_accounts.sql first.",
            range(10, 99),
        ),
        ("services", 4, "To restart {0}, run sudo systemctl restart {0} and watch the logs.", SERVICES),
    )
    for variant, groups, template, values in numbered:
        for _ in range(groups):
            b.look_alikes(
                "procedural", variant, [{"content": template.format(v)} for v in r.sample(values, 4)]
            )
    for _ in range(4):
        b.look_alikes(
            "procedural",
            "short",
            [{"content": c} for c in ("Restart it.", "Run make test.", "Reboot router 2.", "Use port 8443.")],
        )
    paraphrases = [
        (
            "To deploy, run make deploy and then check the dashboard.",
            "To deploy: run make deploy, then check the dashboard.",
        ),
        (
            "To reset {n}'s password, open the admin panel and click reset.",
            "To reset the password of {n}, open the admin panel and click reset.",
        ),
        (
            "When the build fails, clear the cache and run it again.",
            "When the build fails, clear the cache and run it once more.",
        ),
        (
            "To rotate the keys, run the rotate script and restart the API.",
            "To rotate the keys, run the rotate script, then restart the API.",
        ),
    ]
    for i in range(20):
        first, second = paraphrases[i % len(paraphrases)]
        n = r.choice(NAMES)
        duplicate(b, "procedural", first.format(n=n), second.format(n=n), exact=i % 3 == 0)
    for _ in range(6):
        s = r.choice(SERVICES)
        update(
            b,
            "procedural",
            "negation",
            {"content": f"Restart {s} after changing its config."},
            {"content": f"Do not restart {s} after changing its config."},
            f"Should I restart {s} after a config change?",
        )


def _prospective(b: Builder) -> None:
    r = b.rng
    for _ in range(4):  # the invoices
        base = r.randint(100, 900)
        b.look_alikes(
            "prospective",
            "invoices",
            [{"content": f"Pay invoice #{base}{x}", "due_at": day(r.randint(0, 50), 9)} for x in range(5)],
        )
    for _ in range(5):
        b.look_alikes(
            "prospective",
            "same-words-other-time",
            [{"content": "Water the plants.", "due_at": day(d, 18)} for d in r.sample(range(0, 50), 4)],
        )
    for _ in range(5):
        due = day(r.randint(0, 50), 10)
        b.look_alikes(
            "prospective",
            "names",
            [{"content": f"Call {n} about the contract renewal.", "due_at": due} for n in b.names(4)],
        )
    for _ in range(4):
        b.look_alikes(
            "prospective",
            "triggers",
            [
                {"content": "Mention the discount code.", "trigger": t}
                for t in ("pricing", "renewal", "upgrade", "invoice")
            ],
        )
    paraphrases = [
        ("Remind {n} to renew the passport.", "Remind {n} to renew the passport!"),
        ("Call {n} about the contract renewal.", "Call {n} about the contract renewal"),
        ("Send {n} the quarterly report.", "Send the quarterly report to {n}."),
        ("Book a dentist appointment for {n}.", "Book a dentist appointment for {n}!"),
    ]
    for i in range(20):
        first, second = paraphrases[i % len(paraphrases)]
        n, due = r.choice(NAMES), day(r.randint(0, 50), 9)
        duplicate(
            b,
            "prospective",
            first.format(n=n),
            second.format(n=n),
            exact=i % 3 == 0,
            first_extra={"due_at": due},
            second_extra={"due_at": due},
        )
    for i in range(6):  # an intention rescheduled by its caller id
        n = r.choice(NAMES)
        old = {"content": f"Meet {n} for lunch.", "id": f"lunch-{i}", "due_at": day(3, 12)}
        new = {"content": f"Meet {n} for lunch at the new place.", "id": f"lunch-{i}", "due_at": day(5, 12)}
        update(b, "prospective", "caller-id", old, new, f"When do I meet {n}?")


# Hand-written look-alikes: one word apart, two different facts (or events, steps, intentions).
HAND_WRITTEN_LOOK_ALIKES = (
    ("semantic", "The kitchen light is broken.", "The bathroom light is broken."),
    (
        "semantic",
        "The meeting is in the large conference room.",
        "The meeting is in the small conference room.",
    ),
    ("semantic", "The staging database runs PostgreSQL 15.", "The production database runs PostgreSQL 16."),
    ("semantic", "Alice's manager is Bob.", "Bob's manager is Alice."),
    ("semantic", "The cat sleeps on the sofa.", "The dog sleeps on the sofa."),
    ("episodic", "The user logged in from the mobile app.", "The user logged in from the desktop app."),
    ("episodic", "The user logged in from the mobile app.", "The user logged out from the mobile app."),
    ("episodic", "The deploy finished without errors.", "The deploy finished with errors."),
    ("episodic", "Alice: I'm heading out now.", "Alice: I'm heading home now."),
    (
        "procedural",
        "Restart the worker after changing the config.",
        "Restart the scheduler after changing the config.",
    ),
    (
        "procedural",
        "To roll back, run make rollback on the canary.",
        "To roll back, run make rollback on the primary.",
    ),
    (
        "prospective",
        "Call the plumber about the leaking sink.",
        "Call the electrician about the leaking sink.",
    ),
    ("prospective", "Buy milk on the way home.", "Buy bread on the way home."),
)


def _hand_written(b: Builder) -> None:
    for memory_type, first, second in HAND_WRITTEN_LOOK_ALIKES:
        at = {"occurred_at": day(7, 10)} if memory_type == "episodic" else {}  # the same minute
        b.look_alikes(memory_type, "hand-written", [{"content": first, **at}, {"content": second, **at}])


def build_cases(seed: int = 0) -> list[Case]:
    """The whole labelled set (several hundred memories), the same for the same seed."""
    b = Builder(seed)
    for make in (_semantic, _episodic, _procedural, _prospective, _hand_written):
        make(b)
    for memory_type in TYPES:
        for i, text in enumerate(NOISE):
            b.add(
                memory_type,
                "noise",
                "filler" if any(c.isalnum() for c in text) else "no-words",
                [[{"content": text}]],
                meta={"n": i},
            )
    return b.cases
