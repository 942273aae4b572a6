"""Whether a retrieval's best hits are conversation turns, for the checks that read statements, not
chat (mnemo.retrieval.ranking.asked.asked_detail, mnemo.retrieval.stages.event_anchor).

A transcript's turns open with their speaker ("Caroline: …", "user: …"); a store of one person's
notes often opens its entries with a label of the same form, saying what the entry is ("Reminder:
…", "Note: …") or what was done ("Logged: …", "Booked: …"). A speaker is a name or a chat role; a
label is a word of the language that names no one (`facts.NOT_NAMES`) or a verb's past form.

Pure; reads a memory's opening only.
"""

from __future__ import annotations

from collections.abc import Sequence

from ....memtypes.language.facts import NOT_NAMES
from ....memtypes.language.speakers import ASSISTANT, USER, speaker_of
from .evidence import READ_CHARS, information

# The commonest words of English (`information` at most this): a past form's stem among them is a verb's.
_COMMON_STEM = 3.5


def _past_form(word: str) -> bool:
    """Whether `word` is a verb's past form: "logged", "noted", "booked" (not "Alfred", "Ted")."""
    if not word.endswith("ed"):
        return False
    stems = [word[:-2], word[:-1]] + ([word[:-3]] if len(word) > 4 and word[-3] == word[-4] else [])
    return any(len(s) >= 3 and information(s) <= _COMMON_STEM for s in stems)


def opens_with_speaker(content: str) -> bool:
    """Whether `content` opens with its speaker ("Caroline: …", "user: …"), not with a label that
    says what the entry is ("Reminder: …", "Note: …", a word no name is) or what was done ("Logged:
    …", "Booked: …", a verb's past form): a store of notes labels its entries, a transcript its
    speakers."""
    speaker = speaker_of(content[:READ_CHARS])
    if len(speaker) != 1 or speaker[0] in (USER, ASSISTANT):
        return bool(speaker)
    return speaker[0] not in NOT_NAMES and not _past_form(speaker[0])


def mostly_turns(hits: Sequence[tuple[str, bool]]) -> bool:
    """Most of `hits` (content, dated) conversation turns: events opening with their speaker
    ("Caroline: …", "user: …"), as a transcript's are."""
    turns = sum(dated and opens_with_speaker(content) for content, dated in hits)
    return 2 * turns > len(hits)
