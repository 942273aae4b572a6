"""French mixed into English questions read in English: the asking frames and the times a bilingual
asker types in French ("c'est quand le vernissage?", "qu'est-ce qui s'en vient en janvier", "c'est
quoi le plan ce weekend"), put in English where the readings look for them (a question word, "coming
up", "this weekend", a month).

Only phrases no English text says are read: a frame with its apostrophe ("c'est quoi", "qu'est-ce"),
a time with its French determiner ("ce weekend", "cette semaine", "en mars"), and the months whose
French spelling is no English word ("janvier", "juillet"; never "mars" or "mai" alone). A name in
French inside an English question ("the Conseil des arts de Montréal") is left as it is. Pure: text
in, text out.
"""

from __future__ import annotations

import re
from functools import partial

_APOS = "['’]"
# (pattern, English): the asking frames, longest first where one opens another.
_FRAMES = (
    (rf"qu{_APOS}est[- ]ce\s+qui\s+s{_APOS}en\s+vient", "what's coming up"),
    (rf"qu{_APOS}est[- ]ce\s+qu{_APOS}il\s+y\s+a", "what is there"),
    (rf"qu{_APOS}est[- ]ce\s+que\s+j{_APOS}ai", "what do I have"),
    (rf"qu{_APOS}est[- ]ce\s+que\s+je\s+dois", "what do I have to"),
    (rf"qu{_APOS}est[- ]ce\s+qui\s+reste", "what's left"),
    (rf"c{_APOS}est\s+quoi", "what's"),
    (rf"c{_APOS}est\s+qui", "who's"),
    (rf"c{_APOS}est\s+quand", "when's"),
    (rf"c{_APOS}[ée]tait\s+quand", "when was"),
    (rf"c{_APOS}est\s+o[uù]", "where's"),
    (rf"c{_APOS}est\s+combien", "how much is"),
)
# The article a frame reads before its subject ("c'est quoi le plan" asks "what's the plan").
_ARTICLE = rf"(\s+(?:le|la|les)(?![\w'’-])|\s+l{_APOS}(?=\w))?"
_MONTHS = {
    "janvier": "january", "février": "february", "fevrier": "february", "avril": "april",
    "juin": "june", "juillet": "july", "août": "august", "aout": "august", "septembre": "september",
    "octobre": "october", "novembre": "november", "décembre": "december", "decembre": "december",
}  # fmt: skip
_TIMES = {
    "ce weekend": "this weekend", "ce week-end": "this weekend", "cette fin de semaine": "this weekend",
    "la fin de semaine": "the weekend", "cette semaine": "this week", "ce mois-ci": "this month",
    "le mois prochain": "next month", "mois prochain": "next month", "ce soir": "tonight",
    "hier": "yesterday", "en mars": "in march", "en mai": "in may",
}  # fmt: skip
_IN_ENGLISH = {**_TIMES, **_MONTHS}
_BOUNDED = r"(?<![\w'’-])({})(?![\w'’-])"
_FRAME = [(re.compile(_BOUNDED.format(pattern) + _ARTICLE, re.I), english) for pattern, english in _FRAMES]
_TIME = re.compile(
    _BOUNDED.format(
        "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(_IN_ENGLISH, key=len, reverse=True))
    ),
    re.I,
)
# "en janvier" is "in january": the preposition goes with the month it stands before.
_EN_MONTH = re.compile(_BOUNDED.format(r"en(?=\s+(?:" + "|".join(_MONTHS) + r")\b)"), re.I)


def french_in_english(question: str) -> str:
    """`question` with the French asking frames and times it mixes in put in English ("c'est quand le
    vernissage?" → "when's the vernissage?", "qu'est-ce qui s'en vient en janvier" → "what's coming up
    in january"); any other text as it is."""
    text = _EN_MONTH.sub("in", question)
    for frame, english in _FRAME:
        text = frame.sub(partial(_asked_in_english, english), text)
    return _TIME.sub(lambda m: _IN_ENGLISH[" ".join(m.group(1).lower().split())], text)


def _asked_in_english(english: str, found: re.Match[str]) -> str:
    """The English of a frame `found` and of the article it read: "le", "la", "les" before a word,
    "l'" joined to it ("c'est quoi le plan" → "what's the plan")."""
    article = found.group(2)
    if not article:
        return english
    return english + (" the " if article[-1] in "'’" else " the")
