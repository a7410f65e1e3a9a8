"""Concerns as people see them: one concern, the lists (/concern list), the advisor's and the
service's queues (App Home), and the words every concern view shares (its subject, a quoted
text, a date). Reading only: the steps are handlers.concern_steps.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from sqlalchemy.orm import Session

from data import concerns as concern_store
from data import people, store
from handlers.reply import Action, ActionId, Fact, Kind, Reply, Request, Table
from scorecard import concerns as life
from scorecard.concerns import (
    STATUS_WORDS,
    Concern,
    ConcernStatus,
    NoSuchConcern,
)
from scorecard.model import Role
from scorecard.working_days import LONDON

GENERAL = "The scorecard in general"
# /concern list shows this many; App Home shows `MAX_QUEUE` with buttons.
MAX_LISTED = 40
MAX_QUEUE = 15


def subject(session: Session, concern: Concern) -> str:
    """What the concern is about, in words: an indicator's title and code, or the scorecard."""
    if concern.indicator_code is None:
        return GENERAL
    found = store.indicator(session, concern.indicator_code)
    title = found.title if found is not None else concern.indicator_code
    return f"{title} ({concern.indicator_code})"


def reference(concern: Concern) -> str:
    return f"C-{concern.id}" if concern.id is not None else "(not yet kept)"


def name_of(session: Session, person_id: str) -> str:
    """A person as people know them: their name from the directory (bot.names keeps it), or
    their id where no name is known."""
    return people.names_of(session, [person_id]).get(person_id, person_id)


def names_for(session: Session, person_ids: Iterable[str]) -> dict[str, str]:
    """Each person's name, or their id where none is known (one query for a list)."""
    wanted = set(person_ids)
    known = people.names_of(session, wanted)
    return {person: known.get(person, person) for person in wanted}


def quote(text: str, limit: int = 500) -> str:
    """A person's words quoted on one line, shortened to `limit` with an ellipsis."""
    flat = " ".join(text.split())
    return f"“{flat if len(flat) <= limit else flat[: limit - 1] + '…'}”"


def day_words(when: date) -> str:
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
            words += f", due {day_words(concern.due_on)}"
            if life.is_overdue(concern, today):
                words += ": overdue"
    if concern.status is ConcernStatus.ESCALATED and concern.meeting is not None:
        words = f"Escalated to the commission's meeting on {day_words(concern.meeting.date)}"
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
            subject(session, c),
            c.created_at.astimezone(LONDON).strftime("%d %b %Y"),
            status_line(c, today),
            quote(c.text, 200),
        )
        for c in shown[-MAX_LISTED :]
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
        Fact("About", subject(session, concern)),
        Fact("Raised", concern.created_at.astimezone(LONDON).strftime("%d %B %Y")),
        Fact("Status", status_line(concern, today)),
    ]
    if request.viewer.user != concern.member:
        facts.insert(1, Fact("Raised by", name_of(session, concern.member)))
    return Reply(
        kind=Kind.CONCERN,
        heading=f"Concern {concern.reference}",
        summary=quote(concern.text, 2000),
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
        heading=f"{concern.reference}: {subject(session, concern)}",
        summary=(
            f"{quote(concern.text, 600)}\n"
            f"Raised by {name_of(session, concern.member)} "
            f"on {concern.created_at.astimezone(LONDON):%d %b %Y}. "
            f"{status_line(concern, today)}."
        ),
        actions=actions_for(request, concern),
        data={"id": concern.id, "status": concern.status.value},
    )



def list_reply(request: Request, session: Session) -> Reply:
    """A member's own concerns, newest first; for the governance advisor, every concern not yet
    closed (open, with a service, answered, escalated); for a service officer, those sent to
    their area as well as their own."""
    if Role.GOVERNANCE_ADVISOR in request.viewer.roles:
        return _table_reply(
            session,
            "Open concerns",
            concern_store.concerns_with_status(session, set(ConcernStatus) - {ConcernStatus.CLOSED}),
            empty="There are no open concerns.",
            with_member=True,
        )
    if Role.SERVICE_OFFICER in request.viewer.roles:
        return listing(request, session)
    return _table_reply(
        session,
        "Your concerns",
        concern_store.concerns_of(session, request.viewer.user),
        empty="You have not raised any concerns. Raise one with /concern and a few words.",
        with_member=False,
    )


def _table_reply(
    session: Session, heading: str, concerns: Sequence[Concern], *, empty: str, with_member: bool
) -> Reply:
    items = [{"id": c.id, "code": c.indicator_code, "status": c.status.value} for c in concerns]
    if not concerns:
        return Reply(kind=Kind.CONCERN, heading=heading, summary=empty, data={"concerns": items})
    shown = concerns[:MAX_LISTED]
    columns: tuple[str, ...] = ("Concern", "About", "Raised", "Status", "Said")
    rows: tuple[tuple[str, ...], ...] = tuple(
        (
            reference(c),
            subject(session, c),
            c.created_at.astimezone(LONDON).strftime("%d %b %Y"),
            STATUS_WORDS[c.status],
            quote(c.text, 200),
        )
        for c in shown
    )
    if with_member:
        columns = ("Concern", "Member", *columns[1:])
        names = names_for(session, (c.member for c in shown))
        rows = tuple((row[0], names[c.member], *row[1:]) for row, c in zip(rows, shown, strict=True))
    more = len(concerns) - len(shown)
    count = f"{len(concerns)} concern{'s' if len(concerns) != 1 else ''}"
    return Reply(
        kind=Kind.CONCERN,
        heading=heading,
        summary=count + (f"; the {len(shown)} newest are shown." if more else "."),
        table=Table(columns, rows),
        data={"concerns": items},
    )


