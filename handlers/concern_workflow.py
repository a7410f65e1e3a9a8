"""A concern after it is raised: the advisor's queue, sending to a service, the service's answer,
escalating to the commission, closing; what each person is told; the reminders and briefings
before meetings; and the meeting's agenda pack.

Each step runs in the caller's one transaction: the request's key is recorded first (so a
retried or double-clicked submission does nothing the second time), then the domain decides
whether the step is allowed, then the store appends the event and moves the concern. The
messages a step causes are queued in the outbox in that same transaction, keyed by the concern,
the step's event and the person (handlers.outgoing), so none is lost if the bot stops after the
commit and none goes twice; the platform delivers them straight after the commit, and the
scheduler's outbox round delivers whatever is still waiting.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time

from sqlalchemy.orm import Session

from data import concerns as concern_store
from data import handled, outbox, store
from data.outbox import OutboxMessage
from handlers import concerns as raising
from handlers import outgoing
from handlers.reply import Action, ActionId, Fact, Kind, Reply, Request, Table
from scorecard import concerns as life
from scorecard.agenda import AgendaItem
from scorecard.concerns import (
    STATUS_WORDS,
    Concern,
    ConcernEvent,
    ConcernStatus,
    NoSuchConcern,
)
from scorecard.model import Meeting, Role
from scorecard.rules import LONDON

# App Home shows this many concerns with buttons; the rest are in /concern list.
MAX_QUEUE = 15


@dataclass(frozen=True, slots=True)
class Notice:
    """A message a step causes: to whom (a user id) and what."""

    to: str
    reply: Reply


@dataclass(frozen=True, slots=True)
class StepDone:
    """The concern after a step, whether this request took it (False: a retry of one already
    taken), the messages it causes (only when it was taken just now) and their outbox keys
    (queued in the step's transaction; deliver them after the commit)."""

    concern: Concern
    new: bool
    reply: Reply
    notices: tuple[Notice, ...] = ()
    queued: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Policy:
    """The settings a step needs: working days to answer, the commission's name (None: any)."""

    due_working_days: int = life.DEFAULT_DUE_WORKING_DAYS
    briefing_working_days: int = life.DEFAULT_BRIEFING_WORKING_DAYS
    committee: str | None = None
    # Reminders and briefings go from this time of the working day (London), not at midnight.
    send_from: time = time(9, 0)


# --- reading ---------------------------------------------------------------------------------


def _day(when: date) -> str:
    return f"{when.day} {when:%B %Y}"


def find(request: Request, session: Session, concern_id: int) -> Concern:
    """The concern, if the asker may see it; otherwise NoSuchConcern (the same for one that does
    not exist and one that is someone else's)."""
    found = concern_store.concern(session, concern_id)
    if found is None or not life.can_see(request.viewer, found):
        raise NoSuchConcern(concern_id)
    return found


def parse_reference(text: str) -> int | None:
    """ "C-12", "c12" or "12" -> 12; anything else None."""
    words = text.strip().upper().removeprefix("C").removeprefix("-").strip()
    return int(words) if words.isdigit() else None


def status_line(concern: Concern, today: date) -> str:
    """Where it stands, in words: "With the service for a written answer (SEND), due 16 November
    2026: overdue"."""
    words = STATUS_WORDS[concern.status]
    if concern.status is ConcernStatus.WITH_SERVICE and concern.service_area:
        words += f" ({concern.service_area})"
        if concern.due_on is not None:
            words += f", due {_day(concern.due_on)}"
            if life.is_overdue(concern, today):
                words += ": overdue"
    if concern.status is ConcernStatus.ESCALATED and concern.meeting is not None:
        words = f"Escalated to the commission's meeting on {_day(concern.meeting.date)}"
    return words


def visible_concerns(request: Request, session: Session) -> list[Concern]:
    """Every concern the asker may see, oldest first: the advisor all, a service officer their
    areas' and their own, a member their own."""
    viewer = request.viewer
    if Role.GOVERNANCE_ADVISOR in viewer.roles:
        return concern_store.concerns_with_status(session)
    found = {c.id: c for c in concern_store.concerns_of(session, viewer.user)}
    if Role.SERVICE_OFFICER in viewer.roles:
        found |= {c.id: c for c in concern_store.concerns_for_areas(session, viewer.service_areas)}
    return sorted(life.visible(viewer, found.values()), key=lambda c: (c.created_at, c.id or 0))


def listing(request: Request, session: Session, *, include_closed: bool = False) -> Reply:
    """The concerns the asker may see with where each stands (closed ones on request)."""
    today = life.council_day(request.now)
    shown = [
        c
        for c in visible_concerns(request, session)
        if include_closed or c.status is not ConcernStatus.CLOSED
    ]
    items = [_json(c, today) for c in shown]
    heading = (
        "Concerns"
        if request.viewer.is_staff or Role.SERVICE_OFFICER in request.viewer.roles
        else "Your concerns"
    )
    if not shown:
        return Reply(
            kind=Kind.CONCERN,
            heading=heading,
            summary="There are no concerns to show.",
            data={"concerns": items},
        )
    rows = tuple(
        (
            c.reference,
            raising.subject(session, c),
            c.created_at.astimezone(LONDON).strftime("%d %b %Y"),
            status_line(c, today),
            _quote(c.text, 200),
        )
        for c in shown[-raising.MAX_LISTED :]
    )
    return Reply(
        kind=Kind.CONCERN,
        heading=heading,
        summary=f"{len(shown)} concern{'s' if len(shown) != 1 else ''}.",
        table=Table(("Concern", "About", "Raised", "Status", "Said"), rows),
        data={"concerns": items},
    )


def _json(concern: Concern, today: date) -> dict[str, object]:
    return {
        "id": concern.id,
        "reference": concern.reference,
        "member": concern.member,
        "code": concern.indicator_code,
        "status": concern.status.value,
        "service_area": concern.service_area,
        "due_on": None if concern.due_on is None else concern.due_on.isoformat(),
        "overdue": life.is_overdue(concern, today),
        "meeting": None if concern.meeting is None else concern.meeting.date.isoformat(),
        "text": concern.text,
    }


def show(request: Request, session: Session, concern_id: int) -> Reply:
    """One concern and its whole life, for someone who may see it."""
    concern = find(request, session, concern_id)
    events = concern_store.events_of(session, concern_id)
    today = life.council_day(request.now)
    facts = [
        Fact("About", raising.subject(session, concern)),
        Fact("Raised", concern.created_at.astimezone(LONDON).strftime("%d %B %Y")),
        Fact("Status", status_line(concern, today)),
    ]
    if request.viewer.user != concern.member:
        facts.insert(1, Fact("Raised by", concern.member))
    return Reply(
        kind=Kind.CONCERN,
        heading=f"Concern {concern.reference}",
        summary=_quote(concern.text, 2000),
        facts=tuple(facts),
        notes=tuple(life.history_lines(events)),
        actions=actions_for(request, concern),
        data={
            **_json(concern, today),
            "card": None if concern.card is None else dict(concern.card),
            "events": [
                {
                    "at": e.at.isoformat(),
                    "who": e.who,
                    "step": e.step,
                    "from": None if e.from_status is None else e.from_status.value,
                    "to": e.to_status.value,
                    "text": e.text,
                    "service_area": e.service_area,
                    "due_on": None if e.due_on is None else e.due_on.isoformat(),
                    "meeting": None if e.meeting is None else e.meeting.date.isoformat(),
                }
                for e in events
            ],
        },
    )


def actions_for(request: Request, concern: Concern) -> tuple[Action, ...]:
    """The buttons this person may press on this concern as it stands."""
    value = str(concern.id)
    status = concern.status
    found: list[Action] = []
    if Role.GOVERNANCE_ADVISOR in request.viewer.roles:
        if status in life.TRANSITIONS[life.Step.SEND][0]:
            label = "Send to a service" if status is ConcernStatus.OPEN else "Send to another service"
            found.append(Action(ActionId.SEND_CONCERN, label, value, primary=status is ConcernStatus.OPEN))
        if status in life.TRANSITIONS[life.Step.ESCALATE][0]:
            found.append(Action(ActionId.ESCALATE_CONCERN, "Escalate to the commission", value))
        if status in life.TRANSITIONS[life.Step.CLOSE][0]:
            found.append(Action(ActionId.CLOSE_CONCERN, "Close", value))
    if (
        Role.SERVICE_OFFICER in request.viewer.roles
        and status is ConcernStatus.WITH_SERVICE
        and concern.service_area in request.viewer.service_areas
    ):
        found.append(Action(ActionId.ANSWER_CONCERN, "Answer", value, primary=True))
    return tuple(found)


def advisor_queue(request: Request, session: Session) -> tuple[Reply, ...]:
    """The advisor's queue for App Home: a count by state (new, with the service, overdue,
    answered, escalated); then an "Overdue" section of the concerns past the service's due date
    (oldest due first), to chase; then the others still to act on, each with its buttons."""
    today = life.council_day(request.now)
    waiting = concern_store.concerns_with_status(
        session,
        {ConcernStatus.OPEN, ConcernStatus.WITH_SERVICE, ConcernStatus.ANSWERED, ConcernStatus.ESCALATED},
    )
    late = sorted(
        (c for c in waiting if life.is_overdue(c, today)), key=lambda c: (c.due_on or today, c.id or 0)
    )
    late_ids = {c.id for c in late}
    counts = (
        ("New", sum(c.status is ConcernStatus.OPEN for c in waiting)),
        ("With the service", sum(c.status is ConcernStatus.WITH_SERVICE for c in waiting)),
        ("Overdue", len(late)),
        ("Answered", sum(c.status is ConcernStatus.ANSWERED for c in waiting)),
        ("Escalated", sum(c.status is ConcernStatus.ESCALATED for c in waiting)),
    )
    summary = Reply(
        kind=Kind.CONCERN,
        heading="Open concerns",
        summary=(
            "; ".join(f"{label}: {n}" for label, n in counts) + "."
            if waiting
            else "There are no concerns to deal with."
        ),
        data={"queue": {label.lower(): n for label, n in counts}},
    )
    # After the overdue ones: new first, answered (to close), the rest with the service, escalated.
    order = {
        ConcernStatus.OPEN: 0,
        ConcernStatus.ANSWERED: 1,
        ConcernStatus.WITH_SERVICE: 2,
        ConcernStatus.ESCALATED: 3,
    }
    others = sorted(
        (c for c in waiting if c.id not in late_ids), key=lambda c: (order[c.status], c.created_at)
    )
    parts = [summary]
    shown = 0
    if late:
        parts.append(
            Reply(
                kind=Kind.CONCERN,
                heading="Overdue",
                summary=(
                    f"{len(late)} concern{'s are' if len(late) != 1 else ' is'} past the service's due "
                    "date. The service officers are reminded each working day; you can escalate any of "
                    "them to the commission."
                ),
                data={"section": "overdue", "ids": [c.id for c in late]},
            )
        )
        for concern in late[:MAX_QUEUE]:
            parts.append(_queue_item(request, session, concern, today))
        shown = min(len(late), MAX_QUEUE)
    if others and shown < MAX_QUEUE:
        if late:
            parts.append(
                Reply(
                    kind=Kind.CONCERN,
                    heading="To act on",
                    summary="New, answered (to close), with the service and escalated concerns.",
                    data={"section": "to_act_on"},
                )
            )
        for concern in others[: MAX_QUEUE - shown]:
            parts.append(_queue_item(request, session, concern, today))
        shown += min(len(others), MAX_QUEUE - shown)
    if len(waiting) > shown:
        parts.append(
            Reply(
                kind=Kind.CONCERN,
                heading="More concerns",
                summary=f"{len(waiting) - shown} more: /concern list shows them all.",
            )
        )
    return tuple(parts)


def service_queue(request: Request, session: Session) -> tuple[Reply, ...]:
    """A service officer's concerns waiting for an answer, with the Answer button."""
    today = life.council_day(request.now)
    waiting = [
        c
        for c in concern_store.concerns_for_areas(session, request.viewer.service_areas)
        if c.status is ConcernStatus.WITH_SERVICE
    ]
    head = Reply(
        kind=Kind.CONCERN,
        heading="Concerns for your service to answer",
        summary=f"{len(waiting)} waiting for an answer."
        if waiting
        else "No concerns are waiting for your answer.",
    )
    return (head, *(_queue_item(request, session, c, today) for c in waiting[:MAX_QUEUE]))


def _queue_item(request: Request, session: Session, concern: Concern, today: date) -> Reply:
    return Reply(
        kind=Kind.CONCERN,
        heading=f"{concern.reference}: {raising.subject(session, concern)}",
        summary=(
            f"{_quote(concern.text, 600)}\n"
            f"Raised by {concern.member} on {concern.created_at.astimezone(LONDON):%d %b %Y}. "
            f"{status_line(concern, today)}."
        ),
        actions=actions_for(request, concern),
        data={"id": concern.id, "status": concern.status.value},
    )


# --- the steps -------------------------------------------------------------------------------


def _step(
    request: Request,
    session: Session,
    concern_id: int,
    key: str | None,
    take: Callable[[Concern], tuple[Concern, ConcernEvent]],
    say: Callable[[Concern, ConcernEvent], tuple[Reply, tuple[Notice, ...]]],
) -> StepDone:
    if key is not None and not handled.first_time(session, key, request.now):
        current = find(request, session, concern_id)
        return StepDone(current, False, _already(current))
    before = find(request, session, concern_id)
    after, event = take(before)
    _, event_id = concern_store.record_step_kept(session, before, after, event)
    reply, notices = say(after, event)
    queued = queue_notices(session, after, f"{event_id}", event.step, notices, now=request.now)
    return StepDone(after, True, reply, notices, queued)


def notice_key(concern: Concern, tag: str, to: str) -> str:
    """The outbox key of a message a step causes: the concern, the step's event (or "raise") and
    the person, e.g. "concern:3:17:U0DEMOSVC01"."""
    return f"concern:{concern.id}:{tag}:{to}"


def queue_notices(
    session: Session, concern: Concern, tag: str, step: str, notices: Sequence[Notice], *, now: datetime
) -> tuple[str, ...]:
    """Queue a step's messages in the outbox, in the caller's transaction; the keys queued now."""
    keys = (
        outgoing.queue_message(
            session, notice.to, f"concern_{step}", notice_key(concern, tag, notice.to), notice.reply, now=now
        )
        for notice in notices
    )
    return tuple(key for key in keys if key is not None)


def _already(concern: Concern) -> Reply:
    return Reply(
        kind=Kind.CONCERN,
        heading=f"Concern {concern.reference}",
        summary=f"Already done. {STATUS_WORDS[concern.status]}.",
        data={"id": concern.id, "status": concern.status.value},
    )


def service_areas(session: Session) -> list[str]:
    """The service areas a concern can be sent to: those with a service officer."""
    return list(concern_store.service_officers(session))


def send(
    request: Request,
    session: Session,
    concern_id: int,
    service_area: str,
    note: str = "",
    *,
    key: str | None = None,
    policy: Policy = Policy(),
) -> StepDone:
    """The advisor sends the concern to a service area; its officers are told, with the Answer
    button. A service area with no officer in the roles table is refused (no one would answer)."""
    officers = concern_store.service_officers(session)
    area = next((name for name in officers if name.lower() == service_area.strip().lower()), None)

    def take(concern: Concern) -> tuple[Concern, ConcernEvent]:
        if area is None and Role.GOVERNANCE_ADVISOR in request.viewer.roles:
            known = ", ".join(officers) or "none yet"
            raise life.ConcernRefused(
                f"No service officer is set up for '{service_area}'. The service areas are: {known}."
            )
        return life.send_to_service(
            concern,
            request.viewer,
            area or service_area,
            note,
            now=request.now,
            working_days=policy.due_working_days,
        )

    def say(concern: Concern, event: ConcernEvent) -> tuple[Reply, tuple[Notice, ...]]:
        due = _day(concern.due_on) if concern.due_on else "in 10 working days"
        reply = Reply(
            kind=Kind.CONCERN,
            heading=f"Concern {concern.reference} sent to {concern.service_area}",
            summary=f"The service's answer is due by {due}.",
            data={"id": concern.id, "status": concern.status.value, "due_on": str(concern.due_on)},
        )
        notices = tuple(
            Notice(officer, officer_message(session, concern, event))
            for officer in officers.get(area or "", [])
        )
        return reply, notices

    return _step(request, session, concern_id, key, take, say)


def officer_message(session: Session, concern: Concern, event: ConcernEvent) -> Reply:
    """What a service officer gets when a concern is sent to their area: the concern, the
    advisor's note, the due date and the Answer button."""
    notes = [f"From the governance advisor: {_quote(event.text)}"] if event.text else []
    return Reply(
        kind=Kind.CONCERN,
        heading=f"A member's concern for {concern.service_area}: {concern.reference}",
        summary=(
            f"About {raising.subject(session, concern)}:\n{_quote(concern.text, 2000)}\n"
            "Please write the service's answer by "
            f"{_day(concern.due_on) if concern.due_on else 'the due date'}."
        ),
        notes=tuple(notes),
        actions=(Action(ActionId.ANSWER_CONCERN, "Answer", str(concern.id), primary=True),),
        data={"id": concern.id, "status": concern.status.value},
    )


def answer(
    request: Request, session: Session, concern_id: int, text: str, *, key: str | None = None
) -> StepDone:
    """The service officer answers; the member gets the answer by direct message."""

    def take(concern: Concern) -> tuple[Concern, ConcernEvent]:
        return life.answer_concern(concern, request.viewer, text, now=request.now)

    def say(concern: Concern, event: ConcernEvent) -> tuple[Reply, tuple[Notice, ...]]:
        reply = Reply(
            kind=Kind.CONCERN,
            heading=f"Answer to {concern.reference} sent",
            summary="Thank you. The member has the answer, and the governance advisor can see it.",
            data={"id": concern.id, "status": concern.status.value},
        )
        to_member = Reply(
            kind=Kind.CONCERN,
            heading=f"An answer to your concern {concern.reference}",
            summary=(
                f"The {concern.service_area} service has answered your concern about "
                f"{raising.subject(session, concern)}:\n{_quote(event.text, 2500)}"
            ),
            notes=(
                f"You wrote: {_quote(concern.text, 300)}",
                "If this does not answer it, tell the governance advisor. /concern list shows your concerns.",
            ),
            data={"id": concern.id, "status": concern.status.value},
        )
        return reply, (Notice(concern.member, to_member),)

    return _step(request, session, concern_id, key, take, say)


def meeting_for(request: Request, session: Session, policy: Policy = Policy()) -> Meeting | None:
    """The meeting a concern escalated now would go to."""
    return life.next_meeting(store.meetings(session), life.council_day(request.now), policy.committee)


def escalate(
    request: Request,
    session: Session,
    concern_id: int,
    note: str = "",
    *,
    key: str | None = None,
    policy: Policy = Policy(),
) -> StepDone:
    """The advisor escalates the concern to the next meeting open for items; the member is told."""
    meetings = store.meetings(session)

    def take(concern: Concern) -> tuple[Concern, ConcernEvent]:
        return life.escalate_concern(
            concern, request.viewer, meetings, note, now=request.now, committee=policy.committee
        )

    def say(concern: Concern, event: ConcernEvent) -> tuple[Reply, tuple[Notice, ...]]:
        assert concern.meeting is not None
        when = _day(concern.meeting.date)
        reply = Reply(
            kind=Kind.CONCERN,
            heading=f"Concern {concern.reference} escalated",
            summary=f"It is on the agenda of the {concern.meeting.committee} on {when}.",
            data={
                "id": concern.id,
                "status": concern.status.value,
                "meeting": concern.meeting.date.isoformat(),
            },
        )
        to_member = Reply(
            kind=Kind.CONCERN,
            heading=f"Your concern {concern.reference} goes to the commission",
            summary=(
                f"The governance advisor has put your concern about {raising.subject(session, concern)} "
                f"on the agenda of the {concern.meeting.committee} on {when}, where an officer will attend."
            ),
            data={"id": concern.id, "status": concern.status.value},
        )
        return reply, (Notice(concern.member, to_member),)

    return _step(request, session, concern_id, key, take, say)


def close(
    request: Request, session: Session, concern_id: int, outcome: str, *, key: str | None = None
) -> StepDone:
    """The advisor closes the concern with its outcome; the member is told the outcome."""

    def take(concern: Concern) -> tuple[Concern, ConcernEvent]:
        return life.close_concern(concern, request.viewer, outcome, now=request.now)

    def say(concern: Concern, event: ConcernEvent) -> tuple[Reply, tuple[Notice, ...]]:
        reply = Reply(
            kind=Kind.CONCERN,
            heading=f"Concern {concern.reference} closed",
            summary=f"Outcome: {_quote(event.text)}",
            data={"id": concern.id, "status": concern.status.value},
        )
        to_member = Reply(
            kind=Kind.CONCERN,
            heading=f"Your concern {concern.reference} is closed",
            summary=(
                f"The outcome for your concern about {raising.subject(session, concern)}: "
                f"{_quote(event.text, 2500)}"
            ),
            data={"id": concern.id, "status": concern.status.value},
        )
        return reply, (Notice(concern.member, to_member),)

    return _step(request, session, concern_id, key, take, say)


def raise_for_script(request: Request, session: Session, code: str | None, text: str, key: str) -> Concern:
    """Raise a concern as the form would (with the card as the member sees it now), the
    member's confirmation queued with it: for scripts."""
    concern, event = raising.prepare(request, session, text, code)
    return raising.keep_and_confirm(session, concern, event, key, now=request.now).concern


# --- reminders, agenda, briefings (the clock is the caller) ----------------------------------


@dataclass(frozen=True, slots=True)
class Queued:
    """What a scheduled run queued in the outbox (keys already there are not queued again)."""

    keys: list[str] = field(default_factory=list)


def queue_reminders(session: Session, now: datetime, policy: Policy = Policy()) -> Queued:
    """Queue today's chases and briefings in the outbox, each under a key for its concern (or
    meeting) and day, so a restart or a second copy of the bot never sends one twice:

    Nothing goes before `policy.send_from` (09:00 London).

    - on a working day, each overdue concern is chased with its service officers, and the
      advisors get the list of overdue concerns;
    - from `briefing_working_days` working days before a meeting, the advisors get its agenda
      of escalated concerns and members the meeting's focus clusters (once per meeting).
    """
    today = life.council_day(now)
    queued = Queued()
    if now.astimezone(LONDON).time() < policy.send_from:
        return queued

    def put(to: str, kind: str, key: str, reply: Reply) -> None:
        message = OutboxMessage(
            destination=f"dm:{to}",
            kind=kind,
            payload={"text": plain_text(reply)},
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
    members = concern_store.users_with_role(session, Role.MEMBER)
    for meeting in life.meetings_to_brief(store.meetings(session), today, policy.briefing_working_days):
        if policy.committee is not None and meeting.committee != policy.committee:
            continue
        tag = f"{meeting.date.isoformat()}:{meeting.committee}"[:120]
        agenda = agenda_message(session, meeting)
        for advisor in advisors:
            put(advisor, "meeting_agenda", f"meeting-agenda:{tag}:{advisor}", agenda)
        briefing = briefing_message(meeting)
        for member in members:
            put(member, "meeting_briefing", f"meeting-briefing:{tag}:{member}", briefing)
    return queued


def chase_message(session: Session, concern: Concern, today: date) -> Reply:
    late = life.working_days_late(concern, today)
    return Reply(
        kind=Kind.CONCERN,
        heading=f"Reminder: concern {concern.reference} is overdue",
        summary=(
            f"A member's concern about {raising.subject(session, concern)} was due for an answer "
            f"from {concern.service_area} on {_day(concern.due_on or today)} "
            f"({late} working day{'s' if late != 1 else ''} ago). Please answer it from the bot's Home "
            f"tab (the Answer button), or tell the governance advisor when you can.\n"
            f"The concern: {_quote(concern.text, 600)}"
        ),
        data={"id": concern.id},
    )


def overdue_list(session: Session, late: Sequence[Concern], today: date) -> Reply:
    return Reply(
        kind=Kind.CONCERN,
        heading=f"Overdue concerns on {_day(today)}",
        summary=f"{len(late)} concern{'s are' if len(late) != 1 else ' is'} past the due date:",
        table=Table(
            ("Concern", "About", "Service area", "Due"),
            tuple(
                (c.reference, raising.subject(session, c), c.service_area or "", _day(c.due_on or today))
                for c in late
            ),
        ),
    )


def agenda_message(session: Session, meeting: Meeting) -> Reply:
    escalated = [
        c for c in concern_store.escalated_to(session, meeting) if c.status is ConcernStatus.ESCALATED
    ]
    return Reply(
        kind=Kind.CONCERN,
        heading=f"Agenda: members' concerns for the meeting on {_day(meeting.date)}",
        summary=(
            f"{len(escalated)} concern{'s are' if len(escalated) != 1 else ' is'} escalated to the "
            f"{meeting.committee} on {_day(meeting.date)}."
            + (" The pack: kpibot concerns agenda --meeting " + meeting.date.isoformat() if escalated else "")
        ),
        table=Table(
            ("Concern", "About", "Raised by", "Service area"),
            tuple(
                (c.reference, raising.subject(session, c), c.member, c.service_area or "") for c in escalated
            ),
        )
        if escalated
        else None,
    )


def briefing_message(meeting: Meeting) -> Reply:
    clusters = ", ".join(meeting.focus_clusters) or "the scorecard as a whole"
    return Reply(
        kind=Kind.CONCERN,
        heading=f"Briefing: the {meeting.committee} on {_day(meeting.date)}",
        summary=(
            f"The meeting will focus on {clusters}. Ask about them with /kpi and the cluster's "
            f"name (for example /kpi {meeting.focus_clusters[0] if meeting.focus_clusters else 'clusters'}), "
            "and raise anything that worries you with /concern."
        ),
    )


plain_text = outgoing.plain_text


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
        AgendaItem(c, raising.subject(session, c), tuple(concern_store.events_of(session, c.id or 0)))
        for c in concern_store.escalated_to(session, meeting)
    ]
    return meeting, items


def _quote(text: str, limit: int = 500) -> str:
    flat = " ".join(text.split())
    return f"“{flat if len(flat) <= limit else flat[: limit - 1] + '…'}”"
