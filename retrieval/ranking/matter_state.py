"""Whether a question asks how a matter stands ("where am I with the renewal?", "CO 7 where's it at",
"what's going on with the mortgage", "status of invoice 9", "everything on the storefront glass",
"what's the latest?", "what was planned and how it went").

Such a question asks for the whole of one affair: what happened, what was said, and what is still to
be done about it, so a reminder of the affair past its due date is part of the answer ("call the
bank about the escrow shortage" for "what's going on with the mortgage"), not a stale item that
came into an unrelated answer. The past-due share a reminder loses for a question not about tasks
(terms/intentions.py `PastDueTerm`, stages/dense_floor.py) is not taken for it. "How did the pour
go?" asks for one event, not for a state: not such a question.

Pure; the pattern is compiled once.
"""

from __future__ import annotations

import re

_IS = r"(?:'s|’s|\s+is|\s+are|\s+am)"
_MATTER_STATE = re.compile(
    r"|".join(
        (
            # "where am I with …", "where are we with …", "where are things with …", "where's it at"
            rf"\bwhere{_IS}\s+(?:i|we|you|things|it|that|this|they)\s+(?:at|with|on)\b",
            r"\bwhere\s+do\s+(?:i|we|things)\s+stand\b",
            # "what's going on with …", "what is happening with …", "what's the latest (on …)"
            rf"\bwhat{_IS}\s+(?:going\s+on|happening)\s+(?:with|on|about)\b",
            r"\bthe\s+latest\b",
            r"(?:^|\bthe\s+)status\s+(?:of|on)\b|^\s*status\b|\bstatus\s+update\b",
            # "everything on …" as the request itself, not "put everything on hold"
            r"(?:^\s*|\b(?:me|us)\s+)everything\s+(?:on|about|for)\b",
            # "what was planned and how it went": the plan asked along with what came of it
            r"\bwhat\s+(?:was|were)\s+(?:planned|the\s+plan)\b",
        )
    ),
    re.IGNORECASE,
)


def asks_matter_state(query: str) -> bool:
    """Whether the question asks how one matter stands, as a whole."""
    return _MATTER_STATE.search(query) is not None
