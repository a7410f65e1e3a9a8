"""Delivery on an unlucky day: no Slack token at the terminal, a members' channel the bot is not
in, a picture Slack has not finished processing, hostile words in a notification, a sender that
died holding claims. Each message is delivered once, by Slack, or waits; none is lost."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.messaging import Address, Outgoing
from bot.publisher import run_publication
from bot.runtime import Runtime
from bot.settings import Settings
from bot.slack.app import web_client
from bot.slack.messenger import SlackMessenger
from data import outbox
from tests.bot.conftest import MEMBERS, HistoryStub, approve_q2, settings_for
from tests.slack.stub import Call

LONDON = ZoneInfo("Europe/London")
HOSTILE = "<!channel> <https://evil.example|intranet> <@U0BOSS>"


def london(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=LONDON)  # type: ignore[misc]


class Crash(BaseException):
    """The process dying: not an Exception, so nothing on the way catches it."""


@dataclass
class MembershipStub(HistoryStub):
    """Slack as it treats a bot that is not in a channel: it may post there (chat:write.public)
    but reading the history is refused with not_in_channel until it joins."""

    joined: set[str] = field(default_factory=set)
    joinable: bool = True

    def _answer(self, call: Call) -> tuple[int, dict[str, str], dict[str, Any] | bytes]:
        if call.method == "conversations.join":
            if not self.joinable:
                return 200, {}, {"ok": False, "error": "missing_scope"}
            with self.changed:
                self.joined.add(str(call.params.get("channel", "")))
            return 200, {}, {"ok": True, "channel": {"id": call.params.get("channel")}}
        if call.method == "conversations.history" and MEMBERS not in self.joined:
            return 200, {}, {"ok": False, "error": "not_in_channel"}
        return super()._answer(call)


def crash_after(destination: str) -> Any:
    def hook(item: outbox.OutboxItem) -> None:
        if item.message.destination == destination:
            raise Crash

    return hook


def members_items(runtime: Runtime) -> list[outbox.OutboxItem]:
    with runtime.session() as session:
        return [i for i in outbox.items(session) if i.message.destination == f"channel:slack:{MEMBERS}"]


# --- a message addressed to Slack is only ever marked sent by Slack ---------------------------


def test_publish_due_without_a_slack_token_publishes_the_page_and_leaves_slack_messages_waiting(
    runtime: Runtime, stub: HistoryStub, settings: Settings, tmp_path: Path
) -> None:
    approve_q2(runtime, london(2024, 10, 25, 16, 0), now=True)
    environment = {
        "PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), "DATABASE_URL": settings.database_url,
    }
    command = [sys.executable, "-m", "bot", "scorecard", "publish-due"]
    first = subprocess.run(command, env=environment, capture_output=True, text=True, timeout=120)

    assert first.returncode == 0, first.stderr
    assert "Published: 2024/25 Q2" in first.stdout
    assert "messages wait for Slack, unsent" in first.stdout
    assert "--- to" not in first.stdout  # nothing printed in Slack's place
    from bot.pages import NewsletterPages

    assert b"2024/25 Q2" in (NewsletterPages(runtime)("2024-25-Q2.html") or b"")
    [post] = members_items(runtime)
    assert post.status is outbox.OutboxStatus.PENDING and post.attempts == 0

    # The running bot (or a terminal with the token) sends them, once.
    slack = {"SLACK_BOT_TOKEN": settings.slack_bot_token, "SLACK_API_URL": stub.api_url,
             "SLACK_MEMBERS_CHANNEL": MEMBERS}
    with_slack = subprocess.run(command, env={**environment, **slack}, capture_output=True, text=True,
                                timeout=120)
    assert with_slack.returncode == 0, with_slack.stderr
    assert len(stub.posts_to(MEMBERS)) == 1
    assert members_items(runtime)[0].status is outbox.OutboxStatus.SENT


# --- the members' channel ------------------------------------------------------------------------


@pytest.fixture
def membership(tmp_path: Path) -> Any:
    server = MembershipStub().start()
    yield server
    server.stop()


@pytest.mark.parametrize("joinable", [True, False], ids=["joins the channel", "cannot join"])
def test_a_post_that_failed_once_is_published_on_the_next_round_though_the_bot_was_not_in_the_channel(
    sample_store_url: str, membership: MembershipStub, tmp_path: Path, joinable: bool
) -> None:
    from bot.runtime import open_runtime

    membership.joinable = joinable
    settings = settings_for(sample_store_url, membership)
    runtime = open_runtime(settings)
    try:
        approve_q2(runtime, london(2024, 10, 25, 16, 0), now=True)
        membership.fail_next("chat.postMessage", status=200, body={"ok": False, "error": "fatal_error"})
        messenger = SlackMessenger(web_client(settings))
        first = run_publication(runtime, messenger, now=london(2024, 10, 25, 16, 1), holder="a")
        again = run_publication(runtime, SlackMessenger(web_client(settings)),
                                now=london(2024, 10, 25, 16, 2), holder="a")
    finally:
        runtime.engine.dispose()

    assert any(key.endswith(f"slack:{MEMBERS}") for key in first.failed)
    assert any(key.endswith(f"slack:{MEMBERS}") for key in again.sent)
    assert len(membership.posts_to(MEMBERS)) == 1
    assert (MEMBERS in membership.joined) is joinable


def test_a_members_channel_given_by_name_is_refused_at_start_in_one_line(tmp_path: Path) -> None:
    environment = {
        "PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite'}", "SLACK_MEMBERS_CHANNEL": "#members",
    }
    done = subprocess.run([sys.executable, "-m", "bot", "scorecard", "publish-due"], env=environment,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert "SLACK_MEMBERS_CHANNEL" in done.stderr and "C0123ABCD" in done.stderr


def test_an_unset_members_channel_is_refused_when_serving_slack(tmp_path: Path) -> None:
    environment = {
        "PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite'}",
        "SLACK_BOT_TOKEN": "xoxb-not-real", "SLACK_SIGNING_SECRET": "not-real",
    }
    done = subprocess.run([sys.executable, "-m", "bot", "serve"], env=environment, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 2
    assert "SLACK_MEMBERS_CHANNEL" in done.stderr and "Traceback" not in done.stderr


# --- the picture -------------------------------------------------------------------------------


def test_the_scorecard_post_waits_for_slack_to_finish_processing_its_picture(
    runtime: Runtime, stub: HistoryStub, settings: Settings
) -> None:
    approve_q2(runtime, london(2024, 10, 25, 16, 0), now=True)
    not_ready = {"ok": False, "error": "invalid_blocks",
                 "errors": ["invalid slack file [json-pointer:/blocks/1/slack_file]"]}
    stub.fail_next("chat.postMessage", status=200, body=not_ready, times=2)
    waited: list[float] = []
    messenger = SlackMessenger(web_client(settings), wait=waited.append)

    report = run_publication(runtime, messenger, now=london(2024, 10, 25, 16, 1), holder="a")

    assert report.failed == []
    [post] = stub.posts_to(MEMBERS)
    assert [block["type"] for block in post.params["blocks"]] == ["section", "image"]
    assert len(stub.of("files.completeUploadExternal")) == 1  # uploaded once, shown once ready
    assert waited == [0.5, 1.0]


# --- escaping: every text that reaches Slack ---------------------------------------------------


def test_a_plain_notification_cannot_ping_the_channel_or_forge_a_link(
    stub: HistoryStub, settings: Settings
) -> None:
    messenger = SlackMessenger(web_client(settings))
    reminder = Outgoing(f"Reminder: the concern says {HOSTILE}")
    messenger.send(Address("person", "U0DEMOSVC01"), reminder, key="k1")
    messenger.send(Address("channel", MEMBERS), Outgoing(f"Summary: {HOSTILE}"), key="k2")

    for call in stub.of("chat.postMessage"):
        sent = str(call.params["text"]) + str(call.params["blocks"])
        assert "<!channel>" not in sent and "<https://" not in sent and "<@U0BOSS>" not in sent
        assert "&lt;!channel&gt;" in str(call.params["text"])


def test_a_concern_quoting_a_ping_reaches_the_officer_escaped(
    runtime: Runtime, stub: HistoryStub, settings: Settings
) -> None:
    from bot.publisher import deliver_now
    from bot.runtime import viewer_for
    from handlers import concern_steps as steps
    from handlers.concerns import keep_and_confirm, prepare
    from handlers.reply import Request

    now = london(2026, 11, 2, 10, 0)
    with runtime.session() as session:
        member = Request(text="", viewer=viewer_for(session, "U0DEMOMEMB1"), now=now)
        concern = prepare(member, session, f"Look at this {HOSTILE}", "SEND-01")
        keep_and_confirm(session, *concern, "f1", now=now)
    with runtime.session() as session:
        advisor = Request(text="", viewer=viewer_for(session, "U0DEMOGOV01"), now=now)
        done = steps.send(advisor, session, 1, "SEND", "Please answer", key="v1")
    deliver_now(runtime, SlackMessenger(web_client(settings)), done.queued, now=now)

    [to_officer] = stub.posts_to("DU0DEMOSVC01")
    assert "<!channel>" not in str(to_officer.params["text"])
    assert "&lt;!channel&gt;" in str(to_officer.params["text"])


# --- a sender that died holding claims -----------------------------------------------------------


def test_a_sender_that_died_after_posting_is_replaced_within_a_minute_and_nothing_posts_twice(
    runtime: Runtime, stub: HistoryStub, settings: Settings
) -> None:
    approve_q2(runtime, london(2024, 10, 25, 16, 0), now=True)
    died_at = london(2024, 10, 25, 16, 1)
    with pytest.raises(Crash):
        run_publication(runtime, SlackMessenger(web_client(settings)), now=died_at, holder="first",
                        after_send=crash_after(f"channel:slack:{MEMBERS}"))
    assert len(stub.posts_to(MEMBERS)) == 1

    too_soon = run_publication(runtime, SlackMessenger(web_client(settings)),
                               now=died_at + timedelta(seconds=20), holder="second")
    assert not [key for key in too_soon.found + too_soon.sent if key.endswith(MEMBERS)]

    # The scheduler's round runs every 15 seconds and a dead sender's lease lasts 30: the
    # message is taken over, found in the channel, and marked sent, within a minute.
    taken = run_publication(runtime, SlackMessenger(web_client(settings)),
                            now=died_at + timedelta(seconds=45), holder="second")
    assert [key for key in taken.found if key.endswith(MEMBERS)]
    assert len(stub.posts_to(MEMBERS)) == 1
    assert members_items(runtime)[0].status is outbox.OutboxStatus.SENT


def test_the_scheduler_delivers_often_enough_to_take_over_within_a_minute(
    runtime: Runtime, settings: Settings
) -> None:
    from bot import scheduler

    running = scheduler.start(runtime, SlackMessenger(web_client(settings)), run_now=False)
    try:
        every = running.get_job("publish_due").trigger.interval
    finally:
        scheduler.stop(running)
    assert outbox.STALE_CLAIM + every <= timedelta(minutes=1)


