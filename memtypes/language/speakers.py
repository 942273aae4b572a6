"""Who said a conversation turn, and whom a query asks about.

A question about a person is answered by what that person said, and a question in the first person
by what the user said: on both dev sets nearly every evidence turn of a question that names a
speaker is that speaker's own, and of a first-person question ("How many short stories have I
written …?") the user's (benchmarks/README.md). The write path stores an episodic turn's speaker,
read from the "Speaker: text" form that chat transcripts use (`speaker` in the payload: the name's words,
lowercased); for a query the ranking formula lifts the turns of the speakers it names
(mnemo.retrieval.ranking.terms, `RetrievalConfig.speaker_weight`; a neighbour carries its own:
mnemo.retrieval.stages.expand). No list of names is kept: every word of the query is a candidate name, and
the payload index answers whether any is a speaker.

English usage only, lexical and cheap (one regular expression per memory at write time and per
query): `tests/unit/test_speakers.py` pins each form.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from .facts import NOT_NAMES

USER = "user"
ASSISTANT = "assistant"
# Role names chat logs use for the same two parties.
_ROLE_ALIASES = {"human": USER, "ai": ASSISTANT}

# "Caroline: …", "John Smith: …", "user: …": a name of up to three words, then a colon and a space.
# The space rules out times ("10:30") and addresses ("https://…"); a digit or lowercase word after
# the first rules out labels such as "Step 1:".
_SPEAKER = re.compile(r"\A\s*([A-Za-z][\w'.-]{0,39}(?: [A-Z][\w'.-]{0,39}){0,2}):\s")
# A speaker's word is at most 40 characters (_SPEAKER), so a longer query word names nobody.
_WORD = re.compile(r"(?<![\w'-])[^\W\d_][\w'-]{0,39}(?![\w'-])")
_FIRST_PERSON = re.compile(r"\b(?:i|me|my|mine|myself)\b", re.I)
_FIRST_PERSON_PLURAL = re.compile(r"\b(?:we|us|our)\b", re.I)
# The assistant's own words, referred to as such: "the list you provided", "what you told me".
_ASSISTANT_SAID = re.compile(
    r"\byou\s+(?:said|told|mentioned|recommended|suggested|provided|gave|listed|shared|wrote|"
    r"described|explained|offered|came\s+up\s+with)\b"
    r"|\byour\s+(?:answer|suggestion|recommendation|list|response|reply|advice|explanation)s?\b",
    re.I,
)
# Words a query may hold: enough for any question; a long prompt's first ones (names come early).
MAX_QUERY_KEYS = 64


def speaker_of(content: str) -> list[str]:
    """The words of a turn's speaker ("Caroline: hi" -> ["caroline"]); [] when it names none."""
    match = _SPEAKER.match(content)
    if match is None:
        return []
    words = [w.lower() for w in match.group(1).split()]
    return [_ROLE_ALIASES.get(words[0], words[0])] if len(words) == 1 else words


def speakers_asked_about(query: str) -> tuple[str, ...]:
    """The speaker keys a query may name: its words (a name among them matches that speaker's
    turns), plus `user` for the first person and `assistant` for what "you said"."""
    keys: dict[str, None] = {}
    if _FIRST_PERSON.search(query) or _FIRST_PERSON_PLURAL.search(query):
        keys[USER] = None
    if _ASSISTANT_SAID.search(query) or _FIRST_PERSON_PLURAL.search(query):
        keys[ASSISTANT] = None
    for word in _WORD.findall(query):
        word = word.lower().removesuffix("'s").removesuffix("'")
        if word:
            keys[word] = None
        if len(keys) >= MAX_QUERY_KEYS:
            break
    return tuple(keys)


# A word written with a capital that may be a name: the candidates `names_in` answers.
_CAPITALISED = re.compile(r"(?<![\w'-])[A-Z][\w'-]{0,39}(?![\w'-])")
MAX_NAMES = 4  # a question names one or two people; a long prompt's first few capitalised words
# Names taken out one after the other ("Jon and Gina", "Jon, Gina and Tim") go with what joins them.
_JOINED = re.compile(r"\0(?:\s*(?:,|and|&|or)\s*\0)+", re.IGNORECASE)


def names_in(query: str) -> tuple[str, ...]:
    """The query's capitalised words that may name someone, lowercased as `speaker_of` stores them
    ("What did Caroline's mom say?" -> ("caroline",)): sentence furniture ("What", "I") is not a
    name. Which of them speak in a store is the store's to answer (the speaker keyword index)."""
    found: dict[str, None] = {}
    for word in _CAPITALISED.findall(query):
        key = word.lower().removesuffix("'s").removesuffix("'")
        if key and key not in NOT_NAMES and key not in _ROLE_ALIASES and key not in (USER, ASSISTANT):
            found[key] = None
        if len(found) >= MAX_NAMES:
            break
    return tuple(found)


def without_names(query: str, names: Collection[str]) -> str:
    """The query with these names (and their possessive 's) taken out: "What is Caroline's
    identity?" without caroline is "What is identity?". The query itself when nothing would be left
    but sentence furniture."""
    if not names:
        return query
    pattern = r"(?<![\w'-])(?:" + "|".join(re.escape(n) for n in names) + r")(?:'s|')?(?![\w'-])"
    out = re.sub(pattern, "\0", query, flags=re.IGNORECASE)
    out = _JOINED.sub("\0", out).replace("\0", " ")  # "Jon and Gina" goes as a whole
    out = re.sub(r"\s+([?.!,;:])", r"\1", re.sub(r"\s{2,}", " ", out)).strip()
    words = [w.lower() for w in _WORD.findall(out)]
    return out if any(w not in NOT_NAMES for w in words) else query
