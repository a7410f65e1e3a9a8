"""The scorecards store: each quarter's scorecard in its life, its events, its frozen snapshot.

Every step is saved with an UPDATE guarded by the status it started from, so two people
pressing Approve at once cannot both approve (the second gets `ChangedMeanwhile`). Approval
writes the status, its event, the frozen snapshot, the figures it shows and the outbox messages
that will publish it, all in the caller's one transaction. Nothing is ever deleted.
Date-times are stored as naive UTC and handed out aware.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from data.schema import (
    ObservationRow,
    RoleRow,
    ScorecardEventRow,
    ScorecardFigureRow,
    ScorecardRecordRow,
)
from scorecard.approval import ScorecardEvent, ScorecardRecord, ScorecardStatus, Step
from scorecard.model import Role

if TYPE_CHECKING:  # the outbox is imported where approval queues its messages, not to read
    from data.outbox import OutboxMessage

__all__ = [
    "ChangedMeanwhile",
    "PublishedScorecard",
    "approve",
    "awaiting_publication",
    "by_quarter",
    "due_for_publication",
    "events_of",
    "latest_figure_end",
    "mark_published",
    "published",
    "published_quarters",
    "published_values",
    "save_step",
    "snapshot_of",
    "users_with_role",
]


class ChangedMeanwhile(Exception):
    """Someone else moved the scorecard on since it was read; the message says so."""


@dataclass(frozen=True, slots=True)
class PublishedScorecard:
    """A published scorecard: its record and the snapshot frozen at approval."""

    record: ScorecardRecord
    snapshot: dict[str, Any]


def _naive(moment: datetime | None) -> datetime | None:
    return None if moment is None else moment.astimezone(UTC).replace(tzinfo=None)


def _aware(moment: datetime | None) -> datetime | None:
    return None if moment is None else moment.replace(tzinfo=UTC)


def _record(row: ScorecardRecordRow) -> ScorecardRecord:
    prepared_at = _aware(row.prepared_at)
    assert prepared_at is not None
    return ScorecardRecord(
        id=row.id,
        quarter=row.quarter,
        status=ScorecardStatus(row.status),
        prepared_by=row.prepared_by,
        prepared_at=prepared_at,
        submitted_by=row.submitted_by,
        submitted_at=_aware(row.submitted_at),
        approved_by=row.approved_by,
        approved_at=_aware(row.approved_at),
        publish_at=_aware(row.publish_at),
        published_at=_aware(row.published_at),
    )


def _event(row: ScorecardEventRow) -> ScorecardEvent:
    at = _aware(row.at)
    assert at is not None
    return ScorecardEvent(
        scorecard_id=row.scorecard_id,
        at=at,
        who=row.who,
        step=Step(row.step),
        from_status=None if row.from_status is None else ScorecardStatus(row.from_status),
        to_status=ScorecardStatus(row.to_status),
        comment=row.comment,
    )


def by_quarter(session: Session, quarter: str) -> ScorecardRecord | None:
    """The scorecard of a quarter ("2024/25 Q2"), if one has been prepared."""
    row = session.scalar(select(ScorecardRecordRow).where(ScorecardRecordRow.quarter == quarter))
    return None if row is None else _record(row)


def events_of(session: Session, scorecard_id: int) -> list[ScorecardEvent]:
    """A scorecard's life, oldest step first."""
    query = (
        select(ScorecardEventRow)
        .where(ScorecardEventRow.scorecard_id == scorecard_id)
        .order_by(ScorecardEventRow.at, ScorecardEventRow.id)
    )
    return [_event(row) for row in session.scalars(query)]


def _add_event(session: Session, scorecard_id: int, event: ScorecardEvent) -> None:
    session.add(
        ScorecardEventRow(
            scorecard_id=scorecard_id,
            at=_naive(event.at),
            who=event.who,
            step=event.step.value,
            from_status=None if event.from_status is None else event.from_status.value,
            to_status=event.to_status.value,
            comment=event.comment,
        )
    )


def _values(record: ScorecardRecord) -> dict[str, Any]:
    return {
        "status": record.status.value,
        "prepared_by": record.prepared_by,
        "prepared_at": _naive(record.prepared_at),
        "submitted_by": record.submitted_by,
        "submitted_at": _naive(record.submitted_at),
        "approved_by": record.approved_by,
        "approved_at": _naive(record.approved_at),
        "publish_at": _naive(record.publish_at),
        "published_at": _naive(record.published_at),
    }


def _changed(quarter: str) -> ChangedMeanwhile:
    return ChangedMeanwhile(
        f"The {quarter} scorecard was changed by someone else a moment ago. "
        "Look at it again (kpibot scorecard status) and try once more if still needed."
    )


def save_step(
    session: Session, record: ScorecardRecord, event: ScorecardEvent, *, quarter_end: date | None = None
) -> ScorecardRecord:
    """Keep a step (prepare, submit, return, publish) and its event; the record with its id.

    A first preparation inserts the quarter's row (`quarter_end` needed); later steps update it
    only if it is still in the status the step started from.
    """
    if record.id is None:
        if quarter_end is None:
            raise ValueError("a new scorecard needs its quarter_end")
        row = ScorecardRecordRow(quarter=record.quarter, quarter_end=quarter_end, **_values(record))
        try:
            with session.begin_nested():
                session.add(row)
                session.flush()
        except IntegrityError:
            raise _changed(record.quarter) from None
        _add_event(session, row.id, event)
        session.flush()
        return _record(row)
    assert event.from_status is not None
    result = session.execute(
        update(ScorecardRecordRow)
        .where(ScorecardRecordRow.id == record.id, ScorecardRecordRow.status == event.from_status.value)
        .values(**_values(record))
        .execution_options(synchronize_session=False)
    )
    if getattr(result, "rowcount", 0) != 1:
        raise _changed(record.quarter)
    _add_event(session, record.id, event)
    session.flush()
    return record


def approve(
    session: Session,
    record: ScorecardRecord,
    event: ScorecardEvent,
    snapshot: dict[str, Any],
    figures: dict[tuple[str, str], float | None],
    messages: Iterable[OutboxMessage],
    *,
    now: datetime,
) -> ScorecardRecord:
    """Keep an approval: the status and its event, the frozen `snapshot` (JSON), the figures it
    shows (`quarterly.published_values`) and the outbox `messages` that will publish it, in
    the caller's transaction: all of it or, on any error, none."""
    saved = save_step(session, record, event)
    assert saved.id is not None
    session.execute(
        update(ScorecardRecordRow)
        .where(ScorecardRecordRow.id == saved.id)
        .values(snapshot=snapshot)
        .execution_options(synchronize_session=False)
    )
    session.add_all(
        ScorecardFigureRow(
            scorecard_id=saved.id, code=code, period_end=date.fromisoformat(period_end), value=value
        )
        for (code, period_end), value in figures.items()
        if period_end
    )
    from data.outbox import enqueue

    for message in messages:
        enqueue(session, message, now=now)
    session.flush()
    return saved


def mark_published(session: Session, record: ScorecardRecord, event: ScorecardEvent) -> bool:
    """Publish an approved scorecard; False when another copy of the bot published it first."""
    try:
        save_step(session, record, event)
    except ChangedMeanwhile:
        return False
    return True


def due_for_publication(session: Session, now: datetime) -> list[ScorecardRecord]:
    """Approved scorecards whose publication time has come, oldest quarter first."""
    query = (
        select(ScorecardRecordRow)
        .where(
            ScorecardRecordRow.status == ScorecardStatus.APPROVED.value,
            ScorecardRecordRow.publish_at <= _naive(now),
        )
        .order_by(ScorecardRecordRow.quarter_end)
    )
    return [_record(row) for row in session.scalars(query)]


def snapshot_of(session: Session, scorecard_id: int) -> dict[str, Any] | None:
    """The snapshot frozen when the scorecard was approved (None before approval)."""
    found = session.scalar(select(ScorecardRecordRow.snapshot).where(ScorecardRecordRow.id == scorecard_id))
    return None if found is None else dict(found)


def published(session: Session, quarter: str | None = None) -> PublishedScorecard | None:
    """The published scorecard of `quarter`, or the latest quarter's when None."""
    query = select(ScorecardRecordRow).where(ScorecardRecordRow.status == ScorecardStatus.PUBLISHED.value)
    if quarter is not None:
        query = query.where(ScorecardRecordRow.quarter == quarter)
    row = session.scalar(query.order_by(ScorecardRecordRow.quarter_end.desc()).limit(1))
    if row is None or row.snapshot is None:
        return None
    return PublishedScorecard(_record(row), dict(row.snapshot))


def published_quarters(session: Session) -> list[str]:
    """The quarters with a published scorecard, latest first ("2024/25 Q2", "2024/25 Q1")."""
    query = (
        select(ScorecardRecordRow.quarter)
        .where(ScorecardRecordRow.status == ScorecardStatus.PUBLISHED.value)
        .order_by(ScorecardRecordRow.quarter_end.desc())
    )
    return list(session.scalars(query))


def awaiting_publication(session: Session) -> list[ScorecardRecord]:
    """Approved scorecards not yet published, soonest publication first."""
    query = (
        select(ScorecardRecordRow)
        .where(ScorecardRecordRow.status == ScorecardStatus.APPROVED.value)
        .order_by(ScorecardRecordRow.publish_at, ScorecardRecordRow.quarter_end)
    )
    return [_record(row) for row in session.scalars(query)]


# Built once (every card asks it): composing the select costs more than running it.
_PUBLISHED_VALUES = (
    select(ScorecardFigureRow.code, ScorecardFigureRow.period_end, ScorecardFigureRow.value)
    .join(ScorecardRecordRow, ScorecardRecordRow.id == ScorecardFigureRow.scorecard_id)
    .where(
        ScorecardRecordRow.status == ScorecardStatus.PUBLISHED.value,
        ScorecardFigureRow.code.in_(bindparam("codes", expanding=True)),
    )
    # Oldest first, so the latest publication's figure is the one left in the dict.
    .order_by(ScorecardRecordRow.quarter_end, ScorecardRecordRow.id)
)


def published_values(session: Session, codes: Sequence[str]) -> dict[tuple[str, str], float | None]:
    """The figure each (indicator code, period end ISO date) showed in the latest published
    scorecard that showed it: feed one to `build_card(published=...)`."""
    if not codes:
        return {}
    rows = session.connection().execute(_PUBLISHED_VALUES, {"codes": list(codes)})
    return {(code, end.isoformat()): value for code, end, value in rows}


def users_with_role(session: Session, role: Role) -> list[str]:
    """Everyone holding `role` in the roles table (the performance team, the board), A to Z."""
    query = select(RoleRow.user).where(RoleRow.role == role.value).distinct().order_by(RoleRow.user)
    return list(session.scalars(query))


def latest_figure_end(session: Session) -> date | None:
    """The end of the latest period any whole-authority figure is for."""
    return session.scalar(select(func.max(ObservationRow.period_end)).where(ObservationRow.area == ""))
