"""Hinglish questions read in English: the Hindi words of a question typed in English letters with
English mixed in ("kal kya hai?", "Mehta sangeet ka venue?", "Feb mein kya kya due hai"), put in
English where the readings look for them (times, question words, "what is pending", "and", "now").

Only a question that says a Hindi word no English word is spelt as ("kya", "hai", "kab", "kaun",
"ka", "ko", ...) is read so: "is" asks "this" only there ("is wk ka todo list" is this week's list).
Word order stays Hindi ("kal kya hai" → "tomorrow what is"): the readings find a time, a question
word or "pending" wherever it stands. "kal" is tomorrow, or yesterday where the question speaks of
the past ("kal kya hua tha?"). Pure: text in, text out.
"""

from __future__ import annotations

import re

# Words that mark a question as Hinglish: question words, the verb "to be", postpositions and the
# past tense, none of them spelt as an English word; in lower case, as typed, since a name or an
# initialism in capitals is spelt like some ("Hui Min", "PE kit").
_MARKS = re.compile(
    r"(?<![\w'’-])(?:kya|hai|hain|kab|kaun|kaunsa|kaunsi|kaunse|kahan|kahaan|kaise|kaisa|kaisi|kitna"
    r"|kitni|kitne|ka|ki|ke|ko|karna|karni|tha|thi|hua|hui|kiya|chahiye|bhejo|batao|baaki|pe|liye)(?![\w'’-])"
)
# The past tense, where "kal" and "parso" look back ("kal kya hua tha?": yesterday).
_PAST = re.compile(
    r"(?<![\w'’-])(?:tha|thi|hua|hui|huyi|kiya|gaya|gayi|gaye|aaya|aayi|diya|liya|bola|bheja|mila)(?![\w'’-])",
    re.I,
)
# "kya X hai" asks what is X ("kya pending hai?", "kya kya due hai"); "kya karna hai" asks what to do.
_WHAT_IS = re.compile(
    r"(?<![\w'’-])kya\s+(kya\s+)?(?:(?!kar(?:na|ni)\b)(\w+)\s+)?(?:hai|hain)(?![\w'’-])", re.I
)
_GLOSS = {
    "ke baare mein": "about", "ke liye": "for", "karna hai": "to do", "karni hai": "to do",
    "pehli baar": "first time", "kya kya": "what all", "kya": "what", "kaun": "who", "kaunsa": "which",
    "kaunsi": "which", "kaunse": "which", "kab": "when", "kahan": "where", "kahaan": "where",
    "kaise": "how", "kaisa": "how", "kaisi": "how", "kitna": "how much", "kitni": "how much",
    "kitne": "how many", "hai": "is", "hain": "are", "tha": "was", "thi": "was", "ka": "", "ki": "",
    "ke": "", "ko": "", "mein": "in", "pe": "on", "par": "on", "aur": "and", "ya": "or", "ab": "now",
    "abhi": "now", "saare": "all", "saari": "all", "sab": "all", "sabhi": "all", "kuch": "anything",
    "kaam": "tasks", "baaki": "left", "pehle": "before", "baad": "after", "bhejo": "send",
    "batao": "tell", "karna": "do", "hafte": "week", "hafta": "week", "mahine": "month",
    "mahina": "month", "agle": "next", "agla": "next", "pichle": "last", "pichla": "last", "se": "from",
    "shaadi": "wedding",
}  # fmt: skip


def _as_typed(phrase: str) -> str:
    """A pattern of `phrase` in lower case, or with its first letter a capital ("Kya hai …")."""
    return f"[{phrase[0]}{phrase[0].upper()}]" + re.escape(phrase[1:]).replace(r"\ ", r"\s+")


_GLOSSED = re.compile(
    r"(?<![\w'’-])(" + "|".join(map(_as_typed, sorted(_GLOSS, key=len, reverse=True))) + r")(?![\w'’-])"
)
# "is" before a span of time: "is wk", "is hafte", "is mahine" (this week, this month).
_THIS = re.compile(
    r"(?<![\w'’-])is(?=\s+(?:wk|week|weekend|wknd|month|mth|year|yr|hafte|hafta|mahine|mahina|saal)\b)", re.I
)
_DAY_AROUND = re.compile(r"(?<![\w'’-])(kal|parso|parson)(?![\w'’-])", re.I)


def in_english(question: str) -> str:
    """A Hinglish `question` with its Hindi words in English ("kal kya hai?" → "tomorrow what is?",
    "Shah-Iyer ke liye kya pending hai?" → "Shah-Iyer for what is pending?"); any other text as it is."""
    if _MARKS.search(question) is None:
        return question
    past = _PAST.search(question) is not None
    text = _THIS.sub("this", question)
    text = _DAY_AROUND.sub(lambda m: _day_around(m.group(1), past), text)
    text = _WHAT_IS.sub(
        lambda m: " ".join(w for w in ("what", m.group(1) and "all", "is", m.group(2)) if w), text
    )
    text = _GLOSSED.sub(lambda m: _GLOSS[" ".join(m.group(1).lower().split())], text)
    return re.sub(r"[ \t]{2,}", " ", text).strip()


def _day_around(word: str, past: bool) -> str:
    """Which day "kal" (the day before or after today) or "parso" (the one beyond) is: the tense says."""
    if word.lower() == "kal":
        return "yesterday" if past else "tomorrow"
    return "the day before yesterday" if past else "the day after tomorrow"
