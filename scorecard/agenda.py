"""The agenda pack for a commission meeting, as a committee clerk would print it: each escalated
concern with the member's name, the indicator and the figure as the member saw it when raising
it, its history in words ("Sent to SEND on 2 November 2026 ...; answered on 10 November 2026"),
the service's answer and the reason it was escalated; as CSV for a spreadsheet or as one
self-contained HTML page (templates/agenda.html.j2, jinja2 as the newsletter) whose print
stylesheet fits A4 portrait.

No state-machine words reach the pack: every step is dated and said in words. People are
shown by name from `names` (platform id -> display name), by their id where no name is known.

CSV cells that a spreadsheet would read as a formula (starting with =, +, -, @, a tab or a
carriage return) are prefixed with a single quote, as the OWASP guidance on CSV injection
advises, so a member's words can never run as a formula on the advisor's computer.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from scorecard.concerns import STATUS_WORDS, Concern, ConcernEvent, ConcernStatus, Step
from scorecard.model import Meeting
from scorecard.working_days import LONDON

if TYPE_CHECKING:
    from jinja2 import Environment

__all__ = [
    "COLUMNS",
    "FORMULA_STARTS",
    "NO_ANSWER",
    "NO_REASON",
    "AgendaItem",
    "agenda_csv",
    "agenda_html",
    "agenda_rows",
    "card_words",
    "day_words",
    "history_in_short",
    "history_words",
    "person",
    "safe_cell",
]

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

COLUMNS = (
    "Concern",
    "Raised",
    "Raised by",
    "About",
    "The concern",
    "The figure when raised",
    "Service area",
    "The service's answer",
    "Where it stands",
    "Reason for escalation",
    "History",
)

NO_ANSWER = "No written answer before the meeting."
NO_REASON = "No reason was recorded when it was escalated."


@dataclass(frozen=True, slots=True)
class AgendaItem:
    """One escalated concern on the agenda: the concern, what it is about in words, its life."""

    concern: Concern
    subject: str
    events: tuple[ConcernEvent, ...]

    @property
    def answer(self) -> str:
        """The service's latest written answer, or "" when it escalated without one."""
        answers = [e.text for e in self.events if e.step == Step.ANSWER.value]
        return answers[-1] if answers else ""

    @property
    def escalation_note(self) -> str:
        """Why the advisor escalated it (the escalation step's note), or ""."""
        notes = [e.text for e in self.events if e.step == Step.ESCALATE.value]
        return notes[-1] if notes else ""


def safe_cell(text: str) -> str:
    """A cell a spreadsheet shows as text: "=HYPERLINK(...)" becomes "'=HYPERLINK(...)"."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def person(user: str, names: Mapping[str, str]) -> str:
    """A person as people read them: their name where known ("Alex Morgan"), else their id."""
    name = names.get(user, "").strip()
    return name or user


def day_words(when: date | datetime) -> str:
    """A date as a clerk writes it, in the council's time: "2 November 2026" (an aware moment at
    23:30 UTC on 31 March 2025 is 1 April 2025 in London)."""
    day = when.astimezone(LONDON).date() if isinstance(when, datetime) else when
    return f"{day.day} {day:%B %Y}"


def card_words(card: Mapping[str, Any] | None) -> str:
    """The card when the concern was raised, in a line: "June 2024: 48.0%, Red (target 60.0%);
    declined: down from 52.0%"; "" for a concern about the scorecard in general."""
    if not card:
        return ""
    period = card.get("period") or "no period"
    parts = [f"{period}: {card.get('display') or 'no figure'}"]
    rag = card.get("rag_label") or card.get("rag")
    if rag:
        target = card.get("target_display")
        parts.append(f", {rag}" + (f" (target {target})" if target else ""))
    dot = card.get("dot") or {}
    if isinstance(dot, Mapping) and dot.get("words"):
        parts.append(f"; {dot['words']}")
    return "".join(parts)


def _quoted(text: str) -> str:
    return f"“{' '.join(text.split())}”"


def _step_words(event: ConcernEvent, names: Mapping[str, str]) -> str:
    """One step as a sentence, dated, with who took it and what it set."""
    who = person(event.who, names)
    on = day_words(event.at)
    if event.from_status is None:
        return f"Raised by {who} on {on}."
    match event.step:
        case Step.SEND.value:
            again = " on" if event.from_status is ConcernStatus.WITH_SERVICE else ""
            area = event.service_area or "a service"
            due = f", for a written answer by {day_words(event.due_on)}" if event.due_on else ""
            note = f" Note for the service: {_quoted(event.text)}" if event.text else ""
            return f"Sent{again} to {area} by {who} on {on}{due}.{note}"
        case Step.ANSWER.value:
            return f"Answered by {who} on {on}."
        case Step.ESCALATE.value:
            where = (
                f" to the {event.meeting.committee} meeting on {day_words(event.meeting.date)}"
                if event.meeting
                else " to the commission"
            )
            return f"Escalated{where} by {who} on {on}."
        case Step.CLOSE.value:
            outcome = f" Outcome: {_quoted(event.text)}" if event.text else ""
            return f"Closed by {who} on {on}.{outcome}"
    return f"Changed by {who} on {on}."


def history_words(events: Sequence[ConcernEvent], names: Mapping[str, str] | None = None) -> list[str]:
    """A concern's life as dated sentences, oldest first: "Raised by Alex Morgan on 2 November
    2026.", "Sent to SEND by Sam Patel on 2 November 2026, for a written answer by 16 November
    2026. Note for the service: “Please answer”", "Answered by ... on 10 November 2026." ..."""
    return [_step_words(event, names or {}) for event in events]


def history_in_short(events: Sequence[ConcernEvent]) -> str:
    """The life in one line, for the top of an item: "Raised on 2 November 2026; sent to SEND on
    2 November 2026; answered on 10 November 2026; escalated on 20 November 2026."."""
    parts = []
    for event in events:
        on = day_words(event.at)
        if event.from_status is None:
            parts.append(f"raised on {on}")
            continue
        match event.step:
            case Step.SEND.value:
                parts.append(f"sent to {event.service_area or 'a service'} on {on}")
            case Step.ANSWER.value:
                parts.append(f"answered on {on}")
            case Step.ESCALATE.value:
                parts.append(f"escalated on {on}")
            case Step.CLOSE.value:
                parts.append(f"closed on {on}")
            case _:
                parts.append(f"changed on {on}")
    line = "; ".join(parts)
    return line[:1].upper() + line[1:] + "." if line else ""


def agenda_rows(items: Sequence[AgendaItem], names: Mapping[str, str] | None = None) -> list[list[str]]:
    """The pack as rows (header first), cells as plain text with people by name."""
    known = names or {}
    rows = [list(COLUMNS)]
    for item in items:
        concern = item.concern
        rows.append(
            [
                concern.reference,
                day_words(concern.created_at),
                person(concern.member, known),
                item.subject,
                concern.text,
                card_words(concern.card),
                concern.service_area or "",
                item.answer or NO_ANSWER,
                STATUS_WORDS[concern.status],
                item.escalation_note or NO_REASON,
                "\n".join(history_words(item.events, known)),
            ]
        )
    return rows


def agenda_csv(items: Sequence[AgendaItem], names: Mapping[str, str] | None = None) -> str:
    """The pack as CSV (every cell quoted, formula-like cells made text), for a spreadsheet."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    for row in agenda_rows(items, names):
        writer.writerow([safe_cell(cell) for cell in row])
    return buffer.getvalue()


@dataclass(frozen=True, slots=True)
class _ItemView:
    """What the template needs for one concern, worked out here so the template stays simple."""

    number: int
    anchor: str
    reference: str
    subject: str
    raised_by: str
    raised_on: str
    figure: str
    service_area: str
    standing: str
    text: str
    answer: str
    reason: str
    in_short: str
    history: tuple[str, ...]


def _item_view(number: int, item: AgendaItem, names: Mapping[str, str]) -> _ItemView:
    concern = item.concern
    return _ItemView(
        number=number,
        anchor=f"c{concern.id}" if concern.id is not None else f"item-{number}",
        reference=concern.reference,
        subject=item.subject,
        raised_by=person(concern.member, names),
        raised_on=day_words(concern.created_at),
        figure=card_words(concern.card),
        service_area=concern.service_area or "Not sent to a service",
        standing=STATUS_WORDS[concern.status],
        text=concern.text,
        answer=item.answer,
        reason=item.escalation_note,
        in_short=history_in_short(item.events),
        history=tuple(history_words(item.events, names)),
    )


@lru_cache(maxsize=1)
def _environment() -> Environment:
    from jinja2 import Environment, PackageLoader, StrictUndefined

    # As the newsletter's: autoescape=True (the name ends in .j2, which select_autoescape would
    # not escape); every member's, officer's and advisor's word is escaped.
    return Environment(
        loader=PackageLoader("scorecard", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def agenda_html(
    meeting: Meeting,
    items: Sequence[AgendaItem],
    names: Mapping[str, str] | None = None,
    *,
    prepared_on: date | None = None,
) -> str:
    """The pack as one self-contained, printable HTML page: a list of the items, then a section
    per concern (who raised it and when, the figure they saw, their words, the service's answer,
    why it is on the agenda, its history in dated sentences). `prepared_on` dates the page.
    Well-formed (every tag closed) so it parses as XML too."""
    known = names or {}
    title = f"Members' concerns for the {meeting.committee}, {day_words(meeting.date)}"
    template = _environment().get_template("agenda.html.j2")
    return template.render(
        title=title,
        meeting=meeting,
        meeting_day=f"{meeting.date:%A} {day_words(meeting.date)}",
        deadline=day_words(meeting.agenda_deadline) if meeting.agenda_deadline else "",
        prepared=day_words(prepared_on) if prepared_on else "",
        items=[_item_view(number, item, known) for number, item in enumerate(items, start=1)],
        no_answer=NO_ANSWER,
        no_reason=NO_REASON,
    )
