"""The agenda pack: cells a spreadsheet would run as formulas come out as text (OWASP CSV
injection guidance), and the HTML page escapes every piece of text."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest

from scorecard.agenda import AgendaItem, agenda_csv, agenda_html, card_words, safe_cell
from scorecard.concerns import raise_concern
from scorecard.model import Meeting

NOW = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
MEETING = Meeting(
    "Children and Young People Scrutiny Commission", date(2026, 12, 8), ("SEND",), date(2026, 11, 27)
)


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_cell_starting_like_a_formula_is_prefixed_with_a_quote(start: str) -> None:
    assert safe_cell(f"{start}1+1") == f"'{start}1+1"


def test_ordinary_words_are_left_alone() -> None:
    assert safe_cell("SEND timeliness") == "SEND timeliness" and safe_cell("") == ""


def test_the_csv_reads_back_with_the_hostile_text_as_text() -> None:
    hostile = '=HYPERLINK("http://evil.example","Click")'
    concern, event = raise_concern("@U0DEMOMEMB1", hostile, None, now=NOW)
    rows = list(
        csv.reader(io.StringIO(agenda_csv([AgendaItem(concern, "The scorecard in general", (event,))])))
    )
    assert rows[1][4] == "'" + hostile and rows[1][2] == "'@U0DEMOMEMB1"
    assert all(not cell.startswith(("=", "+", "-", "@", "\t", "\r")) for row in rows for cell in row)


def test_the_page_escapes_the_members_words() -> None:
    concern, event = raise_concern("U0DEMOMEMB1", "<script>alert(1)</script>", None, now=NOW)
    page = agenda_html(MEETING, [AgendaItem(concern, "The scorecard in general", (event,))])
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "8 December 2026" in page and "Focus of the meeting: SEND." in page


def test_the_card_in_a_line() -> None:
    card = {
        "period": "Q2 2024/25",
        "display": "48.0%",
        "rag_label": "Red",
        "target_display": "60.0%",
        "dot": {"words": "declined: down from 52.0%"},
    }
    assert card_words(card) == "Q2 2024/25: 48.0%, Red (target 60.0%); declined: down from 52.0%"
    assert card_words(None) == ""
