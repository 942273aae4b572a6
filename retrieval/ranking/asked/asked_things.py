"""Which thing a question asks a detail of, and whether a memory tells the detail of that thing,
for the asked-detail check (mnemo.retrieval.ranking.asked.asked_detail).

- an identifier written in lower case ("sona study id for exp1") names a thing as a capitalized name
  does, and a memory may write it otherwise ("SOC 2" for "soc2"): `identifiers`, `written_identifiers`;
- a number asked of a thing ("my locker number") is told by the thing written with one ("locker
  41"), short as it is: `numbered`, `writes_number_of`; one asked by its noun ("the gear insurance
  policy number") is told with the noun: `named_numbers`;
- a which-question asks which thing ("which law firm booked it?"), and a memory telling the thing
  only as one of its kind ("a law firm", not "a pharmacist in Bantry, Colette Harrington") does not
  tell which: `asked_which`, `told_indefinitely`;
- a detail asked of an owner ("Tomás's birthday") is not told by a memory that tells it only as
  someone else's ("Inês's 38th birthday"): `possessors`, `others_own`;
- an ordinal is the word it abbreviates ("2nd sup" is the second): `spelled`;
- a question typed on a phone: an aside on the asking ("again", "at the moment") asks nothing
  (`asking_asides`), and in one typed all in lower case the owner asked of, rare in English, and a
  name after a title are names (`lower_case_names`); an e-mail address whose mailbox names someone
  is theirs (`mailbox_of`);
- the words of a question an answer tells in its own words: a when-question's event verb ("when did
  we buy the Ram?": `event_verb`), a who-question's verb ("who do we deal with at Fernway":
  `who_verb`), how something went (`how_it_went`).

Pure; every pattern is compiled once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ....memtypes.language.questions import asking_clauses
from .evidence import READ_CHARS, information, memory_words, stem
from .value_forms import writes_capitals

# An identifier written in lower case: letters, then a number ("exp1", "ch2", "arc4", "soc2").
_IDENTIFIER = re.compile(r"(?<![\w'’-])[a-z]{2,}\d+[a-z]?(?![\w'’-])")
# An identifier as a memory may write it: "exp1", "Exp 1", "SOC 2", "ch-3".
_WRITTEN_IDENTIFIER = re.compile(r"(?<![\w'’-])([A-Za-z]{2,})[\s-]?(\d+[a-z]?)(?![\w'’-])")


def written_identifiers(content: str) -> frozenset[str]:
    """The identifiers `content` writes, as the word keys `identifiers` reads: "SOC 2" is "soc2"."""
    return frozenset(stem(a + b) for a, b in _WRITTEN_IDENTIFIER.findall(content[:READ_CHARS]))


# A thing named by capitals and its number: "CO 6", "PO 4471", "SOC 2" (not "in 2 weeks").
_NUMBERED_ACRONYM = re.compile(r"(?<![\w'’-])([A-Z]{2,})[\s-]?(\d+[a-z]?)(?![\w'’.,/:-])")


def identifiers(query: str) -> frozenset[str]:
    """The things `query` names by an identifier in lower case ("sona study id for exp1") or by
    capitals and a number ("how much was CO 6 priced at"), as word keys: a hit must hold them as it
    must a name ("exp2 sona study id 3317", "CO 5 got signed" are about another)."""
    numbered_acronyms = (a + b for a, b in _NUMBERED_ACRONYM.findall(query))
    return frozenset(stem(w) for w in (*_IDENTIFIER.findall(query), *numbered_acronyms))


# What a question asks the number of: "my locker number", "the room no.", "which desk #", "the
# account id".
_NUMBER_OF = re.compile(r"\b([^\W\d_][\w'’-]*)\s+(?:number|no\.?|#|id)(?!\w)", re.IGNORECASE)
# A thing written with its number: "locker 41", "room 4.08", "desk #12".
_NUMBERED = re.compile(r"\b([^\W\d_][\w'’-]*)\s+#?\d[\w.-]*", re.IGNORECASE)


# A place asked by its number: "which room is the viva in?".
_NUMBERED_PLACE = re.compile(r"\b(?:which|what)\s+(room)\b", re.IGNORECASE)


def numbered(query: str) -> frozenset[str]:
    """The things whose number `query` asks ("locker" of "what's my locker number", "room" of "which
    room is the viva in?"), as word keys."""
    asked = (*_NUMBER_OF.finditer(query), *_NUMBERED_PLACE.finditer(query))
    return frozenset(stem(m.group(1)) for m in asked)


# Words before "number" that are no thing numbered ("the number of ramesh", "what number"), and the
# numbers a thing is known by, which a memory writes by their form alone ("car: Golf, AB12 CDE" tells
# its registration; "Kettle, serial KX-2231").
_NOT_NUMBERED = frozenset(
    stem(w)
    for w in (  # noqa: SIM905 (a word list reads best as words)
        "the a an my our your his her their its this that what which whose any phone mobile cell contact "
        "registration reg plate serial vin chassis"
    ).split()
)


def named_numbers(query: str) -> frozenset[str]:
    """The things `query` asks the number of by their noun ("policy" of "the gear insurance policy
    number", "account" of "rumpke account number"), as word keys: a memory tells such a number with
    the noun, and a code told of something else is not it. Not a number a thing is known by (its
    registration, serial), which a memory writes by its form alone."""
    return frozenset(stem(m.group(1)) for m in _NUMBER_OF.finditer(query)) - _NOT_NUMBERED


def writes_number_of(things: frozenset[str], content: str) -> bool:
    """Whether `content` writes one of `things` with its number: "locker 41" states the locker's."""
    return any(stem(m.group(1)) in things for m in _NUMBERED.finditer(content[:READ_CHARS]))


# A word that joins or states, never what of someone's is told: "Nuala's birthday on the 19th"
# tells her birthday, "Tom's mobile is 087 …" his mobile.
_FUNCTION_WORDS = (
    "on|in|at|to|for|from|with|by|of|off|about|after|before|since|until|is|are|was|were|be|been|has|had|"
    "have|will|would|can|could|and|or|but|the|a|an|this|that|it|he|she|they|we|i|you|so|then|too|now"
)
# An owner and what of theirs is told: "Inês's 38th birthday", "Tomás's new timetable".
_POSSESSIVE = re.compile(
    r"((?:[A-Z][\w-]*\s+){0,2}[^\W\d_][\w-]*)['’]s\s+(?:[\w-]+\s+)?"
    rf"(?!(?i:{_FUNCTION_WORDS})\b)([^\W\d_][\w-]*)"
)

# What the writer tells as their own: "my average", "our new address".
_WRITERS = re.compile(rf"(\b(?i:my|our))\s+(?:[\w-]+\s+)?(?!(?i:{_FUNCTION_WORDS})\b)([^\W\d_][\w-]*)")


def possessor_words(query: str) -> list[str]:
    """The words of the owners `query` asks of by a possessive ("Tomás" in "when is Tomás's birthday?")."""
    return [w for m in _POSSESSIVE.finditer(query) for w in m.group(1).split()]


def possessors(query: str) -> frozenset[str]:
    """The owners `query` asks of by a possessive, as word keys."""
    return frozenset(stem(w) for w in possessor_words(query))


def others_own(content: str, owners: frozenset[str]) -> frozenset[str]:
    """The words `content` tells only as someone else's than `owners`' ("birthday" in "For Inês's
    38th birthday Tomás booked dinner"): the detail of a near neighbour, not of whom it is asked."""
    text = content[:READ_CHARS]
    others = [m for m in _POSSESSIVE.finditer(text) if owners.isdisjoint(stem(w) for w in m.group(1).split())]
    others += _WRITERS.finditer(text)  # "Ray says my average is up to 174": the writer's, not Ray's
    others.sort(key=lambda m: m.start())
    if not others:
        return frozenset()
    told = frozenset(stem(m.group(2)) for m in others)
    return told - memory_words(_without_owned(text, others))


# Someone named as company: "Ran the Sun Run with Colleen in 55:40", "coffee w/ Dev + Sam".
# Someone told of again by a pronoun: "with Ruth … in her office".
_REFERRED = re.compile(r"\b(?:she|her|hers|he|him|his|they|them|their)\b", re.IGNORECASE)
_COMPANY = re.compile(r"\b(?:with|w/)\s+((?:[\w'’-]+\s*(?:,|\+|&|and)?\s*){1,4})", re.IGNORECASE)


def only_company(content: str, owners: frozenset[str]) -> bool:
    """Whether `content` names the `owners` a question asks of only as someone's company ("Ran the
    Sun Run with Colleen in 55:40" for "Colleen's time"): what it tells is another's, the writer's or
    the one it is about."""
    text = content[:READ_CHARS]
    named = [w for w in re.findall(r"[\w'’-]+", text) if stem(w) in owners]
    if not named:
        return False
    company = list(_COMPANY.finditer(text))
    in_company = [w for m in company for w in re.findall(r"[\w'’-]+", m.group(1))]
    if any(_REFERRED.search(text, m.start(1)) for m in company):
        return False  # "1:1 with Ruth … in her office": told of her after all
    return all(w in in_company for w in named)


def _without_owned(text: str, owned: list[re.Match[str]]) -> str:
    """`text` without the words told as someone's in `owned` (their second group)."""
    kept, at = [], 0
    for match in owned:
        kept.append(text[at : match.start(2)])
        at = match.end(2)
    return " ".join([*kept, text[at:]])


_ORDINALS = {
    f"{n}{suffix}": word
    for n, suffix, word in (
        (1, "st", "first"),
        (2, "nd", "second"),
        (3, "rd", "third"),
        (4, "th", "fourth"),
        (5, "th", "fifth"),
    )
}


def spelled(found: frozenset[str]) -> frozenset[str]:
    """`found` with its ordinals spelled out: "2nd sup" is the second."""
    return found.union(_ORDINALS[w] for w in found if w in _ORDINALS)


# An ordinal and the thing it counts, a word between allowed: "the first quarter", "third quarter IFTA",
# "my 2nd PT session".
_ORDINAL_OF = re.compile(
    r"\b(first|second|third|fourth|fifth|1st|2nd|3rd|4th|5th)\s+([a-z][\w-]*)(?:\s+([a-z][\w-]*))?",
    re.IGNORECASE,
)


def ordinals_of(text: str) -> frozenset[tuple[str, str]]:
    """The ordinals `text` counts things by, spelled out, each with the thing's word key."""
    return frozenset(
        (_ORDINALS.get(m.group(1).casefold(), m.group(1).casefold()), stem(word))
        for m in _ORDINAL_OF.finditer(text[:READ_CHARS])
        for word in m.groups()[1:]
        if word
    )


def tells_another_one(asked: frozenset[tuple[str, str]], content: str) -> bool:
    """Whether `content` counts a thing a question asks by its ordinal (`asked`: "the first quarter")
    only by others ("third quarter IFTA", "IFTA for the second quarter"): another one's detail."""
    told = ordinals_of(content)
    return any(
        any(thing == other_thing for _, other_thing in told) and (nth, thing) not in told
        for nth, thing in asked
    )


# A when-question about what happened, its subject a pronoun, a name or a thing named in capitals:
# "when did we buy the Ram?", "when was Pickle diagnosed with CKD?", "when did Dr Mulvey finish up?",
# "when did the GHIC turn up?" (one word after "the": "the Casa Ribeira site" is read no further), to
# the word after the subject (not a possessive's: "when was Hanley Mills' duplicate problem fixed?"
# names no event verb).
_EVENT_VERB = re.compile(
    r"^\W*(?i:when(?:\s+exactly)?\s+(?:did|was|were))\s+"
    r"(?:(?i:i|we|you|he|she|they|it)|(?i:the|my|our|your|his|her|their)\s+[A-Z][\w-]*|(?:[A-Z][\w-]*\s+){0,2}[A-Z][\w-]*)"
    r"\s+[a-z][\w'’-]*\b(?!['’])"
)


def event_verb(query: str) -> frozenset[str]:
    """The words that open a when-question about what happened, to its verb, as word keys ("when",
    "did", "we", "buy" in "when did we buy the Ram?"), or none. An event's memory tells it in its
    own words ("Replaced Truck 2 with a 2022 Ram …") and its own time answers the question: of a
    dated hit naming the question's names they are not asked; a when-question for a value ("when's
    Tom's birthday?") still asks its noun."""
    match = _EVENT_VERB.match(query)
    return memory_words(match.group()) if match else frozenset()


# A who-question's verb, with its auxiliary, subject and particle: "who do we deal with at Fernway",
# "who runs Leo's Cubs pack", "who does PR at Hollowbyte".
_WHO_VERB = re.compile(
    r"^\W*(?i:who)\s+(?:(?i:do|does|did|should|can|will|would)\s+(?:(?i:i|we|you|they|he|she)\s+)?)?"
    r"([a-z][\w'’-]*)(?:\s+(?:with|to|for|about|after|over|up|out))?\b"
)


def who_verb(query: str) -> frozenset[str]:
    """The words of a who-question to its verb ("who", "do", "we", "deal", "with" in "who do we deal
    with at Fernway"), as word keys, or none: the answer names someone in its own words ("Contact
    Mei Tanaka"), so of a hit naming someone they are not asked; "who is …" asks its noun ("who is
    Mila's swimming teacher?": "teacher")."""
    match = _WHO_VERB.match(query)
    if match is None or match.group(1).casefold() in {"is", "are", "was", "were", "'s"}:
        return frozenset()
    return memory_words(match.group())


# A question about how something turned out: "how did the MOT go?", "how was Mum's pre-op going?",
# "what happened to Imaging Vet Services?", "what happened w/ my laptop".
_HOW_IT_WENT = re.compile(
    r"^\W*(how)\s+(did|does|do|was|were|is|are|has|have)\b.*\b(go|goes|went|going|gone)\W*$"
    r"|^\W*(what)\s+(?:(has|had)\s+)?(happened|happens|happening)\b",
    re.IGNORECASE,
)


def how_it_went(query: str) -> frozenset[str]:
    """The words of a question about how something turned out ("how", "did", "go" in "how did the
    MOT go?"), as word keys, or none: any memory of the event tells how it went, in its own words
    ("The Octavia passed its MOT …"), so of a dated hit they are not asked."""
    match = _HOW_IT_WENT.match(query)
    return memory_words(" ".join(g for g in match.groups() if g)) if match else frozenset()


# Words that say how or when the asker asks, not what: one asks again for what one was told ("what's
# my ORCID again?", "what's my FTP at the moment", "how much have I billed Loop altogether?"), and
# asks politely ("aai's number pls", "kindly remind me").
_ASKING_ASIDE = re.compile(
    r"\b(?:again|exactly|at\s+the\s+moment|right\s+now|these\s+days|so\s+far|in\s+total|altogether|i\s+mean"
    r"|please|pls|plz|kindly|thanks|thx|cheers)\b",
    re.IGNORECASE,
)


def asking_asides(query: str) -> frozenset[str]:
    """The word keys of the asides on the asking in the clauses of `query` that ask ("again" of
    "what's my ORCID again?"; not of "the CI runner is dead again, what do I do?", which tells it),
    but for a word the rest of the query also uses."""
    asides = memory_words(" ".join(_ASKING_ASIDE.findall(asking_clauses(query))))
    return asides - memory_words(_ASKING_ASIDE.sub(" ", query))


# A name after a title, in a text written without capitals: "dr ravi patel", "mr kowalski".
TITLED = re.compile(r"\b(?:dr|prof|mr|mrs|ms|mx)\.?\s+([a-z][a-z'’-]+)")


def lower_case_names(query: str, name_information: float) -> frozenset[str]:
    """The names a question typed in lower case shows without capitals, as word keys: a name after a
    title ("dr petersen's phone number") and, in a question with no capital at all, the owner it asks
    of where the word is at least `name_information` rare in English ("marcus webb's cell", "lena's
    physio"; "dad's", "the team's" are no names)."""
    titled = frozenset(stem(w) for w in TITLED.findall(query))
    if writes_capitals(query):
        return titled
    return titled | frozenset(stem(w) for w in possessor_words(query) if information(w) >= name_information)


# A word and an "s" before another word that may be an owner written without its apostrophe ("marcuss
# phone number", "madisons birthday", "tylers hockey practice").
_UNMARKED_POSSESSIVE = re.compile(rf"\b([a-z]{{3,}})s\s+(?!(?:{_FUNCTION_WORDS})\b)(?=[a-z])")


# A contraction's apostrophe ("what's", "I'm", "don't"), which a spoken question read as typed gains:
# it marks no owner, so the question still writes its owners without one.
_CONTRACTION = re.compile(
    r"\b(?:\w+n['’]t|(?:what|who|where|when|how|that|there|it|i|you|we|they|he|she)['’](?:s|m|re|ve|ll|d))\b",
    re.I,
)


def unmarked_owners(query: str, contents: Iterable[str]) -> frozenset[str]:
    """In a question typed without a capital or an apostrophe ("whats", "im"), the owners it writes as
    a word and an "s" ("loris address" for "Lori's address"), as word keys: where one of `contents`
    (the best hits) writes the word without the "s" as a name, capitalized inside a sentence ("my
    sister Lori"); a plural ("wishlists", "thresholds") is not written so."""
    if writes_capitals(query) or re.search(r"['’]", _CONTRACTION.sub("", query)):
        return frozenset()
    texts = [c[:READ_CHARS] for c in contents]
    return frozenset(
        stem(word)
        for word in (m.group(1) for m in _UNMARKED_POSSESSIVE.finditer(query))
        if any(_named_inside(word, text) for text in texts)
    )


def _named_inside(word: str, text: str) -> bool:
    """Whether `text` capitalizes `word` after another word of its sentence ("… and Ray says")."""
    return re.search(rf"(?<=[\w,;:)] ){re.escape(word.capitalize())}(?![\w-])", text) is not None


# An e-mail address and its mailbox ("bev.hale" of "bev.hale@taffpm.co.uk").
_MAILBOX = re.compile(r"([\w.+-]+)@[\w-]+\.[\w.-]+")


def mailbox_of(content: str, names: frozenset[str]) -> bool:
    """Whether `content` writes an e-mail address whose mailbox holds one of `names` ("bev.hale@…"):
    an address written with a name says whose it is."""
    mailboxes = (m.group(1) for m in _MAILBOX.finditer(content[:READ_CHARS]))
    return any(names & memory_words(re.sub(r"[._+-]", " ", box)) for box in mailboxes)


# What a which-question asks the identity of: "which law firm booked…", "what meds is baba on", "which
# hotel does Tiago stay at" (the words after "which" or "what" up to a verb, an auxiliary or a
# preposition; not a kind of value: "what time", "which day").
_WHICH = re.compile(
    r"^\W*(?:which|what)\s+((?:(?!(?:is|are|was|were|do|does|did|has|have|had|will|would|can|could|should|"
    r"of|in|on|at|for|to|from|with|by|about|time|day|date|year|kind|sort|type)\b)[a-z][\w-]*\s+){0,2}?"
    r"(?!(?:is|are|was|were|do|does|did|has|have|had|will|would|can|could|should|time|day|date|year|kind|sort|type)\b)"
    r"[a-z][\w-]*)\s+(?:is|are|was|were|do|does|did|has|have|had|will|would|can|could|should|[a-z]+(?:ed|s))\b",
    re.IGNORECASE,
)


def asked_which(query: str) -> frozenset[str]:
    """The word keys of the thing a which-question asks the identity of ("law", "firm" of "which law
    firm booked that dinner?"), or none."""
    match = _WHICH.match(query)
    return memory_words(match.group(1)) if match else frozenset()


# A thing told only as one of its kind: "a law firm", "an organic farm", "some meds".
_INDEFINITE = r"\b(?:a|an|another|some|any)\s+(?:[\w-]+\s+){0,2}?"


def told_indefinitely(content: str, thing: frozenset[str]) -> bool:
    """Whether `content` tells of the thing asked (`asked_which` word keys) only as one of its kind
    ("hosted a private dinner for 38 people from a law firm"), never naming which: it holds the thing's
    words, not what is asked of them."""
    text = content[:READ_CHARS]
    heads = [m for m in re.finditer(r"[\w'’-]+", text) if stem(m.group()) in thing]
    if not heads:
        return False
    for match in heads:
        before = text[max(0, match.start() - 40) : match.start()]
        if not re.search(_INDEFINITE + r"(?:[\w'’-]+\s+)?$", before, re.IGNORECASE):
            return False
        if _NAMED_AFTER.match(text[match.end() : match.end() + 60]) or _NAMED_BEFORE.search(before):
            return False
    return True


# One of a kind named before it: "Pinheiro Neto Advogados, a law firm".
_NAMED_BEFORE = re.compile(r"[A-Z][\w'’-]+,\s*(?:a|an|another)\s+(?:[\w-]+\s+)?$")


# One of a kind named after it: "a pharmacist in Bantry, Colette Harrington", "a café called Grão".
_NAMED_AFTER = re.compile(
    r"(?:\s+(?:in|at|from|of|near)\s+[\w'’-]+(?:\s+[A-Z][\w'’-]+)*)?"
    r"\s*(?:[,:(–—-]\s*|\s+(?:called|named)\s+)['\"“‘]?[A-Z][a-z]"
)
