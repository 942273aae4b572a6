"""Who holds a role now (stages/role_holders.py): for a question that asks who holds a role, a later
memory whose clause names someone new in it and says so for good is put just above an older one naming
another holder; not where the clause says no change, not where the role and the name sit in different
clauses, not past the margin, not where the older is the newer, not for a question about an earlier
holder."""

from __future__ import annotations

from mnemo.memtypes.queries import ScoredPoint
from mnemo.memtypes.types import MemoryType
from mnemo.retrieval.stages.role_holders import asks_who_holds, new_holders, order_role_holders, role_words
from tests.unit.test_fact_rules import LOADED, written_hit

DAY = 86_400.0
HOUR = 3_600.0
QUESTION = "who's my line manager"
OLD = "my line manager at Brightlane is Petra Novak, head of the payments squad. 1:1 on Tuesdays."
NEW = "Petra is off to the data team. From today my manager is Idris Obi; 1:1 moves to Fridays."


def hits(
    new_text: str, new_score: float = 0.40, old_at: float = LOADED
) -> dict[MemoryType, list[ScoredPoint]]:
    old = written_hit("old", 0.48, OLD, old_at)
    new = written_hit("new", new_score, new_text, LOADED, LOADED - 10 * DAY)
    return {MemoryType.SEMANTIC: [old], MemoryType.EPISODIC: [new]}


def test_the_new_holder_of_the_role_is_put_just_above_the_older() -> None:
    found = hits(NEW)
    assert set(order_role_holders(found, QUESTION, 0.15, HOUR)) == {"new"}
    assert 0.48 < found[MemoryType.EPISODIC][0].score < 0.4801


def test_a_lead_past_the_margin_is_left_alone() -> None:
    assert not order_role_holders(hits(NEW, 0.30), QUESTION, 0.15, HOUR)


def test_an_older_memory_written_after_the_event_is_left_alone() -> None:
    """A statement written months after the event may already tell the change."""
    assert not order_role_holders(hits(NEW, old_at=LOADED + 60 * DAY), QUESTION, 0.15, HOUR)


def test_the_role_the_name_and_the_change_must_share_a_clause() -> None:
    # The people of a day: a manager named, the new name in another clause, no change said.
    day = "Lunch with my manager Petra and the team. Idris Obi from the data team joined us."
    assert not new_holders(day, role_words(QUESTION))
    assert not order_role_holders(hits(day), QUESTION, 0.15, HOUR)
    # The role and a name in one clause, but nothing says the name holds it from now on.
    met = "Coffee with Idris Obi, who asked about my manager."
    assert not order_role_holders(hits(met), QUESTION, 0.15, HOUR)


def test_a_firm_both_name_is_not_the_holder() -> None:
    old = "Brightlane account: contact Petra Novak, billing, net 30."
    new = "From today Idris Obi is my contact at Brightlane."
    question = "who's my contact at Brightlane now"
    found = {
        MemoryType.SEMANTIC: [written_hit("old", 0.48, old, LOADED)],
        MemoryType.EPISODIC: [written_hit("new", 0.45, new, LOADED, LOADED - 10 * DAY)],
    }
    assert set(order_role_holders(found, question, 0.15, HOUR)) == {"new"}
    # The same people in both: no new holder.
    same = {
        MemoryType.SEMANTIC: [written_hit("old", 0.48, "my contact at Brightlane is Idris Obi", LOADED)],
        MemoryType.EPISODIC: [written_hit("new", 0.45, new, LOADED, LOADED - 10 * DAY)],
    }
    assert not order_role_holders(same, question, 0.15, HOUR)


def test_the_clauses_that_name_a_new_holder() -> None:
    roles = role_words("dentist who")
    assert new_holders("Dr Mbeki has retired, so Dr Osei is your dentist now.", roles) == {"osei"}
    assert new_holders("Kofi Mensah is taking over as our dentist from 1 May", roles) >= {"kofi", "mensah"}
    assert not new_holders("Dr Osei fixed a cracked filling today.", roles)
    assert new_holders("our new dentist is Dr Osei", roles) == {"osei"}
    # Who holds it while its holder is away holds it now.
    head = role_words("who's head of science")
    assert new_holders("Daniel Osei is acting head of science until June.", head) >= {"daniel", "osei"}
    assert new_holders("Ama Boateng is interim head of science.", head) >= {"ama", "boateng"}
    assert not new_holders("Daniel Osei was acting in the staff play; Karen Yip is head of science.", head)
    # "new" of another word: a list of goals that names the course asked about.
    course = role_words("who's my mentor for the B300")
    assert not new_holders("Goals: finish B300, mentor the 2 new hires (Ama Boateng + Kojo Asante)", course)
    # A word of the question the memory writes as a name is a place, not the role.
    place = role_words("who signs off our workplans in kibwezi")
    assert not new_holders("Amani Njeri has taken over as field officer for the Kibwezi clinics", place)


def test_which_questions_ask_who_holds_a_role_now() -> None:
    assert asks_who_holds("who's my manager")
    assert asks_who_holds("dentist who")
    assert asks_who_holds("Who is the tenant in flat B?")
    assert not asks_who_holds("who was my manager before Idris?")
    assert not asks_who_holds("what's my manager's email")
    assert not asks_who_holds("who's the finance contact in Leeds, and who leads payroll?")
