"""For a question about what is still to do ("anything overdue?", "what did I let slip?", "anything I
need to do?", or a window before now: "what was due before today?"), a reminder past its due
date that an event says was done loses what its due date lifted it by: "Pay the 2026 IUC for the
Clio" (due 31 March) is not overdue when an event of 24 March says "Inês paid the 2026 IUC for the
Clio". Nobody closed the reminder; the event tells.

An event tells it was done when it is about the same thing (the cosine of the two dense vectors is
at least the ranking model's `done_events.min_cosine`), happened no earlier than `done_events.lead_s`
before the due date, and says the reminder's own action in the past tense ("Pay …" → "paid", "Submit
…" → "submitted", "Book …" → "booked"), not negated ("never booked"); of one that opens "get" or
"have", what it asks to have done ("Get the order form signed" → "signed", "Get Kevin to fix …" →
"fixed"), and of the same thing: "sent your price list to the clients" does not tell "Send Eline the
costs" (what the verb acts on names none of the reminder's words). Only the action the reminder opens
with counts, after a label ("Reminder: …"), a heading that is a time ("Thursday 08.04 at 17:30: pick
Mila up", "Dutch course, Wednesday 07.04 at 19:30: hand in the letter") or a condition ("If the
invoice is still unpaid, send the reminder"): "Dean asked again about the training" is about the
same thing and says nothing was done. A word that tells any action done ("done",
"completed") does not count either, but for "finish" or "complete": a note of the last round of a
recurring job is about the same thing too. A reminder that hands something over ("Send …", "Submit
…", "Enrol Vicente …", "Write the job description …") is told done by any word of handing over that
names its thing's first word ("submitted Vicente's enrolment", "JD sent to Sinéad"). A reminder that
opens with the thing rather than an action ("Pickle recheck bloods", "Q3 access review → Drata") is
told done by an event that says its first two words ("Pickle recheck: SDMA 16, stable"), and one
that arranges a thing ("Order 8-yd skip", "Get flu + covid jab") by one that says the thing's ("8-yd
skip from Bay Skips"): a note of the thing itself, not one of it still to do ("asked me to …", "need
to …"). What it misses (an event that tells it only by its consequence: "Email Bev: does it need a
licence?" → "Bev replied") leaves the reminder listed. Booking a time ("Schedule the spring
tune-ups") is told by any word of booking that names its thing ("spring tune-ups booked"); an act
planned for someone named ("Lone Star Air to replace the fan motor") only by that act ("replaced"),
not by a note that names them; no participle after a modal ("the chimney should be swept").
A terse log's note counts as a sentence's would: "pls remind:" is a label, "do the reference check" is
told by "reference check done", "Mum bday" by "Mum's bday"; and a participle with nothing after it names
its thing before it ("flowers + cake sent via Interflora" tells no "send the guest list" done).

One search of the events per past-due reminder, in one batch, only for such questions; a post-engine
stage (stages/post.py), shown by `explain` as `done_by_event`. Such a reminder does not get the due
window's confidence floor either (stages/respond.py): its words alone rate it.

Size: how a note tells a reminder's action done is one set of readings (the action, its heading, its
thing, its verb's forms), each beside the exceptions that keep it from telling another; apart, a
reading and its exceptions would drift.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from functools import lru_cache

import numpy as np

from ...memtypes.language.text import singular
from ...memtypes.queries import ScoredPoint, SearchRequest
from ...memtypes.types import EVENT_TYPE, INTENTION_TYPE
from ..options import RetrievalConfig
from ..ranking.times.task_questions import TaskQuestion, anchored_question, pending_past_due, task_question
from .plan import ReadPlan
from .post import Adjustment, Hits, Phase, PostStage, StageInputs, lift

_REMINDERS = 32  # the past-due reminders read per question: more than one person's backlog holds
# The past tense of the verbs a reminder opens with that English does not form with -ed.
_IRREGULAR = {
    "pay": "paid", "send": "sent", "buy": "bought", "get": "got", "give": "gave", "take": "took",
    "make": "made", "put": "put", "read": "read", "bring": "brought", "tell": "told", "find": "found",
    "write": "wrote", "ring": "rang", "do": "did", "leave": "left", "sell": "sold", "pick": "picked",
    "set": "set", "hang": "hung", "lend": "lent", "drive": "drove", "see": "saw", "meet": "met",
    "string": "strung", "teach": "taught", "catch": "caught", "fly": "flew", "hold": "held", "keep": "kept",
    "build": "built", "sing": "sang", "win": "won", "sweep": "swept", "spend": "spent", "feed": "fed",
}  # fmt: skip
_NEGATED = re.compile(r"\b(?:never|not|n't|no)\s+(?:\w+\s+)?$", re.I)
# A participle after a modal or "to be" is still ahead: "the chimney should be swept before winter".
_STILL_TO_BE = re.compile(
    r"\b(?:should|must|will|would|shall|needs?\s+to|ha(?:s|ve)\s+to|ought\s+to|to)\s+(?:be|get)\s+$", re.I
)
_FIRST_WORD = re.compile(r"\W*([^\W\d_]+)")  # letters of any script: "Pōhutukawa" whole
# A label a log puts before what is to be done ("Reminder: publish the March rota", "TODO: pay Lior",
# "pls remind: renew the insurance", "Reminder for Rafaela: renew the lease"): one word and a colon,
# a request's "please" before it, a reminder's "for" and whom it is for after it; not the action.
_LABEL = re.compile(
    r"^\W*(?:(?:pls|plz|please|kindly)\s+)?(?:(?:reminders?|notes?|to-?dos?|tasks?)\s+for\s+[\w'’-]+"
    r"|[A-Za-z][\w-]*)\s*:\s+",
    re.I,
)
# An assistant's note of a reminder it is to give ("Remind the user to send the rubric by Friday",
# "Remind Achieng to pay the fees"): the action is what follows. Whom it is for is the user, or a
# name (capitalised: "remind Tom to" names him; "remind them to" is a pronoun, and stays).
_REMIND_TO = re.compile(
    r"^\W*(?i:remind)\s+(?:(?i:the\s+user|me|us|you|myself)|[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)?)\s+to\s+"
)
# A heading that says when, before a colon ("Thursday 08.04 at 17:30: pick Mila up", "Dutch course,
# Wednesday 07.04 at 19:30: hand in the letter"): the occasion, not what is to be done; the action
# follows the colon. Its time (after the occasion's name and a comma, if any) is all words of the
# calendar and figures; a clause before a colon ("Car insurance renews on 1 November: get quotes") is
# what the reminder is about, and stays.
_HEADING = re.compile(r"^(?P<head>(?:[^:]|:(?!\s)){1,80}?):\s+")
_WHEN_WORD = re.compile(
    r"(?:(?:mon|tues?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?|sun)(?:day)?|jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?"
    r"|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
    r"|\d[\d.:/-]*(?:st|nd|rd|th|am|pm|h)?)",
    re.I,
)
# Glue between a heading's times, and the words of a log that say a time is a due date ("DUE
# 2027-02-28: file the GST", "TODO(2026-11-24 2pm): call Priya").
_TIME_GLUE = frozenset({
    "at", "on", "the", "from", "to", "until", "till", "of", "by", "-", "–", "due", "todo", "deadline",
})  # fmt: skip
# A condition before what is to be done ("If the invoice is still unpaid on Monday, send the
# reminder"): the action follows the clause.
_CONDITION = re.compile(r"^\W*(?:if|when|once|unless|as\s+soon\s+as)\b[^,;:]*[,;]\s+", re.I)
# "Get the order form signed", "Have the boiler serviced by Friday": what is to be done is the
# participle after the object, which is how an event tells it ("order form signed by Imran"). Only
# a participle that closes the object (punctuation, a preposition or the end follows it): "get the
# signed NDA back" names a thing, not what is to be done.
_PARTICIPLE = re.compile(
    r"\b([A-Za-z]+ed|"
    + "|".join(sorted(set(_IRREGULAR.values()) | {"done", "written", "given", "taken", "seen"}))
    + r")(?=\s*(?:[(),.;:]|$)|\s+(?:by|via|before|after|in|on|at|for|with|from|and|so|today|tomorrow)\b)",
    re.I,
)
# "Get Kevin to fix the awning rail": what is to be done is the verb after "to".
_GET_TO = re.compile(r"\W*(?:get|have)\s+(?:[\w'’-]+\s+){1,3}?to\s+([A-Za-z]+)", re.I)
_CAUSATIVE = ("get", "have")
# "Lone Star Air to replace the fan motor", "Ernesto to recheck the handrail": an act planned for the
# one named, told by that act's verb ("replaced"), not by a note that names them.
_AGENT_TO = re.compile(r"^\W*(?:[A-Z][\w'’.&-]*\s+){1,4}to\s+([a-z]+)\b")
# Handing something over is told by any word of it: a form "emailed" was sent, a claim "sent" was made,
# an enrolment "submitted" was done, a job description "sent" was written first.
_HANDED_OVER = frozenset({
    "sent", "emailed", "submitted", "filed", "returned", "shared", "posted", "mailed", "forwarded",
    "uploaded", "lodged", "delivered", "handed",
})  # fmt: skip
_HANDS_OVER = frozenset({
    "send", "email", "submit", "file", "return", "share", "post", "mail", "forward", "upload", "lodge",
    "deliver", "hand", "claim", "apply", "enrol", "enroll", "register", "request", "write", "draft",
    "prepare", "prep", "fill",
})  # fmt: skip
# Getting in touch is defined by what it is about: "ring Minh to lock in the fit-off date" is not told by
# "rang Minh for a second quote" weeks before; one person is called about many things.
_CONTACTS = frozenset({
    "ring", "call", "phone", "text", "message", "chase", "ask", "tell", "contact", "ping", "remind", "email",
})  # fmt: skip
_FINISHED = frozenset({"finished", "completed", "done"})
# "Do the reference check" is told by "reference check done": "done" is the doing's own participle.
_FINISHES = frozenset({"finish", "complete", "do"})
# Arranging a thing is told by a note of the thing itself ("Order the 8-yd skip" ← "8-yd skip from Bay
# Skips full by Sunday"; "Get flu + covid jab" ← "Flu + covid jabs at the staff clinic").
_ARRANGES = frozenset({"book", "order", "get", "arrange", "schedule", "organise", "organize", "buy"})
# Asking someone for a thing arranges it: "ask Kiran for an eyelink induction" ← "Kiran did my eyelink
# induction".
_ASKS_FOR = re.compile(r"\W*(?:ask|request)\s+(?:[\w'’.-]+\s+){1,3}?for\s+(?P<thing>.+)", re.I)
# Booking a time is told by any word of it that names the thing booked: a tune-up to "schedule" was
# "booked", a visit to "book" was "scheduled".
_BOOKS = frozenset({"book", "schedule", "arrange", "organise", "organize", "reserve", "fix"})
_BOOKED = frozenset({"booked", "scheduled", "arranged", "organised", "organized", "reserved"})
_TOKEN = re.compile(r"[\w'’-]+")
# Words no thing is named by ("w/" is "with"); and words that put a note's thing still ahead or undone.
_LIGHT = frozenset({
    "a", "an", "the", "my", "our", "your", "his", "her", "its", "their", "to", "for", "of", "on", "in", "at",
    "with", "and", "or", "w",
})  # fmt: skip
_STILL_AHEAD = frozenset({
    "will", "should", "must", "need", "needs", "want", "wants", "asked", "asks", "not", "never", "no",
    "yet", "pending",
})  # fmt: skip


@lru_cache(maxsize=4096)
def done_forms(verb: str) -> frozenset[str]:
    """The past-tense forms an event may tell a reminder's action by: "pay" → paid, "submit" →
    submitted, "book" → booked, "tidy" → tidied, "close" → closed, "RSVP" → RSVP'd, "restring" →
    restrung."""
    verb = verb.lower()
    if verb in _IRREGULAR:
        return frozenset((_IRREGULAR[verb],))
    if verb.startswith("re") and verb[2:] in _IRREGULAR:  # doing again: "restring" → restrung
        return frozenset(("re" + _IRREGULAR[verb[2:]],))
    # A verb made of an abbreviation takes an apostrophe: "RSVP'd", "OK'd", "cc'd".
    forms = {verb + "d" if verb.endswith("e") else verb + "ed", verb + "'d"}
    if verb.endswith("y") and len(verb) > 2 and verb[-2] not in "aeiou":
        forms.add(verb[:-1] + "ied")
    if re.search(r"[^aeiou][aeiou][bdgklmnprt]$", verb):  # submit → submitted, plan → planned
        forms.add(verb + verb[-1] + "ed")
    return frozenset(forms)


def tells_done(reminder: str, event: str) -> bool:
    """Whether `event` says, in the past tense and not negated, the action `reminder` opens with;
    or whether it retells what the reminder opens with ("Pickle recheck bloods"
    ← "Pickle recheck: SDMA 16, stable"): a note of the thing itself, which happened. A label
    before the action ("Reminder: …") is not read as it."""
    reminder = action_of(reminder)
    first = _FIRST_WORD.match(reminder)
    if first is None:
        return False
    verb = first.group(1).lower()
    forms = done_forms(verb)
    if verb in _BOOKS and _says_any(event, _BOOKED, reminder) and _names_thing(event, reminder):
        return True
    if verb in _CAUSATIVE:
        forms |= _caused_forms(reminder)
    # "Ring Minh Hoang to lock in the date" opens with a verb of getting in touch, not someone named.
    agent = _AGENT_TO.match(reminder) if verb not in (*_CAUSATIVE, *_CONTACTS) else None
    if agent is not None and agent.group(1) not in _LIGHT:
        return _says_any(event, forms | done_forms(agent.group(1)), reminder)
    if _says_any(event, forms, reminder):
        return verb not in _CONTACTS or _says_topic(reminder[first.end() :], event)
    return any(tells(reminder, event) for tells in (retells_opening, tells_handed_over, retells_arranged))


def action_of(reminder: str) -> str:
    """What a reminder asks to be done, without a label ("Remind the user to" too), a heading that
    says when, or a condition before it ("Monday 12.04: if the invoice is still unpaid, send the
    second reminder" → "send the second reminder")."""
    reminder = _REMIND_TO.sub("", _LABEL.sub("", reminder, count=1), count=1)
    heading = _HEADING.match(reminder)
    if heading is not None and _says_only_when(heading["head"].rsplit(",", 1)[-1]):
        reminder = reminder[heading.end() :]
    return _CONDITION.sub("", reminder, count=1)


def _says_only_when(text: str) -> bool:
    """Whether `text` is a time and nothing else: "Wednesday 07.04 at 19:30", "Monday 12.04"."""
    words = [w for w in re.split(r"[\s()\[\]]+", text) if w]
    timed = [w for w in words if _WHEN_WORD.fullmatch(w.strip(".,"))]
    return bool(timed) and all(w in timed or w.lower() in _TIME_GLUE for w in words)


_PAST_WORD = re.compile(r"[A-Za-z]+(?:['’]d\b)?")


def _says_any(event: str, forms: frozenset[str], reminder: str = "") -> bool:
    """Whether `event` says one of `forms`, not negated; given the `reminder`, not of another thing
    ("Send Eline the costs" is not told by "sent your price list to the clients")."""
    for word in _PAST_WORD.finditer(event):
        before = event[: word.start()]
        if word.group(0).lower().replace("’", "'") not in forms or _NEGATED.search(before):
            continue
        if _STILL_TO_BE.search(before):
            continue
        if not reminder or _of_the_reminder(event[word.end() :], reminder, before):
            return True
    return False


# Where the object of a verb in a note ends: a stop, or a word that opens a phrase or a clause.
_OBJECT_END = re.compile(
    r"[,;:()!?\"]|\.(?!\d)|\s(?:to|for|from|with|at|on|in|into|by|about|via|after|before|and|but|so"
    r"|because|while|like|as|since|until|than|that|which|who)\b",
    re.I,
)
# Where the clause a participle closes begins: "aai's bday: called, flowers + cake sent" → "flowers + cake".
_CLAUSE_START = re.compile(r"[,;:()!?\"—–]|\.(?!\d)|\s-\s|\b(?:and|but|then|so)\b", re.I)
_AUXILIARIES = frozenset(
    {"was", "were", "is", "are", "been", "be", "being", "got", "has", "have", "had", "all"}
)
# Words after a verb that name no thing of their own: a pronoun, or an answer ("RSVP'd yes").
_PRONOUN_OBJECTS = frozenset(
    {"it", "them", "him", "her", "us", "me", "your", "their", "his", "its", "this", "that", "yes", "back"}
)


def _of_the_reminder(after_verb: str, reminder: str, before_verb: str = "") -> bool:
    """Whether what a note's verb acts on (the words after it, to the end of its object) is the
    reminder's: it names a word of the reminder, or nothing of its own ("was signed by Helen",
    "closed at 214", "sent it"). A participle with no object after it tells its thing before it, as
    a terse note writes the passive ("flowers + cake sent via fnp"): those words, within the clause."""
    end = _OBJECT_END.search(after_verb)
    object_words = _TOKEN.findall(after_verb[: end.start()] if end else after_verb)
    if not object_words:
        object_words = _TOKEN.findall(_CLAUSE_START.split(before_verb)[-1])
    said = [_stem(w) for w in object_words if w.lower() not in _LIGHT | _PRONOUN_OBJECTS | _AUXILIARIES]
    return not said or not set(said).isdisjoint(_stem(w) for w in _TOKEN.findall(reminder))


def _stem(word: str) -> str:
    """A word without a possessive or the -s of a plural: "Okafors" and "Okafor's" → okafor."""
    return singular(re.sub(r"['’]s?$", "", word.lower()))


def _object(reminder: str) -> list[str]:
    """The words after a reminder's opening verb that name something, stemmed."""
    return [_stem(w) for w in _TOKEN.findall(reminder)[1:] if w.lower() not in _LIGHT]


def _names_thing(event: str, reminder: str) -> bool:
    """Whether `event` names a word of what the reminder acts on ("spring tune-ups booked" for
    "schedule the spring HVAC tune-ups"): another verb than the reminder's own says little alone."""
    return not set(_object(reminder)).isdisjoint(_stem(w) for w in _TOKEN.findall(event))


def _says_topic(after_verb: str, event: str) -> bool:
    """Whether `event` names a word of what a reminder to get in touch is about (its words after whom
    it names, `after_verb` its words after the verb: "chase Tom about WH-014" ← "chased Tom re
    WH-014"); true where it says nothing of a topic ("ring the plumber")."""
    end = _OBJECT_END.search(after_verb)
    if end is None:
        return True
    topic = {
        _stem(w)
        for w in _TOKEN.findall(after_verb[end.start() :])
        if w.lower() not in _LIGHT and _WHEN_WORD.fullmatch(w) is None
    }
    said = {_stem(part) for w in _TOKEN.findall(event) for part in (w, *w.split("-"))}
    return not topic or not topic.isdisjoint(said)


def _still_ahead(event: str) -> bool:
    return not _STILL_AHEAD.isdisjoint(w.lower() for w in _TOKEN.findall(event.replace("n't", " not")))


def tells_handed_over(reminder: str, event: str) -> bool:
    """Whether `event` tells, by any word of handing over (or of finishing, for "finish"/"complete"), a
    reminder that hands something over done, naming the thing's first word ("Enrol Vicente …" ←
    "submitted Vicente's enrolment"; "Submit the Heidelberg expense claim" is not told by "travel grant
    claim sent"), and putting nothing still ahead."""
    verb = (_TOKEN.findall(reminder) or [""])[0].lower()
    forms = _HANDED_OVER if verb in _HANDS_OVER else _FINISHED if verb in _FINISHES else frozenset()
    thing = _object(reminder)
    if not forms or not thing or _still_ahead(event):
        return False
    return thing[0] in {_stem(w) for w in _TOKEN.findall(event)} and _says_any(event, forms)


def retells_arranged(reminder: str, event: str) -> bool:
    """Whether `event` says the first two words of the thing a reminder arranges ("Book a damp survey"
    ← "the damp survey found rising damp"), neither a participle ("get the signed NDA back" names a
    thing to get, not one that happened), and puts nothing still ahead."""
    words = _TOKEN.findall(reminder)
    thing = _object(reminder)[:2]
    asked_for = _ASKS_FOR.match(reminder)
    if asked_for is not None:  # "ask Kiran for an eyelink induction" arranges the induction
        words, thing = ["get"], _object("get " + asked_for["thing"])[:2]
    if not words or words[0].lower() not in _ARRANGES or len(thing) < 2 or _still_ahead(event):
        return False
    if any(w.endswith("ed") or w in _IRREGULAR.values() for w in thing):
        return False
    said = [_stem(w) for w in _TOKEN.findall(event) if w.lower() not in _LIGHT]
    return any(said[k : k + 2] == thing for k in range(len(said) - 1))


def retells_opening(reminder: str, event: str) -> bool:
    """Whether `event` says the reminder's first two words, neither a light one ("Q3 access review
    → Drata" ← "Q3 access review uploaded"), in a note that puts nothing still ahead or undone
    ("asked me to do the Q3 access review", "wants a Pickle recheck", "not done")."""
    words = _TOKEN.findall(reminder)
    # A name alone does not tell its thing: "Pōhutukawa Family Trust distribution resolution signed"
    # is not retold by "filed the Pōhutukawa Family Trust IR6"; the name and the word after it are.
    named = next((k for k, w in enumerate(words[:4]) if not w[:1].isupper()), 4)
    opening = [w.lower() for w in words[: max(2, named + 1)]]
    if len(opening) < 2 or any(w in _LIGHT for w in opening[:2]):
        return False
    said = [w.lower() for w in _TOKEN.findall(event.replace("n't", " not"))]
    if _STILL_AHEAD.intersection(said):
        return False
    # Someone's thing is retold as theirs: "Mum bday" by "Mum's bday" (not "Mum's review" by "Mum").
    theirs = [re.sub(r"['’]s$", "", w) for w in said]
    n = len(opening)
    return any(
        opening in (said[k : k + n], theirs[k : k + n]) and (k == 0 or said[k - 1] != "to")
        for k in range(len(said) - n + 1)
    )


def _caused_forms(reminder: str) -> frozenset[str]:
    """What a reminder that opens with "get" or "have" asks to be done, in the past tense: the
    participle that closes its object ("get the form signed": signed), or the verb after "to" ("get
    Kevin to fix the rail": fixed)."""
    to_verb = _GET_TO.match(reminder)
    if to_verb is not None:
        return done_forms(to_verb.group(1))
    clause = re.split(r"[,;:]|\band\b", reminder, maxsplit=1)[0]
    participle = _PARTICIPLE.search(clause + " ")
    return frozenset((participle.group(1).lower(),)) if participle is not None else frozenset()


def asks_what_is_left(asked: TaskQuestion | None, now: datetime) -> bool:
    """Whether a question about tasks asks what is still to do: what is overdue, what to do with no
    time named, or what was due in a window before now ("what was due before today?": it holds
    past-due reminders; a window that began before now is asked from now, ranking/times/due_windows.py)."""
    if asked is None:
        return False
    return asked.undone or asked.open or (asked.window is not None and asked.window.start < now)


class DoneByEvent(PostStage):
    """A past-due reminder an event says was done loses its due date's lift (the `due_window`,
    `overdue` and `due` terms' contributions), for a question about what is still to do."""

    name = "done_by_event"
    phase = Phase.ROUND

    def weight(self, plan: ReadPlan, config: RetrievalConfig) -> float:
        if plan.tuning is None or not plan.tuning.temporal or plan.filters is None:
            return 0.0
        if EVENT_TYPE not in plan.filters:
            return 0.0
        asked = task_question(plan.request.query, plan.resolved.now, plan.model.due_window.leave_rule)
        asked = anchored_question(asked, plan.anchor.window if plan.anchor is not None else None)
        return 1.0 if asks_what_is_left(asked, plan.resolved.now) else 0.0

    async def apply(self, inputs: StageInputs, hits: Hits, weight: float) -> Mapping[str, Adjustment]:
        now_ts = inputs.plan.resolved.now.timestamp()
        reminders = hits.get(INTENTION_TYPE, ())
        past_due = [p for p in reminders if pending_past_due(p.payload, now_ts)][:_REMINDERS]
        done = await done_reminders(inputs, past_due, now_ts)
        if not done:
            return {}
        policy = inputs.plan.policies[INTENTION_TYPE]
        out: dict[str, Adjustment] = {}
        points = hits[INTENTION_TYPE]
        for k, p in enumerate(points):
            if p.id in done:
                cut = sum(policy.contribution(term, p.payload) for term in ("due_window", "overdue", "due"))
                if cut > 0.0:
                    points[k] = replace(p, score=p.score - cut)
                    out[p.id] = lift(self.name, -cut)
        points.sort(key=lambda p: -p.score)
        return out


async def done_reminders(inputs: StageInputs, reminders: Sequence[ScoredPoint], now_ts: float) -> set[str]:
    """The ids of the reminders an event says were done."""
    if not reminders or inputs.plan.filters is None:
        return set()
    fit = inputs.plan.model.done_events
    vectors = await inputs.vectors(INTENTION_TYPE, reminders)
    asked = [r for r in reminders if r.id in vectors]
    events = inputs.plan.filters[EVENT_TYPE]
    requests = [
        SearchRequest(
            EVENT_TYPE,
            np.asarray(vectors[r.id], dtype=np.float32).tolist(),
            replace(events, occurred_from=float(r.payload["due_ts"]) - fit.lead_s, occurred_until=now_ts),
            fit.events,
            fit.events,
        )
        for r in asked
    ]
    found = await inputs.index.search(requests)
    done: set[str] = set()
    for reminder, nearest in zip(asked, found, strict=True):
        text = str(reminder.payload.get("content", ""))
        # A dense search's score is the cosine of the two vectors.
        if any(
            e.score >= fit.min_cosine and tells_done(text, str(e.payload.get("content", ""))) for e in nearest
        ):
            done.add(reminder.id)
    return done
