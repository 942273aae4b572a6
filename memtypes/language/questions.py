"""Whether a question asks for several things: a list ("What books has Melanie read?", "Which cities
has Jon visited?") or a sum ("How many hours of jogging and yoga did I do last week?").

Such an answer is spread over several conversations, one part each, and a ranking by how well each
memory alone matches fills its top with one conversation's turns about the first part
(mnemo.retrieval.stages.session_spread). A question for one thing ("What did Caroline research?") is
answered where its best matches cluster, next to each other, and is left as ranked.

English usage only, lexical: a plural noun right after "what"/"which" (one word may stand between:
"What LGBTQ+ events", and "kind of"/"types of" may lead it), or a word that asks for a count, a total
or every one of several. `tests/unit/test_questions.py` pins each form.

And which clauses of a request ask (`asking_clauses`): a clause before them may tell of the asker's
situation or task ("I'm drafting the note to the vendor – how do I …?"), whose words, times and tense
are not what is asked.
"""

from __future__ import annotations

import re

_LIST = re.compile(
    r"\A\W*(?:what|which)\s+(?:(kinds?|types?|sorts?)\s+of\s+)?([\w+'-]+)(?:\s+([\w'-]+)\s+(\w+))?",
    re.IGNORECASE,
)
# Auxiliary verbs: after "what" ("What does …") they lead no noun; after a noun they end the phrase.
_VERBS = frozenset(
    {"is", "are", "was", "were", "do", "does", "did", "has", "have", "had", "can", "could", "will", "would"}
    | {"should", "may", "might", "must", "shall"}
)
# Words that end in "s" and are no plural noun; "-ss", "-us", "-is" endings (class, status,
# analysis) and possessives are singular too.
_NOT_PLURAL = frozenset({"its", "this", "his", "hers", "yes", "always", "perhaps", "across"})
_SEVERAL = re.compile(
    r"\b(?:how\s+many|how\s+much|in\s+total|total|combined|both|all|each|every)\b", re.IGNORECASE
)

# A word or mark that asks something: a request without one names a situation, a topic or a wish.
_ASKS_IN_WORDS = re.compile(r"\b(?:who|whom|whose|what|when|where|which|why|how)\b|\?", re.IGNORECASE)


def asks_in_words(text: str) -> bool:
    """Whether the text asks something in words (a question word) or by its mark ("?")."""
    return _ASKS_IN_WORDS.search(text) is not None


def _plural(word: str) -> bool:
    word = word.lower()
    return (
        word.isalpha()
        and word.endswith("s")
        and not word.endswith(("ss", "us", "is"))
        and word not in _NOT_PLURAL
        and word not in _VERBS
    )


def asks_for_several(question: str) -> bool:
    """True for a question whose answer is a list of things or a sum of several."""
    opening = _LIST.match(question)
    if opening is not None:
        kinds, first, second, then = opening.group(1, 2, 3, 4)
        if _plural(kinds or "") or _plural(first):
            return True
        # "What European countries has …": a modifier, the noun, then the verb ("Which song
        # motivates Caroline" has its verb second).
        if second is not None and first.lower() not in _VERBS and _plural(second) and then.lower() in _VERBS:
            return True
    return _SEVERAL.search(question) is not None


# The words that open a question: an interrogative or an auxiliary.
_OPENERS = (
    "what|when|where|who|whom|whose|which|how|why|is|are|was|were|do|does|did|can|could|will|would|"
    "should|shall|has|have|had"
)
# A question's second part opens after its joining word: "…, and what did it sell for?". A
# question typed on a phone drops the apostrophe of its opening contraction ("whats", "whens").
OPENS_QUESTION = re.compile(
    rf"^\W*(?:(?:and|or|but|also|then)\s+)?(?:(?:{_OPENERS})(?:['’]s|['’]re|['’]d)?|(?:what|when|where|who|how)s)\b",
    re.IGNORECASE,
)
# Where one clause of a request asks and another says why ("what's Aoife's address, for the birthday
# card"; "Rita's birthday is coming up, what present do I give?"), the asking clause says the kind.
CLAUSES = re.compile(r"[,;:—–]|\s-\s")
# A request that asks as a question does ("… – remind me how I like vendor emails written"), not one
# to do something ("remind me to pay the rent").
_ASKS_AS_REQUEST = re.compile(
    r"^\W*(?:remind|tell)\s+me\s+(?:what|when|where|who|whom|whose|which|how|why|if|whether)\b", re.I
)


def asking_clauses(query: str) -> str:
    """The clauses of `query` that open as a question, or all of it when none does: "Úna's
    picking hymns for Gerry's birthday Mass, which ones does he like?" asks which hymns, not when."""
    clauses = [c for c in CLAUSES.split(query) if c.strip()]
    asking = [c for c in clauses if OPENS_QUESTION.search(c) or _ASKS_AS_REQUEST.search(c)]
    return " ".join(asking) if asking else query
