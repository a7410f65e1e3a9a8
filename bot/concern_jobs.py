"""Scheduled work for members' concerns: chasing overdue answers, the advisor's daily list of
them, and the agenda and briefing before each commission meeting.

`concern_reminders_job` runs every hour (see bot.scheduler.start) and queues what is due in the
outbox under a key per concern (or meeting), person and day; the outbox sends each key once, so
an hourly run, a restart or a second copy of the bot never sends a reminder twice, and a bot
that was down catches up on its first run back. Weekends and bank holidays are left alone by
the domain's rules (scorecard.concerns.overdue).
"""

from __future__ import annotations

import logging

from bot import scheduler
from bot.publisher import deliver_due
from bot.settings import Settings
from handlers.concern_workflow import Policy, queue_reminders

log = logging.getLogger("kpibot.concerns")

__all__ = ["concern_reminders_job", "policy_for", "remind_about_concerns"]


def policy_for(settings: Settings) -> Policy:
    """The concern steps' settings: working days to answer and to brief, and the commission
    (`commission`; empty means every committee in meetings.csv) that escalations go to and
    briefings are for, so a council with several committees escalates to the right one."""
    return Policy(
        due_working_days=settings.concern_due_working_days,
        briefing_working_days=settings.briefing_working_days,
        committee=settings.commission.strip() or None,
    )


def remind_about_concerns(context: scheduler.SchedulerContext) -> list[str] | None:
    """Queue the concerns' reminders and briefings due now and deliver them, if this copy of
    the bot leads; None if another copy does."""
    now = context.clock()
    if not context.leader.acquire(now):
        return None
    with context.runtime.session() as session:
        queued = queue_reminders(session, now, policy_for(context.runtime.settings))
    deliver_due(context.runtime, context.messenger, now=now, holder=context.holder)
    return queued.keys


def concern_reminders_job() -> None:
    """Every hour: chase overdue concerns, list them to the advisor, brief before meetings."""
    context = scheduler._context  # the context bot.scheduler.start registered for this process
    if context is None:
        log.warning("concern reminders ran before the scheduler was started in this process")
        return
    with scheduler.store_may_be_down("concern reminders"):
        queued = remind_about_concerns(context)
        if queued:
            log.info("queued concern reminders %s", queued)
