"""What kind of value a request asks for, from its words, for the asked-detail check
(mnemo.retrieval.ranking.asked.asked_detail).

`asked_kinds(query)`: the kinds of value a question asks for. The cues are the interrogatives and
the nouns that name a kind of value in any person's or account's affairs ("how much", "cost",
"salary"; "when", "birthday" (not "the birthday party"), "expire"; "what time"; "how many"; "phone",
"mobile"; "email"; "code", "password", "account number", "reference"; "address"; "who", "called"):
word classes of English, not the subjects of any one store, so that they read a store nobody here
has seen as they read these. A question that names none asks for no kind. `is_question(query)`:
whether a request asks at all.

Pure; every pattern is compiled once.

Size: `ASKS` is one table of word classes with their exceptions beside them ("phone" but not "on the
phone"), and a question is read against the whole of it; whether a request asks reads the same table.
"""

from __future__ import annotations

import re

from ....memtypes.language.preferences import asks_preference
from ....memtypes.language.questions import CLAUSES, OPENS_QUESTION, asking_clauses
from .value_forms import Kind


def _words(*alternatives: str) -> str:
    return r"\b(?:" + "|".join(alternatives) + r")\b"


_MONEY_WORDS = (
    "cost",
    "costs",
    "costing",
    "price",
    "prices",
    "priced",
    "pay",
    "pays",
    "paid",
    "paying",
    "charge",
    "charges",
    "charging",
    "salary",
    "wage",
    "wages",
    "fee",
    "fees",
    "bill",
    "spend",
    "spent",
    "budget",
    "rent",
    "worth",
    "owe",
    "owed",
    "quote",
    "quoted",
    "discount",
    # A price per unit or a share ("her hourly rate", "the interest rate"), not a body's count per minute.
    r"(?<!heart )(?<!pulse )(?<!breathing )(?<!respiratory )rates?",
    "money",
)
# A code named by what it is of ("the quote reference", "the invoice number") is asked, not the money.
_CODE_OF_MONEY = re.compile(
    _words(*_MONEY_WORDS) + r"\s+(?=(?:reference|ref|number|code|id)\b)", re.IGNORECASE
)

# A code's noun naming what money is for ("the registration fee", "the york reg money"): the money is asked.
_CODE_FOR_MONEY = re.compile(
    r"\b(?:reg|registration|licen[cs]e|membership|subscription|code)\s+(?=(?:"
    + "|".join(_MONEY_WORDS)
    + r")\b)",
    re.IGNORECASE,
)
# A question of how something is done ("how do I pay participants?", "how should we charge for it?"):
# its verb of money asks a way, not an amount.
_MANNER = re.compile(
    r"\bhow\s+(?:do|does|did|can|could|should|shall|would|will|to|is|are)\b(?!.*\bhow much\b)", re.IGNORECASE
)

# What a birthday or an anniversary names when it is no date: the things had or given for one.
_OCCASIONS = (
    "party|parties|present|presents|gift|gifts|card|cards|cake|dinner|lunch|meal|mass|do|trip|weekend|"
    "celebration|plans"
)

# Words after "birthday" that leave its day asked: "… birthday is when", "birthday this year", "whose
# birthday did …".
_JOINS_ON = (
    "is|was|on|in|at|this|next|last|coming|again|and|or|for|so|then|to|falls|fall|be|date|day|when|"
    "did|does|do|will|has|had|"
    "this year|next year|pls|please"
)

# What a question's words say it asks for. Each is a word class of everyday questions about a
# person's or an account's affairs, written as the interrogatives and value nouns of English.
ASKS: tuple[tuple[Kind, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern, re.IGNORECASE))
    for kind, pattern in (
        (Kind.EMAIL, _words("e-?mail", "e-?mail address")),
        (
            Kind.PHONE,
            _words(
                # Not being on a call: "Sadie's on the phone", "sort it over the phone", "by phone".
                r"(?<!\bon the )(?<!\bover the )(?<!\bby )phone(?!\s+call)",
                "mobile",
                "landline",
                "direct line",
                "telephone",
                "cell number",
                "cell phone",
                "whatsapp",
                "contact number",
            ),
        ),
        # "Kathleen's number": a person's number is their phone's ("the van's number plate" is not).
        (Kind.PHONE, r"\b\w+'s number\b(?! (?:of|plate))"),
        # "sipho cell no": a cell's number, clipped.
        (Kind.PHONE, r"\bcell\s+(?:no|nr|num)\b"),
        # "brian tate's cell", "her cell": a person's cell is their mobile.
        (Kind.PHONE, r"\b(?:\w+['’]s|his|her|their|your|my)\s+cell\b"),
        (Kind.MONEY, _words(*_MONEY_WORDS)),
        # What a thing fetched: "what did the car sell for?", "how much was it sold for?".
        (Kind.MONEY, r"\b(?:sell|sells|selling|sold)\s+(?:\w+\s+)?for\b"),
        # "how much was the skip?": how much of nothing named is a price ("how much flour?" a quantity).
        (Kind.MONEY, r"\bhow much (?:is|was|were|are|did|does|do|will|would|has|have|had)\b"),
        (
            Kind.DATE,
            _words(
                "when",
                "expire",
                "expires",
                "expiry",
                "deadline",
                "due date",
                "what day",
                "which day",
                "what year",
                "which year",
            ),
        ),
        # A date named by what it is of ("the last service date", "what date", "start dates"), not a date
        # night, "to date": a day, which a month or a year alone does not name.
        (Kind.DAY, r"(?<!\bup to )(?<!\bto )(?<!\bdue )\bdates?\b(?!\s+(?:night|nights|night's)\b)"),
        # A birthday's or anniversary's date, not what it names ("the birthday party", "an anniversary do").
        # A thing named after it is what is asked ("Javi's birthday headphones"); a word that joins or
        # asks on ("Tom's birthday is when?", "birthday this year") leaves the day asked.
        (
            Kind.DAY,
            r"\b(?:birthday|anniversary)\b(?!\s+(?:" + _OCCASIONS + r")\b)"
            r"(?=\s*$|\s*[^\w\s]|\s+(?:" + _JOINS_ON + r")\b)",
        ),
        (Kind.TIME, _words("what time", "which time", "how early", "how late", "o'clock")),
        (
            Kind.COUNT,
            _words(
                "how many",
                "how much",
                "how big",
                "how long",
                "how old",
                "how far",
                "how tall",
                "how heavy",
                "what size",
                "which size",
                "what level",
                "what percentage",
                "how often",
                "quota",
                # A measure asked by its noun or verb: "what Juni weighs", "Maya's 50m PB".
                "weigh",
                "weighs",
                "weight",
                "height",
                "pb",
                "personal best",
                # How many a place or a thing holds: "capacity at the venue", "the hall's capacity".
                "capacity",
            ),
        ),
        # A mark or a score asked for: "what mark did Finn get", "what did Maya get in maths", "what
        # did I get on the final" (not what one was given: "what did Dev get me for my birthday?").
        (Kind.SCORE, r"\bwhat\s+(?:mark|grade|score|result)s?\s+did\b"),
        (Kind.SCORE, r"\bwhat\s+did\s+[\w'’]+\s+(?:get|score)\s+(?:in|on)\b"),
        # A score asked by its noun: "the Stormers score", "dad's last MoCA score".
        (Kind.SCORE, _words("score", "scores")),
        (
            Kind.CODE,
            _words(
                "code",
                "password",
                "passcode",
                "pin",
                "wifi",
                "account number",
                "policy number",
                "reference",
                "ref",
                "registration",
                "reg",
                "number plate",
                "licen[cs]e plate",
                "serial",
                "model",
                "version",
                "id",
                "postcode",
                "zip code",
                "iban",
                "vin",
                "bleep",
                "pager",
                "extension number",
                "licence number",
                "license number",
                "number",
                # What a payment into an account needs: its number and sort code.
                "bank details",
                "banking details",
                "account details",
            ),
        ),
        # A number by its abbreviation after what it numbers: "AA membership no.", "room #", "order num"
        # ("no" alone is a refusal; a thing's "no." is its number).
        (Kind.CODE, r"(?<=[^\W\d_])\s+(?:no\.|nos\.|#|num|nr\.?)(?=\s|$|[?!,;:])"),
        # A room is asked by its number ("which room is the viva in?": "G.14", "S1.12").
        (Kind.CODE, r"\b(?:which|what)\s+room\b(?!\s+(?:is|are)\s+(?:free|available|booked))"),
        # A login asked for, not one that names a thing ("the SSO login outage").
        (Kind.CODE, r"\b(?:log-?in|username|user name)\b(?!\s+(?!(?:for|to|on|of|at|in|and|details?)\b)\w)"),
        # "Gwen's extension": a person's extension is their internal number ("the kitchen extension" is not).
        (Kind.CODE, r"\b\w+'s extension\b"),
        # A postal address, not an e-mail's ("what's my address?", "Ian and Rach's address in Leeds").
        # A noun after whose or which it is, not the verb ("how did we address the outage?"); one's own
        # ("my address", "our address") is told as often by where one lives ("back in the flat in Arroios").
        (
            Kind.ADDRESS,
            r"\b(?!(?:to|i|we|you|they|he|she|and|or|will|can|could|should|must|would|did|do|does|not|my|our)\s)"
            r"\w+['’]?s?\s+address(?:es)?\b",
        ),
        (Kind.PERSON, _words("who", "whom", "whose")),
        # A name asked for as one, which a text writes as a name.
        (
            Kind.NAME,
            _words(
                "called",
                "name of",
                "surname",
                "first name",
                "last name",
                "full name",
                "real name",
                "legal name",
                "maiden name",
            ),
        ),
        # A brand is a name: "inverter brand", "what brand of boots".
        (Kind.NAME, _words("brand", "brands")),
        # Whose name is asked: "Mr Naylor's pet's name", "the plumber's name".
        (Kind.NAME, r"\w['’]s\s+(?:[\w-]+\s+)?names?\b"),
        # A contact named as a noun ("the Pixelforge contacts", "our contact at Leeds"), not the verb
        # ("when did I contact Dana?") nor a way to reach one ("contact number", "contact details").
        (
            Kind.PERSON,
            r"\b(?:the|our|my|your|their|his|her|a|\w+['’]s)\s+(?:[\w-]+\s+)?contacts?\b"
            r"(?!\s+(?:number|details|info|form|list|lens|lenses)\b)",
        ),
    )
)

_HOW_MUCH = re.compile(r"\bhow\s+much\b", re.IGNORECASE)
# The rate of a loan or a tax ("the interest rate on the truck loan", "what rate is the mortgage on",
# "what rate is trustee income taxed at"): a percentage, not a price (an hourly or a day rate).
_RATE = re.compile(r"\brates?\b", re.IGNORECASE)
_LENT_OR_TAXED = re.compile(
    r"\b(?:interest|mortgages?|loans?|apr|tax|taxes|taxed|vat|gst|remortgage|refinance|refi)\b", re.IGNORECASE
)
# An age, a span or a frequency, which dates tell as often as a number does ("born in 2019",
# "weekly").
_AGE_OR_SPAN = re.compile(r"\bhow\s+(?:old|long|often)\b", re.IGNORECASE)

_QUESTION = re.compile(rf"\?\s*$|{OPENS_QUESTION.pattern}", re.IGNORECASE)


# A choice between two things ("email or Discord for Elise?", "call or async?"): it asks which, not
# the value of one of them; two kinds ("her email or phone?") ask for either value.
_CHOICE = re.compile(r"\b([\w'’-]+)\s+or\s+([\w'’-]+)\b", re.IGNORECASE)


def _but_choices(text: str) -> str:
    """`text` without the choices it asks between that are not two kinds of value."""

    return _CHOICE.sub(lambda m: m.group() if _kinds_of_both(m) else " ", text)


# The parts of a question: its clauses and what "and" joins, but for one's own name joined to another's
# ("what did Rachel and I say …": one asker); "when I pick my seat, …" opens a clause that times the
# question, not one that asks.
_PARTS = re.compile(rf"{CLAUSES.pattern}|\band\b(?!\s+(?:i|me)\s)", re.IGNORECASE)
_SUBORDINATE = re.compile(r"^\W*(?:when|if|once|while)\s+(?:i|we|you|he|she|they|it)\b", re.IGNORECASE)


def _kinds_of_both(match: re.Match[str]) -> bool:
    return all(any(pattern.search(side) for _, pattern in ASKS) for side in match.groups())


def asks_for_a_rule(query: str) -> bool:
    """Whether `query` asks leave or advice ("Ernesto quoted $1,800 for the fence, should I go
    ahead?", "Alyssa is an early riser, ok to call her at 7:30?"): a rule or a preference answers it,
    which names neither the person nor the occasion and holds no value of the kind its situation
    names. A choice between two kinds of value ("her email or phone?") still asks for one, and a
    question in parts asks for a rule only where each part that asks does ("what should I get him and
    what should I avoid?"; not "what does she want and have I done it?")."""
    query = _CHOICE.sub(lambda m: " " if _kinds_of_both(m) else m.group(), query)
    if not asks_preference(query):
        return False
    asking = (p for p in _PARTS.split(query) if OPENS_QUESTION.search(p) and not _SUBORDINATE.search(p))
    return all(asks_preference(part) for part in asking)


# A measure asked of a thing ("how much does dad weigh?", "how much taller is she?"): how much of
# it is no price.
_MEASURE = re.compile(
    _words("weigh", "weighs", "weighed", "weight", "height", "tall", "taller", "heavy", "heavier")
)
_NAMES_MONEY = re.compile(_words(*_MONEY_WORDS), re.IGNORECASE)
# "who" and "when" ask where they open a question or a part of it ("who found him, and when?"), or
# after a word that asks on ("do you know when it opens?", "tell me who called"). After another word
# they join a clause to it: "the man who told dad" says which man, "what did I find when I went
# through the mail?" says when it was found; neither asks for a person or a date.
_JOINED = re.compile(r"(?<=\w)\s+(who|when)\b", re.IGNORECASE)
_ASKS_ON = frozenset(
    (  # noqa: SIM905 (a word list reads best as words)
        "and or but me us know ask asked wonder remember recall tell say said see check out since by "
        "until till exactly is was are were"
    ).split()
)


def _without_joining(text: str) -> str:
    """`text` without the "who" and "when" that join a clause to a word before them."""

    def joined(match: re.Match[str]) -> str:
        before = text[: match.start()].split()
        return match.group() if before[-1].casefold() in _ASKS_ON else " "

    return _JOINED.sub(joined, text)


def asked_kinds(query: str, clause_only: bool = False) -> frozenset[Kind]:
    """The kinds of value `query` asks for (empty: none that a text's form shows), read in its
    asking clauses (`asking_clauses`) with `clause_only`. "How much" asks for an amount: of money
    where a word of money says so ("how much did the lock cost?"), else any quantity ("how much
    levothyroxine?", "how much does he weigh?")."""
    text = _CODE_FOR_MONEY.sub(" ", _CODE_OF_MONEY.sub(" ", asking_clauses(query) if clause_only else query))
    text = _without_joining(_but_choices(text))
    kinds = {kind for kind, pattern in ASKS if pattern.search(text)}
    if _AGE_OR_SPAN.search(text):
        kinds.add(Kind.DATE)  # "how old is Fionn?" is told by "born on 19 September 2019"
    measured = bool(_MEASURE.search(text)) and not _NAMES_MONEY.search(text)
    if _MANNER.search(text) or measured:
        # "how do I pay participants?" asks how; "how much does he weigh?" asks a measure.
        kinds.discard(Kind.MONEY)
    if Kind.MONEY in kinds and _RATE.search(text) and _LENT_OR_TAXED.search(text):
        kinds.symmetric_difference_update({Kind.MONEY, Kind.PERCENT})  # a loan's rate is in percent
    if Kind.MONEY in kinds or Kind.TIME in kinds:
        kinds.discard(Kind.COUNT)  # "how much … cost": the amount is the money
    elif _HOW_MUCH.search(text) and not measured:
        kinds.add(Kind.MONEY)  # "how much more is the Hal4 desk?": an amount of money or of anything
    if Kind.DAY in kinds:
        kinds.discard(Kind.DATE)  # "when's her birthday?": a day of the year, not a month or a year alone
    if Kind.PHONE in kinds or Kind.EMAIL in kinds:
        kinds.discard(Kind.CODE)  # "phone number": the number is the phone's
        kinds.discard(Kind.ADDRESS)  # "e-mail address", "email or address"
    return frozenset(kinds)


# A request that says what it wants done before what it asks ("remind me what happened …", "tell me
# Dana's email", "pull up the gate code for …", "I need the DOI of …"): what follows is the request.
_REQUEST_OPENER = re.compile(
    r"^\W*(?:(?:please|pls|plz|just|can\s+you|could\s+you)\s+)?"
    r"(?:(?:remind|tell|show|give|send|get|find)\s+me(?:\s+(?:again|of|about))?|(?:pull|look|dig)\s+up|"
    r"find|get|list|(?:i\s+)?need|i'?d\s+like|i'?m\s+after|looking\s+for|any\s+idea)\b\s*",
    re.IGNORECASE,
)
# What a request wants, named as a noun phrase ("give me the Bay Cottage booking reference", "send me
# our wifi password"), not a task ("remind me to pay the rent").
_NOUN_PHRASE = re.compile(r"^\W*(?:the|our|my|his|her|their|your|this|that)\b", re.IGNORECASE)
# A clipped request for a value: a noun phrase that names its kind, its owner after a preposition
# ("gate code at the Desais'", "policy number for the Summit Trades insurance", "VIN on Truck 1").
_OWNER_AFTER = re.compile(
    r"^\W*((?:[\w'’.-]+\s+){0,3}?[\w'’.-]+)\s+(at|on|for|of|with|from|to|in)\b", re.IGNORECASE
)
# ... or before it, a possessive after a name of up to three words ("Harold Lindqvist's phone number",
# "the Okafors' email"; a surname's particle is lower case: "Fenna de Wit's", "Ludwig van der Berg's"),
# not a contraction of "is" ("that's").
_NAME_PARTICLES = "de|van|von|der|den|da|di|du|del|della|la|le|bin|ben|ibn|al|ter|ten|dos|das"
_OWNER_BEFORE = re.compile(
    rf"^\W*(?:the\s+)?(?:[A-Z][\w-]*\s+(?:(?:{_NAME_PARTICLES})\s+){{0,2}}){{0,2}}"
    r"(?!(?i:what|who|where|when|how|why|it|that|there|here|he|she|let)['’]s)[\w-]+(?:['’]s|s['’])(?!\w)"
)
# A word that tells what was done ("Dana paid for lunch", "Bob called about the gate"): a statement's
# verb, not the noun a clipped request names its value by.
_DONE = re.compile(r"\w+(?:ed|ing)|pay|paid|spend|spent|owe|owes", re.IGNORECASE)
# The verb "be" of a statement ("that's Dana's phone number", "the gate code is new").
_STATES = re.compile(r"(?:it|that|this|there|here|he|she)['’]s|is|are|was|were", re.IGNORECASE)
# A word of courtesy that ends a request: not what it asks for.
_POLITE_TAIL = re.compile(r"(?:[\s,]+(?:pls|plz|please|thanks|thx|cheers))+\W*$", re.IGNORECASE)
# When the value is wanted, after what is wanted ("door code this month", "score saturday"): a
# clipped request still ends with the kind it asks for.
_TIME_TAIL = re.compile(
    r"(?:[\s,]+(?:(?:this|next|for\s+this|for\s+next)\s+(?:week|weekend|month|year|term|quarter|season)"
    r"|today|tonight|tomorrow|now|currently|these\s+days"
    r"|(?:on\s+|this\s+|last\s+|next\s+)?(?:mon|tues|wednes|thurs|fri|satur|sun)days?)"
    r")+\W*$",
    re.IGNORECASE,
)
# A clipped request is a few words: past them a phrase is a statement or a topic.
_CLIPPED_WORDS = 6


def _ends_with_its_kind(request: str) -> bool:
    """Whether `request` is a few words ending with the noun that names the kind of value it wants,
    whose or of what told before it ("ESTA application number", "demo app id", "beta branch
    password"), with no verb of a statement ("Bob called about the gate code", "that's Dana's phone
    number")."""
    words = request.strip().rstrip("?.!").split()
    if (
        not words
        or len(words) > _CLIPPED_WORDS
        or any(_DONE.fullmatch(w) or _STATES.fullmatch(w) for w in words)
    ):
        return False
    # Read with its closing stop: "membership no." ends with the abbreviation it asks by.
    text = " ".join(request.split())
    end = len(" ".join(words))
    return any(match.end() >= end for _, pattern in ASKS for match in pattern.finditer(text))


def _asks_for_a_value(request: str) -> bool:
    """Whether `request`, not phrased as a question, names the kind of value it wants and whose: a
    possessive owner ("Dean's mobile") or an owner after the noun ("gate code at the Desais'"). A
    phrase ending with the noun of the kind it wants asks for it too ("Dana phone number", "ESTA
    application number")."""
    if _OWNER_BEFORE.search(request) is not None:
        return bool(asked_kinds(request))
    if _ends_with_its_kind(request):
        return True
    clipped = _OWNER_AFTER.match(request)
    if clipped is None:
        return False
    head = clipped.group(1).split()
    # With the word after it: "name of my service advisor at ricart ford" asks a name.
    asked = " ".join([*head[-2:], clipped.group(2)])
    return _DONE.fullmatch(head[-1]) is None and bool(asked_kinds(asked))


def is_question(query: str) -> bool:
    """Whether `query` asks something (a question mark, or an interrogative or auxiliary opening it):
    a topic ("everything about Bob", a forget query, a search phrase) asks for no detail, and
    whatever is about it answers it. A clipped request for someone's or something's value of a kind
    asks for it, mark or none ("Dean's mobile", "gate code at the Desais'", "Dana phone number"; "everything
    about Bob" is a topic), and so does a question after what a request wants done where it asks for a kind
    ("tell me what Dana's number is"; "remind me how we fixed it" asks for a story retold, whose
    words an answer need not share)."""
    if _QUESTION.search(query) is not None:
        return True
    query = _TIME_TAIL.sub("", _POLITE_TAIL.sub("", query))  # "marta mobile pls" asks as "marta mobile"
    request = _REQUEST_OPENER.sub("", query, count=1)
    if request == query:
        return _asks_for_a_value(request)
    named = _QUESTION.search(request) is not None or _NOUN_PHRASE.match(request) is not None
    return (named and bool(asked_kinds(request))) or _asks_for_a_value(request)
