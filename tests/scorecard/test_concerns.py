"""A concern's life: every step, who may take it, what is refused and why, and when it is due."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from scorecard.concerns import (
    TRANSITIONS,
    Concern,
    ConcernError,
    ConcernStatus,
    NoMeeting,
    NoSuchConcern,
    NotNow,
    RoleNeeded,
    Step,
    answer_concern,
    briefing_day,
    can_see,
    close_concern,
    council_day,
    due_date,
    escalate_concern,
    history_lines,
    is_overdue,
    meetings_to_brief,
    next_meeting,
    overdue,
    raise_concern,
    send_to_service,
    visible,
)
from scorecard.model import Meeting, Role, Viewer

MEMBER = Viewer("U0DEMOMEMB1")
OTHER_MEMBER = Viewer("U0DEMOMEMB2")
ADVISOR = Viewer("U0DEMOGOV01", frozenset({Role.MEMBER, Role.GOVERNANCE_ADVISOR}))
SEND_OFFICER = Viewer("U0DEMOSVC01", frozenset({Role.MEMBER, Role.SERVICE_OFFICER}), frozenset({"SEND"}))
CARE_OFFICER = Viewer(
    "U0DEMOSVC02", frozenset({Role.MEMBER, Role.SERVICE_OFFICER}), frozenset({"Children's social care"})
)
NOW = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)  # a Monday
COMMISSION = "Children and Young People Scrutiny Commission"
MEETINGS = [
    Meeting(COMMISSION, date(2026, 9, 22), ("Keeping children safe",), date(2026, 9, 11)),
    Meeting(COMMISSION, date(2026, 12, 8), ("SEND", "Budgets"), date(2026, 11, 27)),
    Meeting(COMMISSION, date(2027, 1, 26), ("Schools", "Education"), date(2027, 1, 15)),
]


def raised(text: str = "SEND timeliness keeps slipping", member: Viewer = MEMBER) -> Concern:
    concern, _ = raise_concern(member.user, text, "SEND01", now=NOW)
    return replace(concern, id=7)


def at_status(status: ConcernStatus) -> Concern:
    concern = raised()
    if status is ConcernStatus.OPEN:
        return concern
    if status is ConcernStatus.ESCALATED:
        return escalate_concern(concern, ADVISOR, MEETINGS, now=NOW)[0]
    concern = send_to_service(concern, ADVISOR, "SEND", now=NOW)[0]
    if status is ConcernStatus.WITH_SERVICE:
        return concern
    concern = answer_concern(concern, SEND_OFFICER, "We have added caseworkers.", now=NOW)[0]
    if status is ConcernStatus.ANSWERED:
        return concern
    return close_concern(concern, ADVISOR, "Answer accepted", now=NOW)[0]


# --- the steps ------------------------------------------------------------------------------


def test_raising_keeps_the_trimmed_words_open() -> None:
    concern, event = raise_concern("U0DEMOMEMB1", "  SEND timeliness is falling  ", "", now=NOW)
    assert concern.text == "SEND timeliness is falling"
    assert concern.status is ConcernStatus.OPEN and concern.indicator_code is None
    assert event.from_status is None and event.to_status is ConcernStatus.OPEN


def test_an_empty_concern_is_refused() -> None:
    with pytest.raises(ConcernError, match=re.escape("Please say what your concern is.")):
        raise_concern("U0DEMOMEMB1", "   ", "SEND01", now=NOW)


def test_the_whole_life_open_with_service_answered_closed() -> None:
    concern = raised()
    sent, sent_event = send_to_service(concern, ADVISOR, "SEND", "Please answer by the due date", now=NOW)
    assert sent.status is ConcernStatus.WITH_SERVICE and sent.service_area == "SEND"
    assert sent.due_on == date(2026, 11, 16)
    assert (sent_event.who, sent_event.from_status, sent_event.to_status) == (
        "U0DEMOGOV01", ConcernStatus.OPEN, ConcernStatus.WITH_SERVICE,
    )
    assert sent_event.text == "Please answer by the due date" and sent_event.due_on == date(2026, 11, 16)
    answered, answer_event = answer_concern(sent, SEND_OFFICER, "We have added two caseworkers.", now=NOW)
    assert answered.status is ConcernStatus.ANSWERED
    assert answer_event.who == "U0DEMOSVC01" and answer_event.text == "We have added two caseworkers."
    closed, close_event = close_concern(answered, ADVISOR, "Member satisfied", now=NOW)
    assert closed.status is ConcernStatus.CLOSED
    assert close_event.from_status is ConcernStatus.ANSWERED and close_event.text == "Member satisfied"
    assert concern.status is ConcernStatus.OPEN  # nothing is changed in place


@pytest.mark.parametrize("start", [ConcernStatus.OPEN, ConcernStatus.WITH_SERVICE, ConcernStatus.ANSWERED])
def test_escalation_from_open_with_service_or_answered_goes_to_the_next_meeting(start: ConcernStatus) -> None:
    concern, event = escalate_concern(at_status(start), ADVISOR, MEETINGS, "Officer to attend", now=NOW)
    assert concern.status is ConcernStatus.ESCALATED
    assert concern.meeting == MEETINGS[1] and event.meeting == MEETINGS[1]
    assert event.from_status is start and event.text == "Officer to attend"


def test_an_escalated_concern_is_closed_after_the_meeting_with_its_outcome() -> None:
    escalated = at_status(ConcernStatus.ESCALATED)
    with pytest.raises(NotNow, match="close it after the meeting"):
        close_concern(escalated, ADVISOR, "Discussed", now=NOW)
    after = datetime(2026, 12, 8, 19, 0, tzinfo=UTC)
    closed, event = close_concern(escalated, ADVISOR, "Officer to report back in March", now=after)
    assert closed.status is ConcernStatus.CLOSED and event.text == "Officer to report back in March"


def test_sending_again_reroutes_with_a_new_due_date() -> None:
    sent = at_status(ConcernStatus.WITH_SERVICE)
    later = datetime(2026, 11, 9, 10, 0, tzinfo=UTC)
    rerouted, event = send_to_service(sent, ADVISOR, "Children's social care", now=later)
    assert rerouted.service_area == "Children's social care" and rerouted.due_on == date(2026, 11, 23)
    assert event.from_status is event.to_status is ConcernStatus.WITH_SERVICE


# --- every transition the table allows, and every one it refuses ----------------------------


def _take(step: Step, concern: Concern) -> tuple[Concern, object]:
    after = datetime(2027, 2, 1, 10, 0, tzinfo=UTC)  # after every meeting it could be on
    meetings = [*MEETINGS, Meeting(COMMISSION, date(2027, 3, 16), (), date(2027, 3, 5))]
    match step:
        case Step.SEND:
            return send_to_service(concern, ADVISOR, "SEND", now=after)
        case Step.ANSWER:
            return answer_concern(concern, SEND_OFFICER, "Answer", now=after)
        case Step.ESCALATE:
            return escalate_concern(concern, ADVISOR, meetings, now=after)
        case Step.CLOSE:
            return close_concern(concern, ADVISOR, "Outcome", now=after)


@pytest.mark.parametrize("step", list(Step))
@pytest.mark.parametrize("status", list(ConcernStatus))
def test_each_step_from_each_status_is_allowed_or_refused_by_the_table(
    step: Step, status: ConcernStatus
) -> None:
    starts, to = TRANSITIONS[step]
    concern = at_status(status)
    if status in starts:
        after, _ = _take(step, concern)
        assert after.status is to
    elif step is Step.ANSWER and concern.service_area is None:
        # Never sent: no service officer can see it, so it is as if it were not there.
        with pytest.raises(NoSuchConcern):
            _take(step, concern)
    else:
        with pytest.raises(NotNow) as refused:
            _take(step, concern)
        assert "C-7" in str(refused.value)


def test_closing_a_concern_still_with_the_service_says_what_to_do() -> None:
    with pytest.raises(NotNow, match="close it once it is answered, or escalate it"):
        close_concern(at_status(ConcernStatus.WITH_SERVICE), ADVISOR, "x", now=NOW)


def test_nothing_more_happens_to_a_closed_concern() -> None:
    with pytest.raises(NotNow, match="C-7 is closed"):
        escalate_concern(at_status(ConcernStatus.CLOSED), ADVISOR, MEETINGS, now=NOW)


# --- who may do what ------------------------------------------------------------------------


@pytest.mark.parametrize("step", [Step.SEND, Step.ESCALATE, Step.CLOSE])
def test_only_the_advisor_sends_escalates_and_closes_and_the_refusal_says_so(step: Step) -> None:
    concern = at_status(ConcernStatus.OPEN)
    for who in (MEMBER,):
        with pytest.raises(RoleNeeded, match="Only the governance advisor can") as refused:
            match step:
                case Step.SEND:
                    send_to_service(concern, who, "SEND", now=NOW)
                case Step.ESCALATE:
                    escalate_concern(concern, who, MEETINGS, now=NOW)
                case _:
                    close_concern(concern, who, "x", now=NOW)
        assert refused.value.role is Role.GOVERNANCE_ADVISOR


def test_the_service_officer_of_the_area_answers_and_no_one_else() -> None:
    sent = at_status(ConcernStatus.WITH_SERVICE)
    with pytest.raises(RoleNeeded, match=re.escape("Only a service officer for SEND can answer a concern.")):
        answer_concern(sent, MEMBER, "I answer my own", now=NOW)
    with pytest.raises(RoleNeeded, match="Only a service officer for SEND can answer"):
        answer_concern(sent, ADVISOR, "The advisor answers", now=NOW)
    # An officer of another area may not even see it.
    with pytest.raises(NoSuchConcern, match=re.escape("There is no concern C-7 that you can see.")):
        answer_concern(sent, CARE_OFFICER, "Not ours", now=NOW)
    assert answer_concern(sent, SEND_OFFICER, "Ours", now=NOW)[0].status is ConcernStatus.ANSWERED


def test_another_member_is_refused_as_if_the_concern_did_not_exist() -> None:
    concern = at_status(ConcernStatus.OPEN)
    with pytest.raises(NoSuchConcern) as refused:
        send_to_service(concern, OTHER_MEMBER, "SEND", now=NOW)
    message = str(refused.value)
    assert "U0DEMOMEMB1" not in message and "SEND timeliness" not in message
    assert message == str(NoSuchConcern(12345)).replace("C-12345", "C-7")


def test_an_empty_answer_or_outcome_is_refused() -> None:
    with pytest.raises(ConcernError, match=re.escape("Please write the service's answer.")):
        answer_concern(at_status(ConcernStatus.WITH_SERVICE), SEND_OFFICER, "  ", now=NOW)
    with pytest.raises(ConcernError, match="Please say the outcome"):
        close_concern(at_status(ConcernStatus.ANSWERED), ADVISOR, "", now=NOW)


def test_sending_needs_a_service_area() -> None:
    with pytest.raises(ConcernError, match="Please choose the service area"):
        send_to_service(raised(), ADVISOR, " ", now=NOW)


def test_a_member_sees_their_own_the_advisor_all_an_officer_their_areas() -> None:
    mine = at_status(ConcernStatus.WITH_SERVICE)
    theirs, _ = raise_concern("U0DEMOMEMB2", "Care leavers", "CLA01", now=NOW)
    everything = [mine, theirs]
    assert visible(MEMBER, everything) == [mine]
    assert visible(OTHER_MEMBER, everything) == [theirs]
    assert visible(ADVISOR, everything) == everything
    assert visible(SEND_OFFICER, everything) == [mine]
    assert visible(CARE_OFFICER, everything) == []
    assert not can_see(SEND_OFFICER, raised())  # not sent yet: no service sees it


# --- due dates in working days --------------------------------------------------------------


def test_due_ten_working_days_after_sending_across_christmas() -> None:
    # 25, 26 December 2024 and 1 January 2025 are bank holidays.
    assert due_date(date(2024, 12, 20)) == date(2025, 1, 8)
    assert due_date(date(2024, 12, 20), 5) == date(2024, 12, 31)


def test_due_ten_working_days_after_sending_across_easter() -> None:
    # Good Friday 18 April 2025 and Easter Monday 21 April 2025.
    assert due_date(date(2025, 4, 14)) == date(2025, 4, 30)


def test_the_due_date_counts_from_the_day_in_london() -> None:
    # 23:30 UTC on Sunday 30 March 2025 is already Monday 31 March in London (BST).
    late_sunday = datetime(2025, 3, 30, 23, 30, tzinfo=UTC)
    assert council_day(late_sunday) == date(2025, 3, 31)
    sent, _ = send_to_service(raised(), ADVISOR, "SEND", now=late_sunday)
    assert sent.due_on == date(2025, 4, 14)


def test_the_number_of_working_days_is_configurable() -> None:
    sent, _ = send_to_service(raised(), ADVISOR, "SEND", now=NOW, working_days=3)
    assert sent.due_on == date(2026, 11, 5)


def test_overdue_from_the_day_after_it_was_due_and_chased_only_on_working_days() -> None:
    sent = at_status(ConcernStatus.WITH_SERVICE)  # due Monday 16 November 2026
    assert not is_overdue(sent, date(2026, 11, 16))
    assert is_overdue(sent, date(2026, 11, 17))
    assert overdue([sent], date(2026, 11, 17)) == [sent]
    assert overdue([sent], date(2026, 11, 21)) == []  # a Saturday
    assert overdue([sent], date(2026, 12, 25)) == []  # Christmas Day
    answered = at_status(ConcernStatus.ANSWERED)
    assert overdue([answered], date(2026, 12, 1)) == []


# --- meetings -------------------------------------------------------------------------------


def test_escalation_after_the_agenda_deadline_goes_to_the_following_meeting() -> None:
    assert next_meeting(MEETINGS, date(2026, 11, 27)) == MEETINGS[1]  # the deadline day itself
    assert next_meeting(MEETINGS, date(2026, 11, 28)) == MEETINGS[2]
    after_deadline = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    concern, _ = escalate_concern(raised(), ADVISOR, MEETINGS, now=after_deadline)
    assert concern.meeting == MEETINGS[2]


def test_a_meeting_without_an_agenda_deadline_takes_items_until_its_date() -> None:
    undated = [Meeting(COMMISSION, date(2026, 12, 8))]
    assert next_meeting(undated, date(2026, 12, 8)) == undated[0]
    assert next_meeting(undated, date(2026, 12, 9)) is None


def test_escalation_with_no_meeting_left_says_what_to_do() -> None:
    with pytest.raises(NoMeeting, match="Load the next meetings"):
        escalate_concern(raised(), ADVISOR, MEETINGS, now=datetime(2027, 6, 1, tzinfo=UTC))


def test_the_briefing_is_five_working_days_before_the_meeting_and_catches_up() -> None:
    december = MEETINGS[1]  # Tuesday 8 December 2026
    assert briefing_day(december) == date(2026, 12, 1)
    assert meetings_to_brief(MEETINGS, date(2026, 11, 30)) == []
    assert meetings_to_brief(MEETINGS, date(2026, 12, 1)) == [december]
    assert meetings_to_brief(MEETINGS, date(2026, 12, 4)) == [december]  # back after downtime
    assert meetings_to_brief(MEETINGS, date(2026, 12, 8)) == []


def test_the_briefing_before_a_january_meeting_skips_christmas() -> None:
    january = Meeting(COMMISSION, date(2027, 1, 5))
    # 1 January 2027 (Friday), 28 December 2026 (substitute for Boxing Day) and 25 December.
    assert briefing_day(january) == date(2026, 12, 24)


def test_history_reads_in_words() -> None:
    concern, raised_event = raise_concern("U0DEMOMEMB1", "Falling", "SEND01", now=NOW)
    _, sent_event = send_to_service(concern, ADVISOR, "SEND", "Please answer", now=NOW)
    lines = history_lines([raised_event, sent_event])
    assert lines[0].startswith("02 Nov 2026 10:00 U0DEMOMEMB1: raised")
    assert lines[1] == (
        "02 Nov 2026 10:00 U0DEMOGOV01: open -> with_service (SEND, due 16 Nov 2026): Please answer"
    )


# --- characters the store cannot keep ----------------------------------------------------------


@pytest.mark.parametrize(
    ("character", "named"),
    [("\x00", "a NUL, character code 0"), ("\ud800", "a half of a character, code U+D800")],
)
def test_words_the_store_cannot_keep_are_refused_at_every_step(character: str, named: str) -> None:
    words = f"SEND timeliness{character} keeps slipping"
    refusal = (
        f"The text contains a character that cannot be stored ({named}): please remove it and try again."
    )
    with_service = at_status(ConcernStatus.WITH_SERVICE)
    for step in (
        lambda: raise_concern("U0DEMOMEMB1", words, "SEND01", now=NOW),
        lambda: send_to_service(raised(), ADVISOR, "SEND", words, now=NOW),
        lambda: answer_concern(with_service, SEND_OFFICER, words, now=NOW),
        lambda: escalate_concern(raised(), ADVISOR, MEETINGS, words, now=NOW),
        lambda: close_concern(at_status(ConcernStatus.ANSWERED), ADVISOR, words, now=NOW),
    ):
        with pytest.raises(ConcernError) as refused:
            step()
        assert str(refused.value) == refusal
