"""A concern's steps after it is raised: sending it to a service, the service's answer,
escalating it to the commission, closing it; and what each person is told.

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
from dataclasses import dataclass
from datetime import datetime, time

from sqlalchemy.orm import Session

from data import concerns as concern_store
from data import handled, store
from handlers import concerns as raising
from handlers import outgoing
from handlers.concern_views import day_words, find, quote, subject
from handlers.reply import Action, ActionId, Kind, Reply, Request
from scorecard import concerns as life
from scorecard.concerns import (
    STATUS_WORDS,
    Concern,
    ConcernError,
    ConcernEvent,
)
from scorecard.model import Meeting, Role


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
        due = day_words(concern.due_on) if concern.due_on else "in 10 working days"
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
    notes = [f"From the governance advisor: {quote(event.text)}"] if event.text else []
    return Reply(
        kind=Kind.CONCERN,
        heading=f"A member's concern for {concern.service_area}: {concern.reference}",
        summary=(
            f"About {subject(session, concern)}:\n{quote(concern.text, 2000)}\n"
            "Please write the service's answer by "
            f"{day_words(concern.due_on) if concern.due_on else 'the due date'}."
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
                f"{subject(session, concern)}:\n{quote(event.text, 2500)}"
            ),
            notes=(
                f"You wrote: {quote(concern.text, 300)}",
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
    """The advisor escalates the concern to the next meeting open for items, saying why (the
    clerk prints the reason in the agenda pack); the member is told."""
    if not note.strip():
        raise ConcernError(
            "Say why it goes to the commission: the reason is printed in the meeting's agenda pack."
        )
    meetings = store.meetings(session)

    def take(concern: Concern) -> tuple[Concern, ConcernEvent]:
        return life.escalate_concern(
            concern, request.viewer, meetings, note, now=request.now, committee=policy.committee
        )

    def say(concern: Concern, event: ConcernEvent) -> tuple[Reply, tuple[Notice, ...]]:
        assert concern.meeting is not None
        when = day_words(concern.meeting.date)
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
                f"The governance advisor has put your concern about {subject(session, concern)} "
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
            summary=f"Outcome: {quote(event.text)}",
            data={"id": concern.id, "status": concern.status.value},
        )
        to_member = Reply(
            kind=Kind.CONCERN,
            heading=f"Your concern {concern.reference} is closed",
            summary=(
                f"The outcome for your concern about {subject(session, concern)}: "
                f"{quote(event.text, 2500)}"
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

