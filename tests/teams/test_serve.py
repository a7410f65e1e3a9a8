"""`kpibot serve` as a real process with Slack and Teams on one port: a Teams activity at
/api/messages is answered through the connector, Slack's door still answers, and a Teams
request without Microsoft's signature is refused with 401 when testing mode is off."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path

from tests.slack.serving import serving
from tests.slack.stub import SlackStub
from tests.teams.connector import FakeConnector
from tests.teams.schemas import card_errors

BOT_ID = "3f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0"
CHANNEL = "19:members0channel@thread.tacv2"


def post(base: str, body: dict[str, object], headers: dict[str, str] | None = None) -> int:
    request = urllib.request.Request(f"{base}/api/messages", data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as refused:
        return int(refused.code)


def message(connector: FakeConnector) -> dict[str, object]:
    return {"type": "message", "id": "m1", "channelId": "msteams", "serviceUrl": connector.url,
            "from": {"id": "29:1ada", "aadObjectId": "6a5b4c3d-0000-4000-8000-000000000001", "name": "Ada"},
            "recipient": {"id": f"28:{BOT_ID}", "name": "kpibot"},
            "conversation": {"id": "a:1on1-ada", "conversationType": "personal"},
            "text": "kpi SEND timeliness"}


def test_one_kpibot_serve_answers_slack_and_teams_on_one_port(database_url: str, tmp_path: Path) -> None:
    stub, connector = SlackStub().start(), FakeConnector().start()
    teams = {"TEAMS_CLIENT_ID": BOT_ID, "TEAMS_MEMBERS_CHANNEL": CHANNEL, "TEAMS_SERVICE_URL": connector.url,
             "TEAMS_ALLOW_UNAUTHENTICATED": "true", "PUBLIC_BASE_URL": "http://localhost:3000"}
    try:
        with serving(database_url, stub, tmp_path, teams) as served:
            assert post(served.base, message(connector)) == 200
            (sent,) = connector.sent()
            assert sent.path == "/v3/conversations/a:1on1-ada/activities" and sent.authorization is None
            (card,) = sent.cards()
            assert card_errors(card) == [] and "SEND" in card["body"][0]["text"]
            with urllib.request.urlopen(f"{served.base}/readyz", timeout=5) as ready:
                assert b"TEAMS_ALLOW_UNAUTHENTICATED" in ready.read()
            # Slack's door is there too (unsigned: 401).
            slack = urllib.request.Request(f"{served.base}/slack/events", data=b"{}", method="POST")
            try:
                urllib.request.urlopen(slack, timeout=5)
            except urllib.error.HTTPError as refused:
                assert refused.code == 401
        assert "TEAMS_ALLOW_UNAUTHENTICATED is on" in served.log.read_text()
    finally:
        stub.stop()
        connector.stop()


def test_without_testing_mode_an_unsigned_teams_request_gets_401_and_nothing_is_sent(
    database_url: str, tmp_path: Path
) -> None:
    stub, connector = SlackStub().start(), FakeConnector().start()
    teams = {"TEAMS_CLIENT_ID": BOT_ID, "TEAMS_CLIENT_SECRET": "not-a-real-secret",
             "TEAMS_TENANT_ID": "9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d", "TEAMS_MEMBERS_CHANNEL": CHANNEL,
             "TEAMS_SERVICE_URL": connector.url}
    try:
        with serving(database_url, stub, tmp_path, teams) as served:
            assert post(served.base, message(connector)) == 401
            assert post(served.base, message(connector), {"Authorization": "Bearer abc.def.ghi"}) == 401
        assert connector.calls == []
    finally:
        stub.stop()
        connector.stop()


def test_serve_refuses_the_teams_sdks_own_variables_in_one_line(database_url: str, tmp_path: Path) -> None:
    import subprocess

    from tests.slack.serving import kpibot

    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "DATABASE_URL": database_url,
           "TEAMS_CLIENT_ID": BOT_ID, "TEAMS_CLIENT_SECRET": "x", "TEAMS_TENANT_ID": "t",
           "TEAMS_MEMBERS_CHANNEL": CHANNEL, "CLIENT_SECRET": "someone-elses"}
    done = subprocess.run([*kpibot(), "serve"], env=env, cwd=tmp_path, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 2
    said = " ".join(done.stderr.split())
    assert "Cannot start: CLIENT_SECRET is set in the environment" in said and "TEAMS_" in said
