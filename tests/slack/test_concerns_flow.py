"""A concern's whole life through the real bolt App and the Slack stub: raised by the form, sent
to a service from the advisor's App Home, answered by the service officer in a form, and the
answer in the member's direct messages; each submission kept once however often it arrives."""

from __future__ import annotations

import json
import time
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from bot.publisher import run_publication
from bot.runtime import Runtime, utc_now
from bot.settings import Settings
from bot.slack.app import web_client
from bot.slack.messenger import SlackMessenger
from data import outbox
from data.schema import ConcernEventRow, ConcernRow
from tests.slack.conftest import ADVISOR, MEMBER, OTHER_MEMBER, Slack, body_of, settle, submitted_view
from tests.slack.stub import SlackStub

SEND_OFFICER = "U0DEMOSVC01"
CARE_OFFICER = "U0DEMOSVC02"
RETRY = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}


def texts(blocks: Any) -> str:
    return json.dumps(blocks, ensure_ascii=False)


def views_opened(stub: SlackStub, n: int) -> dict[str, Any]:
    view = stub.wait_for("views.open", n)[n - 1].params["view"]
    return json.loads(view) if isinstance(view, str) else view


def step_submission(
    view: dict[str, Any], *, text: str = "", area: str | None = None, view_id: str
) -> dict[str, Any]:
    values: dict[str, Any] = {"concern_step_text": {"text": {"type": "plain_text_input", "value": text}}}
    if area is not None:
        values["concern_area"] = {
            "area": {
                "type": "static_select",
                "selected_option": {"value": area, "text": {"type": "plain_text", "text": area}},
            }
        }
    return {**view, "id": view_id, "state": {"values": values}}


def dms_to(stub: SlackStub, user: str) -> list[dict[str, Any]]:
    """Direct messages to `user`: by user id, or (through the outbox) in the DM channel
    conversations.open gave (the stub's "D" + user id)."""
    return [c.params for c in stub.of("chat.postMessage") if c.params.get("channel") in (user, f"D{user}")]


def home_event(user: str) -> dict[str, Any]:
    return {
        "type": "app_home_opened",
        "user": user,
        "channel": "D0HOME",
        "tab": "home",
        "event_ts": f"{time.time():.6f}",
    }


def raise_one(slack: Slack, stub: SlackStub, text: str = "SEND timeliness keeps slipping") -> None:
    slack.command("/concern", text)
    view = submitted_view(views_opened(stub, 1), text=text, code="SEND-01")  # the first form of the test
    assert body_of(slack.submit(view))["response_action"] == "update"


def counts(runtime: Runtime) -> tuple[int, int]:
    with runtime.session() as session:
        concerns = session.scalar(select(func.count()).select_from(ConcernRow)) or 0
        events = session.scalar(select(func.count()).select_from(ConcernEventRow)) or 0
    return int(concerns), int(events)


def test_raise_send_answer_and_the_member_gets_the_answer_by_direct_message(
    slack: Slack, stub: SlackStub, runtime: Runtime
) -> None:
    # The member raises it by the form; a retried submission keeps one concern.
    slack.command("/concern", "SEND timeliness keeps slipping")
    form = submitted_view(views_opened(stub, 1), text="SEND timeliness keeps slipping", code="SEND-01")
    slack.submit(form)
    slack.submit(form, extra=RETRY)
    settle_count = counts(runtime)
    assert settle_count == (1, 1)
    with runtime.session() as session:
        row = session.scalars(select(ConcernRow)).one()
        card = row.card or {}
    assert card["code"] == "SEND-01" and card["display"]  # the card as the member saw it

    # The advisor's App Home lists it with the buttons.
    slack.event(home_event(ADVISOR), event_id="Ev0ADV1")
    home = texts(stub.wait_for("views.publish")[0].params["view"]["blocks"])
    assert "concern_send" in home and "concern_escalate" in home and "concern_close" in home
    assert "SEND timeliness keeps slipping" in home and "New: 1" in home

    # Send to a service: a form with the service areas; a retried submission sends once.
    slack.press("concern_send", "1", user=ADVISOR)
    send_form = views_opened(stub, 2)
    assert send_form["callback_id"] == "concern_send_form"
    assert "Children's social care" in texts(send_form) and "SEND" in texts(send_form)
    submission = step_submission(send_form, area="SEND", text="Please answer", view_id="V0SEND1")
    done = body_of(slack.submit(submission, user=ADVISOR))
    assert done["response_action"] == "update" and "sent to SEND" in texts(done["view"])
    again = body_of(slack.submit(submission, user=ADVISOR, extra=RETRY))
    assert again["response_action"] == "update"
    to_officer = stub.wait_until(lambda: len(dms_to(stub, SEND_OFFICER)) >= 1, what="the officer's DM")
    assert to_officer
    settle_after_send = counts(runtime)
    assert settle_after_send == (1, 2)

    # The service officer answers from the message's button.
    officer_dm = dms_to(stub, SEND_OFFICER)[0]
    assert (
        "concern_answer" in texts(officer_dm["blocks"])
        and "SEND timeliness keeps slipping" in officer_dm["text"]
    )
    slack.press("concern_answer", "1", user=SEND_OFFICER)
    answer_form = views_opened(stub, 3)
    assert answer_form["callback_id"] == "concern_answer_form"
    answered = body_of(
        slack.submit(
            step_submission(answer_form, text="We have added two caseworkers.", view_id="V0ANS1"),
            user=SEND_OFFICER,
        )
    )
    assert answered["response_action"] == "update"

    # The member has the answer by direct message, and sees it answered in /concern list.
    stub.wait_until(
        lambda: any("two caseworkers" in texts(m) for m in dms_to(stub, MEMBER)), what="the member's answer"
    )
    listed = texts(body_of(slack.command("/concern", "list"))["blocks"])
    assert "Answered" in listed
    settle(slack.app)
    assert len(dms_to(stub, SEND_OFFICER)) == 1
    assert counts(runtime) == (1, 3)
    # Each message the steps caused was queued once (retried submissions queued nothing more)
    # and sent: the confirmation, the advisor's notice, the officer's copy, the member's answer.
    with runtime.session() as session:
        queued = outbox.items(session, key_prefix="concern:1:")
    assert [(i.message.kind, i.status.value) for i in queued] == [
        ("concern_raise", "sent"),
        ("concern_new_notice", "sent"),
        ("concern_send", "sent"),
        ("concern_answer", "sent"),
    ]
    assert len([m for m in dms_to(stub, MEMBER) if "Concern C-1 raised" in m["text"]]) == 1


def test_another_member_cannot_open_or_take_a_step_on_someone_elses_concern(
    slack: Slack, stub: SlackStub, runtime: Runtime
) -> None:
    raise_one(slack, stub, "Private worry about SEND")
    slack.press("concern_send", "1", user=OTHER_MEMBER)
    refused = views_opened(stub, 2)
    said = texts(refused)
    assert "There is no concern C-1 that you can see" in said and "Private worry" not in said
    # A forged submission is refused too, and nothing is kept.
    forged = {"type": "modal", "callback_id": "concern_close_form", "private_metadata": json.dumps({"id": 1})}
    body = body_of(
        slack.submit(step_submission(forged, text="closing it", view_id="V0FORGE"), user=OTHER_MEMBER)
    )
    assert body["response_action"] == "errors"
    assert "There is no concern C-1" in texts(body["errors"])
    assert counts(runtime) == (1, 1)


def test_an_officer_of_another_area_cannot_answer_and_a_member_cannot_send(
    slack: Slack, stub: SlackStub, runtime: Runtime
) -> None:
    raise_one(slack, stub)
    slack.press("concern_send", "1", user=ADVISOR)
    slack.submit(step_submission(views_opened(stub, 2), area="SEND", view_id="V0S"), user=ADVISOR)
    answer = {
        "type": "modal",
        "callback_id": "concern_answer_form",
        "private_metadata": json.dumps({"id": 1}),
    }
    body = body_of(slack.submit(step_submission(answer, text="Not ours", view_id="V0A"), user=CARE_OFFICER))
    assert body["response_action"] == "errors" and "There is no concern C-1" in texts(body)
    send = {"type": "modal", "callback_id": "concern_send_form", "private_metadata": json.dumps({"id": 1})}
    mine = body_of(slack.submit(step_submission(send, area="Education", view_id="V0M"), user=MEMBER))
    assert "Only the governance advisor can send a concern to a service." in texts(mine)
    assert counts(runtime) == (1, 2)


def test_escalating_from_app_home_tells_the_member(slack: Slack, stub: SlackStub, runtime: Runtime) -> None:
    raise_one(slack, stub)
    slack.press("concern_escalate", "1", user=ADVISOR)
    form = views_opened(stub, 2)
    assert "It will go on the agenda of the Children and Young People Scrutiny Commission" in texts(form)
    done = body_of(slack.submit(step_submission(form, text="Officer to attend", view_id="V0E"), user=ADVISOR))
    assert "escalated" in texts(done["view"])
    stub.wait_until(
        lambda: any("goes to the commission" in texts(m) for m in dms_to(stub, MEMBER)),
        what="the member told of the escalation",
    )
    with runtime.session() as session:
        assert session.scalars(select(ConcernRow.status)).one() == "escalated"


def test_a_step_whose_direct_message_fails_is_kept_and_the_message_goes_once_later(
    slack: Slack, stub: SlackStub, runtime: Runtime, settings: Settings
) -> None:
    raise_one(slack, stub)
    # The member's confirmation and the advisor's notice go after the form's acknowledgement:
    # let both arrive first, so the failures scripted below meet the officer's message.
    stub.wait_until(
        lambda: any("Concern C-1 raised" in m["text"] for m in dms_to(stub, MEMBER)), what="the confirmation"
    )
    stub.wait_until(lambda: any("New concern C-1" in m["text"] for m in dms_to(stub, ADVISOR)),
                    what="the advisor's notice")
    slack.press("concern_send", "1", user=ADVISOR)
    submission = step_submission(views_opened(stub, 2), area="SEND", text="Please answer", view_id="V0SEND9")
    # Slack fails the officer's direct message just after the step is kept (and both retries).
    stub.fail_next("chat.postMessage", status=503, times=3)
    done = body_of(slack.submit(submission, user=ADVISOR))
    again = body_of(slack.submit(submission, user=ADVISOR, extra=RETRY))  # Slack retries the submission
    settle(slack.app)

    assert done["response_action"] == "update" and again["response_action"] == "update"
    assert counts(runtime) == (1, 2)  # the step is kept, once
    assert dms_to(stub, SEND_OFFICER) == []
    with runtime.session() as session:
        waiting = outbox.items(session, key_prefix="concern:1:")
    officer = [item for item in waiting if item.message.destination == f"person:{SEND_OFFICER}"]
    assert len(officer) == 1 and officer[0].status is outbox.OutboxStatus.PENDING

    # The scheduler's outbox round sends it, once, with the Answer button.
    tick = SlackMessenger(web_client(settings))
    run_publication(runtime, tick, now=utc_now() + timedelta(minutes=1), holder="scheduler")
    run_publication(runtime, tick, now=utc_now() + timedelta(minutes=2), holder="scheduler")
    [dm] = dms_to(stub, SEND_OFFICER)
    assert "concern_answer" in texts(dm["blocks"]) and "SEND timeliness keeps slipping" in dm["text"]
    # The member's confirmation of raising it went once too.
    assert len([m for m in dms_to(stub, MEMBER) if "Concern C-1 raised" in m["text"]]) == 1
