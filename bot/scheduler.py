"""Scheduled work: publishing approved scorecards and the performance team's reminders.

APScheduler 3's BackgroundScheduler keeps its jobs in the store's own database (table
`kpibot_scheduled_jobs`), so they survive restarts. Rather than one job per scorecard, one
`publish_due` job runs every minute and publishes whatever is due (and delivers the outbox):
a bot that was down at 09:00 publishes on its first tick back, and nothing needs rescheduling
when a scorecard is approved. Jobs coalesce and may run up to a week late.

Jobs are module-level functions named by string (APScheduler pickles the reference) and take
no arguments: they use the context `start` registered for this process. Only the leader (see
data.leader) does the work, so two copies of the bot publish once; the outbox's claims make a
double send impossible even without the lock.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore  # type: ignore[import-untyped]
from apscheduler.schedulers.background import BackgroundScheduler  # type: ignore[import-untyped]

from bot.messaging import Directory
from bot.names import refresh_everyone
from bot.observability import record_scheduler_run
from bot.publisher import Messengers, PublicationReport, deliver_due, run_publication
from bot.runtime import Runtime, utc_now
from bot.settings import policy_for
from data.db import lock_schema, make_engine
from data.leader import Leader
from handlers.approval import queue_reminders
from handlers.concern_reminders import queue_reminders as queue_concern_reminders
from scorecard.working_days import LONDON

if TYPE_CHECKING:
    from sqlalchemy import Engine

log = logging.getLogger("kpibot.scheduler")

__all__ = [
    "JOB_TABLE",
    "MISFIRE_GRACE",
    "SchedulerContext",
    "concern_reminders_job",
    "create_scheduler",
    "ensure_job_table",
    "names_job",
    "publish_due_job",
    "remind_about_concerns",
    "reminders_job",
    "start",
    "stop",
]

JOB_TABLE = "kpibot_scheduled_jobs"


def _unreachable_errors() -> tuple[type[BaseException], ...]:
    import sqlite3

    kinds: list[type[BaseException]] = [sqlite3.OperationalError]
    try:
        import psycopg

        kinds.append(psycopg.OperationalError)
    except ImportError:
        pass
    return tuple(kinds)


# The drivers' own "cannot reach the database" errors (connection refused, server gone away).
_UNREACHABLE = _unreachable_errors()
# A bot down for up to a week still runs its missed jobs (once: they coalesce) when it is back.
MISFIRE_GRACE = timedelta(days=7)


@dataclass
class SchedulerContext:
    """What the jobs of this process use: the store, where messages go, the leader lock."""

    runtime: Runtime
    messengers: Messengers
    leader: Leader
    clock: Callable[[], datetime] = utc_now
    # Where people's names come from (bot.names).
    directories: Sequence[Directory] = ()

    @property
    def holder(self) -> str:
        return self.leader.holder


_context: SchedulerContext | None = None


def tick(context: SchedulerContext) -> PublicationReport | None:
    """One round of publication if this copy leads; None if another copy does."""
    now = context.clock()
    if not context.leader.acquire(now):
        return None
    return run_publication(
        context.runtime, context.messengers, now=now, holder=context.holder
    )


def remind(context: SchedulerContext) -> list[str] | None:
    """Queue the reminders due and deliver them, if this copy leads."""
    now = context.clock()
    if not context.leader.acquire(now):
        return None
    with context.runtime.session() as session:
        queued = queue_reminders(session, now)
    deliver_due(context.runtime, context.messengers, now=now, holder=context.holder)
    return queued


@contextmanager
def store_may_be_down(job: str) -> Iterator[None]:
    """A round that meets a store that does not answer says so in one line and waits for the
    next round (the store's outage is /readyz's to report, not a bug with a traceback)."""
    from sqlalchemy.exc import DBAPIError

    try:
        yield
    except DBAPIError as down:
        if not down.connection_invalidated and not isinstance(down.orig, _UNREACHABLE):
            raise
        log.warning("%s: the store does not answer (%s); trying again next round", job,
                    str(down.orig).strip().splitlines()[0] if down.orig else type(down).__name__)


def publish_due_job() -> None:
    """Every 15 seconds: publish approved scorecards whose time has come and deliver the outbox."""
    if _context is None:
        log.warning("publish_due ran before the scheduler was started in this process")
        return
    record_scheduler_run("publish_due")
    with store_may_be_down("publish_due"):
        _publish_round(_context)


def _publish_round(context: SchedulerContext) -> None:
    report = tick(context)
    if report is not None and (report.published or report.sent or report.failed):
        log.info("published %s; sent %d, found %d already sent, %d failed", report.published or "nothing",
                 len(report.sent), len(report.found), len(report.failed))


def reminders_job() -> None:
    """Every hour: the performance team's reminders, each sent once per quarter."""
    if _context is None:
        return
    record_scheduler_run("reminders")
    with store_may_be_down("reminders"):
        queued = remind(_context)
        if queued:
            log.info("queued reminders %s", queued)


def remind_about_concerns(context: SchedulerContext) -> list[str] | None:
    """Queue the concerns' reminders and briefings due now and deliver them, if this copy of
    the bot leads; None if another copy does. Each is queued under a key per concern (or
    meeting), person and day: an hourly run, a restart or a second copy never sends one twice,
    and a bot that was down catches up on its first run back."""
    now = context.clock()
    if not context.leader.acquire(now):
        return None
    with context.runtime.session() as session:
        queued = queue_concern_reminders(session, now, policy_for(context.runtime.settings))
    deliver_due(context.runtime, context.messengers, now=now, holder=context.holder)
    return queued.keys


def concern_reminders_job() -> None:
    """Every hour: chase overdue concerns, list them to the advisor, brief before meetings."""
    if _context is None:
        log.warning("concern reminders ran before the scheduler was started in this process")
        return
    record_scheduler_run("concern_reminders")
    with store_may_be_down("concern reminders"):
        queued = remind_about_concerns(_context)
        if queued:
            log.info("queued concern reminders %s", queued)


def names_job() -> None:
    """At start and daily: everyone's name from the directories, if this copy leads."""
    context = _context
    if context is None or not context.directories:
        return
    record_scheduler_run("names")
    with store_may_be_down("names"):
        now = context.clock()
        if context.leader.acquire(now):
            found = refresh_everyone(context.runtime, context.directories, now=now)
            if found:
                log.info("looked up %d people's names", found)


def ensure_job_table(engine: Engine) -> SQLAlchemyJobStore:
    """The job store on `engine`, its table created if missing, under the store's schema lock.

    APScheduler creates the table itself when it starts, but check-then-create: two copies
    starting together on a new PostgreSQL database both find it missing and the second fails
    (DuplicateTable). Made here first, under the lock, APScheduler then finds it there.
    """
    jobs = SQLAlchemyJobStore(engine=engine, tablename=JOB_TABLE)
    with engine.begin() as connection:
        lock_schema(connection)
        jobs.jobs_t.create(connection, checkfirst=True)
    return jobs


def create_scheduler(context: SchedulerContext) -> BackgroundScheduler:
    """A scheduler whose jobs are stored in the store's database (their own table)."""
    settings = context.runtime.settings
    # Its own engine (pool_pre_ping on PostgreSQL), so a dropped connection is replaced quietly.
    engine = make_engine(settings.database_url)
    return BackgroundScheduler(
        jobstores={"default": ensure_job_table(engine)},
        job_defaults={
            "coalesce": True,
            "misfire_grace_time": int(MISFIRE_GRACE.total_seconds()),
            "max_instances": 1,
        },
        timezone=LONDON,
    )


def start(
    runtime: Runtime,
    messengers: Messengers,
    *,
    clock: Callable[[], datetime] = utc_now,
    leader: Leader | None = None,
    run_now: bool = True,
    directories: Sequence[Directory] = (),
) -> BackgroundScheduler:
    """Register this process's context, add the jobs (replacing stored ones of the same id) and
    start. `run_now` runs publication at once, catching up on anything missed while down."""
    global _context
    context = SchedulerContext(
        runtime=runtime,
        messengers=messengers,
        leader=leader or Leader(runtime.engine),
        clock=clock,
        directories=directories,
    )
    _context = context
    scheduler = create_scheduler(context)
    scheduler.add_job(
        # Every 15 seconds: an outbox claim left by a copy that died (a 30-second lease) is
        # taken over, and its message sent, within a minute.
        "bot.scheduler:publish_due_job", "interval", seconds=15, id="publish_due",
        name="Publish approved scorecards and deliver the outbox", replace_existing=True,
        # APScheduler runs on the real clock, whatever `clock` the jobs are given.
        **({"next_run_time": utc_now()} if run_now else {}),
    )
    scheduler.add_job(
        "bot.scheduler:reminders_job", "interval", hours=1, id="reminders",
        name="Reminders for the performance team", replace_existing=True,
    )
    scheduler.add_job(
        "bot.scheduler:concern_reminders_job", "interval", hours=1, id="concern_reminders",
        name="Chase overdue concerns; agenda and briefing before meetings", replace_existing=True,
    )
    scheduler.add_job(
        "bot.scheduler:names_job", "interval", hours=24, id="names",
        name="People's names from the platforms' directories", replace_existing=True,
        **({"next_run_time": utc_now()} if run_now else {}),
    )
    scheduler.start()
    return scheduler


def stop(scheduler: BackgroundScheduler) -> None:
    """Stop the scheduler and give up leadership, so another copy takes over at once."""
    global _context
    scheduler.shutdown(wait=True)
    if _context is not None:
        _context.leader.release()
        _context = None
