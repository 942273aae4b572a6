"""What a question about things to do asks for: whether it is about tasks at all ("what's on my plate
next week?", "anything due in January?", "anything overdue?"), and the window of due dates it names,
resolved against the request's `now`.

The past-leaning parser (temporal.py) reads "in January" as the latest January, for what happened;
a question about what is due looks ahead: "in January" is the next one (this month included), "on
Thursday 3 December" the next such day, "next week" the calendar week after this one, "in the next
week" the seven days from today, "by Friday" from now (what fell due earlier today is overdue),
"overdue" (or "still not done"; not "still open", which may be due later) everything due before now, and
"overdue from this month" from the month's first day until now, "after the 15th" from the 16th on
with no end (as an event ahead's "after"); "feb or march" both months, "before end of jan" from now
to January's end, "between Christmas and New Year's" from the one to the other, and a window "incl
anything I missed" what fell due in it or before it and is not done (with no time named, "still to
do, incl anything I blew off", everything pending; "outstanding or coming up", the window and what is
late). Weekends, dates in figures and parts of a month are read by due_spans.py. Pure: text and a
clock in.

English usage, not any dataset's questions; `tests/unit/test_due_windows.py` pins each form.

The times a window can be named by, with the spans they resolve to, are the table of due_patterns.py;
here, whether a question is about tasks (each phrasing written beside the exceptions that keep it from
other questions: "what do we need to ..." but not "what time do we need to ...") and how the words
around a time bound its window ("before", "by", "after", "incl anything I missed"). What a question
about tasks asks as a whole (a `TaskQuestion`), read from these, in task_questions.py.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from ....memtypes.language.questions import asking_clauses
from ....memtypes.language.text import spelled_out
from .askers_clock import AskersClock
from .calendar_spans import Span
from .due_patterns import TIME_PATTERNS
from .event_anchors import names_occasion_ahead
from .temporal import TimeWindow, in_askers_days

# What was meant to be done and was not: "overdue", "never did", "let slip", "let things slide",
# "dropped the ball", "still not done", "hasn't been done", "haven't ticked off". What is "still open"
# or "still to do" is not done yet, but not late either: it may be due later (`_STILL_OPEN`).
_UNDONE = (
    r"\b(?:overdue|undone|blew\s+off|blown\s+off|let\s+(?:(?:\w+\s+){1,3}?)?(?:slip|slide)|dropped\s+the\s+ball|fall(?:en|ing)?\s+through\s+the\s+cracks|not\s+(?:yet\s+)?(?:been\s+)?done|missed"
    r"|(?:hasn't|haven't|isn't|wasn't|weren't|aren't)\s+(?:yet\s+)?(?:been\s+)?done"
    r"|never\s+(?:did|done|got\s+(?:round|around)\s+to)|(?:didn't|did\s+not|haven't|have\s+not)\s+(?:do|done)"
    # A list's marks: "anything I haven't ticked off?", "not crossed off yet".
    r"|(?:not|never|\w+n['’]t)\s+(?:yet\s+)?(?:been\s+)?(?:ticked|crossed|checked)\s+off)\b"
)
# Of things one has to do: "which deliveries are still open?", "anything still pending?", "what's
# still to do?"; not a place's hours ("is the shop still open?") or a thing's state ("the offer is").
_STILL_OPEN = (
    r"\bstill\s+to\s+(?:do|be\s+done)\b"
    r"|\b(?:what(?:'s|\s+is|\s+are)|anything|are)\s+still\s+(?:open|pending|outstanding)\b"
)
# Words that make a question one about things to do: what is due, planned, coming up or left undone.
_ASKS_TASKS = re.compile(
    r"\b(?:due|deadlines?|to-?dos?|reminders|on\s+(?:my|our)\s+plate|upcoming|overdue"
    r"|(?:what(?:'s|\s+is)|anything|jobs?|stuff|things|bits|tasks)\s+(?:still\s+)?coming\s+up|coming\s+up\s+(?:in|on|this|next|over|before|for)"
    r"|what(?:'s|\s+is)\s+left|what\s+remains|left\s+to\s+do|needs?\s+doing|lined\s+up"
    # What one meant to do: "what did I want to do there?", "what was I going to bring?"
    r"|\bwhat\s+(?:did|was|were)\s+(?:i|we)\s+(?:want|mean|plan|going)\s+to\s+(?:do|bring|take|get|ask|buy|check)\b"
    # What one has to see to: "what do I need to sort out?", "garden stuff to sort", "what should I
    # sort out when Minh turns up?"
    r"|(?:(?:need|have|meant|got)\s+to|\bwhat\s+(?:should|must)\s+(?:i|we)|\b(?:jobs?|stuff|things|bits)\s+to)\s+"
    r"(?:sort|get\s+(?:done|sorted)|take\s+care\s+of|deal\s+with|organi[sz]e)"
    # Work for a time or before an event: "jobs for Monday", "things to do before the school trip".
    # Not work of a kind ("jobs for seniors", "things to do in Lisbon"): a day or "before" follows.
    r"|\b(?:jobs?|things\s+to\s+(?:do|sort|get\s+done))\s+(?:before\b|(?:(?:for|on)\s+)?"
    r"(?:today|tonight|tomorrow|this|next|the\s+weekend|(?:mon|tues|wednes|thurs|fri|satur|sun)day))"
    r"|plans?\s+for\s+the\s+weekend|(?:week|fortnight|month)\s+ahead"
    # What comes next: "the board approved the boxwoods, what's next?"
    r"|what(?:'s|\s+is|\s+comes)\s+next(?!\s+(?:to|door))"
    r"|\b(?:items|tasks)\s+(?:for|in|due)"
    # What is on a thing that lists what to do ("my plate", "the calendar"), not on one that holds
    # something else ("what's on my checklist?", "what's on the menu?").
    r"|what(?:'s|\s+is|\s+are)\s+(?:on(?!\s+(?:my|our|the|his|her|their|your)\s+(?!(?:plate|list|calendar"
    r"|schedule|agenda|diary|docket|radar|slate|to-?do)\b))|happening|planned|scheduled)"
    r"|what\s+(?:have|has|do)\s+(?:i|we)\s+(?:got(?!\s+to\b)|on)|(?:i|we)\s+(?:have|'ve)\s+got\s+on|agenda|schedule[ds]?"
    # A time ahead asks what is planned for it: "anything for next week?", "anything in September?"
    r"|anything\s+(?:for|in|on|this|next|tomorrow|today|tonight)"
    r"|anything\s+to\s+(?:do|bring|take|buy|get|pick\s+up|hand|sign|pay|send|book|prepare|ask|sort|check)"
    r"|anything\s+(?:i|we)\s+(?:need|meant|wanted|should|ought|have)"
    # What goes on at a time ahead ("what's going on this weekend?"), not in a matter ("… with the boiler").
    r"|\bwhat(?:'s|\s+is)\s+going\s+on\s+(?=this|next|tomorrow|today|tonight|over\s+the|(?:on\s+)?\w+day\b)"
    r"|anything\s+left\s+(?:to\s+do|for\s+(?:today|tonight|tomorrow|this\s+(?:morning|afternoon|evening)))"
    # "in town later, need anything?": what one needs to do or get there.
    r"|\bneed\s+anything\b"
    r"|\b(?:do|did)\s+(?:i|we)\s+(?:need|want|have\s+to\s+\w+)\s+anything"
    # Arranging a time: "sort out the weekend", "plan tomorrow", "prep for next week".
    r"|^\W*(?:sort(?:\s+out)?|plan|organi[sz]e|prep(?:are)?\s+for)\s+(?:the\s+weekend|today|tonight|tomorrow"
    r"|(?:this|next)\s+(?:week|weekend|month))"
    r"|next\s+(?:week|weekend|month)|tomorrow|(?:in|over|within)\s+the\s+(?:next|coming)"
    r"|(?:this|next)\s+(?:week|month)\s+or\s+(?:the\s+)?next|\bend\s+of\s+q[1-4]|eo[dwm]|cob)\b"
    # What is still open: "open items", "what's outstanding", "anything pending" (not "the outstanding
    # balance" or "a pending refund": a thing's state, not one's list).
    r"|\bopen\s+(?:items|tasks|actions|action\s+items|to-?dos|jobs|loops|tickets)\b"
    r"|\b(?:what(?:'s|\s+is|\s+are)|anything)\s+(?:still\s+)?(?:outstanding|pending)\b"
    r"|\b(?:outstanding|pending)\s+(?:[\w-]+\s+){0,2}?(?:items|tasks|actions|to-?dos|jobs)\b"
    # Of a matter: "what condo admin do I still have pending?", "car stuff coming up", "which forms are
    # still open?", "what wedding stuff is still on my list?", and tersely "medical aid admin
    # outstanding", spoken "what training stuff have i got coming up", "anything medical to do" (not
    # asked of one thing's state: "is the refund still pending?").
    r"|\b(?:do|did)\s+(?:i|we)\s+(?:still\s+)?(?:have|got)\s+(?:[\w-]+\s+){0,2}?(?:pending|outstanding|open)\b"
    r"|\b(?:stuff|things)\s+(?:coming\s+up|upcoming)\b|\b(?:got|have)\s+coming\s+up\b|\banything\s+[a-z-]+\s+to\s+do\b"
    r"|\b(?:what|which)\s+(?:[\w-]+\s+){1,4}?(?:is|are)\s+still\s+(?:open|pending|outstanding"
    r"|on\s+(?:my|our|the)\s+(?:list|plate|to-?do|radar))\b"
    r"|^\W*(?!(?:is|are|was|were|has|have|had|did|does|do|will|what|which|who|why|how|when|where)\b)(?:[\w'’-]+\s+){1,4}"
    r"(?:still\s+)?(?:outstanding|pending)\W*$"
    # What to work on at a time, what to follow up, what stands in the way: "what should I do
    # today?", "invoices to chase", "what's blocking the release?".
    r"|\bwhat\s+(?:should|shall|do|must)\s+(?:i|we)\s+(?:do|work\s+on|tackle|focus\s+on|finish|complete|get\s+done"
    r"|wrap\s+up)\s+(?:[\w'-]+\s+){0,4}?(?:first|next|now|today|tonight|tomorrow|this\s+(?:morning|afternoon|evening))\b"
    r"|\b(?:invoices|bills|payments|forms|papers|emails|calls|quotes|leads|contracts|claims)\s+to\s+"
    r"(?:chase|follow\s+up|pay|sign|submit|file|renew|approve|send|make|return)\b"
    r"|\b(?:what(?:'s|\s+is|\s+are)|anything)\s+(?:still\s+)?(?:blocking|holding\s+up)\b|\bblockers\b"
    r"|" + _STILL_OPEN + r"|" + _UNDONE,
    re.I,
)
# What is late and what is ahead asked for as one: "any tasks outstanding or coming up next month?",
# "anything pending or due this week?".
_LATE_OR_AHEAD = (
    r"\b(?:outstanding|pending|overdue|open)\s+or\s+(?:still\s+)?(?:coming\s+up|upcoming|due|ahead)\b"
)
OVERDUE = re.compile(_UNDONE + "|" + _LATE_OR_AHEAD, re.I)
# What is undone asked for beside a time ahead, not within it: "car stuff in the next 3 months, incl
# anything I missed", "what's due next week plus anything overdue": the window and all before it.
# With no time named, what is still to do besides what is late ("knee stuff I still have to do, incl
# anything I blew off") is everything pending; "and" there joins a clause ("… we said we'd do and
# never did"), not an addition.
_BESIDES = r"(?:\b(?:incl(?:uding|d)?|plus|also|as\s+well\s+as|along\s+with)\b|\+)\W*(?:[\w'’]+\s+){0,3}?"
# Beside what is asked, what one forgot is what is undone ("… including anything I forgot"); alone,
# "what did I forget?" may ask about a thing left somewhere.
_FORGOTTEN = r"\b(?:i|we)\s+(?:(?:have|had|'ve|might\s+have|may\s+have)\s+)?forg[oe]t(?:ten)?\b"
_ALL_PENDING = re.compile(_BESIDES + "(?:" + _UNDONE + "|" + _FORGOTTEN + ")|" + _LATE_OR_AHEAD, re.I)
# What a question asks for that is still not done: what is late, or what one forgot beside the rest.
ASKS_UNDONE = re.compile(OVERDUE.pattern + "|" + _BESIDES + _FORGOTTEN, re.I)
_ALSO_UNDONE = re.compile(_ALL_PENDING.pattern + r"|\band\W*(?:[\w'’]+\s+){0,3}?" + _UNDONE, re.I)
# What one has to do: "anything I still need to do for Juni", "money stuff I need to do". Asked as
# "what do I need to do …" of a situation ("changing the save format, what do I need to do", "what do
# we need to do before digging") it asks for the steps of doing something, unless it names a time or
# an occasion ahead ("… before Matilde's show?"), which `_asks_at_an_occasion` reads.
_TO_DO = re.compile(r"\b(?:need|have|meant|got)\s+to\s+do\b", re.I)
WHAT_TO_DO = re.compile(r"\bwhat\s+(?:do|does)\s+(?:i|we)\s+(?:need|have|got)\s+to\s+do\b", re.I)
# What one has at a time asks what is planned for it once a time is named ("what do we have in
# June?", "what do I have on Friday?", "what kid stuff do i got before christmas"); without one it asks
# about things ("what do we have in the shed?").
# What has to happen asks what is due once it names a time or an event ahead by what it is ("what has
# to happen before the patio starts?"); before one's own act ("… before I approve?") it asks for a rule.
_MUST_HAPPEN = re.compile(r"\b(?:has|have|needs?|got)\s+to\s+(?:happen|be\s+done)\b", re.I)
_HAS_AT = re.compile(
    r"\b(?:what|which)\s+(?:[\w-]+\s+){0,3}?(?:do|does|will)\s+(?:i|we|they|he|she)\s+(?:have|got)\b", re.I
)
# What one needs to do by a time or before an event ahead ("what do I need to ship before v1.2?",
# "which client matters do I need to act on before the end of the year?"); "what time do we need to
# be there" asks when.
_NEEDS_TO = re.compile(
    r"\b(?:what|which)\s+(?!time\b)(?:[\w-]+\s+){0,3}?(?:do|does)\s+(?:i|we|he|she|they)\s+"
    r"(?:need|have|got)\s+to\s+\w+",
    re.I,
)
# What comes next to an event ahead ("what's after GDC?", "what comes before the launch?").
_NEXT_TO = re.compile(
    r"\bwhat(?:'s|\s+is|\s+comes|\s+happens)\s+(?:on\s+|up\s+|next\s+)?(?:after|before)\b", re.I
)
# Asking leave for something one means to do ("can I put the call at 9 tomorrow?", "ok to schedule a
# change next month?") asks whether it suits, not what is due then: a preference or a rule answers it
# (a ranking model may leave the rule out: `DueWindowModel.leave_rule`).
_ASKS_LEAVE = re.compile(
    r"^\W*(?:(?:so|ok|okay|and|but|hey)\W+)?(?:(?:can|could|may|should|shall)\s+(?:i|we)"
    r"|ok(?:ay)?\s+(?:to|if)|is\s+it\s+ok(?:ay)?\s+(?:to|if)|would\s+it\s+be\s+ok(?:ay)?)\b",
    re.I,
)
# The weather at a time ("will it rain in Kisumu tomorrow?", "what's the forecast for the weekend?")
# is asked of the world, not of one's list.
_ASKS_WEATHER = re.compile(
    r"\b(?:weather|forecast|temperature|(?:will|is|gonna)\s+it\s+(?:(?:going\s+to|gonna)\s+)?"
    r"(?:rain|snow|pour|storm|be\s+(?:sunny|hot|cold|warm|windy|wet|dry|rainy)))\b",
    re.I,
)
# Words that ask about things to do even in such a question ("can I see what's due next week?").
_NAMES_TASKS = re.compile(r"\b(?:due|overdue|deadlines?|to-?dos?|reminders?|on\s+(?:my|our)\s+plate)\b", re.I)

# A time ahead after "before" ends the window ("before Christmas": from today until it; "before the
# crit on Sat 24/4": until the day of the event it names); after "by", "until" or "till", it closes it
# ("by Friday": today until Friday's end).
_UNTIL = re.compile(
    r"\b(?:(?P<before>before|ahead\s+of)"
    r"(?:\s+(?:[\w'’&-]+\s+){1,5}?on(?:\s+(?:mon|tue|wed|thu|fri|sat|sun)\w*)?)?"
    r"|by|until|till|up\s+to"
    r"|between\s+(?:now|today)\s+and)\s+(?:the\s+)?$",
    re.I,
)
# A time after "after" opens a window from its end on ("after the 15th": the 16th on); "from" one
# said to run on opens it from its start ("from the 20th onwards", "starting Monday").
_AFTER = re.compile(
    r"\b(?:(?P<after>after)|(?P<starting>starting(?:\s+(?:from|on))?)|from)\s+(?:the\s+)?$", re.I
)
_ONWARDS = re.compile(r"^\W*(?:on(?:wards?)?|forwards?)\b", re.I)
# What is ahead with no time named ("the compliance deadlines coming up", "upcoming renewals").
_COMING_UP = re.compile(r"\b(?:coming\s+up|upcoming|forthcoming)\b", re.I)


# A time that says when one meets someone ("seeing Gary next week, what do I need to ask him?"), in a
# question of what to ask, tell or bring them, is the meeting's: what is meant for them is asked
# for, whenever it falls due (the meeting's names are read by stages/named_triggers.py).
_MEETS_THEN = re.compile(
    r"\b(?:seeing|meeting|visiting|talking\s+to|speaking\s+(?:to|with)|catching\s+up\s+with"
    r"|(?:lunch|coffee|dinner|drinks|call)\s+with)\s+(?:[\w'’.&-]+\s+){1,3}?(?:on\s+)?$",
    re.I,
)
_FOR_THEM = re.compile(r"\b(?:ask|tell|raise|bring|show|give|mention|discuss)\b", re.I)
# Parts of today: "before tonight" is from now until it, not what fell due before today.
_PART_OF_TODAY = re.compile(r"(?:tonight|this\s+(?:morning|afternoon|evening))$", re.I)


def _until(before: str, span: Span, now: datetime, after: str = "", phrase: str = "") -> Span:
    """`span`, or the days from today until it where the words before it say "before" or "by", or
    the time from it on (open-ended, as an event ahead's "after" is) where they say "after", or
    "from" with `after` (the words after it) saying "onwards". Before a time already begun ("before
    today") it is all the time before it."""
    since = _AFTER.search(before)
    if since is not None and (since["after"] or since["starting"] or _ONWARDS.search(after)):
        return span[1] if since["after"] else span[0], datetime.max.replace(tzinfo=UTC)
    until = _UNTIL.search(before)
    if until is None:
        return span
    if span[0] <= now:
        # "before today", "before this week": what fell due before a time already begun.
        if until["before"] and not _PART_OF_TODAY.match(phrase):
            return datetime.min.replace(tzinfo=UTC), span[0]
        return span
    # From now: what fell due earlier today is overdue, not due by the time named.
    return now, span[0] if until["before"] else span[1]


def _names_a_time(query: str) -> bool:
    """Whether the query names a time ahead a due window is read from (any of `TIME_PATTERNS`)."""
    return any(pattern.search(query) for pattern, _ in TIME_PATTERNS)


def _asks_at_an_occasion(asking: str, query: str) -> bool:
    """What one has at a time, or what has to happen (or one needs to do, or comes next) before or
    after a time or an event ahead: asked by the `asking` clause, timed anywhere in the `query`."""
    if _HAS_AT.search(asking):
        return _names_a_time(query)
    if (
        _MUST_HAPPEN.search(asking) is None
        and _NEEDS_TO.search(asking) is None
        and _NEXT_TO.search(asking) is None
    ):
        return False
    return _names_a_time(query) or names_occasion_ahead(query)


def asks_about_tasks(query: str, leave_rule: bool = True) -> bool:
    """Whether the query asks what is due, planned or left undone (`leave_rule`: not whether one may
    do something then, unless it names what is due). The asking clause says so: a clause before it
    that tells of the asker's situation ("Daniel's team missed the SLA again – how do I write an
    escalation?", "flying out tomorrow, what's the gate code?") only times it ("off to the shops
    tomorrow, what do I need to get?")."""
    query = spelled_out(query)
    asking = asking_clauses(query)
    to_do = _TO_DO.search(asking) is not None and WHAT_TO_DO.search(asking) is None
    if _ASKS_TASKS.search(asking) is None and not to_do and not _asks_at_an_occasion(asking, query):
        return False
    asks_leave = leave_rule and _ASKS_LEAVE.search(query) is not None
    asks_other = asks_leave or _ASKS_WEATHER.search(query) is not None
    return not asks_other or _NAMES_TASKS.search(query) is not None


@in_askers_days
def due_window(query: str, clock: AskersClock) -> TimeWindow | None:
    """The due dates a question about tasks names: the window ahead (or, for what is overdue, the
    window up to now; for what is "coming up", from now on); None when it names no time and asks for
    nothing overdue."""
    now = clock.now
    query = spelled_out(query)
    overdue = OVERDUE.search(query) is not None
    also_undone = _ALSO_UNDONE.search(query) is not None
    for pattern, resolve in TIME_PATTERNS:
        for match in pattern.finditer(query):
            span = resolve(match, clock)
            if span is None or (_MEETS_THEN.search(query[: match.start()]) and _FOR_THEM.search(query)):
                continue
            start, end = _until(query[: match.start()], span, now, query[match.end() :], match.group(0))
            if also_undone:  # the window, and what fell due before it and is still not done
                start = datetime.min.replace(tzinfo=UTC)
            elif overdue:  # what fell due in the window and is still not done: not what is still ahead
                end = min(end, now)
            if start < end:
                return TimeWindow(start, end, match.group(0).strip())
    if _ALL_PENDING.search(query) is not None:
        return TimeWindow(datetime.min.replace(tzinfo=UTC), datetime.max.replace(tzinfo=UTC), "undone")
    if overdue:
        return TimeWindow(datetime.min.replace(tzinfo=now.tzinfo), now, "overdue")
    coming = _COMING_UP.search(query)
    if coming is not None:  # what is ahead, from now on: not what is already overdue
        return TimeWindow(now, datetime.max.replace(tzinfo=UTC), coming.group(0))
    return None
