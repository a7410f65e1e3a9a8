"""The concerns store: raising a concern exactly once, recording each later step, and reading them.

Nothing here deletes or rewrites history: a concern's life is appended as events. The
`concerns` row also holds where the concern stands now (status, service area, due date,
meeting), written in the same transaction as the event that moved it and only if its status is
still the one the step started from, so two people acting at once cannot both move it; the
events remain the record it can be rebuilt from. Date-times are stored as naive UTC like the
rest of the store and handed out aware.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from data.schema import ConcernEventRow, ConcernRow, MeetingRow, RoleRow
from scorecard.concerns import Concern, ConcernEvent, ConcernRefused, ConcernStatus
from scorecard.model import Meeting, Role


def _naive_utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)


class ConcernMoved(ConcernRefused):
    """Someone else moved the concern a moment ago: the step was not recorded."""

    def __init__(self, reference: str) -> None:
        super().__init__(f"{reference} changed a moment ago. Look at it again before you act on it.")


def _meeting(session: Session | None, committee: str | None, on: date | None) -> Meeting | None:
    if committee is None or on is None:
        return None
    if session is not None:
        row = session.scalar(
            select(MeetingRow).where(MeetingRow.committee == committee, MeetingRow.date == on)
        )
        if row is not None:
            return Meeting(
                committee=row.committee,
                date=row.date,
                focus_clusters=tuple(name for name in row.focus_clusters.split(";") if name),
                agenda_deadline=row.agenda_deadline,
            )
    return Meeting(committee=committee, date=on)


def _card(stored: object) -> dict[str, Any] | None:
    return stored if isinstance(stored, dict) else None


def _concern(row: ConcernRow, session: Session | None = None) -> Concern:
    return Concern(
        id=row.id,
        member=row.member,
        indicator_code=row.indicator_code,
        text=row.text,
        status=ConcernStatus(row.status),
        created_at=row.created_at.replace(tzinfo=UTC),
        service_area=row.service_area,
        due_on=row.due_on,
        meeting=_meeting(session, row.meeting_committee, row.meeting_date),
        card=_card(row.card),
    )


def _event(row: ConcernEventRow) -> ConcernEvent:
    return ConcernEvent(
        concern_id=row.concern_id,
        at=row.at.replace(tzinfo=UTC),
        who=row.who,
        from_status=None if row.from_status is None else ConcernStatus(row.from_status),
        to_status=ConcernStatus(row.to_status),
        text=row.text,
        step=row.step,
        service_area=row.service_area,
        due_on=row.due_on,
        meeting=_meeting(None, row.meeting_committee, row.meeting_date),
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
        card=None if concern.card is None else dict(concern.card),
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
        return _concern(again, session), False
    return _concern(row, session), True


def _by_key(session: Session, key: str) -> ConcernRow | None:
    return session.scalar(select(ConcernRow).where(ConcernRow.idempotency_key == key))


def concerns_of(session: Session, member: str) -> list[Concern]:
    """A member's concerns, newest first."""
    query = (
        select(ConcernRow)
        .where(ConcernRow.member == member)
        .order_by(ConcernRow.created_at.desc(), ConcernRow.id.desc())
    )
    return [_concern(row, session) for row in session.scalars(query)]


def open_concerns(session: Session) -> list[Concern]:
    """The advisor's queue: concerns still `open`, oldest first."""
    query = (
        select(ConcernRow)
        .where(ConcernRow.status == ConcernStatus.OPEN.value)
        .order_by(ConcernRow.created_at, ConcernRow.id)
    )
    return [_concern(row, session) for row in session.scalars(query)]


def events_of(session: Session, concern_id: int) -> list[ConcernEvent]:
    """A concern's life, oldest step first."""
    query = (
        select(ConcernEventRow)
        .where(ConcernEventRow.concern_id == concern_id)
        .order_by(ConcernEventRow.at, ConcernEventRow.id)
    )
    return [_event(row) for row in session.scalars(query)]


def concern(session: Session, concern_id: int) -> Concern | None:
    """One concern as it stands, or None. Whether the asker may see it is the domain's call."""
    row = session.get(ConcernRow, concern_id)
    return None if row is None else _concern(row, session)


def record_step(session: Session, before: Concern, after: Concern, event: ConcernEvent) -> Concern:
    """Keep a step of a concern's life: the event appended, the concern's row moved to where the
    step left it. Raises ConcernMoved (nothing kept) when the concern is no longer as `before`
    says, e.g. two advisors pressed Escalate and Close at once; only one step is kept."""
    return record_step_kept(session, before, after, event)[0]


def record_step_kept(
    session: Session, before: Concern, after: Concern, event: ConcernEvent
) -> tuple[Concern, int]:
    """As `record_step`, and the kept event's id: the messages the step causes are keyed by it,
    so each step's messages are queued once."""
    if before.id is None or after.id != before.id:
        raise ValueError("a step is recorded on a kept concern")
    meeting = after.meeting
    moved = session.execute(
        update(ConcernRow)
        .where(ConcernRow.id == before.id, ConcernRow.status == before.status.value)
        .values(
            status=after.status.value,
            service_area=after.service_area,
            due_on=after.due_on,
            meeting_committee=None if meeting is None else meeting.committee,
            meeting_date=None if meeting is None else meeting.date,
        )
        .execution_options(synchronize_session=False)
    )
    if getattr(moved, "rowcount", 0) != 1:
        raise ConcernMoved(before.reference)
    kept = ConcernEventRow(
        concern_id=before.id,
        at=_naive_utc(event.at),
        who=event.who,
        from_status=None if event.from_status is None else event.from_status.value,
        to_status=event.to_status.value,
        text=event.text,
        step=event.step,
        service_area=event.service_area,
        due_on=event.due_on,
        meeting_committee=None if event.meeting is None else event.meeting.committee,
        meeting_date=None if event.meeting is None else event.meeting.date,
    )
    session.add(kept)
    session.flush()
    event_id = kept.id
    session.expire_all()
    return after, event_id


def concerns_with_status(
    session: Session, statuses: Collection[ConcernStatus] | None = None
) -> list[Concern]:
    """Concerns in these statuses (default: all), oldest first: the advisor's queue."""
    query = select(ConcernRow).order_by(ConcernRow.created_at, ConcernRow.id)
    if statuses is not None:
        query = query.where(ConcernRow.status.in_([status.value for status in statuses]))
    return [_concern(row, session) for row in session.scalars(query)]


def concerns_for_areas(session: Session, areas: Iterable[str]) -> list[Concern]:
    """Concerns sent to these service areas, oldest first: a service officer's list."""
    wanted = sorted(set(areas))
    if not wanted:
        return []
    query = (
        select(ConcernRow)
        .where(ConcernRow.service_area.in_(wanted))
        .order_by(ConcernRow.created_at, ConcernRow.id)
    )
    return [_concern(row, session) for row in session.scalars(query)]


def escalated_to(session: Session, meeting: Meeting) -> list[Concern]:
    """Every concern escalated to this meeting (still escalated, or closed after it), oldest first."""
    query = (
        select(ConcernRow)
        .where(ConcernRow.meeting_date == meeting.date, ConcernRow.meeting_committee == meeting.committee)
        .order_by(ConcernRow.created_at, ConcernRow.id)
    )
    return [_concern(row, session) for row in session.scalars(query)]


def service_officers(session: Session) -> dict[str, list[str]]:
    """Each service area in the roles table and its service officers (user ids), A to Z."""
    query = (
        select(RoleRow.service_area, RoleRow.user)
        .where(RoleRow.role == Role.SERVICE_OFFICER.value, RoleRow.service_area != "")
        .order_by(RoleRow.service_area, RoleRow.user)
    )
    officers: dict[str, list[str]] = {}
    for area, user in session.execute(query):
        officers.setdefault(area, []).append(user)
    return officers


def users_with_role(session: Session, role: Role) -> list[str]:
    """The users the roles table gives `role` (e.g. the governance advisors), A to Z."""
    query = select(RoleRow.user).where(RoleRow.role == role.value).distinct().order_by(RoleRow.user)
    return list(session.scalars(query))
