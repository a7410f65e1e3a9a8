"""The scorecards store, the outbox and the leader lock, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine

from data import outbox, scorecards
from data.db import ensure_schema, make_engine, session_factory
from data.leader import Leader
from data.outbox import OutboxMessage, OutboxStatus
from scorecard.approval import (
    ScorecardRecord,
    ScorecardStatus,
    Step,
    approve,
    prepare,
    publish,
    return_to_draft,
    submit,
)
from scorecard.model import Role, Viewer

NOW = datetime(2024, 10, 25, 15, 0, tzinfo=UTC)
LATER = datetime(2024, 10, 28, 9, 0, tzinfo=UTC)
QUARTER_END = datetime(2024, 9, 30).date()
OFFICER = Viewer("U0DEMOPERF1", frozenset({Role.PERFORMANCE_OFFICER}))
APPROVER = Viewer("U0DEMOBRD01", frozenset({Role.BOARD_APPROVER}))
SNAPSHOT = {"version": 1, "quarter_label": "2024/25 Q2", "summary": {"text": "1 green"}}


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path: object) -> Engine:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path}/store.sqlite"
    else:
        url = request.getfixturevalue("postgres_url")
    made = make_engine(url)
    ensure_schema(made)
    request.addfinalizer(made.dispose)
    return made


def message(key: str, scorecard_id: int | None = None, not_before: datetime = NOW) -> OutboxMessage:
    return OutboxMessage(
        "slack:C0MEMBERS", "scorecard_summary", {"text": "hello"}, key, not_before, scorecard_id
    )


def submitted_in_store(engine: Engine) -> ScorecardRecord:
    sessions = session_factory(engine)
    with sessions.begin() as session:
        record, event = prepare("2024/25 Q2", OFFICER, now=NOW)
        saved = scorecards.save_step(session, record, event, quarter_end=QUARTER_END)
    with sessions.begin() as session:
        record, event = submit(saved, OFFICER, now=NOW)
        return scorecards.save_step(session, record, event)


def test_each_step_is_kept_with_its_event(engine: Engine) -> None:
    sessions = session_factory(engine)
    submitted = submitted_in_store(engine)
    with sessions.begin() as session:
        record, event = return_to_draft(submitted, APPROVER, now=NOW, comment="Check DEM-01")
        scorecards.save_step(session, record, event)

    with sessions.begin() as session:
        stored = scorecards.by_quarter(session, "2024/25 Q2")
        assert stored is not None and stored.id is not None
        events = scorecards.events_of(session, stored.id)

    assert stored.status is ScorecardStatus.DRAFT
    assert [(e.step, e.who, e.comment) for e in events] == [
        (Step.PREPARE, "U0DEMOPERF1", ""),
        (Step.SUBMIT, "U0DEMOPERF1", ""),
        (Step.RETURN, "U0DEMOBRD01", "Check DEM-01"),
    ]
    assert events[0].at == NOW


def test_approval_keeps_the_snapshot_figures_events_and_outbox_together(engine: Engine) -> None:
    sessions = session_factory(engine)
    submitted = submitted_in_store(engine)
    with sessions.begin() as session:
        record, event = approve(submitted, APPROVER, now=NOW, publish_at=LATER)
        scorecards.approve(
            session,
            record,
            event,
            SNAPSHOT,
            {("DEM-01", "2024-09-30"): 1473.0},
            [message("k1", submitted.id, LATER), message("k1", submitted.id, LATER)],
            now=NOW,
        )

    with sessions.begin() as session:
        assert submitted.id is not None
        assert scorecards.snapshot_of(session, submitted.id) == SNAPSHOT
        assert [i.message.idempotency_key for i in outbox.items(session, scorecard_id=submitted.id)] == ["k1"]
        assert scorecards.published_values(session, ["DEM-01"]) == {}  # not published yet
        [due] = scorecards.due_for_publication(session, LATER)
        published, step = publish(due, now=LATER)
        assert scorecards.mark_published(session, published, step)
        assert not scorecards.mark_published(session, published, step)  # a second copy: no
    with sessions.begin() as session:
        assert scorecards.published_values(session, ["DEM-01"]) == {("DEM-01", "2024-09-30"): 1473.0}
        found = scorecards.published(session)
        assert found is not None and found.snapshot == SNAPSHOT


def test_a_failed_approval_keeps_nothing(engine: Engine) -> None:
    sessions = session_factory(engine)
    submitted = submitted_in_store(engine)
    with pytest.raises(RuntimeError), sessions.begin() as session:
        record, event = approve(submitted, APPROVER, now=NOW, publish_at=LATER)
        scorecards.approve(session, record, event, SNAPSHOT, {}, [message("k1", submitted.id)], now=NOW)
        raise RuntimeError("the power went")

    with sessions.begin() as session:
        stored = scorecards.by_quarter(session, "2024/25 Q2")
        assert stored is not None and stored.status is ScorecardStatus.SUBMITTED
        assert outbox.items(session) == []


def test_two_approvals_at_once_keep_one(engine: Engine) -> None:
    sessions = session_factory(engine)
    submitted = submitted_in_store(engine)
    with sessions.begin() as session:
        record, event = approve(submitted, APPROVER, now=NOW, publish_at=LATER)
        scorecards.approve(session, record, event, SNAPSHOT, {}, [], now=NOW)
    other = Viewer("U0DEMOBRD02", frozenset({Role.BOARD_APPROVER}))

    with pytest.raises(scorecards.ChangedMeanwhile), sessions.begin() as session:
        record, event = approve(submitted, other, now=NOW, publish_at=LATER)  # read before the first
        scorecards.approve(session, record, event, SNAPSHOT, {}, [], now=NOW)


def test_an_outbox_message_is_claimed_by_one_sender_and_sent_once(engine: Engine) -> None:
    sessions = session_factory(engine)
    with sessions.begin() as session:
        assert outbox.enqueue(session, message("reminder:x"), now=NOW)
        assert not outbox.enqueue(session, message("reminder:x"), now=NOW)

    with sessions.begin() as session:
        [mine] = outbox.claim_due(session, "a", now=NOW)
    with sessions.begin() as session:
        assert outbox.claim_due(session, "b", now=NOW) == []
        assert outbox.mark_sent(session, mine.id, mine.claimed_by or "", now=NOW, external_id="1.2")
    with sessions.begin() as session:
        [item] = outbox.items(session)
    assert (item.status, item.external_id, item.attempts) == (OutboxStatus.SENT, "1.2", 1)


def test_a_claim_left_by_a_dead_sender_is_taken_over_after_a_while(engine: Engine) -> None:
    sessions = session_factory(engine)
    with sessions.begin() as session:
        outbox.enqueue(session, message("reminder:y"), now=NOW)
    with sessions.begin() as session:
        [dead] = outbox.claim_due(session, "a", now=NOW)

    with sessions.begin() as session:
        assert outbox.claim_due(session, "b", now=NOW + outbox.STALE_CLAIM - timedelta(seconds=1)) == []
    # Within a minute of the sender's death, its message is another's to send.
    assert timedelta(minutes=1) > outbox.STALE_CLAIM
    with sessions.begin() as session:
        [taken] = outbox.claim_due(session, "b", now=NOW + outbox.STALE_CLAIM + timedelta(seconds=1))
        assert not outbox.mark_sent(session, dead.id, dead.claimed_by or "", now=NOW, external_id="x")
    assert taken.attempts == 2


def test_a_claim_its_live_sender_renews_is_never_taken_over(engine: Engine) -> None:
    sessions = session_factory(engine)
    with sessions.begin() as session:
        outbox.enqueue(session, message("reminder:slow"), now=NOW)
    with sessions.begin() as session:
        [slow] = outbox.claim_due(session, "a", now=NOW)
    token = slow.claimed_by or ""
    for seconds in (20, 40, 60, 80):  # renewed every 20 seconds, well inside the lease
        with sessions.begin() as session:
            assert outbox.renew(session, {token}, now=NOW + timedelta(seconds=seconds)) == {token}
        with sessions.begin() as session:
            assert outbox.claim_due(session, "b", now=NOW + timedelta(seconds=seconds + 25)) == []
    with sessions.begin() as session:
        [taken] = outbox.claim_due(session, "b", now=NOW + timedelta(seconds=80) + outbox.STALE_CLAIM * 2)
    with sessions.begin() as session:
        assert outbox.renew(session, {token}, now=NOW + timedelta(seconds=200)) == set()
    assert taken.attempts == 2


def test_a_released_message_is_tried_again_and_fails_for_good_after_the_limit(engine: Engine) -> None:
    sessions = session_factory(engine)
    with sessions.begin() as session:
        outbox.enqueue(session, message("reminder:z"), now=NOW)
    status = OutboxStatus.PENDING
    for _ in range(outbox.MAX_ATTEMPTS):
        with sessions.begin() as session:
            [item] = outbox.claim_due(session, "a", now=NOW)
            status = outbox.release(session, item.id, item.claimed_by or "", error="slack down")
    assert status is OutboxStatus.FAILED
    with sessions.begin() as session:
        assert outbox.claim_due(session, "a", now=NOW) == []


def test_a_scorecards_messages_wait_for_its_publication(engine: Engine) -> None:
    sessions = session_factory(engine)
    submitted = submitted_in_store(engine)
    with sessions.begin() as session:
        record, event = approve(submitted, APPROVER, now=NOW, publish_at=NOW)
        scorecards.approve(session, record, event, SNAPSHOT, {}, [message("k", submitted.id)], now=NOW)
    with sessions.begin() as session:
        assert outbox.claim_due(session, "a", now=LATER) == []  # approved, not yet published


def test_only_one_leader_at_a_time(engine: Engine) -> None:
    first, second = Leader(engine, holder="one"), Leader(engine, holder="two")
    try:
        assert first.acquire(NOW)
        assert not second.acquire(NOW)
        assert first.acquire(NOW + timedelta(minutes=1))  # renewing
        first.release()
        assert second.acquire(NOW + timedelta(minutes=1))
        assert not first.acquire(NOW + timedelta(minutes=1))
    finally:
        first.release()
        second.release()


def test_a_sqlite_lease_that_was_not_renewed_is_taken_over(tmp_path: object) -> None:
    made = make_engine(f"sqlite:///{tmp_path}/lease.sqlite")
    ensure_schema(made)
    try:
        gone, next_one = Leader(made, holder="gone"), Leader(made, holder="next")
        assert gone.acquire(NOW)
        assert not next_one.acquire(NOW + gone.lease - timedelta(seconds=1))
        assert next_one.acquire(NOW + gone.lease + timedelta(seconds=1))
        assert not gone.acquire(NOW + gone.lease + timedelta(seconds=2))
    finally:
        made.dispose()
