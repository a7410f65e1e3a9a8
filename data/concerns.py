"""The concerns store: raising a concern exactly once, and reading a member's or the open queue.

Nothing here deletes: a concern's life is appended as events. Date-times are stored as naive
UTC like the rest of the store and handed out aware.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from data.schema import ConcernEventRow, ConcernRow
from scorecard.concerns import Concern, ConcernEvent, ConcernStatus


def _naive_utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)


def _concern(row: ConcernRow) -> Concern:
    return Concern(
        id=row.id,
        member=row.member,
        indicator_code=row.indicator_code,
        text=row.text,
        status=ConcernStatus(row.status),
        created_at=row.created_at.replace(tzinfo=UTC),
    )


def _event(row: ConcernEventRow) -> ConcernEvent:
    return ConcernEvent(
        concern_id=row.concern_id,
        at=row.at.replace(tzinfo=UTC),
        who=row.who,
        from_status=None if row.from_status is None else ConcernStatus(row.from_status),
        to_status=ConcernStatus(row.to_status),
        text=row.text,
    )


def add_concern(
    session: Session, concern: Concern, first_event: ConcernEvent, idempotency_key: str
) -> Concern:
    """Keep a newly raised concern and its first event; if `idempotency_key` was seen before
    (a retried or double-clicked submission), the concern kept then, unchanged."""
    return add_concern_once(session, concern, first_event, idempotency_key)[0]


def add_concern_once(
    session: Session, concern: Concern, first_event: ConcernEvent, idempotency_key: str
) -> tuple[Concern, bool]:
    """As `add_concern`, and whether this call raised it (False: it was there already).

    The insert is tried first and the unique key decides: no read before it, so on SQLite a
    second submission waits for the first to commit instead of failing on a stale snapshot.
    """
    row = ConcernRow(
        member=concern.member,
        indicator_code=concern.indicator_code,
        text=concern.text,
        status=concern.status.value,
        created_at=_naive_utc(concern.created_at),
        idempotency_key=idempotency_key,
    )
    try:
        # A savepoint: when another copy of the bot kept the same key a moment ago, only this
        # insert is undone, not the caller's transaction.
        with session.begin_nested():
            session.add(row)
            session.flush()
            session.add(
                ConcernEventRow(
                    concern_id=row.id,
                    at=_naive_utc(first_event.at),
                    who=first_event.who,
                    from_status=None if first_event.from_status is None else first_event.from_status.value,
                    to_status=first_event.to_status.value,
                    text=first_event.text,
                )
            )
            session.flush()
    except IntegrityError:
        again = _by_key(session, idempotency_key)
        if again is None:
            raise
        return _concern(again), False
    return _concern(row), True


def _by_key(session: Session, key: str) -> ConcernRow | None:
    return session.scalar(select(ConcernRow).where(ConcernRow.idempotency_key == key))


def concerns_of(session: Session, member: str) -> list[Concern]:
    """A member's concerns, newest first."""
    query = (
        select(ConcernRow)
        .where(ConcernRow.member == member)
        .order_by(ConcernRow.created_at.desc(), ConcernRow.id.desc())
    )
    return [_concern(row) for row in session.scalars(query)]


def open_concerns(session: Session) -> list[Concern]:
    """The advisor's queue: concerns still `open`, oldest first."""
    query = (
        select(ConcernRow)
        .where(ConcernRow.status == ConcernStatus.OPEN.value)
        .order_by(ConcernRow.created_at, ConcernRow.id)
    )
    return [_concern(row) for row in session.scalars(query)]


def events_of(session: Session, concern_id: int) -> list[ConcernEvent]:
    """A concern's life, oldest step first."""
    query = (
        select(ConcernEventRow)
        .where(ConcernEventRow.concern_id == concern_id)
        .order_by(ConcernEventRow.at, ConcernEventRow.id)
    )
    return [_event(row) for row in session.scalars(query)]
