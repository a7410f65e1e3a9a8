"""A concern's clock: chasing overdue answers, the advisor's daily list of them, the agenda and
briefing before each commission meeting, and the meeting's agenda pack. The clock is the caller
(the scheduler, hourly); each message is queued under a key per concern (or meeting), person
and day, so it goes once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy.orm import Session

from data import concerns as concern_store
from data import outbox, people, scorecards, store
from data.outbox import OutboxMessage
from handlers import outgoing
from handlers.concern_steps import Policy
from handlers.concern_views import day_words, name_of, names_for, quote, subject
from handlers.reply import Action, ActionId, Kind, Reply, Table
from scorecard import concerns as life
from scorecard.agenda import AgendaItem
from scorecard.concerns import (
    Concern,
    ConcernStatus,
)
from scorecard.model import Meeting, Role
from scorecard.working_days import LONDON, is_working_day


@dataclass(frozen=True, slots=True)
class Queued:
    """What a scheduled run queued in the outbox (keys already there are not queued again)."""

    keys: list[str] = field(default_factory=list)


# Buttons on one message, at most (Slack shows five to a row; more is noise).
MAX_BUTTONS = 5


def queue_reminders(session: Session, now: datetime, policy: Policy | None = None) -> Queued:
    """Queue today's chases and briefings in the outbox, each under a key for its concern (or
    meeting) and day, so a restart or a second copy of the bot never sends one twice:

    Nothing goes before `policy.send_from` (09:00 London).

    - on a working day, each overdue concern is chased with its service officers, and the
      advisors get the list of overdue concerns;
    - from `briefing_working_days` working days before a meeting, the advisors get its agenda
      of escalated concerns and members the meeting's focus clusters (once per meeting).
    """
    policy = policy or Policy()
    today = life.council_day(now)
    queued = Queued()
    if now.astimezone(LONDON).time() < policy.send_from:
        return queued

    def put(to: str, kind: str, key: str, reply: Reply) -> None:
        message = OutboxMessage(
            destination=outbox.to_person(to),
            kind=kind,
            payload=outgoing.payload_of(reply),  # drawn with its buttons
            idempotency_key=key[:200],
            not_before=now,
        )
        if outbox.enqueue(session, message, now=now):
            queued.keys.append(message.idempotency_key)

    officers = concern_store.service_officers(session)
    advisors = concern_store.users_with_role(session, Role.GOVERNANCE_ADVISOR)
    late = life.overdue(concern_store.concerns_with_status(session, {ConcernStatus.WITH_SERVICE}), today)
    for concern in late:
        for officer in officers.get(concern.service_area or "", []):
            put(
                officer,
                "concern_chase",
                f"concern-chase:{concern.id}:{today.isoformat()}:{officer}",
                chase_message(session, concern, today),
            )
    if late:
        listed = overdue_list(session, late, today)
        for advisor in advisors:
            put(advisor, "concern_overdue_list", f"concern-overdue:{today.isoformat()}:{advisor}", listed)
    waiting = concern_store.concerns_with_status(session, {ConcernStatus.OPEN})
    if waiting and is_working_day(today):
        digest = new_concerns_digest(session, waiting, today)
        for advisor in advisors:
            if people.wants_daily_digest(session, advisor):
                put(advisor, "concern_digest", f"concern-digest:{today.isoformat()}:{advisor}", digest)
    members = concern_store.users_with_role(session, Role.MEMBER)
    for meeting in life.meetings_to_brief(store.meetings(session), today, policy.briefing_working_days):
        if policy.committee is not None and meeting.committee != policy.committee:
            continue
        tag = f"{meeting.date.isoformat()}:{meeting.committee}"[:120]
        agenda = agenda_message(session, meeting)
        for advisor in advisors:
            put(advisor, "meeting_agenda", f"meeting-agenda:{tag}:{advisor}", agenda)
        briefing = briefing_message(meeting, scorecards.published_quarters(session))
        for member in members:
            put(member, "meeting_briefing", f"meeting-briefing:{tag}:{member}", briefing)
    return queued


def chase_message(session: Session, concern: Concern, today: date) -> Reply:
    late = life.working_days_late(concern, today)
    return Reply(
        kind=Kind.CONCERN,
        heading=f"Reminder: concern {concern.reference} is overdue",
        summary=(
            f"A member's concern about {subject(session, concern)} was due for an answer "
            f"from {concern.service_area} on {day_words(concern.due_on or today)} "
            f"({late} working day{'s' if late != 1 else ''} ago). Please answer it from the bot's Home "
            f"tab (the Answer button), or tell the governance advisor when you can.\n"
            f"The concern: {quote(concern.text, 600)}"
        ),
        data={"id": concern.id},
        actions=(Action(ActionId.ANSWER_CONCERN, "Answer", str(concern.id), primary=True),),
    )


def overdue_list(session: Session, late: Sequence[Concern], today: date) -> Reply:
    return Reply(
        kind=Kind.CONCERN,
        heading=f"Overdue concerns on {day_words(today)}",
        summary=f"{len(late)} concern{'s are' if len(late) != 1 else ' is'} past the due date:",
        table=Table(
            ("Concern", "About", "Service area", "Due"),
            tuple(
                (c.reference, subject(session, c), c.service_area or "", day_words(c.due_on or today))
                for c in late
            ),
        ),
        actions=tuple(
            Action(ActionId.ESCALATE_CONCERN, f"Escalate {c.reference}", str(c.id))
            for c in late[:MAX_BUTTONS]
        ),
    )


def new_concerns_digest(session: Session, waiting: Sequence[Concern], today: date) -> Reply:
    """The advisor's morning message, if they chose one: every concern waiting for them."""
    names = names_for(session, (c.member for c in waiting))
    return Reply(
        kind=Kind.CONCERN,
        heading=f"Concerns waiting for you on {day_words(today)}",
        summary=(
            f"{len(waiting)} concern{'s wait' if len(waiting) != 1 else ' waits'} to be sent, escalated "
            "or closed:"
        ),
        table=Table(
            ("Concern", "About", "Raised by", "Raised"),
            tuple(
                (
                    c.reference,
                    subject(session, c),
                    names[c.member],
                    day_words(c.created_at.astimezone(LONDON).date()),
                )
                for c in waiting
            ),
        ),
        actions=tuple(
            Action(ActionId.SEND_CONCERN, f"Send {c.reference}", str(c.id), primary=n == 0)
            for n, c in enumerate(waiting[:MAX_BUTTONS])
        ),
    )


def agenda_message(session: Session, meeting: Meeting) -> Reply:
    escalated = [
        c for c in concern_store.escalated_to(session, meeting) if c.status is ConcernStatus.ESCALATED
    ]
    return Reply(
        kind=Kind.CONCERN,
        heading=f"Agenda: members' concerns for the meeting on {day_words(meeting.date)}",
        summary=(
            f"{len(escalated)} concern{'s are' if len(escalated) != 1 else ' is'} escalated to the "
            f"{meeting.committee} on {day_words(meeting.date)}."
            + (" The pack: kpibot concerns agenda --meeting " + meeting.date.isoformat() if escalated else "")
        ),
        table=Table(
            ("Concern", "About", "Raised by", "Service area"),
            tuple(
                (c.reference, subject(session, c), name_of(session, c.member), c.service_area or "")
                for c in escalated
            ),
        )
        if escalated
        else None,
    )


def briefing_message(meeting: Meeting, published: Sequence[str] = ()) -> Reply:
    clusters = ", ".join(meeting.focus_clusters) or "the scorecard as a whole"
    return Reply(
        kind=Kind.CONCERN,
        heading=f"Briefing: the {meeting.committee} on {day_words(meeting.date)}",
        summary=(
            f"The meeting will focus on {clusters}. Ask about them with /kpi and the cluster's "
            f"name (for example /kpi {meeting.focus_clusters[0] if meeting.focus_clusters else 'clusters'}), "
            "and raise anything that worries you with /concern."
        ),
        # The latest published scorecard, one press away.
        actions=(Action(ActionId.SHOW_SCORECARD_IMAGE, f"Open the {published[0]} scorecard", published[0]),)
        if published
        else (),
    )




def agenda(
    session: Session, meeting_date: date, committee: str | None = None
) -> tuple[Meeting, list[AgendaItem]]:
    """The meeting on that date and its escalated concerns (each with its life), for the pack.
    Raises LookupError with a plain message when there is no such meeting."""
    meetings = [
        m
        for m in store.meetings(session)
        if m.date == meeting_date and (committee is None or m.committee == committee)
    ]
    if not meetings:
        known = ", ".join(m.date.isoformat() for m in store.meetings(session)) or "none loaded"
        raise LookupError(f"There is no meeting on {meeting_date.isoformat()}. The meetings are: {known}.")
    meeting = meetings[0]
    items = [
        AgendaItem(c, subject(session, c), tuple(concern_store.events_of(session, c.id or 0)))
        for c in concern_store.escalated_to(session, meeting)
    ]
    return meeting, items

