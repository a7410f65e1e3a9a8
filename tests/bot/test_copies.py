"""Two copies of `kpibot serve` behind one PostgreSQL, as a council's IT team would run them:
nothing shared on disk, both answer, the scorecard is posted once and its page served by both,
readiness follows the database without a restart, and SIGTERM stops a copy cleanly."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

import pytest

from bot.runtime import SAMPLE_COUNCIL, open_runtime
from data.load import load_path
from tests.bot.conftest import MEMBERS, TOKEN, HistoryStub, approve_q2, settings_for
from tests.conftest import PostgresServer
from tests.slack.conftest import SECRET, signed_headers
from tests.slack.serving import Served, free_port, kpibot

pytestmark = pytest.mark.postgres


def status_of(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=3) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as refused:
        return int(refused.code)
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return 0


def wait_until(check: object, timeout: float, what: str) -> float:
    """Poll `check` (a callable) until true; how long it took. Polling, not timing a unit."""
    started = time.monotonic()
    while not check():  # type: ignore[operator]
        if time.monotonic() - started > timeout:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.2)
    return time.monotonic() - started


def start_copy(stack: ExitStack, database_url: str, stub: HistoryStub, home: Path, workers: int) -> Served:
    home.mkdir()
    port = free_port()
    env = {
        "PATH": os.environ.get("PATH", ""), "HOME": str(home), "DATABASE_URL": database_url,
        "SLACK_API_URL": stub.api_url, "SLACK_SIGNING_SECRET": SECRET, "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_MEMBERS_CHANNEL": MEMBERS, "PORT": str(port), "WORKERS": str(workers),
        "PUBLIC_BASE_URL": "https://kpibot.example.gov.uk",
    }
    log_path = home / "serve.log"
    log = stack.enter_context(log_path.open("w"))
    process = subprocess.Popen([*kpibot(), "serve", "--host", "127.0.0.1"], env=env, cwd=home,
                               stdout=log, stderr=subprocess.STDOUT)
    stack.callback(lambda: process.poll() is None and process.kill())
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: status_of(f"{base}/healthz") == 200, 90, f"{base} to start")
    except AssertionError:
        process.kill()
        raise AssertionError("kpibot serve did not start:\n" + log_path.read_text()) from None
    return Served(base, port, log_path, process)


def ask_kpi(served: Served, stub: HistoryStub) -> dict[str, object]:
    body = urlencode({"team_id": "T0BRACKEN", "channel_id": "C0SCRUTINY", "user_id": "U0DEMOMEMB1",
                      "command": "/kpi", "text": "SEND timeliness", "response_url": stub.response_url(),
                      "trigger_id": "1.2.3"})
    headers = {name: values[0] for name, values in
               signed_headers(body, content_type="application/x-www-form-urlencoded").items()}
    request = urllib.request.Request(f"{served.base}/slack/events", data=body.encode(), headers=headers)
    with urllib.request.urlopen(request, timeout=10) as answer:
        raw = answer.read()
    return json.loads(raw) if raw else stub.wait_for("response_url")[-1].params


@pytest.fixture
def database() -> Iterator[PostgresServer]:
    """A PostgreSQL server of this test's own, since the test stops and starts it."""
    server = PostgresServer()
    try:
        server.start()
        yield server
    finally:
        server.remove()


def test_two_copies_on_one_postgresql_serve_publish_once_follow_the_database_and_stop_cleanly(
    database: PostgresServer, stub: HistoryStub, tmp_path: Path
) -> None:
    settings = settings_for(database.url, stub)
    setup = open_runtime(settings)
    load_path(setup.engine, SAMPLE_COUNCIL)
    approve_q2(setup, datetime.now(UTC) - timedelta(minutes=1), now=True)
    setup.engine.dispose()

    with ExitStack() as stack:
        first = start_copy(stack, database.url, stub, tmp_path / "first", workers=2)
        second = start_copy(stack, database.url, stub, tmp_path / "second", workers=1)

        # Both answer /kpi.
        for copy in (first, second):
            card = ask_kpi(copy, stub)
            assert "EHC plans issued within 20 weeks" in json.dumps(card)

        # The scorecard approved for now is posted once, by whichever copy leads; every worker
        # of both runs the scheduler. Two more rounds (15 s each) post nothing more.
        stub.wait_until(lambda: len(stub.posts_to(MEMBERS)) >= 1, 60, "the members' post")
        time.sleep(31)  # let every copy's scheduler run two more rounds
        assert len(stub.posts_to(MEMBERS)) == 1

        # Its page is served by both, drawn from the store.
        for copy in (first, second):
            with urllib.request.urlopen(f"{copy.base}/scorecards/2024-25-Q2.html", timeout=10) as page:
                assert page.status == 200 and b"2024/25 Q2" in page.read()

        # Readiness follows the database: 503 within 10 s of it stopping, 200 once it is back.
        for copy in (first, second):
            assert status_of(f"{copy.base}/readyz") == 200
        database.stop()
        for copy in (first, second):
            took = wait_until(lambda c=copy: status_of(f"{c.base}/readyz") == 503, 10, "readyz 503")
            assert took <= 10
        assert status_of(f"{first.base}/healthz") == 200  # the process itself is up
        database.start()
        for copy in (first, second):
            wait_until(lambda c=copy: status_of(f"{c.base}/readyz") == 200, 30, "readyz 200 again")

        # SIGTERM stops a copy cleanly: exit 0 within a few seconds; the other still answers.
        started = time.monotonic()
        first.process.send_signal(signal.SIGTERM)
        code = first.process.wait(timeout=15)
        stopped_in = time.monotonic() - started
        assert code == 0, first.log.read_text()[-3000:]
        assert stopped_in < 5, f"took {stopped_in:.1f} s"
        assert "Traceback" not in first.log.read_text()
        assert "EHC plans issued within 20 weeks" in json.dumps(ask_kpi(second, stub))
