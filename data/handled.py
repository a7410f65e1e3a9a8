"""Requests already acted on: a platform's retry, or a second press of the same button, is a no-op."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from data.schema import HandledRequestRow


def first_time(session: Session, key: str, at: datetime) -> bool:
    """Record `key` (an event id, a shared card...) and say whether this is its first time.

    Safe when two copies of the bot see the same key at once: the unique key decides, and only
    the loser's savepoint is rolled back. The insert comes first (no read before it), so on
    SQLite a second writer waits for the first to commit instead of failing on a stale snapshot.
    """
    try:
        with session.begin_nested():
            session.add(HandledRequestRow(key=key[:200], at=at.astimezone(UTC).replace(tzinfo=None)))
            session.flush()
    except IntegrityError:
        return False
    return True
