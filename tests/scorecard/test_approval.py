"""The scorecard's life: every transition, who may take it, and every refusal in words."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from scorecard.approval import (
    PUBLISHER,
    ApprovalRefused,
    ApproverIsSubmitter,
    CommentNeeded,
    NotAllowedNow,
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
    when_words,
)
from scorecard.model import Role, Viewer

NOW = datetime(2024, 10, 25, 15, 0, tzinfo=UTC)
PUBLISH_AT = datetime(2024, 10, 28, 9, 0, tzinfo=UTC)
Q2 = "2024/25 Q2"

OFFICER = Viewer("U0DEMOPERF1", frozenset({Role.MEMBER, Role.PERFORMANCE_OFFICER}))
APPROVER = Viewer("U0DEMOBRD01", frozenset({Role.MEMBER, Role.BOARD_APPROVER}))
OTHER_APPROVER = Viewer("U0DEMOBRD02", frozenset({Role.MEMBER, Role.BOARD_APPROVER}))
MEMBER = Viewer("U0DEMOMEMB1", frozenset({Role.MEMBER}))
ADVISOR = Viewer("U0DEMOGOV01", frozenset({Role.MEMBER, Role.GOVERNANCE_ADVISOR}))
# Someone who is both: may submit, but then may not approve their own submission.
BOTH = Viewer("U0BOTH", frozenset({Role.MEMBER, Role.PERFORMANCE_OFFICER, Role.BOARD_APPROVER}))


def draft() -> ScorecardRecord:
    return prepare(Q2, OFFICER, now=NOW)[0]


def submitted(by: Viewer = OFFICER) -> ScorecardRecord:
    return submit(prepare(Q2, by, now=NOW)[0], by, now=NOW + timedelta(minutes=5))[0]


def approved() -> ScorecardRecord:
    return approve(submitted(), APPROVER, now=NOW + timedelta(hours=1), publish_at=PUBLISH_AT)[0]


def published() -> ScorecardRecord:
    return publish(approved(), now=PUBLISH_AT)[0]


# --- transitions ------------------------------------------------------------------------------


def test_a_performance_officer_prepares_a_draft() -> None:
    record, event = prepare(Q2, OFFICER, now=NOW)

    assert record.status is ScorecardStatus.DRAFT
    assert (record.quarter, record.prepared_by, record.prepared_at) == (Q2, "U0DEMOPERF1", NOW)
    assert (event.step, event.from_status, event.to_status) == (Step.PREPARE, None, ScorecardStatus.DRAFT)
    assert (event.who, event.at) == ("U0DEMOPERF1", NOW)


def test_preparing_a_draft_again_records_a_draft_to_draft_step() -> None:
    later = NOW + timedelta(days=1)

    record, event = prepare(Q2, OFFICER, now=later, existing=draft(), comment="Added the September figures")

    assert (record.status, record.prepared_at) == (ScorecardStatus.DRAFT, later)
    assert (event.from_status, event.to_status) == (ScorecardStatus.DRAFT, ScorecardStatus.DRAFT)
    assert event.comment == "Added the September figures"


def test_a_performance_officer_submits_the_draft() -> None:
    at = NOW + timedelta(minutes=5)

    record, event = submit(draft(), OFFICER, now=at, comment="Ready for the board")

    assert record.status is ScorecardStatus.SUBMITTED
    assert (record.submitted_by, record.submitted_at) == ("U0DEMOPERF1", at)
    assert (event.step, event.from_status, event.to_status) == (
        Step.SUBMIT, ScorecardStatus.DRAFT, ScorecardStatus.SUBMITTED,
    )
    assert event.comment == "Ready for the board"


def test_a_board_approver_who_did_not_submit_approves_and_publication_is_scheduled() -> None:
    at = NOW + timedelta(hours=1)

    record, event = approve(submitted(), APPROVER, now=at, publish_at=PUBLISH_AT, comment="Agreed")

    assert record.status is ScorecardStatus.APPROVED
    assert (record.approved_by, record.approved_at, record.publish_at) == ("U0DEMOBRD01", at, PUBLISH_AT)
    assert (event.who, event.step, event.from_status, event.to_status, event.comment) == (
        "U0DEMOBRD01", Step.APPROVE, ScorecardStatus.SUBMITTED, ScorecardStatus.APPROVED, "Agreed",
    )


def test_a_board_approver_returns_it_with_a_comment_and_it_is_a_draft_again() -> None:
    record, event = return_to_draft(submitted(), APPROVER, now=NOW, comment="  Check the CLA rate  ")

    assert record.status is ScorecardStatus.DRAFT
    assert record.submitted_by is None
    assert (event.step, event.from_status, event.to_status) == (
        Step.RETURN, ScorecardStatus.SUBMITTED, ScorecardStatus.DRAFT,
    )
    assert event.comment == "Check the CLA rate"


def test_a_returned_draft_can_be_submitted_and_approved_afresh() -> None:
    returned = return_to_draft(submitted(), APPROVER, now=NOW, comment="Fix it")[0]
    again = submit(returned, OFFICER, now=NOW + timedelta(hours=2))[0]

    record = approve(again, OTHER_APPROVER, now=NOW + timedelta(hours=3), publish_at=PUBLISH_AT)[0]

    assert record.status is ScorecardStatus.APPROVED


def test_the_bot_publishes_once_the_time_has_come() -> None:
    record, event = publish(approved(), now=PUBLISH_AT)

    assert (record.status, record.published_at) == (ScorecardStatus.PUBLISHED, PUBLISH_AT)
    assert (event.who, event.step, event.from_status) == (PUBLISHER, Step.PUBLISH, ScorecardStatus.APPROVED)


# --- refusals ---------------------------------------------------------------------------------


@pytest.mark.parametrize("viewer", [MEMBER, ADVISOR, APPROVER])
def test_only_a_performance_officer_prepares(viewer: Viewer) -> None:
    with pytest.raises(WrongRole) as refused:
        prepare(Q2, viewer, now=NOW)

    assert refused.value.needed_role is Role.PERFORMANCE_OFFICER
    assert "Only a performance officer can prepare the 2024/25 Q2 scorecard" in refused.value.message


@pytest.mark.parametrize("viewer", [MEMBER, ADVISOR, APPROVER])
def test_only_a_performance_officer_submits(viewer: Viewer) -> None:
    with pytest.raises(WrongRole, match="Only a performance officer can submit"):
        submit(draft(), viewer, now=NOW)


@pytest.mark.parametrize("viewer", [MEMBER, ADVISOR, OFFICER])
def test_only_a_board_approver_approves(viewer: Viewer) -> None:
    with pytest.raises(WrongRole) as refused:
        approve(submitted(), viewer, now=NOW, publish_at=PUBLISH_AT)

    assert refused.value.needed_role is Role.BOARD_APPROVER
    assert "Only a Performance Board approver can approve the 2024/25 Q2 scorecard" in str(refused.value)


@pytest.mark.parametrize("viewer", [MEMBER, ADVISOR, OFFICER])
def test_only_a_board_approver_returns(viewer: Viewer) -> None:
    with pytest.raises(WrongRole, match="Only a Performance Board approver can return"):
        return_to_draft(submitted(), viewer, now=NOW, comment="no")


def test_an_approver_may_not_approve_what_they_submitted() -> None:
    mine = submitted(by=BOTH)

    with pytest.raises(ApproverIsSubmitter) as refused:
        approve(mine, BOTH, now=NOW, publish_at=PUBLISH_AT)

    assert refused.value.message == (
        "You submitted the 2024/25 Q2 scorecard, so another Performance Board approver must approve it."
    )


def test_an_approver_may_not_return_what_they_submitted() -> None:
    with pytest.raises(ApproverIsSubmitter, match="another Performance Board approver must return it"):
        return_to_draft(submitted(by=BOTH), BOTH, now=NOW, comment="Hmm")


def test_approving_twice_is_refused_saying_when_it_will_be_published() -> None:
    with pytest.raises(NotAllowedNow) as refused:
        approve(approved(), OTHER_APPROVER, now=NOW, publish_at=PUBLISH_AT)

    assert refused.value.message == (
        "You cannot approve it: the 2024/25 Q2 scorecard has already been approved and will be "
        "published on Monday 28 October 2024 at 09:00."
    )


def test_returning_a_published_scorecard_is_refused() -> None:
    with pytest.raises(NotAllowedNow, match="has been published, so it can no longer be returned"):
        return_to_draft(published(), OTHER_APPROVER, now=NOW, comment="Too late")


def test_returning_an_approved_scorecard_is_refused() -> None:
    with pytest.raises(NotAllowedNow, match="already been approved, so it can no longer be returned"):
        return_to_draft(approved(), OTHER_APPROVER, now=NOW, comment="Wait")


def test_approving_a_draft_is_refused() -> None:
    with pytest.raises(NotAllowedNow, match="the performance team has not submitted it yet"):
        approve(draft(), APPROVER, now=NOW, publish_at=PUBLISH_AT)


def test_submitting_twice_is_refused() -> None:
    with pytest.raises(NotAllowedNow, match="waiting for a Performance Board approver"):
        submit(submitted(), OFFICER, now=NOW)


def test_preparing_a_submitted_scorecard_is_refused() -> None:
    with pytest.raises(NotAllowedNow, match="You cannot prepare it"):
        prepare(Q2, OFFICER, now=NOW, existing=submitted())


def test_submitting_nothing_is_refused() -> None:
    with pytest.raises(NotAllowedNow, match="a performance officer prepares it first"):
        submit(None, OFFICER, now=NOW)


def test_returning_needs_a_comment() -> None:
    with pytest.raises(CommentNeeded, match="Please say why you are returning"):
        return_to_draft(submitted(), APPROVER, now=NOW, comment="   ")


def test_a_very_long_comment_is_refused() -> None:
    with pytest.raises(CommentNeeded, match="3,000 characters"):
        return_to_draft(submitted(), APPROVER, now=NOW, comment="x" * 3001)


def test_publishing_twice_is_refused() -> None:
    with pytest.raises(NotAllowedNow, match="already been published"):
        publish(published(), now=PUBLISH_AT)


def test_publishing_before_the_scheduled_time_is_refused() -> None:
    with pytest.raises(NotAllowedNow, match="not before"):
        publish(approved(), now=PUBLISH_AT - timedelta(minutes=1))


def test_publishing_a_submitted_scorecard_is_refused() -> None:
    with pytest.raises(NotAllowedNow):
        publish(submitted(), now=PUBLISH_AT)


def test_refusals_are_all_approval_refused_and_never_show_figures() -> None:
    for attempt in (
        lambda: approve(submitted(), MEMBER, now=NOW, publish_at=PUBLISH_AT),
        lambda: approve(approved(), OTHER_APPROVER, now=NOW, publish_at=PUBLISH_AT),
    ):
        with pytest.raises(ApprovalRefused) as refused:
            attempt()
        assert "%" not in refused.value.message


def test_a_naive_now_is_a_bug() -> None:
    with pytest.raises(ValueError, match="aware"):
        prepare(Q2, OFFICER, now=datetime(2024, 10, 25, 15, 0))


# --- buttons ----------------------------------------------------------------------------------


def test_steps_open_to_each_person() -> None:
    assert steps_open_to(None, OFFICER) == [Step.PREPARE]
    assert steps_open_to(draft(), OFFICER) == [Step.PREPARE, Step.SUBMIT]
    assert steps_open_to(submitted(), APPROVER) == [Step.APPROVE, Step.RETURN]
    assert steps_open_to(submitted(by=BOTH), BOTH) == []
    assert steps_open_to(submitted(), MEMBER) == []
    assert steps_open_to(approved(), OTHER_APPROVER) == []


def test_when_words_are_london_time() -> None:
    assert when_words(datetime(2024, 8, 27, 8, 0, tzinfo=UTC)) == "Tuesday 27 August 2024 at 09:00"


def test_a_comment_with_a_character_the_store_cannot_keep_is_refused() -> None:
    with pytest.raises(CommentNeeded, match=r"a character that cannot be stored \(a NUL, character code 0\)"):
        return_to_draft(submitted(), APPROVER, now=NOW, comment="Check\x00 the CLA rate")
