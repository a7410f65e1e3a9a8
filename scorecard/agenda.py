"""The agenda pack for a commission meeting: each escalated concern, the indicator's card as the
member saw it when raising it, the service's answer and the concern's history, as CSV for a
spreadsheet or as one self-contained HTML page.

CSV cells that a spreadsheet would read as a formula (starting with =, +, -, @, a tab or a
carriage return) are prefixed with a single quote, as the OWASP guidance on CSV injection
advises, so a member's words can never run as a formula on the advisor's computer.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

from scorecard.concerns import STATUS_WORDS, Concern, ConcernEvent, Step, history_lines
from scorecard.model import Meeting
from scorecard.working_days import LONDON

__all__ = [
    "COLUMNS",
    "FORMULA_STARTS",
    "AgendaItem",
    "agenda_csv",
    "agenda_html",
    "agenda_rows",
    "card_words",
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
    "Status",
    "Escalation note",
    "History",
)


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
        notes = [e.text for e in self.events if e.step == Step.ESCALATE.value]
        return notes[-1] if notes else ""


def safe_cell(text: str) -> str:
    """A cell a spreadsheet shows as text: "=HYPERLINK(...)" becomes "'=HYPERLINK(...)"."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


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


def agenda_rows(items: Sequence[AgendaItem]) -> list[list[str]]:
    """The pack as rows (header first), cells as plain text."""
    rows = [list(COLUMNS)]
    for item in items:
        concern = item.concern
        rows.append(
            [
                concern.reference,
                concern.created_at.astimezone(LONDON).strftime("%d %b %Y"),
                concern.member,
                item.subject,
                concern.text,
                card_words(concern.card),
                concern.service_area or "",
                item.answer,
                STATUS_WORDS[concern.status],
                item.escalation_note,
                "\n".join(history_lines(item.events)),
            ]
        )
    return rows


def agenda_csv(items: Sequence[AgendaItem]) -> str:
    """The pack as CSV (every cell quoted, formula-like cells made text), for a spreadsheet."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    for row in agenda_rows(items):
        writer.writerow([safe_cell(cell) for cell in row])
    return buffer.getvalue()


def _meeting_title(meeting: Meeting) -> str:
    return f"{meeting.committee}, {meeting.date.day} {meeting.date:%B %Y}"


def agenda_html(meeting: Meeting, items: Sequence[AgendaItem]) -> str:
    """The pack as one accessible HTML page: a section per concern, with the figure as the
    member saw it, the service's answer and the history. Every piece of text is escaped."""
    title = f"Members' concerns for the meeting of the {_meeting_title(meeting)}"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en-GB">',
        "<head>",
        '<meta charset="utf-8">',
        f"<title>{escape(title)}</title>",
        "<style>body{font-family:Arial,sans-serif;max-width:60rem;margin:1rem auto;line-height:1.4}"
        "th{text-align:left;vertical-align:top;padding-right:1rem}td{vertical-align:top}"
        "section{border-top:1px solid #888;padding-top:.5rem}</style>",
        "</head>",
        "<body>",
        f"<h1>{escape(title)}</h1>",
    ]
    if meeting.focus_clusters:
        parts.append(f"<p>Focus of the meeting: {escape(', '.join(meeting.focus_clusters))}.</p>")
    if not items:
        parts.append("<p>No concerns have been escalated to this meeting.</p>")
    else:
        count = f"{len(items)} concern{'s' if len(items) != 1 else ''}"
        parts.append(f"<p>{count} escalated to this meeting.</p>")
    for item in items:
        concern = item.concern
        parts.append(f'<section aria-labelledby="c{concern.id}">')
        parts.append(f'<h2 id="c{concern.id}">{escape(concern.reference)}: {escape(item.subject)}</h2>')
        facts = [
            ("Raised", concern.created_at.astimezone(LONDON).strftime("%d %B %Y")),
            ("Raised by", concern.member),
            ("Status", STATUS_WORDS[concern.status]),
            ("Service area", concern.service_area or "Not sent to a service"),
        ]
        figure = card_words(concern.card)
        if figure:
            facts.append(("The figure when raised", figure))
        parts.append("<table><tbody>")
        for label, value in facts:
            parts.append(f'<tr><th scope="row">{escape(label)}</th><td>{escape(value)}</td></tr>')
        parts.append("</tbody></table>")
        parts.append("<h3>The concern</h3>")
        parts.append(f"<blockquote><p>{escape(concern.text)}</p></blockquote>")
        parts.append("<h3>The service's answer</h3>")
        answer = item.answer
        parts.append(f"<p>{escape(answer)}</p>" if answer else "<p>No written answer before the meeting.</p>")
        if item.escalation_note:
            parts.append(f"<h3>Why it is on the agenda</h3><p>{escape(item.escalation_note)}</p>")
        parts.append("<h3>History</h3><ol>")
        parts.extend(f"<li>{escape(line)}</li>" for line in history_lines(item.events))
        parts.append("</ol></section>")
    parts += ["</body>", "</html>", ""]
    return "\n".join(parts)
