"""The agenda pack: cells a spreadsheet would run as formulas come out as text (OWASP CSV
injection guidance), and the HTML page escapes every piece of text."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
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


# --- the pack a clerk prints: names, dates in words, the answer and the reason ------------------

GOV, SEND_OFFICER, MEMBER = "U0DEMOGOV01", "U0DEMOSVC01", "U0DEMOMEMB1"
NAMES = {MEMBER: "Cllr Alex Morgan", GOV: "Sam Patel"}  # the officer is not in the directory
STATE_WORDS = ("with_service", "->", "open ", "escalated ->", "answered ->", "-&gt;")


def _life(reason: str = "The answer does not say when the backlog will clear") -> AgendaItem:
    """A concern raised on 2 November, sent to SEND that day, answered on 10 November and
    escalated to the 8 December meeting on 20 November, with the reason given."""
    from scorecard.concerns import answer_concern, escalate_concern, send_to_service
    from scorecard.model import Role, Viewer

    advisor = Viewer(GOV, frozenset({Role.GOVERNANCE_ADVISOR}))
    officer = Viewer(SEND_OFFICER, frozenset({Role.SERVICE_OFFICER}), frozenset({"SEND"}))
    concern, raised = raise_concern(MEMBER, "EHC plans keep slipping past 20 weeks", "SEND-01", now=NOW)
    concern = replace(concern, id=7)  # as the store keeps it
    concern, sent = send_to_service(
        concern, advisor, "SEND", "Please answer", now=datetime(2026, 11, 2, 11, 0, tzinfo=UTC)
    )
    concern, answered = answer_concern(
        concern, officer, "Two more caseworkers start in January.",
        now=datetime(2026, 11, 10, 9, 0, tzinfo=UTC),
    )
    concern, escalated = escalate_concern(
        concern, advisor, [MEETING], reason, now=datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    )
    events = (raised, sent, answered, escalated)
    return AgendaItem(concern, "EHC plans issued within 20 weeks (SEND-01)", events)


def test_every_step_is_dated_and_said_in_words_with_names_where_known() -> None:
    from scorecard.agenda import history_in_short, history_words

    item = _life()

    assert history_words(item.events, NAMES) == [
        "Raised by Cllr Alex Morgan on 2 November 2026.",
        "Sent to SEND by Sam Patel on 2 November 2026, for a written answer by 16 November 2026. "
        "Note for the service: “Please answer”",
        f"Answered by {SEND_OFFICER} on 10 November 2026.",  # not in the directory: the id
        "Escalated to the Children and Young People Scrutiny Commission meeting on 8 December 2026 "
        "by Sam Patel on 20 November 2026.",
    ]
    assert history_in_short(item.events) == (
        "Raised on 2 November 2026; sent to SEND on 2 November 2026; answered on 10 November 2026; "
        "escalated on 20 November 2026."
    )


def test_a_step_late_in_the_evening_is_dated_in_london() -> None:
    from scorecard.agenda import day_words

    assert day_words(datetime(2025, 3, 31, 23, 30, tzinfo=UTC)) == "1 April 2025"  # BST
    assert day_words(datetime(2026, 12, 8, 23, 30, tzinfo=UTC)) == "8 December 2026"  # GMT
    assert day_words(date(2026, 12, 8)) == "8 December 2026"


def test_the_csv_has_names_the_answer_and_the_reason_and_no_state_words() -> None:
    rows = list(csv.DictReader(io.StringIO(agenda_csv([_life()], NAMES))))

    assert len(rows) == 1
    row = rows[0]
    assert row["Raised by"] == "Cllr Alex Morgan" and row["Raised"] == "2 November 2026"
    assert row["The service's answer"] == "Two more caseworkers start in January."
    assert row["Reason for escalation"] == "The answer does not say when the backlog will clear"
    assert row["Where it stands"] == "Escalated to the commission's next meeting"
    assert row["History"].splitlines()[1].startswith("Sent to SEND by Sam Patel on 2 November 2026")
    assert not any(word in cell for word in STATE_WORDS for cell in row.values())


def test_without_a_name_the_pack_shows_the_id_and_without_a_reason_it_says_so() -> None:
    rows = list(csv.DictReader(io.StringIO(agenda_csv([_life(reason="")]))))

    assert rows[0]["Raised by"] == MEMBER
    assert rows[0]["Reason for escalation"] == "No reason was recorded when it was escalated."
    escalated = rows[0]["History"].splitlines()[-1]
    assert escalated.endswith(f"meeting on 8 December 2026 by {GOV} on 20 November 2026.")


def test_the_page_sets_out_each_concern_for_the_clerk() -> None:
    import xml.etree.ElementTree as ET

    page = agenda_html(MEETING, [_life()], NAMES, prepared_on=date(2026, 12, 1))

    root = ET.fromstring(page.removeprefix("<!DOCTYPE html>\n"))  # well-formed: every tag closed
    text = " ".join(" ".join(root.find("body").itertext()).split())  # type: ignore[union-attr]
    assert "Members' concerns for the Children and Young People Scrutiny Commission, 8 December 2026" in text
    assert "The meeting on Tuesday 8 December 2026; the agenda closed on 27 November 2026." in text
    assert "This pack was prepared on 1 December 2026." in text
    assert "Item 1. C-7: EHC plans issued within 20 weeks (SEND-01)" in text
    assert "Raised by Cllr Alex Morgan, on 2 November 2026" in text
    assert "Two more caseworkers start in January." in text
    assert "Why it is on the agenda The answer does not say when the backlog will clear" in text
    assert (
        "Raised on 2 November 2026; sent to SEND on 2 November 2026; answered on 10 November 2026; "
        "escalated on 20 November 2026." in text
    )
    assert f"Answered by {SEND_OFFICER} on 10 November 2026." in text
    assert MEMBER not in text and GOV not in text  # both named in the directory
    assert not any(word in page for word in ("with_service", "-&gt;", " -> "))
    # The print stylesheet: A4, long words wrap.
    assert "@page { size: A4;" in page and "overflow-wrap: anywhere" in page


def test_a_page_without_concerns_says_so() -> None:
    page = agenda_html(MEETING, [])
    assert "No concerns have been escalated to this meeting." in page and "<table" not in page
