"""Publication's fixtures: the sample council, the Slack Web API stub (tests/slack/stub.py) taught
to keep a channel's history with message metadata, and the steps up to approval."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from bot.runtime import Runtime, open_runtime, viewer_for
from bot.settings import Settings, publication_for
from bot.slack.app import web_client
from bot.slack.messenger import SlackMessenger
from handlers.approval import StepOutcome, take_step
from scorecard.approval import Step
from scorecard.periods import Frequency, parse_period
from tests.slack.stub import Call, SlackStub

TOKEN = "xoxb-test-token-not-real"
MEMBERS = "C0MEMBERS"
OFFICER = "U0DEMOPERF1"
APPROVER = "U0DEMOBRD01"
Q2 = "2024/25 Q2"


@dataclass
class HistoryStub(SlackStub):
    """The shared stub, plus what Slack keeps: posted messages (with their metadata) come back
    from conversations.history, and conversations.open gives a person's DM channel."""

    history: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def _answer(self, call: Call) -> tuple[int, dict[str, str], dict[str, Any] | bytes]:
        status, headers, body = super()._answer(call)
        if status != 200 or not isinstance(body, dict) or not body.get("ok"):
            return status, headers, body
        if call.method == "conversations.open":
            return 200, {}, {"ok": True, "channel": {"id": "D" + str(call.params.get("users", ""))}}
        if call.method == "conversations.history":
            # slack_sdk sends this one as a GET, whose query string the stub does not keep: every
            # posted message comes back, newest first (keys are unique per destination anyway).
            with self.changed:
                messages = [m for posted in self.history.values() for m in posted]
            messages.sort(key=lambda m: m["ts"], reverse=True)
            return 200, {}, {"ok": True, "messages": messages, "has_more": False}
        if call.method == "chat.postMessage":
            channel = str(call.params.get("channel", ""))
            with self.changed:
                self.history.setdefault(channel, []).append(
                    {
                        "type": "message",
                        "ts": body["ts"],
                        "text": call.params.get("text", ""),
                        "metadata": call.params.get("metadata"),
                    }
                )
        return status, headers, body

    def posts_to(self, channel: str) -> list[Call]:
        """Messages Slack accepted in `channel` (not those it answered with ok: false)."""
        with self.changed:
            accepted = {m["ts"] for m in self.history.get(channel, [])}
        posted = [c for c in self.of("chat.postMessage") if c.params.get("channel") == channel]
        return posted[: len(accepted)]


@pytest.fixture
def stub() -> Iterator[HistoryStub]:
    server = HistoryStub().start()
    yield server
    server.stop()


def settings_for(database_url: str, stub: HistoryStub) -> Settings:
    return Settings(
        database_url=database_url,
        slack_bot_token=TOKEN,
        slack_api_url=stub.api_url,
        slack_members_channel=MEMBERS,
        public_base_url="https://kpibot.example.gov.uk",
    )


@pytest.fixture
def settings(sample_store_url: str, stub: HistoryStub, tmp_path: Path) -> Settings:
    return settings_for(sample_store_url, stub)


@pytest.fixture
def runtime(settings: Settings) -> Iterator[Runtime]:
    opened = open_runtime(settings)
    yield opened
    opened.engine.dispose()


@pytest.fixture
def messenger(settings: Settings) -> SlackMessenger:
    return SlackMessenger(web_client(settings))


def step(
    runtime: Runtime,
    what: Step,
    user: str,
    at: datetime,
    *,
    comment: str = "",
    now: bool = False,
    quarter: str = Q2,
) -> StepOutcome:
    with runtime.session() as session:
        return take_step(
            session,
            what,
            parse_period(quarter, Frequency.QUARTERLY),
            viewer_for(session, user),
            now=at,
            publication=publication_for(runtime.settings),
            comment=comment,
            publish_now=now,
        )


def approve_q2(runtime: Runtime, at: datetime, *, now: bool = False) -> StepOutcome:
    """Prepared and submitted by the performance officer, approved by a board approver at `at`."""
    step(runtime, Step.PREPARE, OFFICER, at)
    step(runtime, Step.SUBMIT, OFFICER, at)
    return step(runtime, Step.APPROVE, APPROVER, at, now=now)
