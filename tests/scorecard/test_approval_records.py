"""What each step of the scorecard's approval records, and the exact words of each refusal
(issue 16: mutation testing found these unchecked)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from test_approval import (
    APPROVER,
    BOTH,
    MEMBER,
    NOW,
    OFFICER,
    OTHER_APPROVER,
    PUBLISH_AT,
    Q2,
    approved,
    submitted,
)

from scorecard.approval import (
    PUBLISHER,
    ApprovalRefused,
    ApproverIsSubmitter,
    CommentNeeded,
    NotAllowedNow,
    ScorecardEvent,
    ScorecardRecord,
    ScorecardStatus,
    Step,
    WrongRole,
    approve,
    prepare,
    publish,
    return_to_draft,
    steps_open_to,
    submit,
)
from scorecard.model import Role

LATER = NOW + timedelta(hours=2)


def kept(record: ScorecardRecord) -> ScorecardRecord:
    return replace(record, id=12)


def refusal(step: object) -> ApprovalRefused:
    with pytest.raises(ApprovalRefused) as refused:
        step()  # type: ignore[operator]
    return refused.value


# --- what each step records --------------------------------------------------------------------


def test_preparing_records_who_and_when_and_keeps_the_record() -> None:
    record, event = prepare(Q2, OFFICER, now=NOW, comment=" First go ")
    assert record == ScorecardRecord(Q2, ScorecardStatus.DRAFT, OFFICER.user, NOW)
    assert event == ScorecardEvent(NOW, OFFICER.user, Step.PREPARE, None, ScorecardStatus.DRAFT, "First go")
    other = OFFICER.__class__("U-other-officer", OFFICER.roles)
    again, event = prepare(Q2, other, now=LATER, existing=kept(record))
    assert (again.prepared_by, again.prepared_at, again.id) == (other.user, LATER, 12)
    assert event == ScorecardEvent(
        LATER, other.user, Step.PREPARE, ScorecardStatus.DRAFT, ScorecardStatus.DRAFT, "", 12
    )


def test_submitting_approving_returning_and_publishing_record_each_step() -> None:
    draft = kept(prepare(Q2, OFFICER, now=NOW)[0])
    sent, event = submit(draft, OFFICER, now=LATER, comment=" Ready ")
    assert (sent.status, sent.submitted_by, sent.submitted_at) == (
        ScorecardStatus.SUBMITTED,
        OFFICER.user,
        LATER,
    )
    assert event == ScorecardEvent(
        LATER, OFFICER.user, Step.SUBMIT, ScorecardStatus.DRAFT, ScorecardStatus.SUBMITTED, "Ready", 12
    )
    returned, event = return_to_draft(sent, APPROVER, now=LATER, comment=" Fix SEND-01 ")
    assert (returned.status, returned.submitted_by, returned.submitted_at) == (
        ScorecardStatus.DRAFT,
        None,
        None,
    )
    assert event == ScorecardEvent(
        LATER, APPROVER.user, Step.RETURN, ScorecardStatus.SUBMITTED, ScorecardStatus.DRAFT, "Fix SEND-01", 12
    )
    ok, event = approve(sent, APPROVER, now=LATER, publish_at=PUBLISH_AT, comment=" Fine ")
    assert (ok.status, ok.approved_by, ok.approved_at, ok.publish_at) == (
        ScorecardStatus.APPROVED,
        APPROVER.user,
        LATER,
        PUBLISH_AT,
    )
    assert event == ScorecardEvent(
        LATER, APPROVER.user, Step.APPROVE, ScorecardStatus.SUBMITTED, ScorecardStatus.APPROVED, "Fine", 12
    )
    out, event = publish(ok, now=PUBLISH_AT)
    assert (out.status, out.published_at) == (ScorecardStatus.PUBLISHED, PUBLISH_AT)
    assert event == ScorecardEvent(
        PUBLISH_AT, PUBLISHER, Step.PUBLISH, ScorecardStatus.APPROVED, ScorecardStatus.PUBLISHED, "", 12
    )


# --- the words of each refusal -----------------------------------------------------------------


def test_a_missing_role_is_named_with_whom_to_ask() -> None:
    member = refusal(lambda: prepare(Q2, MEMBER, now=NOW))
    assert isinstance(member, WrongRole)
    assert member.message == (
        "Only a performance officer can prepare the 2024/25 Q2 scorecard. If you should be able to, "
        "ask the performance team to add you to the roles table."
    )
    assert member.needed_role is Role.PERFORMANCE_OFFICER
    board = refusal(lambda: approve(submitted(), OFFICER, now=NOW, publish_at=PUBLISH_AT))
    assert isinstance(board, WrongRole)
    assert board.message == (
        "Only a Performance Board approver can approve the 2024/25 Q2 scorecard. If you should be able "
        "to, ask the Performance Board to add you to the roles table."
    )
    assert board.needed_role is Role.BOARD_APPROVER
    nothing_yet = refusal(lambda: submit(None, MEMBER, now=NOW))
    assert nothing_yet.message.startswith("Only a performance officer can submit the quarter's scorecard.")
    named = refusal(lambda: return_to_draft(None, MEMBER, now=NOW, comment="x", quarter=Q2))
    assert named.message.startswith("Only a Performance Board approver can return the 2024/25 Q2 scorecard.")


def test_a_step_before_there_is_a_scorecard_says_to_prepare_it() -> None:
    assert refusal(lambda: submit(None, OFFICER, now=NOW, quarter=Q2)).message == (
        "There is no 2024/25 Q2 scorecard yet: a performance officer prepares it first."
    )
    assert refusal(lambda: submit(None, OFFICER, now=NOW)).message == (
        "There is no quarter's scorecard yet: a performance officer prepares it first."
    )
    no_record = refusal(lambda: approve(None, APPROVER, now=NOW, publish_at=PUBLISH_AT, quarter=Q2))
    assert isinstance(no_record, NotAllowedNow)
    assert (
        no_record.message == "There is no 2024/25 Q2 scorecard yet: a performance officer prepares it first."
    )
    assert refusal(lambda: approve(None, APPROVER, now=NOW, publish_at=PUBLISH_AT)).message == (
        "There is no quarter's scorecard yet: a performance officer prepares it first."
    )


def test_a_step_the_scorecard_is_not_ready_for_says_where_it_stands() -> None:
    draft = prepare(Q2, OFFICER, now=NOW)[0]
    assert refusal(lambda: approve(draft, APPROVER, now=NOW, publish_at=PUBLISH_AT)).message == (
        "You cannot approve it: the 2024/25 Q2 scorecard is a draft: the performance team has not "
        "submitted it yet."
    )
    assert refusal(lambda: submit(submitted(), OFFICER, now=NOW)).message == (
        "You cannot submit it: the 2024/25 Q2 scorecard has been submitted and is waiting for a "
        "Performance Board approver."
    )
    unscheduled = replace(approved(), publish_at=None)
    assert refusal(lambda: submit(unscheduled, OFFICER, now=NOW)).message == (
        "You cannot submit it: the 2024/25 Q2 scorecard has already been approved."
    )
    out = publish(approved(), now=PUBLISH_AT)[0]
    assert refusal(lambda: submit(out, OFFICER, now=NOW)).message == (
        "You cannot submit it: the 2024/25 Q2 scorecard has already been published to members on "
        "Monday 28 October 2024 at 09:00."
    )
    assert refusal(lambda: submit(replace(out, published_at=None), OFFICER, now=NOW)).message == (
        "You cannot submit it: the 2024/25 Q2 scorecard has already been published to members."
    )
    assert refusal(lambda: return_to_draft(out, APPROVER, now=NOW, comment="x")).message == (
        "The 2024/25 Q2 scorecard has been published, so it can no longer be returned. "
        "Later corrections to the figures are shown beside them on the live cards."
    )
    prepared_twice = refusal(lambda: prepare(Q2, OFFICER, now=NOW, existing=submitted()))
    assert prepared_twice.message.startswith(
        "You cannot prepare it: the 2024/25 Q2 scorecard has been submitted"
    )


def test_the_submitter_cannot_approve_or_return_their_own() -> None:
    own = submitted(BOTH)
    for step, take in (
        ("approve", lambda: approve(own, BOTH, now=NOW, publish_at=PUBLISH_AT)),
        ("return", lambda: return_to_draft(own, BOTH, now=NOW, comment="x")),
    ):
        refused = refusal(take)
        assert isinstance(refused, ApproverIsSubmitter)
        assert refused.message == (
            f"You submitted the 2024/25 Q2 scorecard, so another Performance Board approver must {step} it."
        )
        assert refused.needed_role is Role.BOARD_APPROVER
    assert approve(own, OTHER_APPROVER, now=NOW, publish_at=PUBLISH_AT)[0].approved_by == OTHER_APPROVER.user


def test_a_comment_is_required_to_return_and_limited_in_length() -> None:
    blank = refusal(lambda: return_to_draft(submitted(), APPROVER, now=NOW, comment="  "))
    assert isinstance(blank, CommentNeeded)
    assert blank.message == (
        "Please say why you are returning the scorecard, so the performance team knows what to change."
    )
    long = refusal(lambda: submit(prepare(Q2, OFFICER, now=NOW)[0], OFFICER, now=NOW, comment="x" * 3001))
    assert long.message == "Please keep your comment to 3,000 characters: it has 3,001."
    assert (
        submit(prepare(Q2, OFFICER, now=NOW)[0], OFFICER, now=NOW, comment="x" * 3000)[1].comment
        == "x" * 3000
    )
    assert refusal(lambda: prepare(Q2, OFFICER, now=NOW, comment="x" * 3001)).message.startswith(
        "Please keep"
    )
    assert refusal(
        lambda: approve(submitted(), APPROVER, now=NOW, publish_at=PUBLISH_AT, comment="x" * 3001)
    ).message.startswith("Please keep")


def test_a_naive_time_is_a_programming_error() -> None:
    with pytest.raises(ValueError) as naive:
        prepare(Q2, OFFICER, now=NOW.replace(tzinfo=None))
    assert str(naive.value) == "now must be an aware date-time"


def test_buttons_skip_steps_the_viewer_may_not_take_but_keep_looking() -> None:
    # An officer who is also an approver, on someone else's submission: approve and return both.
    assert steps_open_to(submitted(), BOTH) == [Step.APPROVE, Step.RETURN]
    assert steps_open_to(None, BOTH) == [Step.PREPARE]
    assert steps_open_to(prepare(Q2, OFFICER, now=NOW)[0], BOTH) == [Step.PREPARE, Step.SUBMIT]


def test_steps_taken_without_a_comment_record_none_and_refusals_name_the_quarter() -> None:
    draft = prepare(Q2, OFFICER, now=NOW)[0]
    sent, event = submit(draft, OFFICER, now=LATER)
    assert event.comment == ""
    assert approve(sent, APPROVER, now=LATER, publish_at=PUBLISH_AT)[1].comment == ""
    assert refusal(lambda: return_to_draft(None, APPROVER, now=NOW, comment="x")).message == (
        "There is no quarter's scorecard yet: a performance officer prepares it first."
    )
    assert refusal(lambda: publish(draft, now=PUBLISH_AT)).message == (
        "You cannot publish it: the 2024/25 Q2 scorecard is a draft: "
        "the performance team has not submitted it yet."
    )
