"""The real bolt App over a real SQLite store with the sample council, and a Slack stub."""

from __future__ import annotations

import json
import shutil
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from slack_bolt import App, BoltRequest, BoltResponse
from slack_sdk.signature import SignatureVerifier

from bot.runtime import SAMPLE_COUNCIL, Runtime, open_runtime
from bot.settings import Settings
from bot.slack.app import create_app
from data.db import ensure_schema, make_engine
from data.load import load_path
from tests.slack.stub import SlackStub

SECRET = "test-signing-secret-not-real"
TOKEN = "xoxb-test-token-not-real"
MEMBER = "U0DEMOMEMB1"
OTHER_MEMBER = "U0DEMOMEMB2"
ADVISOR = "U0DEMOGOV01"
CHANNEL = "C0SCRUTINY"


@pytest.fixture(scope="session")
def sample_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample council loaded once per session; each test copies the file."""
    path = tmp_path_factory.mktemp("template") / "sample.sqlite"
    engine = make_engine(f"sqlite:///{path}")
    ensure_schema(engine)
    load_path(engine, SAMPLE_COUNCIL)
    engine.dispose()
    with sqlite3.connect(path) as connection:  # fold the WAL into the file before copying it
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@pytest.fixture
def database_url(tmp_path: Path, sample_store: Path) -> str:
    copy = tmp_path / "kpibot.sqlite"
    shutil.copyfile(sample_store, copy)
    return f"sqlite:///{copy}"


@pytest.fixture
def stub() -> Iterator[SlackStub]:
    server = SlackStub().start()
    yield server
    server.stop()


@pytest.fixture
def settings(database_url: str, stub: SlackStub) -> Settings:
    return Settings(
        database_url=database_url,
        slack_bot_token=TOKEN,
        slack_signing_secret=SECRET,
        slack_api_url=stub.api_url,
    )


@pytest.fixture
def runtime(settings: Settings) -> Iterator[Runtime]:
    opened = open_runtime(settings)
    yield opened
    opened.engine.dispose()


@pytest.fixture
def app(settings: Settings, runtime: Runtime) -> App:
    return create_app(settings, runtime)


@pytest.fixture
def slack(app: App, stub: SlackStub) -> Slack:
    return Slack(app, stub)


def signed_headers(body: str, *, content_type: str, timestamp: int | None = None,
                   secret: str = SECRET, extra: dict[str, str] | None = None) -> dict[str, list[str]]:
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(secret).generate_signature(timestamp=stamp, body=body)
    headers = {
        "content-type": [content_type],
        "x-slack-signature": [signature],
        "x-slack-request-timestamp": [stamp],
    }
    for name, value in (extra or {}).items():
        headers[name.lower()] = [value]
    return headers


class Slack:
    """Sends what Slack would send: signed form bodies and `payload=` JSON, through App.dispatch."""

    def __init__(self, app: App, stub: SlackStub) -> None:
        self.app = app
        self.stub = stub
        self.triggers = 0

    def send(self, body: str, *, content_type: str = "application/x-www-form-urlencoded",
             **options: Any) -> BoltResponse:
        headers = signed_headers(body, content_type=content_type, **options)
        return self.app.dispatch(BoltRequest(body=body, headers=headers))

    def command_body(self, command: str, text: str, user: str = MEMBER) -> str:
        self.triggers += 1
        return urlencode({
            "token": "legacy", "team_id": "T0BRACKEN", "team_domain": "brackenford",
            "channel_id": CHANNEL, "channel_name": "scrutiny", "user_id": user, "user_name": user.lower(),
            "command": command, "text": text, "api_app_id": "A0KPIBOT", "is_enterprise_install": "false",
            "response_url": self.stub.response_url(), "trigger_id": f"13345224609.{self.triggers}.abc",
        })

    def command(self, command: str, text: str = "", user: str = MEMBER, **options: Any) -> BoltResponse:
        return self.send(self.command_body(command, text, user), **options)

    def payload(self, payload: dict[str, Any], **options: Any) -> BoltResponse:
        return self.send(urlencode({"payload": json.dumps(payload)}), **options)

    def press(self, action_id: str, value: str, user: str = MEMBER, *, message_ts: str = "1700000000.000001",
              channel: str = CHANNEL, ephemeral: bool = True, **options: Any) -> BoltResponse:
        self.triggers += 1
        return self.payload({
            "type": "block_actions",
            "team": {"id": "T0BRACKEN", "domain": "brackenford"},
            "user": {"id": user, "username": user.lower(), "team_id": "T0BRACKEN"},
            "api_app_id": "A0KPIBOT",
            "token": "legacy",
            "container": {"type": "message", "message_ts": message_ts, "channel_id": channel,
                          "is_ephemeral": ephemeral},
            "trigger_id": f"13345224609.{self.triggers}.button",
            "channel": {"id": channel, "name": "scrutiny"},
            "response_url": self.stub.response_url(),
            "actions": [{"action_id": action_id, "block_id": "b1", "type": "button", "value": value,
                         "text": {"type": "plain_text", "text": "x"}, "action_ts": f"{time.time():.6f}"}],
        }, **options)

    def submit(self, view: dict[str, Any], user: str = MEMBER, **options: Any) -> BoltResponse:
        return self.payload({
            "type": "view_submission",
            "team": {"id": "T0BRACKEN", "domain": "brackenford"},
            "user": {"id": user, "username": user.lower(), "team_id": "T0BRACKEN"},
            "api_app_id": "A0KPIBOT",
            "token": "legacy",
            "trigger_id": "13345224609.99.submit",
            "view": view,
        }, **options)

    def event(self, event: dict[str, Any], event_id: str = "Ev0HOME1", **options: Any) -> BoltResponse:
        body = json.dumps({
            "token": "legacy", "team_id": "T0BRACKEN", "api_app_id": "A0KPIBOT",
            "event": event, "type": "event_callback", "event_id": event_id, "event_time": int(time.time()),
        })
        return self.send(body, content_type="application/json", **options)


def submitted_view(
    view: dict[str, Any], *, text: str, code: str | None, view_id: str = "V0FORM01"
) -> dict[str, Any]:
    """The form as Slack sends it back on submission: the view opened, with the member's values."""
    option = {"value": code or "-", "text": {"type": "plain_text", "text": code or "general"}}
    return {
        **view,
        "id": view_id,
        "state": {"values": {
            "concern_subject": {"subject": {"type": "static_select", "selected_option": option}},
            "concern_text": {"text": {"type": "plain_text_input", "value": text}},
        }},
    }


def body_of(response: BoltResponse) -> dict[str, Any]:
    return json.loads(response.body) if response.body else {}


def settle(app: App) -> None:
    """Wait for every listener still running after its acknowledgement (no sleeps)."""
    app.listener_runner.listener_executor.shutdown(wait=True)


from tests.slack.serving import served  # noqa: E402  (the fixture, for every test here)

__all__ = ["served"]
