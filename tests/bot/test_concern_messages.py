"""A concern step's messages go through the outbox: queued in the step's own transaction, sent
straight after it by the outbox's sender, and, when that fails (Slack down, the bot stopped),
sent later by the scheduler's round, exactly once, with their buttons."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from bot.publisher import deliver_now, run_publication
from bot.runtime import Runtime, open_runtime, viewer_for
from bot.settings import Settings
from bot.slack.app import web_client
from bot.slack.messenger import SlackMessenger
from data import outbox
from data.outbox import OutboxStatus
from handlers import concern_steps as steps
from handlers import concern_views as views
from handlers.concern_steps import StepDone
from handlers.concerns import Kept, keep_and_confirm, prepare
from handlers.outgoing import payload_of, reply_of
from handlers.reply import ActionId, Request
from tests.bot.conftest import HistoryStub

LONDON = ZoneInfo("Europe/London")
MEMBER = "U0DEMOMEMB1"
ADVISOR = "U0DEMOGOV01"
SEND_OFFICER = "U0DEMOSVC01"
MONDAY = datetime(2026, 11, 2, 10, 0, tzinfo=LONDON)


class Crash(BaseException):
    """The process dying: not an Exception, so nothing on the way catches it."""


def request(runtime: Runtime, user: str, now: datetime) -> Request:
    with runtime.session() as session:
        return Request(text="", viewer=viewer_for(session, user), now=now)


def raised(runtime: Runtime, now: datetime = MONDAY, key: str = "form-1") -> Kept:
    with runtime.session() as session:
        ask = request(runtime, MEMBER, now)
        return keep_and_confirm(
            session, *prepare(ask, session, "SEND timeliness keeps slipping", "SEND-01"), key, now=now
        )


def sent_to_send(runtime: Runtime, now: datetime = MONDAY, key: str | None = "view-1") -> StepDone:
    with runtime.session() as session:
        return steps.send(request(runtime, ADVISOR, now), session, 1, "SEND", "Please answer", key=key)


def officer_posts(stub: HistoryStub) -> list[dict[str, object]]:
    return [c.params for c in stub.posts_to(f"D{SEND_OFFICER}")]


def concern_items(runtime: Runtime) -> list[outbox.OutboxItem]:
    with runtime.session() as session:
        return outbox.items(session, key_prefix="concern:")


def test_the_step_and_its_messages_are_kept_together_keyed_by_concern_event_and_person(
    runtime: Runtime,
) -> None:
    kept = raised(runtime)
    done = sent_to_send(runtime)

    # The member's confirmation and the governance advisor's notice, queued with the concern.
    assert kept.queued == (f"concern:1:raise:{MEMBER}", f"concern:1:raised:notice:{ADVISOR}")
    [key] = done.queued
    assert key.startswith("concern:1:") and key.endswith(f":{SEND_OFFICER}")
    items = {item.message.idempotency_key: item for item in concern_items(runtime)}
    assert set(items) == {*kept.queued, key}
    officer = items[key]
    assert officer.message.destination == f"person:{SEND_OFFICER}" and officer.message.kind == "concern_send"
    assert officer.status is outbox.OutboxStatus.PENDING
    # The payload describes the message, buttons included, without any platform's blocks.
    described = officer.message.payload["reply"]
    assert described["actions"] == [
        {"id": "concern_answer", "label": "Answer", "value": "1", "primary": True}
    ]
    assert "blocks" not in json.dumps(officer.message.payload)
    assert "SEND timeliness keeps slipping" in officer.message.payload["text"]


def test_a_refused_step_queues_nothing(runtime: Runtime) -> None:
    raised(runtime)
    with pytest.raises(steps.life.ConcernRefused), runtime.session() as session:
        steps.send(request(runtime, MEMBER, MONDAY), session, 1, "SEND", key="view-x")
    # Only what raising it queued: the member's confirmation and the advisor's notice.
    assert [item.message.kind for item in concern_items(runtime)] == ["concern_raise", "concern_new_notice"]


def test_a_retried_submission_queues_one_message(runtime: Runtime) -> None:
    assert raised(runtime).new and not raised(runtime).new  # the same form, twice
    first = sent_to_send(runtime, key="view-1")
    again = sent_to_send(runtime, key="view-1")

    assert first.new and len(first.queued) == 1
    assert not again.new and again.queued == ()
    kinds = sorted(item.message.kind for item in concern_items(runtime))
    assert kinds == ["concern_new_notice", "concern_raise", "concern_send"]


def test_a_direct_message_that_fails_is_left_pending_and_sent_once_later_with_its_button(
    runtime: Runtime, messenger: SlackMessenger, stub: HistoryStub
) -> None:
    raised(runtime)
    done = sent_to_send(runtime)
    stub.fail_next("chat.postMessage", status=200, body={"ok": False, "error": "fatal_error"})

    now = deliver_now(runtime, messenger, done.queued, now=MONDAY)

    assert now.failed == list(done.queued) and officer_posts(stub) == []
    [item] = [i for i in concern_items(runtime) if i.message.kind == "concern_send"]
    assert item.status is outbox.OutboxStatus.PENDING and item.last_error

    # The scheduler's next round (every minute) sends it, once; the round after sends nothing.
    later = run_publication(runtime, messenger, now=MONDAY + timedelta(minutes=1), holder="scheduler")
    again = run_publication(runtime, messenger, now=MONDAY + timedelta(minutes=2), holder="scheduler")

    assert set(done.queued) <= set(later.sent) and again.sent == []
    [post] = officer_posts(stub)
    assert "SEND timeliness keeps slipping" in str(post["text"])
    buttons = [
        element
        for block in post["blocks"]  # type: ignore[attr-defined]
        if block["type"] == "actions"
        for element in block["elements"]
    ]
    assert [(b["action_id"], b["value"]) for b in buttons] == [("concern_answer", "1")]
    assert {i.status for i in concern_items(runtime)} == {outbox.OutboxStatus.SENT}


def test_a_crash_after_posting_and_before_marking_sent_does_not_post_twice(
    runtime: Runtime, messenger: SlackMessenger, stub: HistoryStub, settings: Settings
) -> None:
    raised(runtime)
    done = sent_to_send(runtime)

    def crash(item: outbox.OutboxItem) -> None:
        raise Crash

    with pytest.raises(Crash):
        deliver_now(runtime, messenger, done.queued, now=MONDAY, after_send=crash)
    assert len(officer_posts(stub)) == 1

    # Restarted: the claim is stale after five minutes; the new sender finds the message in the
    # direct message's history (by the key in its metadata) and marks it sent without posting.
    restarted = open_runtime(settings)
    try:
        report = run_publication(
            restarted,
            SlackMessenger(web_client(settings)),
            now=MONDAY + timedelta(minutes=10),
            holder="second",
        )
    finally:
        restarted.engine.dispose()

    assert report.found == list(done.queued)
    assert len(officer_posts(stub)) == 1
    [item] = [i for i in concern_items(runtime) if i.message.kind == "concern_send"]
    assert item.status is outbox.OutboxStatus.SENT


def test_the_answer_escalation_and_outcome_reach_the_member_once_each(
    runtime: Runtime, messenger: SlackMessenger, stub: HistoryStub
) -> None:
    raised(runtime)
    sent_to_send(runtime)
    tuesday = MONDAY + timedelta(days=1)
    with runtime.session() as session:
        steps.answer(request(runtime, SEND_OFFICER, tuesday), session, 1, "Two more caseworkers.")
    with runtime.session() as session:
        steps.close(request(runtime, ADVISOR, tuesday), session, 1, "Member satisfied")

    run_publication(runtime, messenger, now=tuesday + timedelta(minutes=1), holder="scheduler")
    run_publication(runtime, messenger, now=tuesday + timedelta(minutes=2), holder="scheduler")

    to_member = [str(c.params["text"]) for c in stub.posts_to(f"D{MEMBER}")]
    assert len(to_member) == 3
    assert "Concern C-1 raised" in to_member[0]
    assert "Two more caseworkers." in to_member[1]
    assert "is closed" in to_member[2] and "Member satisfied" in to_member[2]


def test_at_a_terminal_without_slack_the_messages_wait_for_slack_and_are_never_marked_sent(
    runtime: Runtime,
) -> None:
    """A message addressed to Slack is only ever marked sent by Slack: a sender with no Slack
    messenger claims none of them, and says how many wait."""
    raised(runtime)
    sent_to_send(runtime)
    with time_machine.travel(MONDAY, tick=False):
        report = run_publication(runtime, None, now=MONDAY, holder="cli")
    assert report.sent == [] and report.failed == []
    with runtime.session() as session:
        left = outbox.items(session)
    assert len(left) >= 2 and report.waiting == {"person": len(left)}
    assert {item.status for item in left} == {OutboxStatus.PENDING}
    assert all(item.attempts == 0 for item in left)


def test_a_payload_reads_back_as_the_reply_and_an_unknown_button_falls_back_to_text(runtime: Runtime) -> None:
    raised(runtime)
    with runtime.session() as session:
        concern = views.find(request(runtime, ADVISOR, MONDAY), session, 1)
        reply = steps.officer_message(
            session,
            concern,
            steps.life.ConcernEvent(
                at=MONDAY, who=ADVISOR, from_status=None, to_status=concern.status, text="note"
            ),
        )
    payload = payload_of(reply)
    back = reply_of(json.loads(json.dumps(payload)))
    assert back is not None
    assert (back.heading, back.summary, back.notes) == (reply.heading, reply.summary, reply.notes)
    assert [a.id for a in back.actions] == [ActionId.ANSWER_CONCERN]
    payload["reply"]["actions"][0]["id"] = "a_button_from_a_newer_version"
    assert reply_of(payload) is None
    assert reply_of({"text": "only text"}) is None
