"""Whether the best hits hold the kind of value a question asks for, for the confidence model
(mnemo.retrieval.ranking.confidence).

A store that names the person or the topic of a question can still lack the detail it asks:
"what's Ruth's email address?" finds every memory about Ruth, and none of them holds an address. The
cosine and the shared words read such a hit as sure as the one that answers, since the name and the
topic are what they weigh most. What they do not read is that the question asks for a *kind of
value* (an e-mail, a phone number, an amount, a date, a time of day, a count, a code or number,
a person) and that an answer must hold one. So:

- `asked_kinds(query)` (asked_kinds.py): the kinds of value a question asks for, from its words
  (interrogatives and the nouns that name a kind of value: word classes of English, not the subjects
  of any one store). A question that names none asks for no kind; its words alone are checked.
- `holds_kind(kind, content, model, dated)`: whether a memory's text holds a value of that kind, by its
  form (digits and separators, a currency sign or word, a month or weekday, an @, a clock time, a
  capitalized name the question does not hold). A dated memory (an event's or a turn's own time, a
  reminder's due date) holds a date whatever its words say: "when did we open?" is answered by the
  event's time.
- `detail_check(query, words, head, model)`: of the best `model.detail_head` hits, those that name the
  question's names (`required_names`: of one of its parts) and hold a value of an asked kind,
  stated of what is asked (`stated_with`: in a sentence naming it, or a memory opening with it);
  `missing` when there is none, and `gap`, 1 less the largest share of the question's other words
  (what it asks about the names: "door code", "birthday") that one of them holds; of an event, a
  when-question's verb is not asked (`event_verb`: "when did we buy the Ram?" is answered by the
  event's time, told in its own words). An identifier written in lower case ("exp1") is required
  as a name is (`identifiers`), a detail a hit tells as someone else's ("Inês's birthday" for
  "Tomás's birthday") is not held (`others_own`), and of a which-question ("which law firm booked
  it?") a hit telling the thing only as one of its kind ("… for 38 people from a law firm") holds
  nothing asked (`told_indefinitely`). The same for every hit of a request: it says what
  the store holds, not what one memory does.

The confidence turns the two into a ceiling on every hit of the request (`Calibration.detail_ceiling`):
a memory about the right names that does not hold what is asked is unlikely to answer however close
its words and vector are.

Pure: the same texts give the same answers. Read for a few hits only; every pattern is compiled once.

Size: the check's steps (which hits it reads, the names they hold, the words each is read for, what
each holds) are read together over the same few hits and the same question; apart, a step would be
a module of one function that only `detail_check` calls.

The check reads a question and a few hits together; what reads one side alone is in its own module
(the question's: asked_kinds.py, asked_things.py, its forms read once for all hits: question_forms.py,
the names it asks an answer to hold: asked_names.py; a hit's: value_forms.py; how a memory writes the
question's words and where its sentences end: word_forms.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ....memtypes.language.questions import CLAUSES
from ....memtypes.language.speakers import speaker_of
from ..times.due_windows import asks_about_tasks
from .asked_kinds import asked_kinds, asks_for_a_rule, is_question
from .asked_names import (
    acronyms,
    asked_of,
    calendar_word,
    name_owner,
    opening_name,
    required_names,
)
from .asked_things import (
    TITLED,
    asking_asides,
    event_verb,
    how_it_went,
    identifiers,
    lower_case_names,
    mailbox_of,
    only_company,
    others_own,
    possessors,
    spelled,
    told_indefinitely,
    unmarked_owners,
    who_verb,
    writes_number_of,
    written_identifiers,
)
from .evidence import READ_CHARS, ConfidenceFeaturesModel, QueryWords, information, memory_words, stem
from .question_forms import QuestionForms
from .secret_codes import states_secret
from .turns import mostly_turns, opens_with_speaker
from .value_forms import Kind, holds_form, says_who, writes_capitals
from .word_forms import holds_word, sentences, spelled_out, with_code_parts, with_parts

_CAPITALIZED = re.compile(r"\b[A-Z][a-z'’-]+")
# Words that name a value by its kind alone (stemmed as `evidence.stem` keys words).
_VALUE_WORDS = frozenset(
    stem(w)
    for w in ("number", "numbers", "date", "dates", "time", "times", "name", "names", "called", "amount")
)
_ADDRESS_WORDS = frozenset({stem("address")})
# Of a memory whose e-mail address names the person asked of (`mailbox_of`) the word "email" is not
# asked; what else the question asks is ("at her new job").
_EMAIL_WORDS = frozenset(stem(w) for w in ("email", "e-mail"))


def _rare_word(text: str, known: frozenset[str], name_information: float) -> bool:
    """Whether `text` holds a word the question does not hold (`known`) at least `name_information`
    rare in English, no month or weekday: a name written in lower case ("big ray dutko")."""
    return any(
        stem(w) not in known and information(w) >= name_information and not calendar_word(w)
        for w in re.findall(r"[a-z][a-z'’-]+", text)
    )


# A word or a few in quotes (not an apostrophe: "Dec's").
_QUOTED = re.compile(r"(?<!\w)['‘\"“][^\s'’\"”][^'’\"”]{1,40}['’\"”](?!\w)")


def _names_someone(text: str, known: frozenset[str], name_information: float) -> bool:
    """Whether `text` capitalizes a word the question does not hold and the language does not use
    commonly, at least `name_information` (a name: "Mr Hughes", not "The" or "Account" opening a line,
    nor a month, a weekday or the label an entry opens with: "Logged: Wed 3 Feb - …"), or names one
    after a title ("dr ravi patel")."""
    label = speaker_of(text) if not opens_with_speaker(text) else []
    return any(
        stem(w) not in known
        and information(w.casefold()) >= name_information
        and not calendar_word(w)
        and w.casefold() not in label
        for w in _CAPITALIZED.findall(text)
    ) or any(stem(w) not in known for w in TITLED.findall(text))


def holds_kind(
    kind: Kind,
    content: str,
    model: ConfidenceFeaturesModel,
    dated: bool = False,
    known: frozenset[str] = frozenset(),
) -> bool:
    """Whether `content` holds a value of `kind` (a dated memory holds a date or a day: its own time;
    a name is a capitalized word that is not one of the question's words `known`, and so is a person
    but in a text written without capitals)."""
    if dated and kind in (Kind.DATE, Kind.DAY):
        return True
    text = content[:READ_CHARS]
    if kind is Kind.DATE and holds_form(Kind.TIME, text):
        return True  # "when does the train leave?" is answered by "at noon" as by a day
    if kind is Kind.NAME:  # a name, or one quoted: "project 'tidewright'", "discussed "Horse""
        return _QUOTED.search(text) is not None or _names_someone(text, known, model.name_information)
    if kind is Kind.PERSON:
        # Who did something is told by a name or a firm ("summit roofing"); a text without capitals
        # writes them as any word, and a word rare in English the question does not hold is read as
        # one (but where the text tells of someone only as a "who").
        if not writes_capitals(text):
            return not says_who(text) and _rare_word(text, known, model.name_information)
        return _names_someone(text, known, model.name_information)
    return holds_form(kind, text, model.amounts_are_not_codes, model.counts_stand_alone)


def answers_kind(
    kinds: Iterable[Kind],
    content: str,
    model: ConfidenceFeaturesModel,
    dated: bool = False,
    known: frozenset[str] = frozenset(),
) -> bool:
    """Whether `content` holds a value of any of `kinds` (true when none is asked)."""
    kinds = tuple(kinds)
    return not kinds or any(holds_kind(k, content, model, dated, known) for k in kinds)


# Kinds whose form a text holds only as a value of its own (a number formed as a phone, an @, a
# currency, a code, a date, a clock time); a count (any number) and a person (any rare capitalized
# word) are held loosely, too often in passing to say which sentence states them.
_STATED = frozenset(
    {Kind.PHONE, Kind.EMAIL, Kind.MONEY, Kind.CODE, Kind.DATE, Kind.DAY, Kind.TIME, Kind.PERCENT}
)


def stated_with(
    kinds: frozenset[Kind], content: str, asked: frozenset[str], model: ConfidenceFeaturesModel
) -> bool:
    """Whether a value of `kinds` in `content` is stated of what a question asks: in a sentence that
    holds one of its words `asked` (names or asked words, as written or four letters of them at
    least), or anywhere in a memory of one sentence or that opens with one. "Kitchen finished. Marek
    paid £1,650 … Dai plumbed the sink + Bosch dishwasher the same day." holds an amount, not the
    dishwasher's."""
    parts = sentences(content)
    if len(parts) < 2 or _speaks_of(parts[0], asked, model):
        return True  # one sentence states what the memory is of, whatever its words
    return any(_speaks_of(s, asked, model) and answers_kind(kinds, s, model) for s in parts[1:])


def _speaks_of(sentence: str, keys: frozenset[str], model: ConfidenceFeaturesModel) -> bool:
    """Whether `sentence` holds one of the question's word `keys` (as written, or four letters of it
    at least), the parts of its hyphenated words too."""
    found = with_parts(memory_words(sentence))
    return any(holds_word(key, found, model.prefix_chars + 1) for key in keys)


def _holds_asked_kind(
    kinds: frozenset[Kind],
    hit: tuple[str, bool],
    known: frozenset[str],
    asked: frozenset[str],
    model: ConfidenceFeaturesModel,
    forms: QuestionForms,
    named_for: frozenset[str] = frozenset(),
) -> bool:
    """Whether `hit` (content, dated) holds a value of `kinds` (`answers_kind`), stated of what is
    asked (`stated_with`) where the kind has a form of its own and is not an event's own time. A
    number asked of a thing (`forms.things`) is held where the thing is written with one, and where
    the thing is named (`forms.by_noun`: "policy") only there (`_numbers`); a name asked of someone
    or something (`named_for`: "daughter") in a sentence telling of them."""
    content, dated = hit
    if Kind.CODE in kinds and forms.things and writes_number_of(forms.things, content):
        return True
    if kinds == {Kind.CODE} and forms.secret:
        return states_secret(content)  # "door code changes monthly" tells no code
    if not answers_kind(kinds, content, model, dated, known):
        return False
    if kinds == {Kind.CODE} and forms.by_noun:
        return _numbers(content, forms.by_noun, model)
    if kinds == {Kind.NAME} and named_for:
        return _names_with(content, named_for, known, model)
    if not kinds or not model.values_stated_with_words or not kinds <= _STATED:
        return True
    return (dated and bool({Kind.DATE, Kind.DAY} & kinds)) or stated_with(kinds, content, asked, model)


def _numbers(content: str, things: frozenset[str], model: ConfidenceFeaturesModel) -> bool:
    """Whether a sentence of `content` naming one of `things` (word keys: "policy" of "the insurance
    policy number") holds a code: the number asked by what it numbers is told with it, and a code told
    of something else ("car: tata nexon ev, MH12 XY 4471" for the Nexon's insurance policy number,
    "gave the driver the gate code, 5820" for the account number) is another's."""
    return any(_speaks_of(s, things, model) and holds_kind(Kind.CODE, s, model) for s in sentences(content))


# A name after "in", "at", "near" or "from the" is a place or a firm ("in Ayr", "from the Gurdon
# Institute"), not the name of whom or what is asked.
_PLACE = re.compile(r"\b(?:in|at|near|from\s+the)\s+(?:the\s+)?(?:[A-Z][\w'’-]*\s*)+")
# A memory's sentences and the parts a semicolon joins, not split after a title ("Ms. Garza").
_CLAUSES = re.compile(r"(?<!\bMs\.)(?<!\bMr\.)(?<!\bDr\.)(?<!\bMrs\.)(?<!\bSt\.)(?<=[.!?;])\s+|\n+")


def _names_with(
    content: str, named_for: frozenset[str], known: frozenset[str], model: ConfidenceFeaturesModel
) -> bool:
    """Whether a sentence of `content` holding a word a name is asked of (`named_for`: "daughter" of
    "Agnes's daughter's name") holds a name, not a place: "Agnes is moving to her daughter's in Ayr"
    names none."""
    for sentence in _CLAUSES.split(content[:READ_CHARS]):
        found = memory_words(sentence)
        if not any(holds_word(key, found, model.prefix_chars + 1) for key in named_for):
            continue
        if told_indefinitely(sentence, named_for):
            continue  # "leaving to open a café in Campinas" names no café
        unplaced = _PLACE.sub(" ", sentence)
        if _QUOTED.search(sentence) or any(
            _names_someone(near, known, model.name_information) for near in _near(unplaced, named_for, model)
        ):
            return True
    return False


# How many words from what is named its name is written: "daughter Maeve", "vet = Dr. Hannah Brooks",
# "Maeve (her daughter)". A name further off in the sentence is another's: "Aoife (Sean's sister)
# lives in Calgary, has twins" names no twin.
_NEAR_WORDS = 4


def _near(sentence: str, named_for: frozenset[str], model: ConfidenceFeaturesModel) -> list[str]:
    """The stretches of `sentence` around each word that names what a name is asked of."""
    words = sentence.split()
    return [
        " ".join(words[max(0, i - _NEAR_WORDS) : i + _NEAR_WORDS + 1])
        for i, word in enumerate(words)
        if any(holds_word(key, memory_words(word), model.prefix_chars + 1) for key in named_for)
    ]


def _without(words: QueryWords, keys: frozenset[str]) -> QueryWords:
    return QueryWords({k: w for k, w in words.weights.items() if k not in keys}, words.names)


def detail_share(
    words: QueryWords,
    found: frozenset[str],
    model: ConfidenceFeaturesModel,
    kinds: frozenset[Kind] = frozenset(),
) -> float:
    """The share of the information of the question's words that are not names (what it asks about
    the names: "door code", "salary", "birthday") that a memory's word keys `found` hold; 1 when it
    has no such word. With `kinds` asked (and held: `detail_check` reads only memories that hold
    one), the words that name a value by its kind alone ("number", "date", "called"; "address" of an
    e-mail or a home) are not asked of it: an answer states the value in their place ("Dana: 087 …")."""
    addressed = Kind.EMAIL in kinds or Kind.ADDRESS in kinds
    generic = _VALUE_WORDS | (_ADDRESS_WORDS if addressed else frozenset()) if kinds else frozenset()
    # A word weighs as its key does ("what's" as "what"): a contraction is no rarer in meaning; the
    # commonest words ("how", "do", "what") ask nothing.
    weights = {k: min(w, information(k)) for k, w in words.weights.items()}
    asked = {
        k: w
        for k, w in weights.items()
        if w >= model.asked_information and k not in words.names and k not in generic
    }
    total = sum(asked.values())
    if total <= 0.0:
        return 1.0
    return sum(w for key, w in asked.items() if holds_word(key, found, model.prefix_chars)) / total


# A clause after what is asked that says what it is for ("what's Aoife's address, for the birthday card").
_PURPOSE = re.compile(r"^\s*(?:for|so|because)\b", re.IGNORECASE)


def _asking_weights(query: str, words: QueryWords) -> dict[str, float]:
    """The weights of the words `query` asks with: all but those of a clause after the first that says
    what the answer is for ("what's Aoife's address, for the birthday card": no answer need name
    the card) and those of an aside on the asking (`asking_asides`: "again"), names aside."""
    clauses = CLAUSES.split(query)
    purpose = frozenset().union(*(memory_words(c) for c in clauses[1:] if _PURPOSE.match(c)))
    aside = asking_asides(query)
    return {k: w for k, w in words.weights.items() if k not in purpose | aside or k in words.names}


def _names_held(
    query: str, best_hits: Sequence[tuple[str, bool]], model: ConfidenceFeaturesModel
) -> tuple[list[frozenset[str]], list[frozenset[str]], frozenset[str]]:
    """The word keys each best hit holds, the names it writes, and the question's names in capitals
    that none of them writes."""
    found_in = [with_code_parts(spelled(memory_words(content))) for content, _ in best_hits]
    named_in = [
        with_parts(found) | written_identifiers(content)
        for found, (content, _) in zip(found_in, best_hits, strict=True)
    ]
    # A name in capitals none of the best hits writes may be spelled out there ("EHO": "environmental
    # health officer"): an asked word then, not a name a hit must hold; one a best hit writes ("PM")
    # is held by a hit spelling it out too ("your project manager at Lexis").
    capitals = acronyms(query) if model.acronyms_are_topics else frozenset()
    unwritten = capitals.difference(*named_in)
    if capitals - unwritten:
        named_in = [
            named | spelled_out(capitals, content)
            for named, (content, _) in zip(named_in, best_hits, strict=True)
        ]
    return found_in, named_in, unwritten


def _readings(
    query: str, asked: QueryWords, kinds: frozenset[Kind], model: ConfidenceFeaturesModel
) -> dict[bool, tuple[QueryWords, QueryWords]]:
    """The words a hit is read for, by whether it is dated: those asked, and those of a who-question
    without its verb. A who-question's verb counts where the hit tells it, and is not asked where it
    does not; of a dated hit (an event) the verb that tells it is not asked either ("when did we buy
    the Ram?" is answered by the event's time)."""
    when = bool({Kind.DATE, Kind.DAY} & kinds)
    told = event_verb(query) if model.event_verbs_told and when else how_it_went(query)
    doing = who_verb(query) if Kind.PERSON in kinds else frozenset()
    of_event = _without(asked, told)
    return {True: (of_event, _without(of_event, doing)), False: (asked, _without(asked, doing))}


@dataclass(frozen=True)
class DetailCheck:
    """What the best hits hold of what a question asks: `checked` 0 when the check does not read
    them (nothing found, or a conversation: see `detail_check`); `missing` 1 when it asks for a kind
    of value and none of the best hits (`ConfidenceFeaturesModel.detail_head`) that name all its
    names holds one; `gap` 1 − the largest share of its other words (`detail_share`) in such a hit
    (1: no hit holds any of it); `kind_asked` 1 when it asks for a kind of value."""

    checked: float
    missing: float
    gap: float
    kind_asked: float = 0.0


NOT_CHECKED = DetailCheck(0.0, 0.0, 0.0)


def _checked(
    query: str, head: Sequence[tuple[str, bool]], model: ConfidenceFeaturesModel
) -> tuple[Sequence[tuple[str, bool]], frozenset[Kind]] | None:
    """The best hits the check reads and the kinds of value the question asks; None where it reads
    none."""
    # Leave or advice is answered by a rule ("no calls before 9:00am" for "ok to ring Alyssa at
    # 7:30?"), which names neither whom nor what the question does and holds none of its values.
    if not is_question(query) or asks_for_a_rule(query):
        return None
    best_hits = head[: model.detail_head]
    # Most of the best hits conversation turns: the store is a transcript, whose turns state facts
    # in passing and in the speakers' words, seldom in the question's; the check does not read it.
    if not best_hits or mostly_turns(best_hits):
        return None
    kinds = asked_kinds(query, model.asking_clause_kinds)
    # What one meant to do ("off to Alien Rock tonight, anything I meant to do there?") is told by a
    # reminder in its own words ("Buy a new 10-visit pass"), which names neither the place nor the task.
    if not kinds and asks_about_tasks(query):
        return None
    return best_hits, kinds


def detail_check(
    query: str,
    words: QueryWords,
    head: Sequence[tuple[str, bool]],
    model: ConfidenceFeaturesModel,
    off_time: Sequence[bool] = (),
) -> DetailCheck:
    """Check the best hits `head` (content, dated; best first) for what `query` asks. A hit marked in
    `off_time` happened outside the time the question names ("how many yards went on last year",
    "at the November recheck"): whatever it holds is of another time, not what is asked."""
    checked = _checked(query, head, model)
    if checked is None:
        return NOT_CHECKED
    best_hits, kinds = checked
    known = frozenset(words.weights)
    # A question typed in lower case names someone as a capital would ("dr petersen's", "brian tate's").
    typed = lower_case_names(query, model.name_information)
    unmarked = unmarked_owners(query, (content for content, _ in best_hits))  # "rays average"
    words = QueryWords(
        words.weights, words.names | opening_name(query, model.name_information) | typed | unmarked
    )
    found_in, named_in, unwritten = _names_held(query, best_hits, model)
    parts = required_names(query, words, unwritten, model.anchor_names_optional, model.names_per_part)
    # An identifier must be held as a name is, and weighs as an asked word does.
    parts = tuple(part | identifiers(query) for part in parts)
    asked = QueryWords(_asking_weights(query, words), words.names - unwritten)
    read_for = _readings(query, asked, kinds, model)
    asked_keys = frozenset(
        k for k in asked.weights if k in asked.names or information(k) >= model.asked_information
    )
    forms = QuestionForms.of(query)
    # The words a name is asked of ("daughter" of "agnes's daughter's name"), not whose it is.
    named_for = (name_owner(query) - words.names) or (
        frozenset(k for k in asked_keys if k not in asked.names) - possessors(query) - _VALUE_WORDS
    )
    best, holding = 0.0, False
    other_time = [*off_time, *[False] * len(best_hits)]
    owners = (possessors(query) & words.names) | unmarked
    hits = zip(best_hits, found_in, named_in, other_time, strict=False)
    for (content, dated), found, named, other in hits:
        if other or forms.of_another(content):
            continue
        if owners:
            if forms.single and only_company(content, owners):
                continue  # the company's value is not told; in a question in parts another part may be
            found = found - others_own(content, owners)
        held = [part for part in parts if part <= named]
        if held and _holds_asked_kind(kinds, (content, dated), known, asked_keys, model, forms, named_for):
            holding = True
            readings = read_for[dated]
            if Kind.EMAIL in kinds and mailbox_of(content, words.names):
                readings = (_without(readings[0], _EMAIL_WORDS), _without(readings[1], _EMAIL_WORDS))
            shares = (
                detail_share(w, found, model, kinds)
                for hit_asked in readings
                for w in asked_of(query, hit_asked, held, len(parts))
            )
            best = max(best, *shares)
    return DetailCheck(1.0, 1.0 if kinds and not holding else 0.0, 1.0 - best, 1.0 if kinds else 0.0)
