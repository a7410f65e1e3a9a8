"""What each step of a concern records, the exact words of each refusal, and bank holidays given by
the caller (issue 16: mutation testing found these unchecked)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from test_concerns import (
    ADVISOR,
    COMMISSION,
    MEETINGS,
    MEMBER,
    NOW,
    SEND_OFFICER,
    at_status,
    raised,
)

from scorecard.concerns import (
    MAX_TEXT,
    Concern,
    ConcernError,
    ConcernEvent,
    ConcernStatus,
    NoMeeting,
    NoSuchConcern,
    NotNow,
    RoleNeeded,
    Step,
    answer_concern,
    briefing_day,
    close_concern,
    council_day,
    due_date,
    escalate_concern,
    history_lines,
    meetings_to_brief,
    next_meeting,
    overdue,
    raise_concern,
    send_to_service,
    working_days_late,
)
from scorecard.model import Meeting, Role, Viewer

LATER = NOW + timedelta(hours=3)
# A made-up council closure day, given by the caller: Wednesday 4 November 2026.
CLOSURE = date(2026, 11, 4)


# --- what each step records --------------------------------------------------------------------


def test_raising_records_the_member_the_words_and_the_indicator() -> None:
    concern, event = raise_concern("U0DEMOMEMB1", "  Falling  ", " SEND01 ", now=NOW)
    assert concern == Concern("U0DEMOMEMB1", "SEND01", "Falling", ConcernStatus.OPEN, NOW)
    assert event == ConcernEvent(NOW, "U0DEMOMEMB1", None, ConcernStatus.OPEN, "Falling")
    general, _ = raise_concern("U0DEMOMEMB1", "The scorecard is late", "  ", now=NOW)
    assert general.indicator_code is None
    assert raise_concern("U0DEMOMEMB1", "x", None, now=NOW)[0].indicator_code is None


def test_sending_records_the_area_the_due_date_and_the_note() -> None:
    concern, event = send_to_service(raised(), ADVISOR, " SEND ", "  Please answer  ", now=LATER)
    assert (concern.status, concern.service_area, concern.due_on) == (
        ConcernStatus.WITH_SERVICE,
        "SEND",
        date(2026, 11, 16),
    )
    assert event == ConcernEvent(
        LATER,
        ADVISOR.user,
        ConcernStatus.OPEN,
        ConcernStatus.WITH_SERVICE,
        "Please answer",
        concern_id=7,
        step="send",
        service_area="SEND",
        due_on=date(2026, 11, 16),
    )
    assert send_to_service(raised(), ADVISOR, "SEND", now=NOW)[1].text == ""


def test_answering_records_who_answered_and_what() -> None:
    concern, event = answer_concern(at_status(ConcernStatus.WITH_SERVICE), SEND_OFFICER, " Done. ", now=LATER)
    assert concern.status is ConcernStatus.ANSWERED
    assert event == ConcernEvent(
        LATER, SEND_OFFICER.user, ConcernStatus.WITH_SERVICE, ConcernStatus.ANSWERED, "Done.", 7, "answer"
    )


def test_escalating_records_the_meeting_and_the_note() -> None:
    concern, event = escalate_concern(raised(), ADVISOR, MEETINGS, " For the agenda ", now=LATER)
    assert (concern.status, concern.meeting) == (ConcernStatus.ESCALATED, MEETINGS[1])
    assert event == ConcernEvent(
        LATER,
        ADVISOR.user,
        ConcernStatus.OPEN,
        ConcernStatus.ESCALATED,
        "For the agenda",
        concern_id=7,
        step="escalate",
        meeting=MEETINGS[1],
    )


def test_escalating_to_a_named_committee_skips_the_others_meetings() -> None:
    other = Meeting("Health Scrutiny", date(2026, 11, 10), (), date(2026, 11, 5))
    meetings = [other, *MEETINGS]
    assert escalate_concern(raised(), ADVISOR, meetings, now=NOW)[0].meeting == other
    chosen = escalate_concern(raised(), ADVISOR, meetings, now=NOW, committee=COMMISSION)[0]
    assert chosen.meeting == MEETINGS[1]
    assert next_meeting(meetings, date(2026, 11, 2), "Health Scrutiny") == other
    assert next_meeting(meetings, date(2026, 11, 2), "Nobody") is None


def test_closing_records_the_outcome() -> None:
    concern, event = close_concern(at_status(ConcernStatus.ANSWERED), ADVISOR, " Accepted ", now=LATER)
    assert concern.status is ConcernStatus.CLOSED
    assert event == ConcernEvent(
        LATER, ADVISOR.user, ConcernStatus.ANSWERED, ConcernStatus.CLOSED, "Accepted", 7, "close"
    )


# --- the words of each refusal -----------------------------------------------------------------


def test_the_refusals_say_exactly_why() -> None:
    with pytest.raises(ConcernError) as empty:
        raise_concern("U0DEMOMEMB1", "  ", None, now=NOW)
    assert str(empty.value) == "Please say what your concern is."
    with pytest.raises(ConcernError) as long:
        raise_concern("U0DEMOMEMB1", "x" * (MAX_TEXT + 1), None, now=NOW)
    assert str(long.value) == (
        "Please keep your concern to 3,000 characters: it has 3,001. "
        "You can add more detail when the advisor follows it up."
    )
    assert raise_concern("U0DEMOMEMB1", "x" * MAX_TEXT, None, now=NOW)[0].text == "x" * MAX_TEXT
    with pytest.raises(ConcernError) as answer:
        answer_concern(at_status(ConcernStatus.WITH_SERVICE), SEND_OFFICER, "y" * 3001, now=NOW)
    assert str(answer.value) == "Please keep the answer to 3,000 characters: it has 3,001."
    with pytest.raises(ConcernError) as outcome:
        close_concern(at_status(ConcernStatus.ANSWERED), ADVISOR, "z" * 3001, now=NOW)
    assert str(outcome.value) == "Please keep the outcome to 3,000 characters: it has 3,001."
    with pytest.raises(ConcernError) as blank:
        answer_concern(at_status(ConcernStatus.WITH_SERVICE), SEND_OFFICER, " ", now=NOW)
    assert str(blank.value) == "Please write the service's answer."
    with pytest.raises(ConcernError) as area:
        send_to_service(raised(), ADVISOR, " ", now=NOW)
    assert str(area.value) == "Please choose the service area to send the concern to."


def test_a_naive_time_or_no_member_is_a_programming_error() -> None:
    naive = datetime(2026, 11, 2, 10, 0)
    for call, words in [
        (lambda: raise_concern("U1", "x", None, now=naive), "now must be an aware date-time"),
        (lambda: raise_concern(" ", "x", None, now=NOW), "a concern needs the member who raised it"),
        (lambda: answer_concern(at_status(ConcernStatus.WITH_SERVICE), SEND_OFFICER, "x", now=naive), None),
        (lambda: council_day(naive), "the moment must be an aware date-time"),
        (lambda: due_date(date(2026, 11, 2), 0), "a service needs at least one working day to answer"),
    ]:
        with pytest.raises(ValueError) as raised_error:
            call()
        assert not isinstance(raised_error.value, ConcernError)
        if words is not None:
            assert str(raised_error.value) == words


def test_no_such_concern_never_says_whose_it_is() -> None:
    with pytest.raises(NoSuchConcern) as refused:
        answer_concern(raised(), Viewer("U-stranger"), "x", now=NOW)
    assert str(refused.value) == (
        "There is no concern C-7 that you can see. /concern list shows the concerns you can see."
    )
    assert refused.value.concern_id == 7
    assert str(NoSuchConcern(None)).startswith("There is no concern that reference that you can see.")


def test_a_missing_role_is_named() -> None:
    with pytest.raises(RoleNeeded) as advisor:
        send_to_service(raised(), MEMBER, "SEND", now=NOW)
    assert str(advisor.value) == "Only the governance advisor can send a concern to a service."
    assert (advisor.value.step, advisor.value.role) == (Step.SEND, Role.GOVERNANCE_ADVISOR)
    with pytest.raises(RoleNeeded) as member:
        answer_concern(at_status(ConcernStatus.WITH_SERVICE), ADVISOR, "x", now=NOW)
    assert str(member.value) == "Only a service officer for SEND can answer a concern."
    assert (member.value.step, member.value.role) == (Step.ANSWER, Role.SERVICE_OFFICER)
    # The advisor, also an officer of no area, can see a concern but not answer for its area.
    advisor_officer = Viewer("U-both", frozenset({Role.GOVERNANCE_ADVISOR, Role.SERVICE_OFFICER}))
    with pytest.raises(RoleNeeded) as wrong_area:
        answer_concern(at_status(ConcernStatus.WITH_SERVICE), advisor_officer, "x", now=NOW)
    assert str(wrong_area.value) == "Only a service officer for SEND can answer a concern."
    assert (wrong_area.value.step, wrong_area.value.role) == (Step.ANSWER, Role.SERVICE_OFFICER)
    assert (
        str(RoleNeeded(Step.ANSWER, Role.SERVICE_OFFICER)) == "Only a service officer can answer a concern."
    )
    assert str(RoleNeeded(Step.CLOSE, Role.BOARD_APPROVER)) == "Only board approver can close a concern."


@pytest.mark.parametrize(
    ("status", "step", "words"),
    [
        (ConcernStatus.ANSWERED, Step.ANSWER, "C-7 has already been answered."),
        (
            ConcernStatus.ESCALATED,
            Step.ANSWER,
            "C-7 has been escalated to the commission, so it is answered at the meeting.",
        ),
        (
            ConcernStatus.OPEN,
            Step.ANSWER,
            "C-7 has not been sent to a service yet, so it cannot be answered.",
        ),
        (ConcernStatus.ANSWERED, Step.SEND, "C-7 is answered, so it cannot be sent to a service again."),
        (ConcernStatus.ESCALATED, Step.ESCALATE, "C-7 is already escalated to the commission's meeting."),
        (ConcernStatus.CLOSED, Step.SEND, "C-7 is closed, so nothing more can be done with it."),
    ],
)
def test_a_step_that_does_not_apply_now_says_why(status: ConcernStatus, step: Step, words: str) -> None:
    concern = replace(at_status(status), service_area="SEND")
    officer = Viewer(
        "U-both", frozenset({Role.GOVERNANCE_ADVISOR, Role.SERVICE_OFFICER}), frozenset({"SEND"})
    )
    take = {
        Step.ANSWER: lambda: answer_concern(concern, officer, "x", now=NOW),
        Step.SEND: lambda: send_to_service(concern, officer, "SEND", now=NOW),
        Step.ESCALATE: lambda: escalate_concern(concern, officer, MEETINGS, now=NOW),
    }[step]
    with pytest.raises(NotNow) as refused:
        take()
    assert str(refused.value) == words


def test_no_meeting_left_says_what_to_do() -> None:
    with pytest.raises(NoMeeting) as refused:
        escalate_concern(raised(), ADVISOR, MEETINGS[:1], now=NOW)
    assert str(refused.value) == (
        "There is no commission meeting whose agenda deadline has not passed. "
        "Load the next meetings (meetings.csv) and escalate again."
    )


def test_an_escalated_concern_waits_for_its_meeting_in_words() -> None:
    with pytest.raises(NotNow) as refused:
        close_concern(at_status(ConcernStatus.ESCALATED), ADVISOR, "Done", now=NOW)
    assert str(refused.value) == (
        "C-7 is on the agenda of the meeting on 8 December 2026: "
        "close it after the meeting, with its outcome."
    )


# --- bank holidays and closure days given by the caller ----------------------------------------


def test_a_closure_day_given_by_the_caller_moves_the_due_date() -> None:
    assert due_date(date(2026, 11, 2)) == date(2026, 11, 16)
    assert due_date(date(2026, 11, 2), holidays={CLOSURE}) == date(2026, 11, 17)
    concern, event = send_to_service(raised(), ADVISOR, "SEND", now=NOW, holidays={CLOSURE})
    assert concern.due_on == event.due_on == date(2026, 11, 17)


def test_lateness_and_chasing_follow_the_callers_closure_days() -> None:
    concern = Concern("U1", None, "x", ConcernStatus.WITH_SERVICE, NOW, id=3, due_on=date(2026, 11, 2))
    assert working_days_late(concern, date(2026, 11, 5)) == 3
    assert working_days_late(concern, date(2026, 11, 5), holidays={CLOSURE}) == 2
    assert working_days_late(concern, date(2026, 11, 2)) == 0
    assert overdue([concern], CLOSURE) == [concern]
    assert overdue([concern], CLOSURE, holidays={CLOSURE}) == []


def test_overdue_concerns_are_chased_oldest_due_first_then_by_reference() -> None:
    def late(number: int | None, due: date) -> Concern:
        return Concern("U1", None, "x", ConcernStatus.WITH_SERVICE, NOW, id=number, due_on=due)

    first, second, third = late(9, date(2026, 11, 2)), late(4, date(2026, 11, 3)), late(5, date(2026, 11, 3))
    unkept = late(None, date(2026, 11, 3))
    assert overdue([third, second, unkept, first], date(2026, 11, 5)) == [first, unkept, second, third]


def test_the_briefing_follows_the_callers_closure_days() -> None:
    meeting = Meeting(COMMISSION, date(2026, 11, 10), (), date(2026, 11, 2))
    assert briefing_day(meeting) == date(2026, 11, 3)
    assert briefing_day(meeting, holidays={CLOSURE}) == date(2026, 11, 2)
    assert meetings_to_brief([meeting], date(2026, 11, 2)) == []
    assert meetings_to_brief([meeting], date(2026, 11, 2), holidays={CLOSURE}) == [meeting]


def test_history_is_in_london_time_and_names_the_meeting() -> None:
    summer = datetime(2026, 6, 1, 23, 30, tzinfo=UTC)  # 00:30 on 2 June in London
    concern, raised_event = raise_concern("U0DEMOMEMB1", "Falling", None, now=summer)
    concern = replace(concern, id=7)
    _, escalated = escalate_concern(concern, ADVISOR, MEETINGS, now=summer)
    lines = history_lines([raised_event, escalated])
    assert lines == [
        "02 Jun 2026 00:30 U0DEMOMEMB1: raised (Open: with the governance advisor): Falling",
        "02 Jun 2026 00:30 U0DEMOGOV01: open -> escalated (meeting 22 Sep 2026)",
    ]


def test_more_refusals_in_words_and_a_one_day_deadline() -> None:
    with pytest.raises(ValueError) as naive:
        answer_concern(
            at_status(ConcernStatus.WITH_SERVICE), SEND_OFFICER, "x", now=datetime(2026, 11, 2, 10, 0)
        )
    assert str(naive.value) == "now must be an aware date-time"
    with pytest.raises(ConcernError) as blank:
        close_concern(at_status(ConcernStatus.ANSWERED), ADVISOR, "  ", now=NOW)
    assert str(blank.value) == "Please say the outcome, for the member and the record."
    # A service may be given a single working day: Monday to Tuesday.
    assert due_date(date(2026, 11, 2), 1) == date(2026, 11, 3)


def test_a_concern_no_longer_with_the_service_is_never_late() -> None:
    answered = Concern("U1", None, "x", ConcernStatus.ANSWERED, NOW, id=3, due_on=date(2026, 11, 2))
    assert working_days_late(answered, date(2026, 11, 9)) == 0
