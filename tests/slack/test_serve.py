"""`kpibot serve` as a real process: a signed `/kpi SEND timeliness` over HTTP gets the card."""

from __future__ import annotations

import json
import os
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

import pytest

from tests.slack.conftest import SECRET, TOKEN, signed_headers
from tests.slack.serving import Served, free_port, kpibot
from tests.slack.stub import SlackStub


def test_serve_answers_a_signed_kpi_request_with_the_card_within_three_seconds(
    served: Served, stub: SlackStub
) -> None:
    body = urlencode({
        "team_id": "T0BRACKEN", "channel_id": "C0SCRUTINY", "user_id": "U0DEMOMEMB1",
        "command": "/kpi", "text": "SEND timeliness", "response_url": stub.response_url(),
        "trigger_id": "1.2.3",
    })
    headers = {name: values[0] for name, values in
               signed_headers(body, content_type="application/x-www-form-urlencoded").items()}
    request = urllib.request.Request(f"{served.base}/slack/events", data=body.encode(), headers=headers)
    started = time.monotonic()
    with urllib.request.urlopen(request, timeout=10) as answer:
        raw = answer.read()
    took = time.monotonic() - started
    assert took < 3.0
    # In the acknowledgement itself, or (had the store been slow) through the response_url.
    said = json.loads(raw) if raw else stub.wait_for("response_url", timeout=3)[0].params
    assert said["response_type"] == "ephemeral"
    assert "EHC plans issued within 20 weeks" in said["blocks"][0]["text"]["text"]
    assert stub.of("auth.test"), "bolt checks the token at start"


def test_serve_refuses_a_request_signed_with_another_secret(served: Served) -> None:
    body = urlencode({"command": "/kpi", "text": "help", "user_id": "U0DEMOMEMB1"})
    headers = {name: values[0] for name, values in
               signed_headers(body, content_type="application/x-www-form-urlencoded", secret="wrong").items()}
    request = urllib.request.Request(f"{served.base}/slack/events", data=body.encode(), headers=headers)
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 401


def test_serve_without_tokens_says_what_is_missing(tmp_path: Path) -> None:
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path),
           "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite'}"}
    done = subprocess.run([*kpibot(), "serve"], env=env, cwd=tmp_path, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 2
    said = " ".join(done.stderr.split())
    assert "SLACK_BOT_TOKEN" in said and "SLACK_SIGNING_SECRET" in said and "docs/slack-setup.md" in said



def test_make_demo_serves_slack_on_an_empty_store_when_slack_is_set_up(
    stub: SlackStub, tmp_path: Path
) -> None:
    port = free_port()
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite'}",
        "SLACK_API_URL": stub.api_url,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_MEMBERS_CHANNEL": "C0MEMBERS1",
        "PORT": str(port),
    }
    log = (tmp_path / "demo.log").open("w")
    process = subprocess.Popen([*kpibot(), "demo"], env=env, cwd=tmp_path, stdin=subprocess.DEVNULL,
                               stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as answer:
                    assert answer.status == 200
                    break
            except (urllib.error.URLError, ConnectionError):
                if process.poll() is not None or time.monotonic() > deadline:
                    log.close()
                    pytest.fail("kpibot demo did not serve Slack:\n" + (tmp_path / "demo.log").read_text())
                time.sleep(0.1)  # polling for the server to come up, not timing anything
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
    assert "Loaded the sample council" in (tmp_path / "demo.log").read_text()


def test_metrics_count_every_workers_requests_and_the_outbox(
    database_url: str, stub: SlackStub, tmp_path: Path
) -> None:
    from tests.slack.serving import serving

    with serving(database_url, stub, tmp_path, {"WORKERS": "2"}) as served:
        body = urlencode({"team_id": "T0BRACKEN", "channel_id": "C0SCRUTINY", "user_id": "U0DEMOMEMB1",
                          "command": "/kpi", "text": "help", "response_url": stub.response_url(),
                          "trigger_id": "1.2.3"})
        headers = {name: values[0] for name, values in
                   signed_headers(body, content_type="application/x-www-form-urlencoded").items()}
        events = f"{served.base}/slack/events"
        for _ in range(6):  # spread over both workers
            request = urllib.request.Request(events, data=body.encode(), headers=headers)
            with urllib.request.urlopen(request, timeout=10) as answer:
                assert answer.status == 200
        with urllib.request.urlopen(f"{served.base}/metrics", timeout=10) as answer:
            page = answer.read().decode()
    counted = [line for line in page.splitlines()
               if line.startswith('kpibot_requests_total{kind="slack",status="200"}')]
    assert counted and float(counted[0].split()[-1]) == 6.0
    assert "kpibot_request_seconds_bucket" in page and "kpibot_outbox_waiting" in page


def test_json_logs_carry_the_request_id_on_every_line_of_a_request(
    database_url: str, stub: SlackStub, tmp_path: Path
) -> None:
    from tests.slack.serving import serving

    with serving(database_url, stub, tmp_path, {"LOG_FORMAT": "json"}) as served:
        body = b"payload=%5B1%5D"
        stamp = str(int(time.time()))
        import hashlib
        import hmac

        digest = hmac.new(SECRET.encode(), b"v0:" + stamp.encode() + b":" + body, hashlib.sha256).hexdigest()
        request = urllib.request.Request(f"{served.base}/slack/events", data=body, headers={
            "Content-Type": "application/x-www-form-urlencoded", "X-Slack-Request-Timestamp": stamp,
            "X-Slack-Signature": f"v0={digest}"})
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=10)
        assert refused.value.code == 400
        deadline = time.monotonic() + 10
        while "not one Slack sends" not in served.log.read_text() and time.monotonic() < deadline:
            time.sleep(0.1)  # waiting for the worker's line to reach the file
        lines = [line for line in served.log.read_text().splitlines() if line.startswith("{")]
    entries = [json.loads(line) for line in lines]
    [warning] = [e for e in entries if "not one Slack sends" in e["message"]]
    assert warning["level"] == "warning" and len(warning["request_id"]) == 12
