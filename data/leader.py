"""Which running copy of the bot does scheduled work: a leader lock in the store itself.

On PostgreSQL, a session-level advisory lock (`pg_try_advisory_lock`) held on a dedicated
connection: when the process dies its connection closes and the lock is free at once. On
SQLite, a lease row (holder, expires_at) that the leader renews on every tick; another copy
takes over once a lease has expired. Either way two copies against one database never both
lead; the outbox's claims keep a message single even if they somehow did.
"""

from __future__ import annotations

import logging
import uuid
import zlib
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, Engine, or_, select, text, update
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from data.schema import LeaderLeaseRow

__all__ = ["DEFAULT_LEASE", "Leader"]

log = logging.getLogger("kpibot.leader")

# A SQLite leader renews on every tick (15 seconds); a copy that stopped is replaced after this.
DEFAULT_LEASE = timedelta(seconds=45)


def _naive(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)


class Leader:
    """`acquire(now)` is True while this copy (`holder`) leads for `name`; call it on each tick."""

    def __init__(
        self, engine: Engine, name: str = "scheduler", *, holder: str | None = None,
        lease: timedelta = DEFAULT_LEASE,
    ) -> None:
        self.engine = engine
        self.name = name
        self.holder = holder or f"kpibot-{uuid.uuid4().hex[:12]}"
        self.lease = lease
        self._connection: Connection | None = None
        # A stable 63-bit key for the advisory lock, the same in every copy.
        self._key = zlib.crc32(f"kpibot:{name}".encode()) & 0x7FFFFFFF

    @property
    def postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    def acquire(self, now: datetime) -> bool:
        """Lead (or go on leading) at `now`: True if this copy is the leader."""
        if self.postgres:
            return self._acquire_advisory()
        return self._acquire_lease(now)

    def release(self) -> None:
        """Stop leading (at shutdown), so another copy can take over at once."""
        if self._connection is not None:
            try:
                self._connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": self._key})
                self._connection.close()
            except DBAPIError:
                log.warning("could not release the leader lock cleanly; it goes with the connection")
            self._connection = None
            return
        if not self.postgres:
            with Session(self.engine) as session, session.begin():
                session.execute(
                    update(LeaderLeaseRow)
                    .where(LeaderLeaseRow.name == self.name, LeaderLeaseRow.holder == self.holder)
                    .values(expires_at=_naive(datetime(1970, 1, 1, tzinfo=UTC)))
                )

    # --- PostgreSQL ----------------------------------------------------------------------------

    def _acquire_advisory(self) -> bool:
        if self._connection is not None:
            try:
                # Still alive? A lost connection means the lock was lost with it.
                self._connection.execute(text("SELECT 1"))
                return True
            except DBAPIError:
                log.warning("the leader's database connection was lost; trying to lead again")
                self._connection.invalidate()
                self._connection = None
        connection = self.engine.connect()
        try:
            # Outside a transaction, so the lock is held for the connection's life.
            connection = connection.execution_options(isolation_level="AUTOCOMMIT")
            locked = connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": self._key})
            got = bool(locked.scalar())
        except BaseException:
            connection.close()
            raise
        if not got:
            connection.close()
            return False
        self._connection = connection
        log.info("%s leads the scheduled work (advisory lock %d)", self.holder, self._key)
        return True

    # --- SQLite (and anything else) -----------------------------------------------------------

    def _acquire_lease(self, now: datetime) -> bool:
        at = _naive(now)
        until = _naive(now + self.lease)
        with Session(self.engine) as session, session.begin():
            # Write first (renew, or take over an expired lease): SQLite then takes its write
            # lock before reading, so two copies never trip over each other's snapshot.
            result = session.execute(
                update(LeaderLeaseRow)
                .where(
                    LeaderLeaseRow.name == self.name,
                    or_(LeaderLeaseRow.holder == self.holder, LeaderLeaseRow.expires_at <= at),
                )
                .values(holder=self.holder, expires_at=until)
            )
            if getattr(result, "rowcount", 0) == 1:
                return True
            if session.scalar(select(LeaderLeaseRow.name).where(LeaderLeaseRow.name == self.name)):
                return False
            try:
                with session.begin_nested():
                    session.add(LeaderLeaseRow(name=self.name, holder=self.holder, expires_at=until))
                    session.flush()
            except IntegrityError:
                return False
            return True
