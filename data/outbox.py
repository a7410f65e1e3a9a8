"""The outbox: messages to deliver exactly once, written in the transaction that causes them.

A message's `idempotency_key` is unique, so enqueueing the same message twice keeps one row. A
sender `claim`s due rows (`pending` -> `sending`, with its name; an UPDATE guarded by the
status, so of two senders only one gets each row), delivers them, and marks them `sent` with
the destination's id for them (a Slack message's ts). A sender that died holding a claim is
taken over after `STALE_CLAIM`; before posting again the new sender looks for the message
at the destination (by its key), so a crash between posting and marking sent never posts twice.

A claim is a short lease (`STALE_CLAIM`): a live sender renews its claims (`renew`) while it
works, so only a sender that died leaves one to go stale, and its messages are taken over
within a minute. A sender only claims messages for destinations it can deliver to
(`destinations`): a copy with no Slack token never touches, let alone marks sent, a message
addressed to Slack.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, case, false, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from data.schema import OutboxRow, ScorecardRecordRow

__all__ = [
    "MAX_ATTEMPTS",
    "STALE_CLAIM",
    "OutboxItem",
    "OutboxMessage",
    "OutboxStatus",
    "claim_due",
    "count_waiting",
    "enqueue",
    "items",
    "mark_sent",
    "release",
    "renew",
]

# A claim not renewed for this long belongs to a sender that died: another may take the row
# over. Live senders renew every third of it (bot.publisher), so a slow send is never taken.
STALE_CLAIM = timedelta(seconds=30)
# After this many failed attempts a message is left `failed` for a person to look at.
MAX_ATTEMPTS = 10


PERSON = "person:"
CHANNEL = "channel:"


def to_person(person_id: str) -> str:
    """A direct message to a person (data.people), on whichever platform reaches them."""
    return f"{PERSON}{person_id}"


def to_channel(platform: str, channel_id: str) -> str:
    """A post in one platform's channel (the members' channel)."""
    return f"{CHANNEL}{platform}:{channel_id}"


@dataclass(frozen=True, slots=True)
class Destination:
    """A destination read back: a person (no platform: the sender routes it), or a platform's
    channel."""

    kind: str  # "person" or "channel"
    address: str
    platform: str | None = None


def destination_of(text: str) -> Destination | None:
    """`text` read as a destination; None for anything else (the newsletter, an unknown kind)."""
    if text.startswith(PERSON):
        return Destination("person", text.removeprefix(PERSON))
    if text.startswith(CHANNEL):
        platform, _, channel = text.removeprefix(CHANNEL).partition(":")
        return Destination("channel", channel, platform) if channel else None
    return None


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class OutboxMessage:
    """A message to send: where (a `to_person`, a `to_channel` or NEWSLETTER), what kind, its
    content (JSON-ready), its unique key, and not before when."""

    destination: str
    kind: str
    payload: dict[str, Any]
    idempotency_key: str
    not_before: datetime
    scorecard_id: int | None = None


@dataclass(frozen=True, slots=True)
class OutboxItem:
    """A stored message and where it stands."""

    id: int
    message: OutboxMessage
    status: OutboxStatus
    attempts: int
    created_at: datetime
    claimed_by: str | None
    sent_at: datetime | None
    external_id: str | None
    last_error: str | None


def _naive(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)


def _aware(moment: datetime | None) -> datetime | None:
    return None if moment is None else moment.replace(tzinfo=UTC)


def _item(row: OutboxRow) -> OutboxItem:
    return OutboxItem(
        id=row.id,
        message=OutboxMessage(
            destination=row.destination,
            kind=row.kind,
            payload=row.payload,
            idempotency_key=row.idempotency_key,
            not_before=row.not_before.replace(tzinfo=UTC),
            scorecard_id=row.scorecard_id,
        ),
        status=OutboxStatus(row.status),
        attempts=row.attempts,
        created_at=row.created_at.replace(tzinfo=UTC),
        claimed_by=row.claimed_by,
        sent_at=_aware(row.sent_at),
        external_id=row.external_id,
        last_error=row.last_error,
    )


def enqueue(session: Session, message: OutboxMessage, *, now: datetime) -> bool:
    """Keep `message` unless its key is already there; True when this call added it.

    A savepoint holds the insert, so when another copy of the bot added the same key a moment
    ago only this insert is undone, not the caller's transaction.
    """
    key = message.idempotency_key
    if session.scalar(select(OutboxRow.id).where(OutboxRow.idempotency_key == key)) is not None:
        return False
    try:
        with session.begin_nested():
            session.add(
                OutboxRow(
                    scorecard_id=message.scorecard_id,
                    destination=message.destination,
                    kind=message.kind,
                    payload=message.payload,
                    idempotency_key=key,
                    status=OutboxStatus.PENDING.value,
                    attempts=0,
                    created_at=_naive(now),
                    not_before=_naive(message.not_before),
                )
            )
            session.flush()
    except IntegrityError:
        return False
    return True


def claim_due(
    session: Session,
    holder: str,
    *,
    now: datetime,
    limit: int = 50,
    keys: Collection[str] | None = None,
    destinations: Collection[str] | None = None,
    stale_after: timedelta = STALE_CLAIM,
) -> list[OutboxItem]:
    """Claim the messages due at `now` for `holder` and return them (commit before delivering);
    each item's `claimed_by` is the claim's token, for `mark_sent` and `release`. With `keys`,
    only those messages (a step's own messages, delivered straight after it is kept). With
    `destinations` (prefixes such as "slack:" or exact names such as "newsletter"), only
    messages addressed to one of them: the others are left for a sender that can deliver them.

    Due: `pending` (or `sending` under a claim older than `STALE_CLAIM`), `not_before` passed,
    and, for a scorecard's messages, the scorecard published. One UPDATE claims them, its
    status condition checked row by row as it writes (PostgreSQL re-checks a row another
    sender changed meanwhile; SQLite runs one writer at a time), so of two racing senders
    exactly one claims each message and only that one delivers it. The UPDATE comes first in
    the transaction so that SQLite takes its write lock before reading anything.
    """
    at = _naive(now)
    stale = _naive(now - stale_after)
    # Each claim has its own token, so two rounds of the same holder never share rows.
    token = f"{holder}/{uuid.uuid4().hex[:12]}"[:200]
    claimable = or_(
        OutboxRow.status == OutboxStatus.PENDING.value,
        (OutboxRow.status == OutboxStatus.SENDING.value) & (OutboxRow.claimed_at < stale),
    )
    due = (
        select(OutboxRow.id)
        .outerjoin(ScorecardRecordRow, ScorecardRecordRow.id == OutboxRow.scorecard_id)
        .where(
            OutboxRow.not_before <= at,
            claimable,
            or_(OutboxRow.scorecard_id.is_(None), ScorecardRecordRow.status == "published"),
        )
        .order_by(OutboxRow.id)
        .limit(limit)
    )
    if keys is not None:
        due = due.where(OutboxRow.idempotency_key.in_(sorted(set(keys))))
    if destinations is not None:
        due = due.where(_addressed_to(destinations))
    session.execute(
        update(OutboxRow)
        .where(OutboxRow.id.in_(due), claimable)
        .values(
            status=OutboxStatus.SENDING.value,
            claimed_by=token,
            claimed_at=at,
            attempts=OutboxRow.attempts + 1,
        )
        .execution_options(synchronize_session=False)
    )
    rows = session.scalars(
        select(OutboxRow)
        .where(OutboxRow.status == OutboxStatus.SENDING.value, OutboxRow.claimed_by == token)
        .order_by(OutboxRow.id)
    ).all()
    return [_item(row) for row in rows]


def _addressed_to(destinations: Collection[str]) -> ColumnElement[bool]:
    """Rows whose destination is one of `destinations`, or starts with one ending in ":"."""
    exact = [name for name in destinations if not name.endswith(":")]
    prefixes = [name for name in destinations if name.endswith(":")]
    return or_(
        false(),
        OutboxRow.destination.in_(exact),
        *(OutboxRow.destination.startswith(prefix, autoescape=True) for prefix in prefixes),
    )


def renew(session: Session, tokens: Collection[str], *, now: datetime) -> set[str]:
    """Renew the claims held under `tokens` at `now`; the tokens still held (a claim another
    sender has taken over is no longer this sender's to send)."""
    if not tokens:
        return set()
    session.execute(
        update(OutboxRow)
        .where(OutboxRow.status == OutboxStatus.SENDING.value, OutboxRow.claimed_by.in_(sorted(tokens)))
        .values(claimed_at=_naive(now))
        .execution_options(synchronize_session=False)
    )
    held = session.scalars(
        select(OutboxRow.claimed_by).where(
            OutboxRow.status == OutboxStatus.SENDING.value, OutboxRow.claimed_by.in_(sorted(tokens))
        )
    )
    return {token for token in held if token is not None}


def count_waiting(session: Session, *, now: datetime, excluding: Collection[str] = ()) -> dict[str, int]:
    """Messages due and not yet sent, by destination kind ("slack", "dm", ...), leaving out
    those addressed to `excluding` (as in `claim_due`'s `destinations`)."""
    query = select(OutboxRow.destination).where(
        OutboxRow.status.in_([OutboxStatus.PENDING.value, OutboxStatus.SENDING.value]),
        OutboxRow.not_before <= _naive(now),
    )
    if excluding:
        query = query.where(~_addressed_to(excluding))
    counts: dict[str, int] = {}
    for destination in session.scalars(query):
        kind = destination.partition(":")[0]
        counts[kind] = counts.get(kind, 0) + 1
    return counts


def mark_sent(session: Session, item_id: int, holder: str, *, now: datetime, external_id: str) -> bool:
    """Mark a claimed message sent; False if the claim (`holder`: the item's `claimed_by`) is
    no longer held."""
    result = session.execute(
        update(OutboxRow)
        .where(
            OutboxRow.id == item_id,
            OutboxRow.status == OutboxStatus.SENDING.value,
            OutboxRow.claimed_by == holder,
        )
        .values(status=OutboxStatus.SENT.value, sent_at=_naive(now), external_id=external_id[:500])
        .execution_options(synchronize_session=False)
    )
    return getattr(result, "rowcount", 0) == 1


def release(session: Session, item_id: int, holder: str, *, error: str) -> OutboxStatus:
    """Give a claimed message back after a failed delivery: `pending` to be tried again on the
    next round, or `failed` after `MAX_ATTEMPTS`."""
    # The UPDATE comes first (no read before it), so on SQLite a release made while a Slack
    # step or another sender writes waits for the lock instead of failing on a stale snapshot.
    session.execute(
        update(OutboxRow)
        .where(
            OutboxRow.id == item_id,
            OutboxRow.status == OutboxStatus.SENDING.value,
            OutboxRow.claimed_by == holder,
        )
        .values(
            status=case(
                (OutboxRow.attempts >= MAX_ATTEMPTS, OutboxStatus.FAILED.value),
                else_=OutboxStatus.PENDING.value,
            ),
            claimed_by=None,
            claimed_at=None,
            last_error=error[:2000],
        )
        .execution_options(synchronize_session=False)
    )
    status = session.scalar(select(OutboxRow.status).where(OutboxRow.id == item_id))
    return OutboxStatus(status) if status is not None else OutboxStatus.FAILED


def items(
    session: Session, *, scorecard_id: int | None = None, key_prefix: str | None = None
) -> list[OutboxItem]:
    """Stored messages, oldest first: a scorecard's, or those whose key starts so, or all."""
    query = select(OutboxRow).order_by(OutboxRow.id)
    if scorecard_id is not None:
        query = query.where(OutboxRow.scorecard_id == scorecard_id)
    if key_prefix is not None:
        query = query.where(OutboxRow.idempotency_key.startswith(key_prefix, autoescape=True))
    return [_item(row) for row in session.scalars(query)]


def by_key(session: Session, key: str) -> OutboxItem | None:
    """The message queued under `key`, if any."""
    row = session.scalar(select(OutboxRow).where(OutboxRow.idempotency_key == key))
    return None if row is None else _item(row)


SUPERSEDED = "superseded"


def supersede(session: Session, item_id: int, *, now: datetime) -> bool:
    """Never send a message that is still waiting (a newer one replaces it): it is marked sent
    with the external id SUPERSEDED. False when it is no longer waiting (being sent, or sent)."""
    result = session.execute(
        update(OutboxRow)
        .where(OutboxRow.id == item_id, OutboxRow.status == OutboxStatus.PENDING.value)
        .values(status=OutboxStatus.SENT.value, sent_at=_naive(now), external_id=SUPERSEDED)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))
