"""The real bolt App, driven by signed requests, against the Slack stub and the sample council."""

from __future__ import annotations

import json
import logging
import re
import time
from typing import Any

import pytest
from slack_bolt import App
from sqlalchemy import func, select

from bot.runtime import Runtime
from data.schema import ConcernEventRow, ConcernRow
from tests.slack.conftest import ADVISOR, CHANNEL, MEMBER, Slack, body_of, settle, submitted_view
from tests.slack.stub import SlackStub


def texts(blocks: list[dict[str, Any]]) -> str:
    """Every piece of text in some blocks, one string (for "does it say ..." checks)."""
    return json.dumps(blocks, ensure_ascii=False)


def concern_count(runtime: Runtime) -> int:
    with runtime.session() as session:
        return int(session.scalar(select(func.count()).select_from(ConcernRow)) or 0)


def opened_view(stub: SlackStub, n: int = 1) -> dict[str, Any]:
    call = stub.wait_for("views.open", n)[n - 1]
    view = call.params["view"]
    return json.loads(view) if isinstance(view, str) else view


# --- slash commands --------------------------------------------------------------------------


def test_bolt_checks_the_bot_token_with_auth_test_at_start(slack: Slack, stub: SlackStub) -> None:
    assert stub.of("auth.test")


def test_kpi_answers_the_indicator_card_privately_in_the_acknowledgement(slack: Slack) -> None:
    response = slack.command("/kpi", "SEND timeliness")
    assert response.status == 200
    body = body_of(response)
    assert body["response_type"] == "ephemeral"
    assert body["blocks"][0]["type"] == "header"
    assert "EHC plans issued within 20 weeks" in body["blocks"][0]["text"]["text"]
    buttons = [e for b in body["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert [b["text"]["text"] for b in buttons] == ["Show chart", "Raise a concern", "Share in channel"]
    assert "EHC plans" in body["text"]


def test_kpi_help_lists_examples(slack: Slack) -> None:
    body = body_of(slack.command("/kpi", "help"))
    assert body["blocks"][0]["text"]["text"] == "What you can ask"
    assert "/kpi SEND timeliness" in texts(body["blocks"])


def test_kpi_did_you_mean_offers_buttons(slack: Slack) -> None:
    body = body_of(slack.command("/kpi", "children"))
    # Whatever the resolver decides for so vague a word, the answer is well-formed and private.
    assert body["response_type"] == "ephemeral"
    assert body["blocks"]


def test_scorecard_says_none_is_published_yet(slack: Slack) -> None:
    body = body_of(slack.command("/scorecard"))
    assert "No scorecard has been published yet" in texts(body["blocks"])
    assert "draft" not in texts(body["blocks"]).lower()


def test_scorecard_shows_staff_the_latest_quarter_as_a_draft(slack: Slack) -> None:
    body = body_of(slack.command("/scorecard", user=ADVISOR))
    said = texts(body["blocks"])
    assert "No scorecard has been published yet" in said
    assert "draft, not published" in said
    assert re.search(r"\d+ green, \d+ amber, \d+ red", said)


# --- signatures ------------------------------------------------------------------------------


def test_a_request_with_a_bad_signature_is_refused(slack: Slack) -> None:
    body = slack.command_body("/kpi", "SEND timeliness")
    assert slack.send(body, secret="not-the-secret").status == 401


def test_a_request_older_than_five_minutes_is_refused(slack: Slack) -> None:
    body = slack.command_body("/kpi", "SEND timeliness")
    assert slack.send(body, timestamp=int(time.time()) - 301).status == 401


# --- buttons ---------------------------------------------------------------------------------


def test_a_did_you_mean_choice_answers_that_card(slack: Slack, stub: SlackStub) -> None:
    response = slack.press("choose_indicator#1", "SEND-02")
    assert response.status == 200 and not response.body
    call = stub.wait_for("response_url")[0]
    assert call.params["response_type"] == "ephemeral"
    assert "(SEND-02)" in call.params["blocks"][0]["text"]["text"]


def test_show_cluster_answers_the_cluster(slack: Slack, stub: SlackStub) -> None:
    slack.press("show_cluster#2", "SEND")
    call = stub.wait_for("response_url")[0]
    assert call.params["blocks"][0]["text"]["text"] == "SEND"
    assert "SEND-01" in texts(call.params["blocks"])


def test_share_posts_the_card_in_the_channel_saying_who_shared_it(slack: Slack, stub: SlackStub) -> None:
    slack.press("share_in_channel", "SEND-01|2026-10-31")
    post = stub.wait_for("chat.postMessage")[0]
    assert post.params["channel"] == CHANNEL
    blocks = post.params["blocks"]
    assert "(SEND-01)" in blocks[0]["text"]["text"]
    assert f"Shared by <@{MEMBER}>" in texts(blocks)
    labels = [e["text"]["text"] for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert "Share in channel" not in labels and "Show chart" in labels
    assert stub.wait_for("response_url")[0].params["text"] == "Shared in the channel."


def test_share_pressed_twice_or_retried_posts_once(slack: Slack, stub: SlackStub) -> None:
    slack.press("share_in_channel", "SEND-01|2026-10-31")
    slack.press("share_in_channel", "SEND-01|2026-10-31", extra={"X-Slack-Retry-Num": "1"})
    replies = stub.wait_for("response_url", 2)
    settle(slack.app)
    assert len(stub.of("chat.postMessage")) == 1
    said = sorted(r.params["text"] for r in replies)
    assert said == ["Shared in the channel.", "This card has already been shared here."]


def test_share_rate_limited_once_is_posted_once_after_waiting(slack: Slack, stub: SlackStub) -> None:
    stub.fail_next("chat.postMessage", status=429, headers={"Retry-After": "1"})
    slack.press("share_in_channel", "SEND-01|2026-10-31")
    stub.wait_for("chat.postMessage")
    settle(slack.app)
    attempts = stub.of("chat.postMessage", ok_only=False)
    assert [a.status for a in attempts] == [429, 200]
    assert attempts[1].at - attempts[0].at >= 0.9  # Retry-After was respected


def test_share_where_the_bot_is_not_invited_says_how_to_invite_it(slack: Slack, stub: SlackStub) -> None:
    stub.fail_next("chat.postMessage", body={"ok": False, "error": "not_in_channel"})
    slack.press("share_in_channel", "SEND-01|2026-10-31")
    reply = stub.wait_for("response_url")[0]
    assert "/invite @kpibot" in reply.params["text"]
    # The claim was undone: once invited, sharing works.
    slack.press("share_in_channel", "SEND-01|2026-10-31")
    stub.wait_for("chat.postMessage")


def test_show_chart_uploads_the_png_with_alt_text_after_the_ack(slack: Slack, stub: SlackStub) -> None:
    response = slack.press("show_chart", "SEND-01|2026-10-31")
    acked = time.monotonic()
    assert response.status == 200
    complete = stub.wait_for("files.completeUploadExternal")[0]
    url = stub.of("files.getUploadURLExternal")[0]
    upload = stub.of("upload")[0]
    assert upload.raw.startswith(b"\x89PNG") or b"\x89PNG" in upload.raw
    assert url.params["alt_txt"] and url.params["filename"].startswith("SEND-01-")
    # The card was private, so its chart goes to the member's direct messages, not the channel.
    assert stub.of("conversations.open")[0].params["users"] == MEMBER
    assert complete.params["channel_id"] == f"D{MEMBER}"
    assert url.at > acked - 0.001 or url.at >= acked  # nothing was uploaded before the ack


def test_the_chart_of_a_shared_card_goes_to_its_channel(slack: Slack, stub: SlackStub) -> None:
    slack.press("show_chart", "SEND-01|2026-10-31", ephemeral=False)
    complete = stub.wait_for("files.completeUploadExternal")[0]
    assert complete.params["channel_id"] == CHANNEL
    assert not stub.of("conversations.open")


# --- the concern form ------------------------------------------------------------------------


def test_concern_command_opens_the_form_with_the_indicator_guessed(slack: Slack, stub: SlackStub) -> None:
    response = slack.command("/concern", "SEND timeliness keeps slipping")
    assert response.status == 200
    call = stub.wait_for("views.open")[0]
    assert call.params["trigger_id"].startswith("13345224609.")
    view = opened_view(stub)
    subject = view["blocks"][1]["element"]
    assert subject["initial_option"]["value"] == "SEND-01"
    assert subject["option_groups"][0]["options"][0]["text"]["text"] == "The scorecard in general"
    assert view["blocks"][2]["element"]["initial_value"] == "SEND timeliness keeps slipping"


def test_an_unclear_concern_starts_as_about_the_scorecard_in_general(slack: Slack, stub: SlackStub) -> None:
    slack.command("/concern", "the meeting papers were late")
    subject = opened_view(stub)["blocks"][1]["element"]
    assert subject["initial_option"]["value"] == "-"


def test_raise_a_concern_button_opens_the_form_for_that_indicator(slack: Slack, stub: SlackStub) -> None:
    slack.press("raise_concern", "SEND-02|2026-10-31")
    subject = opened_view(stub)["blocks"][1]["element"]
    assert subject["initial_option"]["value"] == "SEND-02"


def test_submitting_the_form_keeps_an_open_concern_and_confirms(slack: Slack, stub: SlackStub,
                                                                runtime: Runtime) -> None:
    slack.command("/concern", "SEND timeliness keeps slipping")
    view = submitted_view(opened_view(stub), text="SEND timeliness keeps slipping", code="SEND-01")
    body = body_of(slack.submit(view))
    assert body["response_action"] == "update"
    assert "Concern C-1 raised" in texts(body["view"]["blocks"])
    dm = stub.wait_for("chat.postMessage")[0]
    # Through the outbox, in the member's direct message channel (the stub's "D" + user id).
    assert dm.params["channel"] == f"D{MEMBER}" and "Concern C-1 raised" in dm.params["text"]
    with runtime.session() as session:
        row = session.scalars(select(ConcernRow)).one()
        assert (row.member, row.indicator_code, row.status) == (MEMBER, "SEND-01", "open")
        event = session.scalars(select(ConcernEventRow)).one()
        assert (event.from_status, event.to_status, event.who) == (None, "open", MEMBER)


def test_a_retried_or_double_clicked_submission_keeps_one_concern_and_sends_one_message(
    slack: Slack, stub: SlackStub, runtime: Runtime
) -> None:
    slack.command("/concern", "")
    view = submitted_view(opened_view(stub), text="Why are waiting times not on the scorecard?", code=None)
    first = body_of(slack.submit(view))
    retry = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    again = body_of(slack.submit(view, extra=retry))
    settle(slack.app)
    assert concern_count(runtime) == 1
    # One confirmation to the member and one notice to the governance advisor, however often sent.
    assert sorted(c.params["channel"] for c in stub.of("chat.postMessage")) == [f"D{ADVISOR}", f"D{MEMBER}"]
    assert first["view"]["blocks"] == again["view"]["blocks"]


def test_an_empty_or_overlong_concern_is_refused_in_the_form(slack: Slack, stub: SlackStub,
                                                             runtime: Runtime) -> None:
    slack.command("/concern", "")
    opened = opened_view(stub)
    empty = body_of(slack.submit(submitted_view(opened, text="   ", code=None)))
    refusal = {"concern_text": "Please say what your concern is."}
    assert empty == {"response_action": "errors", "errors": refusal}
    long = body_of(slack.submit(submitted_view(opened, text="x" * 3001, code=None, view_id="V2")))
    assert "3,000 characters" in long["errors"]["concern_text"]
    assert concern_count(runtime) == 0


def test_concern_list_shows_my_concerns_and_their_status(slack: Slack, stub: SlackStub) -> None:
    slack.command("/concern", "")
    slack.submit(submitted_view(opened_view(stub), text="Reds in SEND", code="SEND-01"))
    body = body_of(slack.command("/concern", "list"))
    said = texts(body["blocks"])
    assert "Your concerns" in said and "C-1" in said and "Open: with the governance advisor" in said
    other = body_of(slack.command("/concern", "list", user="U0DEMOMEMB2"))
    assert "You have not raised any concerns" in texts(other["blocks"])


def test_member_text_is_escaped_so_it_cannot_ping_or_forge_links(slack: Slack, stub: SlackStub) -> None:
    hostile = "<!channel> look <@U0BOSS> at <https://evil.example|the council site> & more"
    slack.command("/concern", "")
    slack.submit(submitted_view(opened_view(stub), text=hostile, code=None))
    dm = texts(stub.wait_for("chat.postMessage")[0].params["blocks"])
    assert "<!channel>" not in dm and "<@U0BOSS>" not in dm and "<https://" not in dm
    assert "&lt;!channel&gt;" in dm and "&amp; more" in dm


# --- App Home --------------------------------------------------------------------------------


def home_event(user: str) -> dict[str, Any]:
    return {"type": "app_home_opened", "user": user, "channel": "D0HOME", "tab": "home",
            "event_ts": f"{time.time():.6f}"}


def test_app_home_shows_a_member_the_scorecard_state_and_their_concerns(
    slack: Slack, stub: SlackStub
) -> None:
    assert slack.event(home_event(MEMBER)).status == 200
    call = stub.wait_for("views.publish")[0]
    assert call.params["user_id"] == MEMBER
    said = texts(call.params["view"]["blocks"])
    assert "No scorecard has been published yet" in said and "Your concerns" in said
    assert "Open concerns" not in said


def test_app_home_shows_the_advisor_the_open_concerns_queue(slack: Slack, stub: SlackStub) -> None:
    slack.command("/concern", "")
    slack.submit(submitted_view(opened_view(stub), text="Why is NEET up?", code=None))
    slack.event(home_event(ADVISOR), event_id="Ev0ADV")
    said = texts(stub.wait_for("views.publish")[0].params["view"]["blocks"])
    assert "Open concerns" in said and MEMBER in said and "Why is NEET up?" in said


def test_a_retried_event_is_a_no_op(slack: Slack, stub: SlackStub) -> None:
    slack.event(home_event(MEMBER), event_id="Ev0SAME")
    slack.event(home_event(MEMBER), event_id="Ev0SAME", extra={"X-Slack-Retry-Num": "1"})
    stub.wait_for("views.publish")
    settle(slack.app)
    assert len(stub.of("views.publish")) == 1


# --- when things go wrong --------------------------------------------------------------------


def test_an_unexpected_fault_reaches_the_member_politely_with_a_reference(
    slack: Slack, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from handlers import kpi

    def broken(*_: object) -> None:
        raise RuntimeError("the store fell over")

    monkeypatch.setattr(kpi, "answer", broken)
    with caplog.at_level(logging.ERROR, logger="kpibot.slack"):
        body = body_of(slack.command("/kpi", "SEND timeliness"))
    reference = re.search(r"quote reference ([0-9A-F]{6})", body["text"])
    assert body["response_type"] == "ephemeral" and reference
    assert "fell over" not in body["text"]
    assert any(reference.group(1) in r.getMessage() and r.exc_info for r in caplog.records)


def test_a_fault_just_after_the_acknowledgement_keeps_the_acknowledgement(
    slack: Slack, stub: SlackStub, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Bolt's runner forgets an acknowledgement when its listener fails after it: if that
    happens before bolt looks (it looks every 10 ms), Slack would get a 404 three seconds
    later. Each press fails within a few milliseconds of its ack."""
    from handlers import kpi

    def broken(*_: object) -> None:
        raise RuntimeError("the store fell over")

    monkeypatch.setattr(kpi, "card_for", broken)
    statuses = [slack.press(f"choose_indicator#{n}", "SEND-02").status for n in range(20)]
    # Without the guard about half of these were 404 (each after three seconds).
    assert statuses == [200] * 20
    told = stub.wait_for("response_url", 20)
    assert all("quote reference" in call.params.get("text", "") for call in told)


def test_when_slack_is_down_kpi_still_answers_in_the_acknowledgement(slack: Slack, stub: SlackStub) -> None:
    stub.stop()
    body = body_of(slack.command("/kpi", "SEND timeliness"))
    assert "EHC plans issued within 20 weeks" in body["blocks"][0]["text"]["text"]


def test_when_slack_is_down_the_concern_form_apology_reaches_the_member(
    slack: Slack, stub: SlackStub, runtime: Runtime
) -> None:
    stub.stop()
    body = body_of(slack.command("/concern", "SEND timeliness keeps slipping"))
    assert body["response_type"] == "ephemeral"
    assert "Sorry" in body["text"] and re.search(r"reference [0-9A-F]{6}", body["text"])
    assert concern_count(runtime) == 0


def test_when_slack_is_down_a_submitted_concern_is_kept_once_and_confirmed_in_the_form(
    slack: Slack, stub: SlackStub, runtime: Runtime, app: App
) -> None:
    slack.command("/concern", "")
    view = submitted_view(opened_view(stub), text="Social worker turnover", code=None)
    stub.stop()
    first = body_of(slack.submit(view))
    second = body_of(slack.submit(view, extra={"X-Slack-Retry-Num": "1"}))
    settle(app)
    assert first["response_action"] == second["response_action"] == "update"
    assert "Concern C-1 raised" in texts(first["view"]["blocks"])
    assert concern_count(runtime) == 1


# --- the app manifest ------------------------------------------------------------------------


def test_the_manifest_declares_every_command_event_scope_and_interactivity_the_app_uses() -> None:
    from pathlib import Path

    manifest = (Path(__file__).resolve().parents[2] / "slack" / "manifest.yml").read_text()
    commands = set(re.findall(r"-\s*command:\s*(/\w+)", manifest))
    assert commands == {"/kpi", "/scorecard", "/concern"}
    assert "- app_home_opened" in manifest
    assert re.search(r"interactivity:\s*\n\s*is_enabled: true", manifest)
    for scope in ("commands", "chat:write", "chat:write.public", "im:write", "files:write", "users:read",
                  "users:read.email"):
        assert re.search(rf"^\s*- {re.escape(scope)}\b", manifest, re.MULTILINE), scope
    assert manifest.count("/slack/events") == 5  # three commands, events, interactivity
