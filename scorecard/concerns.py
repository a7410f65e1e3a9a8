"""Members' concerns: what one is, the steps of its life, who may take each, and when it is due.

A concern is raised by a member about an indicator (or the scorecard in general) and starts
`open`. The governance advisor sends it to a service area (`with_service`, due in 10 working
days), the service officer of that area answers it (`answered`) and the advisor closes it; or
the advisor escalates it (from `open`, `with_service` or `answered`) to the commission's next
meeting whose agenda deadline has not passed (`escalated`), and closes it after the meeting
with the meeting's outcome. Every step is a `ConcernEvent` (who, when, from which status to
which, what was said); nothing is ever deleted or changed.

Who sees what: a member sees their own concerns; the advisor sees all; a service officer sees
those sent to their service area. A refusal never says whether someone else's concern exists.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from scorecard.characters import CANNOT_STORE, unstorable
from scorecard.model import Meeting, Role, Viewer
from scorecard.working_days import LONDON, add_working_days, is_working_day, working_days_between

__all__ = [
    "DEFAULT_BRIEFING_WORKING_DAYS",
    "DEFAULT_DUE_WORKING_DAYS",
    "MAX_TEXT",
    "STATUS_WORDS",
    "TRANSITIONS",
    "Concern",
    "ConcernError",
    "ConcernEvent",
    "ConcernRefused",
    "ConcernStatus",
    "NoMeeting",
    "NoSuchConcern",
    "NotNow",
    "RoleNeeded",
    "Step",
    "answer_concern",
    "briefing_day",
    "can_see",
    "close_concern",
    "council_day",
    "due_date",
    "escalate_concern",
    "history_lines",
    "is_overdue",
    "meetings_to_brief",
    "next_meeting",
    "overdue",
    "raise_concern",
    "send_to_service",
    "visible",
    "working_days_late",
]

# Long enough for a considered paragraph or three; Slack's text inputs stop at 3,000 too.
MAX_TEXT = 3000
# The spec's defaults: a service has 10 working days to answer; members are briefed 5 working
# days before a meeting. Both are settings (concern_due_working_days, briefing_working_days).
DEFAULT_DUE_WORKING_DAYS = 10
DEFAULT_BRIEFING_WORKING_DAYS = 5


class ConcernStatus(StrEnum):
    OPEN = "open"
    WITH_SERVICE = "with_service"
    ANSWERED = "answered"
    ESCALATED = "escalated"
    CLOSED = "closed"


# What a member reads for each status.
STATUS_WORDS: dict[ConcernStatus, str] = {
    ConcernStatus.OPEN: "Open: with the governance advisor",
    ConcernStatus.WITH_SERVICE: "With the service for a written answer",
    ConcernStatus.ANSWERED: "Answered",
    ConcernStatus.ESCALATED: "Escalated to the commission's next meeting",
    ConcernStatus.CLOSED: "Closed",
}


class Step(StrEnum):
    """The steps of a concern's life after it is raised."""

    SEND = "send"
    ANSWER = "answer"
    ESCALATE = "escalate"
    CLOSE = "close"


# Which statuses each step may start from, and where it leads. Sending again from
# `with_service` re-routes a concern sent to the wrong area (a new due date from that day).
# Closing from `open` is the advisor's triage (a duplicate, or answered on the spot); a concern
# with the service is answered or escalated before it is closed.
TRANSITIONS: dict[Step, tuple[frozenset[ConcernStatus], ConcernStatus]] = {
    Step.SEND: (frozenset({ConcernStatus.OPEN, ConcernStatus.WITH_SERVICE}), ConcernStatus.WITH_SERVICE),
    Step.ANSWER: (frozenset({ConcernStatus.WITH_SERVICE}), ConcernStatus.ANSWERED),
    Step.ESCALATE: (
        frozenset({ConcernStatus.OPEN, ConcernStatus.WITH_SERVICE, ConcernStatus.ANSWERED}),
        ConcernStatus.ESCALATED,
    ),
    Step.CLOSE: (
        frozenset({ConcernStatus.OPEN, ConcernStatus.ANSWERED, ConcernStatus.ESCALATED}),
        ConcernStatus.CLOSED,
    ),
}

# Who may take each step (spec, "Who may do what"); answering also needs the concern's area.
_ROLE_FOR: dict[Step, Role] = {
    Step.SEND: Role.GOVERNANCE_ADVISOR,
    Step.ANSWER: Role.SERVICE_OFFICER,
    Step.ESCALATE: Role.GOVERNANCE_ADVISOR,
    Step.CLOSE: Role.GOVERNANCE_ADVISOR,
}

_DOING: dict[Step, str] = {
    Step.SEND: "send a concern to a service",
    Step.ANSWER: "answer a concern",
    Step.ESCALATE: "escalate a concern to the commission",
    Step.CLOSE: "close a concern",
}


class ConcernError(ValueError):
    """A concern that cannot be raised or changed, with a message written for the person."""


class ConcernRefused(ConcernError):
    """A step that was refused: the message says why in plain words."""


class NoSuchConcern(ConcernRefused):
    """No concern with that reference that this person may see. The same words whether it does
    not exist or is someone else's, so a refusal never reveals another member's concern."""

    def __init__(self, concern_id: int | None) -> None:
        ref = f"C-{concern_id}" if concern_id is not None else "that reference"
        super().__init__(
            f"There is no concern {ref} that you can see. /concern list shows the concerns you can see."
        )
        self.concern_id = concern_id


class RoleNeeded(ConcernRefused):
    """The step needs a role the person does not hold: the message names it."""

    def __init__(self, step: Step, role: Role, service_area: str | None = None) -> None:
        who = {
            Role.GOVERNANCE_ADVISOR: "the governance advisor",
            Role.SERVICE_OFFICER: (
                f"a service officer for {service_area}" if service_area else "a service officer"
            ),
        }.get(role, role.value.replace("_", " "))
        super().__init__(f"Only {who} can {_DOING[step]}.")
        self.step = step
        self.role = role


class NotNow(ConcernRefused):
    """The step does not apply to the concern as it stands (already answered, still open ...)."""


class NoMeeting(ConcernRefused):
    """No commission meeting is left whose agenda deadline has not passed."""

    def __init__(self) -> None:
        super().__init__(
            "There is no commission meeting whose agenda deadline has not passed. "
            "Load the next meetings (meetings.csv) and escalate again."
        )


@dataclass(frozen=True, slots=True)
class Concern:
    """A member's concern as it stands. `indicator_code` is None for "the scorecard in general";
    `id` is None until the store has kept it. `service_area` and `due_on` are set when it is
    sent to a service; `meeting` when it is escalated. `card` is the indicator's card (as
    `card_as_dict`) when it was raised, so the meeting sees what the member saw."""

    member: str
    indicator_code: str | None
    text: str
    status: ConcernStatus
    created_at: datetime
    id: int | None = None
    service_area: str | None = None
    due_on: date | None = None
    meeting: Meeting | None = None
    card: Mapping[str, Any] | None = field(default=None, compare=False)

    @property
    def reference(self) -> str:
        return f"C-{self.id}" if self.id is not None else "(not yet kept)"


@dataclass(frozen=True, slots=True)
class ConcernEvent:
    """One step in a concern's life: `from_status` is None for the step that raised it. What
    the step set (the service area and due date, the meeting) is kept with it, so the
    concern's current state can always be read again from its events."""

    at: datetime
    who: str
    from_status: ConcernStatus | None
    to_status: ConcernStatus
    text: str
    concern_id: int | None = None
    step: str = "raise"
    service_area: str | None = None
    due_on: date | None = None
    meeting: Meeting | None = None


def council_day(moment: datetime) -> date:
    """The date in the council's time (Europe/London): 23:30 UTC on 31 March 2025 is already
    1 April in London (BST)."""
    if moment.tzinfo is None:
        raise ValueError("the moment must be an aware date-time")
    return moment.astimezone(LONDON).date()


def raise_concern(
    member: str, text: str, indicator_code: str | None, *, now: datetime
) -> tuple[Concern, ConcernEvent]:
    """A new `open` concern and the event that records its raising.

    The text is required and at most 3,000 characters (after trimming surrounding spaces):
    "  SEND timeliness is falling  " is kept as "SEND timeliness is falling"; "" is refused
    with "Please say what your concern is."; an indicator code of "" means the scorecard in
    general (None).
    """
    if now.tzinfo is None:
        raise ValueError("now must be an aware date-time")
    if not member.strip():
        raise ValueError("a concern needs the member who raised it")
    words = _words(
        text,
        "Please say what your concern is.",
        "your concern",
        " You can add more detail when the advisor follows it up.",
    )
    code = (indicator_code or "").strip() or None
    concern = Concern(
        member=member, indicator_code=code, text=words, status=ConcernStatus.OPEN, created_at=now
    )
    event = ConcernEvent(at=now, who=member, from_status=None, to_status=ConcernStatus.OPEN, text=words)
    return concern, event


def _words(text: str, empty: str, what: str, more: str = "") -> str:
    words = _note(text)
    if not words:
        raise ConcernError(empty)
    if len(words) > MAX_TEXT:
        raise ConcernError(f"Please keep {what} to {MAX_TEXT:,} characters: it has {len(words):,}.{more}")
    return words


def _note(text: str) -> str:
    """Text as it is kept: trimmed, and refused if it holds a character the store cannot keep
    ("SEND\x00 is late" is refused naming the NUL, on every store alike)."""
    bad = unstorable(text)
    if bad is not None:
        raise ConcernError(f"{CANNOT_STORE.capitalize()} (a {bad}): please remove it and try again.")
    return text.strip()


# --- who sees what ---------------------------------------------------------------------------


def can_see(viewer: Viewer, concern: Concern) -> bool:
    """The member who raised it, the governance advisor, and a service officer of the area it
    was sent to. Another member never sees it, nor does an officer of another area."""
    if concern.member == viewer.user or Role.GOVERNANCE_ADVISOR in viewer.roles:
        return True
    return (
        Role.SERVICE_OFFICER in viewer.roles
        and concern.service_area is not None
        and concern.service_area in viewer.service_areas
    )


def visible(viewer: Viewer, concerns: Iterable[Concern]) -> list[Concern]:
    """Only the concerns `viewer` may see, in the order given."""
    return [concern for concern in concerns if can_see(viewer, concern)]


def _check(step: Step, viewer: Viewer, concern: Concern) -> ConcernStatus:
    """Refuse the step unless `viewer` may take it on `concern` as it stands: first whether they
    may see it at all (without saying whose it is), then their role, then its status."""
    if not can_see(viewer, concern):
        raise NoSuchConcern(concern.id)
    role = _ROLE_FOR[step]
    if role not in viewer.roles:
        raise RoleNeeded(step, role, concern.service_area if step is Step.ANSWER else None)
    if step is Step.ANSWER and concern.service_area not in viewer.service_areas:
        raise RoleNeeded(step, role, concern.service_area)
    starts, to = TRANSITIONS[step]
    if concern.status not in starts:
        raise NotNow(_not_now(step, concern))
    return to


def _not_now(step: Step, concern: Concern) -> str:
    ref = concern.reference
    status = concern.status
    if status is ConcernStatus.CLOSED:
        return f"{ref} is closed, so nothing more can be done with it."
    if step is Step.ANSWER:
        if status is ConcernStatus.ANSWERED:
            return f"{ref} has already been answered."
        if status is ConcernStatus.ESCALATED:
            return f"{ref} has been escalated to the commission, so it is answered at the meeting."
        return f"{ref} has not been sent to a service yet, so it cannot be answered."
    if step is Step.SEND:
        return f"{ref} is {STATUS_WORDS[status].lower()}, so it cannot be sent to a service again."
    if step is Step.ESCALATE:
        return f"{ref} is already escalated to the commission's meeting."
    # Closing a concern that is with the service: it waits for the answer or is escalated.
    return f"{ref} is with the service for a written answer: close it once it is answered, or escalate it."


def _moment(now: datetime) -> datetime:
    if now.tzinfo is None:
        raise ValueError("now must be an aware date-time")
    return now


# --- the steps -------------------------------------------------------------------------------


def due_date(
    sent_on: date,
    working_days: int = DEFAULT_DUE_WORKING_DAYS,
    holidays: Collection[date] | None = None,
) -> date:
    """When a service's answer is due: `working_days` working days after the day it was sent,
    England and Wales bank holidays excluded. Sent on Friday 20 December 2024: due Monday
    6 January 2025 (25, 26 December and 1 January are bank holidays)."""
    if working_days < 1:
        raise ValueError("a service needs at least one working day to answer")
    return add_working_days(sent_on, working_days, holidays)


def send_to_service(
    concern: Concern,
    viewer: Viewer,
    service_area: str,
    note: str = "",
    *,
    now: datetime,
    working_days: int = DEFAULT_DUE_WORKING_DAYS,
    holidays: Collection[date] | None = None,
) -> tuple[Concern, ConcernEvent]:
    """The advisor sends the concern to a service area for a written answer, due
    `working_days` working days after today (in London). Only the governance advisor may."""
    to = _check(Step.SEND, viewer, concern)
    area = service_area.strip()
    if not area:
        raise ConcernError("Please choose the service area to send the concern to.")
    moment = _moment(now)
    due = due_date(council_day(moment), working_days, holidays)
    words = _note(note)[:MAX_TEXT]
    event = ConcernEvent(
        at=moment, who=viewer.user, from_status=concern.status, to_status=to, text=words,
        concern_id=concern.id, step=Step.SEND.value, service_area=area, due_on=due,
    )
    return replace(concern, status=to, service_area=area, due_on=due), event


def answer_concern(
    concern: Concern, viewer: Viewer, text: str, *, now: datetime
) -> tuple[Concern, ConcernEvent]:
    """The service officer of the concern's area writes the service's answer."""
    to = _check(Step.ANSWER, viewer, concern)
    words = _words(text, "Please write the service's answer.", "the answer")
    event = ConcernEvent(
        at=_moment(now), who=viewer.user, from_status=concern.status, to_status=to, text=words,
        concern_id=concern.id, step=Step.ANSWER.value,
    )
    return replace(concern, status=to), event


def next_meeting(
    meetings: Iterable[Meeting], today: date, committee: str | None = None
) -> Meeting | None:
    """The soonest meeting (of `committee`, if given) whose agenda deadline has not passed on
    `today`; a meeting without an agenda deadline takes its own date as the deadline. On
    27 November 2026 (the deadline day) the 8 December 2026 meeting still takes items; on
    28 November the next is 26 January 2027."""
    open_for_items = [
        meeting
        for meeting in meetings
        if (committee is None or meeting.committee == committee)
        and (meeting.agenda_deadline or meeting.date) >= today
        and meeting.date >= today
    ]
    return min(open_for_items, key=lambda m: (m.date, m.committee), default=None)


def escalate_concern(
    concern: Concern,
    viewer: Viewer,
    meetings: Iterable[Meeting],
    note: str = "",
    *,
    now: datetime,
    committee: str | None = None,
) -> tuple[Concern, ConcernEvent]:
    """The advisor takes the concern to the next commission meeting whose agenda deadline has
    not passed; the meeting is kept with the concern and the event."""
    to = _check(Step.ESCALATE, viewer, concern)
    moment = _moment(now)
    meeting = next_meeting(meetings, council_day(moment), committee)
    if meeting is None:
        raise NoMeeting()
    event = ConcernEvent(
        at=moment, who=viewer.user, from_status=concern.status, to_status=to,
        text=_note(note)[:MAX_TEXT], concern_id=concern.id, step=Step.ESCALATE.value, meeting=meeting,
    )
    return replace(concern, status=to, meeting=meeting), event


def close_concern(
    concern: Concern, viewer: Viewer, outcome: str, *, now: datetime
) -> tuple[Concern, ConcernEvent]:
    """The advisor closes the concern, saying the outcome. An escalated concern is closed after
    its meeting, with the meeting's outcome."""
    to = _check(Step.CLOSE, viewer, concern)
    moment = _moment(now)
    if (
        concern.status is ConcernStatus.ESCALATED
        and concern.meeting is not None
        and council_day(moment) < concern.meeting.date
    ):
        raise NotNow(
            f"{concern.reference} is on the agenda of the meeting on "
            f"{concern.meeting.date.day} {concern.meeting.date:%B %Y}: "
            "close it after the meeting, with its outcome."
        )
    words = _words(outcome, "Please say the outcome, for the member and the record.", "the outcome")
    event = ConcernEvent(
        at=moment, who=viewer.user, from_status=concern.status, to_status=to, text=words,
        concern_id=concern.id, step=Step.CLOSE.value,
    )
    return replace(concern, status=to), event


# --- reminders and briefings -----------------------------------------------------------------


def is_overdue(concern: Concern, today: date) -> bool:
    """With the service and past its due date: due on Monday 6 January 2025, it is overdue from
    Tuesday 7 January (the due day itself is still in time)."""
    return (
        concern.status is ConcernStatus.WITH_SERVICE
        and concern.due_on is not None
        and today > concern.due_on
    )


def working_days_late(concern: Concern, today: date, holidays: Collection[date] | None = None) -> int:
    """Working days since the due date: due Friday 13 November 2026, on Tuesday 17 November it
    is 2 working days late; 0 when not overdue."""
    if not is_overdue(concern, today) or concern.due_on is None:
        return 0
    return working_days_between(concern.due_on, today, holidays)


def overdue(
    concerns: Iterable[Concern], today: date, holidays: Collection[date] | None = None
) -> list[Concern]:
    """The concerns to chase today, oldest due first: none on a weekend or bank holiday (they
    are chased on the next working day)."""
    if not is_working_day(today, holidays):
        return []
    late = [concern for concern in concerns if is_overdue(concern, today)]
    return sorted(late, key=lambda c: (c.due_on or today, c.id or 0))


def briefing_day(
    meeting: Meeting,
    working_days: int = DEFAULT_BRIEFING_WORKING_DAYS,
    holidays: Collection[date] | None = None,
) -> date:
    """The working day `working_days` working days before the meeting: the meeting on Tuesday
    8 December 2026 is briefed on Tuesday 1 December 2026."""
    return add_working_days(meeting.date, -working_days, holidays)


def meetings_to_brief(
    meetings: Iterable[Meeting],
    today: date,
    working_days: int = DEFAULT_BRIEFING_WORKING_DAYS,
    holidays: Collection[date] | None = None,
) -> list[Meeting]:
    """Meetings whose briefing is due on `today`: from the briefing day until the day before
    the meeting, so a bot that was down on the briefing day still briefs when it is back (the
    caller sends each meeting's briefing once)."""
    return [
        meeting
        for meeting in meetings
        if briefing_day(meeting, working_days, holidays) <= today < meeting.date
    ]


def history_lines(events: Sequence[ConcernEvent]) -> list[str]:
    """A concern's life in words, oldest first: "12 Nov 2026 10:02 U0DEMOGOV01: open -> with
    service (SEND, due 26 Nov 2026): Please answer"."""
    lines = []
    for event in events:
        moment = event.at.astimezone(LONDON).strftime("%d %b %Y %H:%M")
        moved = (
            f"raised ({STATUS_WORDS[event.to_status]})"
            if event.from_status is None
            else f"{event.from_status.value} -> {event.to_status.value}"
        )
        detail = []
        if event.service_area:
            detail.append(event.service_area)
        if event.due_on:
            detail.append(f"due {event.due_on:%d %b %Y}")
        if event.meeting:
            detail.append(f"meeting {event.meeting.date:%d %b %Y}")
        said = f": {event.text}" if event.text else ""
        extra = f" ({', '.join(detail)})" if detail else ""
        lines.append(f"{moment} {event.who}: {moved}{extra}{said}")
    return lines
