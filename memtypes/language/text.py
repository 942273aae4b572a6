"""Text normalization shared by the write path (what it stores) and the read path (what it asks)."""

from __future__ import annotations

import re

from .french import french_in_english
from .hinglish import in_english

_WORD = re.compile(r"\w+", re.UNICODE)
MAX_PHRASE_WORDS = 6


def words(text: str) -> list[str]:
    return [w.casefold() for w in _WORD.findall(text)]


def phrase_key(text: str) -> str:
    """A trigger phrase as stored: its words, case-folded, joined by single spaces."""
    return " ".join(words(text))


def phrase_keys_in(text: str, max_words: int = MAX_PHRASE_WORDS, limit: int = 2_000) -> tuple[str, ...]:
    """Every run of 1..max_words consecutive words of `text`, normalized like `phrase_key`.

    A stored trigger phrase occurs in the text exactly when its key is one of these, so the match
    is an indexed keyword lookup inside Qdrant rather than a scan.
    """
    tokens = words(text)
    keys: dict[str, None] = {}
    for size in range(1, max_words + 1):
        for start in range(len(tokens) - size + 1):
            keys[" ".join(tokens[start : start + size])] = None
            if len(keys) >= limit:
                return tuple(keys)
    return tuple(keys)


def singular(word: str) -> str:
    """A word without the -s of a plural or of a verb's third person ("starts" → "start", "Okafors" →
    "Okafor"; not "glass"): a clause may say as a verb what a note says as a noun, one or many."""
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


# How chat shortens the words a question's readings look for: times ("anything tmrw?", "next wk",
# "thurs", "by fri", "nxt wk", "b4 the 10th"), words typed without their apostrophe ("whats on", "i
# didnt do") and speech's "gotta" and "hafta" ("what do i gotta do"). Only shorthand no English word
# is spelt as: "wed", "sat" or "sun" stay as they are.
_SHORTHAND = {
    "tmrw": "tomorrow", "tmr": "tomorrow", "tmrw's": "tomorrow's", "tmw": "tomorrow", "tmrow": "tomorrow",
    "2moro": "tomorrow", "2morrow": "tomorrow", "tomoz": "tomorrow", "tdy": "today", "2day": "today",
    "tonite": "tonight", "2nite": "tonight", "wk": "week", "wks": "weeks", "wk's": "week's",
    "wknd": "weekend", "wkend": "weekend", "mth": "month", "mths": "months", "yr": "year", "yrs": "years",
    "tues": "tuesday", "thurs": "thursday", "thur": "thursday", "weds": "wednesday", "tue": "tuesday",
    "thu": "thursday", "fri": "friday", "nxt": "next", "b4": "before", "thru": "through", "til": "till",
    "whats": "what's", "wheres": "where's", "whens": "when's", "didnt": "didn't", "dont": "don't",
    "doesnt": "doesn't", "havent": "haven't", "hasnt": "hasn't", "isnt": "isn't", "arent": "aren't",
    "wasnt": "wasn't", "cant": "can't", "ive": "I've", "im": "I'm", "theres": "there's",
    "whos": "who's", "hows": "how's", "thats": "that's", "werent": "weren't", "wont": "won't",
    "shouldnt": "shouldn't", "wouldnt": "wouldn't", "couldnt": "couldn't", "youre": "you're",
    "theyre": "they're", "gotta": "have to", "gonna": "going to", "wanna": "want to", "kinda": "kind of",
    "sorta": "sort of", "lemme": "let me", "gimme": "give me", "em": "them", "hafta": "have to",
    "pls": "please", "plz": "please", "wat": "what", "wats": "what's", "wut": "what",
}  # fmt: skip
_SHORT_WORD = re.compile(r"(?<![\w'’-])(" + "|".join(map(re.escape, _SHORTHAND)) + r")(?![\w'’-])", re.I)
# "'ve" after a question word or a pronoun is "have" ("what've I got today?", "we've got on"): the
# readings look for the verb.
_HAVE = re.compile(r"\b(what|where|who|which|how|why|when|i|we|you|they)['’]ve\b", re.I)


# Spanish days: "el" before one is "on" ("what do I have el viernes?"); "domingo" only after "el" (alone
# it is a name).
_SPANISH_DAYS = {
    "lunes": "monday", "martes": "tuesday", "miércoles": "wednesday", "miercoles": "wednesday",
    "jueves": "thursday", "viernes": "friday", "sábado": "saturday", "sabado": "saturday",
    "domingo": "sunday",
}  # fmt: skip


# Time words of other languages a question in English mixes in ("what do i have kesho", "anything
# mañana?", "was ist nächste woche"), in English, so that the time readings read them: only words no
# English word is spelt as ("wiki" alone is English, "Leo" and "Jana" are names; "morgen" is German's
# tomorrow, never English; Afrikaans "more" without its accent is the English word, so a bare "more?"
# stays a request for more). The longer phrase of a word first ("kesho kutwa" before "kesho").
_MIXED_IN = {
    # Swahili and Sheng
    "kesho kutwa": "the day after tomorrow", "kesho": "tomorrow", "wiki ijayo": "next week",
    "wiki hii": "this week", "mwezi ujao": "next month",
    "mwezi huu": "this month", "wikendi hii": "this weekend", "wikendi": "weekend",
    # Spanish and Portuguese
    "pasado mañana": "the day after tomorrow", "pasado manana": "the day after tomorrow",
    "depois de amanhã": "the day after tomorrow", "mañana": "tomorrow", "amanhã": "tomorrow",
    "hoy": "today", "hoje": "today", "la semana que viene": "next week", "semana que viene": "next week",
    "la próxima semana": "next week", "próxima semana": "next week", "semana que vem": "next week",
    "fin de semana": "weekend", "fim de semana": "weekend", "esta semana": "this week",
    "la semana del": "the week of", "semana del": "the week of", "el mes que viene": "next month",
    "el próximo mes": "next month", "este mes": "this month", "ayer": "yesterday",
    # Spanish days (`_SPANISH_DAYS`) and months ("anything in abril?"): "mayo" only after "en" (alone it is
    # mayonnaise)
    **{f"el {day}": f"on {english}" for day, english in _SPANISH_DAYS.items()},
    **{day: english for day, english in _SPANISH_DAYS.items() if day != "domingo"},
    "enero": "january", "febrero": "february", "marzo": "march", "abril": "april",
    "en mayo": "in may", "junio": "june", "julio": "july", "agosto": "august", "septiembre": "september",
    "setiembre": "september", "octubre": "october", "noviembre": "november", "diciembre": "december",
    # German and French
    "übermorgen": "the day after tomorrow", "morgen": "tomorrow", "heute": "today",
    "nächste woche": "next week", "naechste woche": "next week", "après-demain": "the day after tomorrow",
    "demain": "tomorrow", "aujourd'hui": "today", "la semaine prochaine": "next week",
    "semaine prochaine": "next week",
    # Afrikaans: "môre" only with its circumflex, since "more" is English; the days are never English
    "oormôre": "the day after tomorrow", "môre": "tomorrow", "vandag": "today", "vanaand": "tonight",
    "volgende week": "next week", "hierdie week": "this week", "volgende maand": "next month",
    "hierdie maand": "this month", "hierdie naweek": "this weekend", "volgende naweek": "next weekend",
    "naweek": "weekend", "maandag": "monday", "dinsdag": "tuesday", "woensdag": "wednesday",
    "donderdag": "thursday", "vrydag": "friday", "saterdag": "saturday", "sondag": "sunday",
    # Hindi typed in English letters ("kal", the day either side of today, is read in hinglish.py)
    "aaj raat": "tonight", "aaj": "today", "is hafte": "this week", "agle hafte": "next week",
    "is mahine": "this month", "agle mahine": "next month",
}  # fmt: skip
_MIXED_IN_WORD = re.compile(
    r"(?<![\w'’-])("
    + "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(_MIXED_IN, key=len, reverse=True))
    + r")(?![\w'’-])",
    re.I,
)


# Spanish "el" before a date in figures ("between el 15/3 and …") is the date's own article: dropped,
# so that the date opens its side of a range as it would in English.
_EL_BEFORE_FIGURES = re.compile(r"(?<![\w'’-])el\s+(?=[0-3]?\d/[01]?\d(?![\d/]))", re.I)


def _in_english(found: re.Match[str]) -> str:
    return _MIXED_IN[" ".join(found.group(1).lower().split())]


def spelled_out(text: str) -> str:
    """`text` with chat shorthand spelt out and the time words of other languages it mixes in put in
    English: "whats on next wk" → "what's on next week", "what do i have kesho" → "what do i have
    tomorrow"; a Hinglish question's Hindi words too ("kal kya hai?" → "tomorrow what is?")."""
    text = _EL_BEFORE_FIGURES.sub("", _MIXED_IN_WORD.sub(_in_english, text))
    text = french_in_english(in_english(text))
    return _HAVE.sub(r"\1 have", _SHORT_WORD.sub(lambda m: _SHORTHAND[m.group(1).lower()], text))


# What a dictated question says while its speaker thinks: a hesitation anywhere ("uh", "um"), and
# a word that only opens the turn ("so", "okay so", "well"), ahead of the question it asks.
_HESITATION = re.compile(r"(?<![\w'’-])(?:u+h+|u+m+|e+rm+|h+m+)(?![\w'’-])[,.]?\s*", re.I)
# ("ok to call at 8?" asks leave: "ok" opens a turn only before another opener; "so much" is a measure).
_TURN_OPENER = re.compile(
    r"^\W*(?:(?:ok(?:ay)?|alright|right)\b[,.]?\s+)*"
    r"(?:(?:so(?!\s+(?:much|many|far|long)\b)|well|hey|oh)\b[,.]?\s+)+(?=\S+\s+\S)",
    re.I,
)


def typed_form(text: str) -> str:
    """A question as it would be typed: what a speaker says while thinking dropped and its words
    spelt as in writing ("uh whats jens number" → "what's jens number", "so what do i gotta do" →
    "what do i have to do"), so that it is read as the typed question is."""
    said = _TURN_OPENER.sub("", _HESITATION.sub("", text))
    return spelled_out(said if said.strip() else text)


# Numbers written as words, as dictation and careful prose write them ("ten milligrams", "twenty
# five dollars", "two hundred and fifty"): read as the numbers they are wherever a value is compared.
# "one" and "a" stand alone as pronouns and articles ("the new one"), so they count only inside a
# number ("twenty one", "one hundred").
_BELOW_TWENTY = {
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19,
}  # fmt: skip
_TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
_SCALES = {"hundred": 100, "thousand": 1000}
_SMALL = r"(?:" + "|".join(_BELOW_TWENTY) + r")"  # two to nineteen
_TENS_WORD = r"(?:" + "|".join(_TENS) + r")"
_BELOW_HUNDRED = r"(?:" + _TENS_WORD + r"(?:[\s-](?:one|" + _SMALL + r"))?|" + _SMALL + r")"
_SCALED = r"(?:one|a|" + _BELOW_HUNDRED + r")\s+(?:hundred|thousand)"
_SPELLED_NUMBER = re.compile(
    r"\b(?:" + _SCALED + r"(?:\s+(?:and\s+)?" + _SCALED + r")*(?:\s+(?:and\s+)?" + _BELOW_HUNDRED + r")?"
    r"|" + _BELOW_HUNDRED + r")\b",
    re.I,
)


def _number_of(words_of_number: str) -> int:
    total = current = 0
    for word in re.split(r"[\s-]+", words_of_number.lower()):
        if word in _SCALES:
            current = max(current, 1) * _SCALES[word]
            if word == "thousand":
                total, current = total + current, 0
        elif word in ("one", "a"):
            current += 1
        else:
            current += _BELOW_TWENTY.get(word) or _TENS.get(word, 0)
    return total + current


def numerals(text: str) -> str:
    """`text` with its numbers written as words in digits: "bumped to ten milligrams" → "bumped to 10
    milligrams", "two hundred and fifty dollars" → "250 dollars"."""
    return _SPELLED_NUMBER.sub(lambda m: str(_number_of(m.group())), text)


# A parent or grandparent is called by the formal word and the familiar one alike ("how does my
# father feel about it?" of notes that say "dad"): each said in the other forms too, where words are
# matched as written.
_KIN = (
    ("father", "dad"),
    ("mother", "mum", "mom"),
    ("grandfather", "grandad", "granddad", "grandpa"),
    ("grandmother", "grandma", "gran"),
)
_KIN_FORMS = {word: forms for forms in _KIN for word in forms}
_KIN_WORD = re.compile(r"\b(" + "|".join(_KIN_FORMS) + r")(?:['’]s)?\b", re.I)


def with_kin_words(text: str) -> str:
    """`text` with the other forms of each parent or grandparent it names added at its end ("my
    father's echo" → "… dad")."""
    said = {m.group(1).casefold() for m in _KIN_WORD.finditer(text)}
    others = [w for word in sorted(said) for w in _KIN_FORMS[word] if w not in said]
    return f"{text} {' '.join(dict.fromkeys(others))}" if others else text


# A word that picks the newest of one's own occasions ("my last PM", "the previous check-up", "the
# latest QBR") says which one by its time, not what it is about: notes use it of their own occasions
# ("my last annual inspection was in March", "a 198 in the last game"), so where words are matched as
# written it would match those.
_NEWEST_OF = re.compile(
    r"\b(?P<which>my|our|his|her|their|your|the)\s+(?:last|previous|latest|most\s+recent)\b", re.I
)


def without_newest_words(text: str) -> str:
    """`text` without the word that picks the newest of an occasion ("when was my last PM?" → "when
    was my PM?")."""
    return _NEWEST_OF.sub(lambda m: m.group("which"), text)
