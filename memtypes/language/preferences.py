"""Whether a text states a preference or a rule: what someone likes, wants or will not have, what is
always or never done, what is allowed, needed or required.

A question that asks leave or advice ("can I ring her at 7:30?", "window or aisle?", "Pat wants to
make lasagne on Monday, ok?") is answered by such a statement ("no calls before 9:00", "always an
aisle seat", "Maya is vegetarian"), which often shares few of its words: the question names the
occasion, the statement the habit. The write path stores the flag (`states_preference` in the
payload) and the ranking formula lifts flagged memories for such questions only
(mnemo.retrieval.ranking.terms.preference).

English usage only, lexical and cheap (one regular expression per memory at write time): words of
liking and wanting, of frequency that makes a habit (always, never, only), of obligation and leave,
diets, and a negated habit ("no calls before 9", "you don't take IFUs"). `tests/unit/test_preferences.py`
pins each form.

A question asks leave or advice when it asks whether one may or should ("can I …", "should we …",
"is that ok?", "… fine?", "is she allowed …"), what is best or usual ("best time to …", "what do I
usually …"), what someone wants, likes or would go for ("does Helen want PDFs or Word?", "would Lena
go for that?"), what to avoid, or which of two ("window or aisle?"), or passes on someone's request
without asking anything ("Pat wants to make lasagne on Monday night"); not one that asks who, when,
where, why or how much (a fact answers it), nor one's own best ("my best batting this season?": a
record).
"""

from __future__ import annotations

import re

from .questions import asks_in_words

_STATES_PREFERENCE = re.compile(
    r"\b(?:"
    # liking, wanting and refusing
    r"prefer(?:s|red|ence)?|likes?|loves?|hates?|dislikes?|can[’']?t\s+stand|rather|wants?|refuses?"
    # a habit by its frequency, or what is kept apart; what suits better ("does better in the mornings")
    r"|never|always|only|best|better|avoid(?:s|ed)?"
    # obligation and leave
    r"|won[’']?t|must|needs?|requires?|(?:has|have)\s+to|rules?|allowed"
    # diets
    r"|allerg(?:y|ic)|intolerant|vegetarian|vegan|pescatarian"
    # a negated habit: "no calls before 9", "nothing after 22:00", "you don't take IFUs"
    r"|nothing|no\s+(?!one\b|longer\b|idea\b|sign\b)\w+|(?:do|does)(?:n[’']?t|\s+not)\s+\w+"
    r")\b",
    re.IGNORECASE,
)


_ASKS_LEAVE_OR_ADVICE = re.compile(
    # whether one may or should
    r"\b(?:can|could|may|shall)\s+(?:i|we)\b|^\W*(?:can|could|may)\s+(?!you\b)\w+|\bshould\b|\ballowed\b"
    r"|\b(?:is\s+(?:it|that|this)|would\s+(?:it|that)\s+be)\s+(?:ok(?:ay)?|all\s*right|alright|fine)\b"
    r"|\b(?:ok(?:ay)?|fine|all\s*right|alright|anyway)\s*\?\s*$|\bwork\s+for\s+(?:me|us)\b"
    # opened by the leave asked: "ok to put a 1:1 at 8:30?", "okay if I hand out the rubric early?"
    r"|^\W*(?:ok(?:ay)?|fine|all\s*right|alright)\s+(?:to|if)\b"
    # what is best or usual
    r"|\bbest\b|\b(?:usually|normally)\b"
    # what someone wants, likes or would go for; what to avoid
    r"|\bwould\s+(?:\w+\s+){0,2}(?:like|enjoy|go\s+for|want|mind|allow)\b"
    r"|\b(?:does|do)\s+(?:\w+\s+){1,3}(?:want|like|prefer|expect)\b"
    # what someone thinks of a thing, or a wish they said: "how does dad feel about moving?", "what
    # did Rachel and I say we want the night to feel like?"
    r"|\bhow\s+(?:does|do|did)\s+(?:\w+\s+){1,3}(?:feel|think)\s+(?:about|of)\b"
    r"|\b(?:say|said|tell|told)\s+(?:(?:that|i|we|you|he|she|they)\s+){1,2}(?:want|wanted|like|liked|prefer|preferred)\b"
    # asked as a request: "remind me how I like vendor emails written"
    r"|\bhow\s+(?:i|we|you|he|she|they)\s+(?:\w+\s+)?(?:want|like|prefer|expect)\b"
    r"|\bavoid\b|\b(?:don|doesn)[’']?t\s+(?:eat|like|want|drink)\b"
    # which of two: "window or aisle?", "text Priya after the show or ring?"
    r"|^[^?]*\w\s+or\s+\w[^?]*\?\s*$",
    re.IGNORECASE,
)
# Someone's request passed on for a yes or a no, asking nothing in words: "Pat wants to make her
# lasagne on Monday night", "craig wants me for a wedding sat 13/3", "Leo's asking to keep his tablet
# until 8", "Alicia asked if the crew can use gas blowers" (not one's own wish: "I want to …").
_PASSES_ON_REQUEST = re.compile(
    r"\b(?!(?:i|we|you|do|did|does)\b)\w+\s+wants?\s+(?:me|us|to)\b"
    r"|(?:[’']s|[’']re|\bis|\bare)\s+asking\s+(?:if|whether|to|for|me|us)\b"
    r"|\basked\s+(?:me\s+|us\s+)?(?:if|whether)\b",
    re.IGNORECASE,
)
# A question a fact answers whatever else it says: "who should sign it?" asks for a person ("when I
# book, …" opens a clause, not a question; "when's the best time to …?" asks advice).
_ASKS_FACT = re.compile(
    r"^\W*(?:(?:who|when|where|why)(?:[’']s|\s+(?:is|are|was|were|do|does|did|should|can|will|would|has|have))(?!\s+(?:the\s+)?best\b)"
    r"|how\s+(?:much|many|long|far|old))\b",
    re.IGNORECASE,
)


# One's own best ("my best batting and bowling this season?", "what was our best month?", "Maya's best
# score at the regionals") is a record: what happened, not advice; a best time or way for something
# ("what's my best way into town?") still asks what suits.
_OWN_BEST = re.compile(
    r"\b(?:my|our|his|her|their|your|\w+[’']s)\s+best\b(?!\s+(?:[\w-]+\s+)?(?:time|way|slot|day|place|bet)s?\b)",
    re.IGNORECASE,
)


def asks_preference(query: str) -> bool:
    """Whether the query asks leave or advice, which a preference or a rule answers, rather than for
    a value."""
    if _PASSES_ON_REQUEST.search(query) is not None and not asks_in_words(query):
        return True
    query = _OWN_BEST.sub(" ", query)
    return _ASKS_LEAVE_OR_ADVICE.search(query) is not None and _ASKS_FACT.search(query) is None


def states_preference(text: str) -> bool:
    """Whether the text states a preference, a habit or a rule ("always an aisle seat", "no calls
    before 9:00am", "Fiona wants drafts as Word documents")."""
    return _STATES_PREFERENCE.search(text) is not None
