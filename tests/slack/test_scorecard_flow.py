"""The quarterly scorecard's life in Slack through the real bolt App and the Slack stub: nothing
published yet, prepared and submitted by the performance officer, approved or returned by a
board approver in a small form, refused for a member, approved once however often it is
pressed, and once published the frozen scorecard, whole or one cluster, whatever is loaded later."""

from __future__ import annotations

import json
import shutil
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from slack_bolt import App

from bot.publisher import run_publication
from bot.runtime import SAMPLE_COUNCIL, Runtime
from bot.settings import Settings
from bot.slack.app import create_app, web_client
from bot.slack.messenger import SlackMessenger
from data import outbox, scorecards
from data.load import load_path
from scorecard.approval import ScorecardStatus, Step
from tests.slack.conftest import MEMBER, SECRET, TOKEN, Slack, body_of, settle
from tests.slack.stub import SlackStub
from tests.slack.test_render import check_limits

LONDON = ZoneInfo("Europe/London")
OFFICER = "U0DEMOPERF1"
APPROVER = "U0DEMOBRD01"
OTHER_APPROVER = "U0DEMOBRD02"
MEMBERS = "C0MEMBERS"
Q2 = "2024/25 Q2"
BASE = "https://kpibot.example.gov.uk"


def london(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=LONDON)  # type: ignore[misc]


@pytest.fixture
def settings(database_url: str, stub: SlackStub, tmp_path: Path) -> Settings:
    return Settings(
        database_url=database_url,
        slack_bot_token=TOKEN,
        slack_signing_secret=SECRET,
        slack_api_url=stub.api_url,
        slack_members_channel=MEMBERS,
        public_base_url=BASE,
    )


@pytest.fixture
def clock() -> list[datetime]:
    """The time the bot thinks it is: a Friday afternoon once Q2's figures are in."""
    return [london(2024, 10, 25, 16, 0)]


@pytest.fixture
def app(settings: Settings, runtime: Runtime, clock: list[datetime]) -> App:
    return create_app(settings, runtime, clock=lambda: clock[0])


# --- helpers ----------------------------------------------------------------------------------


def texts(blocks: Any) -> str:
    return json.dumps(blocks, ensure_ascii=False)


def answer(slack: Slack, text: str = "", user: str = MEMBER) -> dict[str, Any]:
    body = body_of(slack.command("/scorecard", text, user=user))
    assert body["response_type"] == "ephemeral"
    check_limits(body["blocks"])
    return body


def said(stub: SlackStub, n: int) -> str:
    """The n-th private message sent back through a response_url (1 is the first)."""
    call = stub.wait_for("response_url", n)[n - 1]
    return str(call.params.get("text", ""))


def buttons(blocks: list[dict[str, Any]]) -> dict[str, str]:
    return {
        element["action_id"]: element.get("value", "")
        for block in blocks if block["type"] == "actions" for element in block["elements"]
    }


def opened(stub: SlackStub, n: int) -> dict[str, Any]:
    view = stub.wait_for("views.open", n)[n - 1].params["view"]
    return json.loads(view) if isinstance(view, str) else view


def with_comment(view: dict[str, Any], comment: str, view_id: str) -> dict[str, Any]:
    return {
        **view,
        "id": view_id,
        "state": {"values": {
            "scorecard_comment": {"comment": {"type": "plain_text_input", "value": comment}},
        }},
    }


def status(runtime: Runtime) -> ScorecardStatus | None:
    with runtime.session() as session:
        record = scorecards.by_quarter(session, Q2)
    return None if record is None else record.status


def submitted_by_button(slack: Slack, stub: SlackStub) -> int:
    """The officer prepares and submits Q2 by its buttons; how many private replies so far."""
    body = answer(slack, f"draft {Q2}", user=OFFICER)
    assert buttons(body["blocks"]) == {"scorecard_prepare": Q2}
    slack.press("scorecard_prepare", Q2, user=OFFICER)
    assert "is a draft, prepared by you" in said(stub, 1)
    slack.press("scorecard_submit", Q2, user=OFFICER)
    assert "You submitted the 2024/25 Q2 scorecard" in said(stub, 2)
    return 2


def approve_by_form(
    slack: Slack, stub: SlackStub, *, views: int = 1, view_id: str = "V0APPROVE1"
) -> dict[str, Any]:
    slack.press("scorecard_approve", Q2, user=APPROVER)
    form = opened(stub, views)
    assert form["callback_id"] == "scorecard_approve_form"
    return body_of(slack.submit(with_comment(form, "", view_id), user=APPROVER))


# --- before anything is published ----------------------------------------------------------------


def test_before_anything_is_published_scorecard_says_so_and_names_no_quarter(slack: Slack) -> None:
    said_now = texts(answer(slack)["blocks"])
    assert "No scorecard has been published yet" in said_now
    assert "draft" not in said_now.lower()

    q1 = texts(answer(slack, "2024/25 Q1")["blocks"])
    assert "The 2024/25 Q1 scorecard has not been published. No scorecard has been published yet." in q1


def test_a_member_asking_for_the_draft_is_told_the_role_needed_and_shown_no_figures(slack: Slack) -> None:
    said_now = texts(answer(slack, f"draft {Q2}")["blocks"])
    assert "board approver" in said_now and "performance officer" in said_now
    assert "green" not in said_now and "amber" not in said_now
    assert "scorecard_" not in said_now  # no buttons


# --- the life by buttons -----------------------------------------------------------------------


def test_prepared_and_submitted_by_the_officer_then_approved_by_a_board_approver_in_a_form(
    slack: Slack, stub: SlackStub, runtime: Runtime, app: App
) -> None:
    replies = submitted_by_button(slack, stub)
    assert status(runtime) is ScorecardStatus.SUBMITTED

    # Both board approvers get the draft with Approve and Return in their direct messages.
    # (through the outbox, queued with the submission, so each goes once).
    posts = {c.params["channel"]: c for c in stub.wait_for("chat.postMessage", 2)}
    assert set(posts) == {f"D{APPROVER}", f"D{OTHER_APPROVER}"}
    blocks = posts[f"D{APPROVER}"].params["blocks"]
    blocks = json.loads(blocks) if isinstance(blocks, str) else blocks
    check_limits(blocks)
    assert set(buttons(blocks)) == {"scorecard_approve", "scorecard_return"}
    assert f"{OFFICER} submitted it to the Performance Board" in texts(blocks) and "DRAFT" in texts(blocks)

    done = approve_by_form(slack, stub)

    assert done["response_action"] == "update"
    assert "You approved the 2024/25 Q2 scorecard" in texts(done["view"])
    assert "You approved the 2024/25 Q2 scorecard" in said(stub, replies + 1)
    assert status(runtime) is ScorecardStatus.APPROVED
    # Until it is published members are told when it will be.
    assert "will be published on Monday 28 October 2024 at 09:00" in texts(answer(slack)["blocks"])

    settle(app)  # every listener has finished: the approvers' messages are marked sent
    with runtime.session() as session:
        items = outbox.items(session, key_prefix="scorecard:")
    told = [item for item in items if item.message.kind == "scorecard_submitted"]
    assert len(told) == 2 and {item.status for item in told} == {outbox.OutboxStatus.SENT}


def test_a_board_approver_returns_it_with_a_comment_in_the_form(
    slack: Slack, stub: SlackStub, runtime: Runtime
) -> None:
    submitted_by_button(slack, stub)
    slack.press("scorecard_return", Q2, user=APPROVER)
    form = opened(stub, 1)
    assert form["callback_id"] == "scorecard_return_form"

    empty = body_of(slack.submit(with_comment(form, "  ", "V0RETURN1"), user=APPROVER))
    assert empty["response_action"] == "errors"
    assert "Please say why you are returning" in empty["errors"]["scorecard_comment"]
    assert status(runtime) is ScorecardStatus.SUBMITTED

    commented = with_comment(form, "Please check the SEND figures", "V0RETURN1")
    done = body_of(slack.submit(commented, user=APPROVER))

    assert "You returned the 2024/25 Q2 scorecard" in texts(done["view"])
    assert status(runtime) is ScorecardStatus.DRAFT
    draft = answer(slack, f"draft {Q2}", user=OFFICER)
    assert "“Please check the SEND figures”" in texts(draft["blocks"])
    assert "scorecard_submit" in buttons(draft["blocks"])


def test_a_member_pressing_approve_is_refused_with_the_role_needed(
    slack: Slack, stub: SlackStub, runtime: Runtime
) -> None:
    replies = submitted_by_button(slack, stub)

    slack.press("scorecard_approve", Q2, user=MEMBER)

    refusal = said(stub, replies + 1)
    assert refusal.startswith(
        "Not done: Only a Performance Board approver can approve the 2024/25 Q2 scorecard"
    )
    assert stub.of("views.open") == []
    assert status(runtime) is ScorecardStatus.SUBMITTED


def test_the_submitter_gets_no_approve_button_on_the_draft(slack: Slack, stub: SlackStub) -> None:
    submitted_by_button(slack, stub)
    assert buttons(answer(slack, f"draft {Q2}", user=OFFICER)["blocks"]) == {}
    assert set(buttons(answer(slack, f"draft {Q2}", user=APPROVER)["blocks"])) == {
        "scorecard_approve", "scorecard_return"
    }


def test_a_double_clicked_approve_approves_once(slack: Slack, stub: SlackStub, runtime: Runtime) -> None:
    replies = submitted_by_button(slack, stub)
    slack.press("scorecard_approve", Q2, user=APPROVER)
    slack.press("scorecard_approve", Q2, user=APPROVER)
    first, second = opened(stub, 1), opened(stub, 2)

    done = body_of(slack.submit(with_comment(first, "", "V0FIRST"), user=APPROVER))
    again = body_of(slack.submit(with_comment(first, "", "V0FIRST"), user=APPROVER))  # Slack's retry
    other = body_of(slack.submit(with_comment(second, "", "V0SECOND"), user=APPROVER))

    assert "You approved" in texts(done["view"])
    assert "already sent" in texts(again["view"])
    assert "Not done: You cannot approve it: the 2024/25 Q2 scorecard has already been approved" in texts(
        other["view"]
    )
    assert "has already been approved" in said(stub, replies + 2)
    with runtime.session() as session:
        record = scorecards.by_quarter(session, Q2)
        assert record is not None and record.id is not None
        approvals = [e for e in scorecards.events_of(session, record.id) if e.step is Step.APPROVE]
        queued = outbox.items(session, scorecard_id=record.id)
    assert len(approvals) == 1
    # The channel and two people: the page needs no message.
    assert len(queued) == len({item.message.idempotency_key for item in queued}) == 3


# --- once published --------------------------------------------------------------------------------


def publish(
    slack: Slack, stub: SlackStub, runtime: Runtime, settings: Settings, clock: list[datetime]
) -> None:
    # Prepared and submitted at the terminal (the buttons are tested above), so no listener is
    # still sending the approvers' messages while the publisher runs.
    from bot.commands.scorecard import parse_quarter
    from bot.runtime import viewer_for
    from bot.settings import publication_for
    from handlers.approval import take_step

    for what in (Step.PREPARE, Step.SUBMIT):
        with runtime.session() as session:
            take_step(session, what, parse_quarter(Q2), viewer_for(session, OFFICER), now=clock[0],
                      publication=publication_for(settings))
    approve_by_form(slack, stub)
    clock[0] = london(2024, 10, 28, 9, 1)
    report = run_publication(
        runtime, SlackMessenger(web_client(settings)), now=clock[0], holder="test"
    )
    assert report.published == [Q2] and not report.failed


def test_once_published_scorecard_shows_the_frozen_summary_one_cluster_and_the_picture(
    slack: Slack, stub: SlackStub, runtime: Runtime, settings: Settings, clock: list[datetime]
) -> None:
    publish(slack, stub, runtime, settings, clock)
    with runtime.session() as session:
        frozen = scorecards.published(session, Q2)
    assert frozen is not None

    whole = answer(slack)
    said_now = texts(whole["blocks"])
    assert "Children's services scorecard, 2024/25 Q2" in said_now
    assert "Published on Monday 28 October 2024 at 09:01" in said_now
    assert f"Summary: {frozen.snapshot['summary']['text']}." in said_now
    assert f"{BASE}/scorecards/2024-25-Q2.html" in said_now
    for cluster in frozen.snapshot["clusters"]:
        assert f"*{cluster['name']}* · " in said_now
    assert "DRAFT" not in said_now
    assert buttons(whole["blocks"]) == {"scorecard_image": f"{Q2}|"}
    assert texts(answer(slack, Q2)["blocks"]) == said_now

    send = texts(answer(slack, f"{Q2} SEND")["blocks"])
    assert "Children's services scorecard, 2024/25 Q2: SEND" in send and "SEND cluster only" in send
    send_codes = [r["code"] for c in frozen.snapshot["clusters"] if c["name"] == "SEND" for r in c["rows"]]
    assert send_codes and all(code in send for code in send_codes)
    assert "DEM-01" not in send

    q1 = texts(answer(slack, "2024/25 Q1")["blocks"])
    assert "The 2024/25 Q1 scorecard has not been published. Published scorecards: 2024/25 Q2." in q1
    assert "no cluster called" in texts(answer(slack, f"{Q2} potholes")["blocks"])

    slack.press("scorecard_image", f"{Q2}|SEND", user=MEMBER)
    # The publication uploaded the channel's picture first; this one goes to the member's DMs.
    uploads = stub.wait_for("files.completeUploadExternal", 2)
    assert [c.params.get("channel_id") for c in uploads] == [None, f"D{MEMBER}"]


def test_revised_figures_loaded_after_publication_leave_scorecard_unchanged(
    slack: Slack, stub: SlackStub, runtime: Runtime, settings: Settings, clock: list[datetime], tmp_path: Path
) -> None:
    publish(slack, stub, runtime, settings, clock)
    before = answer(slack)["blocks"]
    before_send = answer(slack, f"{Q2} Demand")["blocks"]
    assert "1,473" in texts(before_send)
    revised = tmp_path / "revised"
    shutil.copytree(SAMPLE_COUNCIL, revised)
    observations = revised / "observations.csv"
    text = observations.read_text()
    assert "DEM-01,2024-09,1473,,,,," in text
    observations.write_text(text.replace("DEM-01,2024-09,1473,,,,,", "DEM-01,2024-09,1500,,,,,"))

    load_path(runtime.engine, revised, now=london(2024, 11, 4, 10, 0))
    clock[0] = london(2024, 11, 5, 10, 0)

    assert answer(slack)["blocks"] == before
    after_send = answer(slack, f"{Q2} Demand")["blocks"]
    assert after_send == before_send and "1,500" not in texts(after_send)


def test_the_json_answer_carries_the_published_counts(
    slack: Slack, stub: SlackStub, runtime: Runtime, settings: Settings, clock: list[datetime]
) -> None:
    from bot.runtime import viewer_for
    from handlers import scorecard
    from handlers.reply import Request

    publish(slack, stub, runtime, settings, clock)
    with runtime.session() as session:
        request = Request(f"{Q2} SEND", viewer_for(session, MEMBER), clock[0])
        data = scorecard.answer(request, session, page_base_url=BASE).as_json()
    assert data["kind"] == "scorecard" and data["quarter"] == Q2 and data["status"] == "published"
    assert data["cluster"] == "SEND" and [c["name"] for c in data["clusters"]] == ["SEND"]
    summary = data["summary"]
    rated = summary["green"] + summary["amber"] + summary["red"] + summary["not_rated"]
    assert summary["indicators"] == rated
    assert data["page_url"] == f"{BASE}/scorecards/2024-25-Q2.html"
    assert all({"code", "display", "rag", "dot"} <= set(row) for row in data["clusters"][0]["rows"])



def test_a_confirmation_whose_response_url_has_expired_comes_by_direct_message(
    slack: Slack, stub: SlackStub, runtime: Runtime, app: App
) -> None:
    """A form left open past the response_url's 30 minutes still gets its confirmation."""
    replies = submitted_by_button(slack, stub)
    stub.fail_next("response_url", status=404, body={"ok": False, "error": "expired_url"})

    done = approve_by_form(slack, stub)

    assert "You approved the 2024/25 Q2 scorecard" in texts(done["view"])
    settle(app)
    to_approver = [c for c in stub.of("chat.postMessage") if c.params.get("channel") == APPROVER]
    assert any("You approved the 2024/25 Q2 scorecard" in str(c.params.get("text")) for c in to_approver)
    assert len(stub.of("response_url")) == replies  # the expired one was refused, not counted


# --- notices (issue 17): the officer told, the approvers' messages changed in place -------------


def dm_posts(stub: SlackStub, user: str) -> list[dict[str, Any]]:
    return [c.params for c in stub.of("chat.postMessage") if c.params.get("channel") == f"D{user}"]


def updates_to(stub: SlackStub, user: str) -> list[dict[str, Any]]:
    return [c.params for c in stub.of("chat.update") if c.params.get("channel") == f"D{user}"]


def offers_approve(params: dict[str, Any]) -> bool:
    blocks = params.get("blocks") or []
    blocks = json.loads(blocks) if isinstance(blocks, str) else blocks
    return "scorecard_approve" in buttons(blocks)


def test_approval_tells_the_officer_and_changes_every_approvers_message_in_place(
    slack: Slack, stub: SlackStub, runtime: Runtime, app: App
) -> None:
    submitted_by_button(slack, stub)
    stub.wait_for("chat.postMessage", 2)  # both approvers have their Approve message
    approve_by_form(slack, stub)
    stub.wait_until(lambda: len(stub.of("chat.update")) == 2, what="both approvers' messages changed")
    stub.wait_until(lambda: bool(dm_posts(stub, OFFICER)), what="the officer's notice")
    settle(app)

    told = dm_posts(stub, OFFICER)
    assert len(told) == 1 and "The 2024/25 Q2 scorecard is approved" in told[0]["text"]
    assert f"{APPROVER} approved it on 25 October 2024" in told[0]["text"]
    # Each approver's own message, changed (not deleted and posted again), offers nothing now.
    for approver in (APPROVER, OTHER_APPROVER):
        (changed,) = updates_to(stub, approver)
        assert not offers_approve(changed)
        assert changed["ts"] in {p.get("ts") for p in dm_posts_with_ts(stub, approver)}
        assert "There is nothing more to do here" in changed["text"]
        assert len([p for p in dm_posts(stub, approver) if offers_approve(p)]) == 1
    assert "You approved it" in updates_to(stub, APPROVER)[0]["text"]
    assert f"{APPROVER} approved it" in updates_to(stub, OTHER_APPROVER)[0]["text"]
    with runtime.session() as session:
        assert {i.status for i in outbox.items(session, key_prefix="scorecard:")
                if i.message.kind != "scorecard_summary" and "published" not in i.message.kind} == {
            outbox.OutboxStatus.SENT}


def dm_posts_with_ts(stub: SlackStub, user: str) -> list[dict[str, Any]]:
    """`user`'s direct messages, each with the ts the stub gave it."""
    return [
        {**call.params, "ts": (call.answer or {}).get("ts")}
        for call in stub.of("chat.postMessage") if call.params.get("channel") == f"D{user}"
    ]


def test_a_return_tells_the_officer_with_the_comment_and_a_resubmission_leaves_one_offer_each(
    slack: Slack, stub: SlackStub, runtime: Runtime, app: App, clock: list[datetime]
) -> None:
    replies = submitted_by_button(slack, stub)
    stub.wait_for("chat.postMessage", 2)
    slack.press("scorecard_return", Q2, user=APPROVER)
    form = opened(stub, 1)
    comment = with_comment(form, "Please check the SEND figures", "V0RETURN9")
    done = body_of(slack.submit(comment, user=APPROVER))
    assert done["response_action"] == "update"
    stub.wait_until(lambda: len(stub.of("chat.update")) == 2, what="both approvers' messages changed")
    stub.wait_until(lambda: bool(dm_posts(stub, OFFICER)), what="the officer's notice")

    (returned,) = dm_posts(stub, OFFICER)
    assert "was returned to you" in returned["text"] and "“Please check the SEND figures”" in returned["text"]
    blocks = json.loads(returned["blocks"]) if isinstance(returned["blocks"], str) else returned["blocks"]
    assert buttons(blocks) == {"scorecard_submit": Q2}  # the button that acts on it
    for approver in (APPROVER, OTHER_APPROVER):
        assert not any(offers_approve(p) for p in updates_to(stub, approver))

    # Submitted again: each approver gets one new message offering Approve; the old ones
    # already say it was returned, so each has exactly one offer standing.
    clock[0] = london(2024, 10, 25, 16, 30)
    slack.press("scorecard_submit", Q2, user=OFFICER)
    assert "You submitted the 2024/25 Q2 scorecard" in said(stub, replies + 2)
    stub.wait_until(lambda: len(stub.of("chat.postMessage")) == 5, what="the approvers' new messages")
    settle(app)
    for approver in (APPROVER, OTHER_APPROVER):
        posts = dm_posts_with_ts(stub, approver)
        changed = {p["ts"] for p in updates_to(stub, approver)}
        standing = [p for p in posts if offers_approve(p) and p["ts"] not in changed]
        assert len(standing) == 1
