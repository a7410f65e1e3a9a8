"""Publication of an approved scorecard: on time, once, across restarts, retries, crashes and two
copies of the bot; frozen against later revisions; a newsletter page that reads in a browser."""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import inspect

from bot import scheduler
from bot.pages import NewsletterPages
from bot.publisher import run_publication
from bot.runtime import SAMPLE_COUNCIL, Runtime, open_runtime
from bot.settings import Settings
from bot.slack.app import web_client
from bot.slack.messenger import SlackMessenger
from data import outbox, scorecards
from data.leader import Leader
from data.load import load_path
from handlers import kpi
from handlers.reply import Request
from scorecard.approval import ScorecardStatus, Step
from scorecard.model import Role, Viewer
from tests.bot.conftest import APPROVER, MEMBERS, OFFICER, Q2, HistoryStub, approve_q2, settings_for, step

LONDON = ZoneInfo("Europe/London")


def london(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=LONDON)  # type: ignore[misc]


class Crash(BaseException):
    """The process dying: not an Exception, so nothing on the way catches it."""


# --- on time ----------------------------------------------------------------------------------


def test_approval_on_the_friday_before_a_bank_holiday_publishes_on_tuesday_at_9_bst(
    runtime: Runtime, messenger: SlackMessenger, stub: HistoryStub
) -> None:
    outcome = approve_q2(runtime, london(2024, 8, 23, 15, 0))

    assert outcome.record.publish_at == datetime(2024, 8, 27, 8, 0, tzinfo=UTC)
    assert "published to members on Tuesday 27 August 2024 at 09:00" in outcome.message
    on_the_holiday = run_publication(runtime, messenger, now=london(2024, 8, 26, 12, 0), holder="a")
    assert on_the_holiday.published == [] and stub.posts_to(MEMBERS) == []

    on_time = run_publication(runtime, messenger, now=london(2024, 8, 27, 9, 0), holder="a")

    assert on_time.published == [Q2]
    assert len(stub.posts_to(MEMBERS)) == 1


def test_approval_on_the_friday_before_the_clocks_go_back_publishes_monday_at_9_gmt(runtime: Runtime) -> None:
    outcome = approve_q2(runtime, london(2024, 10, 25, 16, 0))

    assert outcome.record.publish_at == datetime(2024, 10, 28, 9, 0, tzinfo=UTC)


def test_the_post_carries_its_key_the_summary_and_the_picture(
    runtime: Runtime, messenger: SlackMessenger, stub: HistoryStub
) -> None:
    approve_q2(runtime, london(2024, 10, 25, 16, 0), now=True)

    report = run_publication(runtime, messenger, now=london(2024, 10, 25, 16, 1), holder="a")

    [post] = stub.posts_to(MEMBERS)
    assert post.params["metadata"]["event_type"] == "kpibot_scorecard_published"
    assert post.params["metadata"]["event_payload"]["key"].endswith(f":slack:{MEMBERS}")
    assert "Summary: " in post.params["text"]
    assert "https://kpibot.example.gov.uk/scorecards/2024-25-Q2.html" in post.params["text"]
    assert [b["type"] for b in post.params["blocks"]] == ["section", "image"]
    assert stub.of("files.completeUploadExternal")
    # The approver and the submitter are told by direct message.
    dms = {c.params["channel"] for c in stub.of("chat.postMessage")} - {MEMBERS}
    assert dms == {f"D{APPROVER}", f"D{OFFICER}"}
    # The channel, two people told of publication, and the officer told of the approval (the
    # page is served from the store).
    assert len(report.sent) == 4


# --- exactly once -----------------------------------------------------------------------------


def test_a_bot_stopped_before_9_and_started_at_11_publishes_once(
    runtime: Runtime, messenger: SlackMessenger, stub: HistoryStub, settings: Settings
) -> None:
    approve_q2(runtime, london(2024, 10, 25, 16, 0))
    # Still running on Monday at 08:59: nothing yet. Then it stops.
    first = scheduler.SchedulerContext(
        runtime,
        messenger,
        Leader(runtime.engine),
        clock=lambda: london(2024, 10, 28, 8, 59),
    )
    assert scheduler.tick(first) is not None
    assert stub.posts_to(MEMBERS) == []
    first.leader.release()

    # Started again at 11:00: the stored job runs at once and catches up.
    restarted = open_runtime(settings)
    running = scheduler.start(
        restarted, SlackMessenger(web_client(settings)), clock=lambda: london(2024, 10, 28, 11, 0)
    )
    try:
        stub.wait_for("chat.postMessage", 3, timeout=90)
        assert {"publish_due", "reminders"} <= {job.id for job in running.get_jobs()}
        assert scheduler.JOB_TABLE in inspect(restarted.engine).get_table_names()
        scheduler.publish_due_job()  # another tick changes nothing
    finally:
        scheduler.stop(running)
        restarted.engine.dispose()

    assert len(stub.posts_to(MEMBERS)) == 1
    with runtime.session() as session:
        record = scorecards.by_quarter(session, Q2)
    assert record is not None and record.status is ScorecardStatus.PUBLISHED
    assert record.published_at == london(2024, 10, 28, 11, 0)


def test_slack_failing_with_500_twice_then_answering_gives_one_post(
    runtime: Runtime, messenger: SlackMessenger, stub: HistoryStub
) -> None:
    approve_q2(runtime, london(2024, 10, 25, 16, 0), now=True)
    stub.fail_next("chat.postMessage", status=500, times=2)

    report = run_publication(runtime, messenger, now=london(2024, 10, 25, 16, 1), holder="a")

    assert len(stub.posts_to(MEMBERS)) == 1
    tried = [c for c in stub.of("chat.postMessage", ok_only=False) if c.params.get("channel") == MEMBERS]
    assert [c.status for c in tried] == [500, 500, 200]
    assert report.failed == []


def test_slack_down_leaves_the_message_to_try_again(
    runtime: Runtime, messenger: SlackMessenger, stub: HistoryStub
) -> None:
    approve_q2(runtime, london(2024, 10, 25, 16, 0), now=True)
    stub.fail_next("chat.postMessage", status=200, body={"ok": False, "error": "channel_not_found"}, times=1)

    first = run_publication(runtime, messenger, now=london(2024, 10, 25, 16, 1), holder="a")
    again = run_publication(runtime, messenger, now=london(2024, 10, 25, 16, 2), holder="a")

    assert len(first.failed) == 1 and first.failed == again.sent[:1]
    assert len(stub.posts_to(MEMBERS)) == 1


def test_a_crash_between_posting_and_marking_sent_does_not_post_twice(
    runtime: Runtime, messenger: SlackMessenger, stub: HistoryStub, settings: Settings
) -> None:
    approve_q2(runtime, london(2024, 10, 25, 16, 0), now=True)

    def crash_after_the_channel_post(item: outbox.OutboxItem) -> None:
        if item.message.destination == f"channel:slack:{MEMBERS}":
            raise Crash

    with pytest.raises(Crash):
        run_publication(
            runtime,
            messenger,
            now=london(2024, 10, 25, 16, 1),
            holder="first",
            after_send=crash_after_the_channel_post,
        )
    assert len(stub.posts_to(MEMBERS)) == 1

    restarted = open_runtime(settings)
    try:
        report = run_publication(
            restarted, SlackMessenger(web_client(settings)), now=london(2024, 10, 25, 16, 30), holder="second"
        )
    finally:
        restarted.engine.dispose()

    assert len(stub.posts_to(MEMBERS)) == 1
    assert [key for key in report.found if key.endswith(MEMBERS)]
    with runtime.session() as session:
        items = outbox.items(session, key_prefix="scorecard:")
    assert {item.status for item in items} == {outbox.OutboxStatus.SENT}


@pytest.mark.postgres
def test_two_copies_of_the_bot_against_one_postgresql_publish_once(
    postgres_url: str, stub: HistoryStub, tmp_path: Path
) -> None:
    settings = settings_for(postgres_url, stub)
    runtimes = [open_runtime(settings), open_runtime(settings)]
    load_path(runtimes[0].engine, SAMPLE_COUNCIL)
    approve_q2(runtimes[0], london(2024, 10, 25, 16, 0))
    clock = london(2024, 10, 28, 9, 0)
    contexts = [
        scheduler.SchedulerContext(
            r,
            SlackMessenger(web_client(settings)),
            Leader(r.engine, holder=f"copy{i}"),
            clock=lambda: clock,
        )
        for i, r in enumerate(runtimes)
    ]
    start = threading.Barrier(2)
    led: list[bool] = []

    def run(context: scheduler.SchedulerContext) -> None:
        start.wait()
        for _ in range(3):
            led.append(scheduler.tick(context) is not None)

    threads = [threading.Thread(target=run, args=(c,)) for c in contexts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    try:
        assert len(stub.posts_to(MEMBERS)) == 1
        assert led.count(True) == 3  # one copy led every tick; the other never did
        # Even without the lock, the outbox's claims keep it at one.
        for r in runtimes:
            run_publication(r, SlackMessenger(web_client(settings)), now=clock, holder="no-lock")
        assert len(stub.posts_to(MEMBERS)) == 1
    finally:
        for c in contexts:
            c.leader.release()
        for r in runtimes:
            r.engine.dispose()


@pytest.mark.postgres
def test_two_senders_racing_without_the_lock_claim_each_message_once(
    postgres_url: str, stub: HistoryStub, tmp_path: Path
) -> None:
    settings = settings_for(postgres_url, stub)
    runtimes = [open_runtime(settings), open_runtime(settings)]
    load_path(runtimes[0].engine, SAMPLE_COUNCIL)
    approve_q2(runtimes[0], london(2024, 10, 25, 16, 0), now=True)
    start = threading.Barrier(2)

    def run(r: Runtime, name: str) -> None:
        start.wait()
        run_publication(r, SlackMessenger(web_client(settings)), now=london(2024, 10, 25, 16, 1), holder=name)

    threads = [threading.Thread(target=run, args=(r, f"sender{i}")) for i, r in enumerate(runtimes)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    try:
        assert len(stub.posts_to(MEMBERS)) == 1
        assert len(stub.of("chat.postMessage")) == 4  # the channel, 2 published notices, 1 approval
    finally:
        for r in runtimes:
            r.engine.dispose()


# --- frozen -----------------------------------------------------------------------------------


def test_revised_figures_after_publication_leave_the_published_scorecard_alone_and_the_card_says_so(
    runtime: Runtime, messenger: SlackMessenger, tmp_path: Path
) -> None:
    approve_q2(runtime, london(2024, 10, 25, 16, 0), now=True)
    run_publication(runtime, messenger, now=london(2024, 10, 25, 16, 1), holder="a")
    with runtime.session() as session:
        before = scorecards.published(session, Q2)
    assert before is not None
    revised = tmp_path / "revised"
    shutil.copytree(SAMPLE_COUNCIL, revised)
    observations = revised / "observations.csv"
    text = observations.read_text()
    assert "DEM-01,2024-09,1473,,,,," in text
    observations.write_text(text.replace("DEM-01,2024-09,1473,,,,,", "DEM-01,2024-09,1500,,,,,"))

    load_path(runtime.engine, revised, now=london(2024, 11, 4, 10, 0))

    with runtime.session() as session:
        after = scorecards.published(session, Q2)
        request = Request(
            text="", viewer=Viewer("U0DEMOMEMB1", frozenset({Role.MEMBER})), now=london(2024, 11, 5, 10, 0)
        )
        card = kpi.card_by_code(request, session, "DEM-01", "2024-09-30")
    assert after is not None and after.snapshot == before.snapshot
    row = next(r for c in before.snapshot["clusters"] for r in c["rows"] if r["code"] == "DEM-01")
    assert [p["value"] for p in row["periods"] if p["period_end"] == "2024-09-30"] == [1473.0]
    assert card is not None
    assert any("Revised since publication: the published scorecard showed 1,473" in n for n in card.notes)


# --- the page ---------------------------------------------------------------------------------


def test_the_published_newsletter_page_reads_in_a_real_browser(
    runtime: Runtime, messenger: SlackMessenger, settings: Settings, tmp_path: Path
) -> None:
    from tests.handlers.test_scorecard_show import _chromium

    browser = _chromium()
    if browser is None:
        pytest.skip("Chromium not found (/usr/bin/chromium or on PATH): run `bash scripts/test-setup.sh`")
    approve_q2(runtime, london(2024, 10, 25, 16, 0), now=True)
    run_publication(runtime, messenger, now=london(2024, 10, 25, 16, 1), holder="a")
    drawn = NewsletterPages(runtime)("2024-25-Q2.html")
    assert drawn is not None
    page = tmp_path / "2024-25-Q2.html"
    page.write_bytes(drawn)
    with runtime.session() as session:
        published = scorecards.published(session, Q2)
    assert published is not None
    summary = published.snapshot["summary"]

    dumped = subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert dumped.returncode == 0, dumped.stderr[-2000:]
    for count, word in ((summary["green"], "Green"), (summary["amber"], "Amber"), (summary["red"], "Red")):
        assert f"{count} {word}" in dumped.stdout


# --- reminders --------------------------------------------------------------------------------


def test_reminders_go_to_the_performance_team_once(
    runtime: Runtime, messenger: SlackMessenger, stub: HistoryStub, settings: Settings
) -> None:
    context = scheduler.SchedulerContext(
        runtime,
        messenger,
        Leader(runtime.engine),
        clock=lambda: london(2026, 11, 23, 10, 0),
    )

    first = scheduler.remind(context)
    second = scheduler.remind(context)

    assert first is not None and second == []
    kinds = sorted(key.split(":")[1] for key in first)
    assert kinds == ["targets_review", "unsubmitted_scorecard"]
    texts = [c.params["text"] for c in stub.of("chat.postMessage")]
    assert len(texts) == 2 and all(c.params["channel"] == f"D{OFFICER}" for c in stub.of("chat.postMessage"))
    assert any("review the targets and amber thresholds for 2027/28" in t for t in texts)
    assert any("2026/27 Q2 scorecard has not been submitted" in t for t in texts)
    # The reminder to submit carries the button that acts on it (no draft yet: Prepare).
    posts = stub.of("chat.postMessage")
    (unsubmitted,) = [c for c in posts if "has not been submitted" in c.params["text"]]
    actions = [b for b in unsubmitted.params["blocks"] if b["type"] == "actions"]
    pressed = [(e["action_id"], e["value"]) for e in actions[0]["elements"]]
    assert pressed == [("scorecard_prepare", "2026/27 Q2")]


def test_a_submitted_quarter_gets_no_reminder_to_submit(runtime: Runtime, settings: Settings) -> None:
    step(runtime, Step.PREPARE, OFFICER, london(2026, 11, 2, 10, 0), quarter="2026/27 Q2")
    step(runtime, Step.SUBMIT, OFFICER, london(2026, 11, 2, 10, 0), quarter="2026/27 Q2")
    context = scheduler.SchedulerContext(
        runtime,
        SlackMessenger(web_client(settings)),
        Leader(runtime.engine),
        clock=lambda: london(2026, 11, 23, 10, 0),
    )

    queued = scheduler.remind(context)

    assert queued is not None
    assert [key.split(":")[1] for key in queued] == ["targets_review"]


def test_the_outbox_payload_is_json(runtime: Runtime) -> None:
    approve_q2(runtime, london(2024, 10, 25, 16, 0))
    with runtime.session() as session:
        items = outbox.items(session)
    assert {i.message.destination for i in items} == {
        f"channel:slack:{MEMBERS}",
        f"person:{APPROVER}",
        f"person:{OFFICER}",
    }
    assert all(json.dumps(i.message.payload) for i in items)
    # What goes with publication waits for it; the officer hears of the approval at once.
    published = [i for i in items if i.message.scorecard_id is not None]
    assert len(published) == 3
    assert all(i.message.not_before == datetime(2024, 10, 28, 9, 0, tzinfo=UTC) for i in published)
    (approved,) = [i for i in items if i.message.scorecard_id is None]
    assert approved.message.kind == "scorecard_approve_notice"
    assert approved.message.not_before == london(2024, 10, 25, 16, 0)
    _ = timedelta


def test_kpibot_serve_serves_the_published_page_at_a_stable_address(
    runtime: Runtime, messenger: SlackMessenger, settings: Settings, stub: HistoryStub
) -> None:
    from slack_bolt import App

    from bot.slack.server import wsgi_app

    approve_q2(runtime, london(2024, 10, 25, 16, 0), now=True)
    run_publication(runtime, messenger, now=london(2024, 10, 25, 16, 1), holder="a")
    serve = wsgi_app(App(client=web_client(settings), signing_secret="not-real"), NewsletterPages(runtime),
                     signing_secret="not-real")
    answers: list[str] = []

    def get(path: str) -> bytes:
        environ = {"PATH_INFO": path, "REQUEST_METHOD": "GET"}
        return b"".join(serve(environ, lambda status, headers: answers.append(status)))

    page = get("/scorecards/2024-25-Q2.html")
    missing = get("/scorecards/2023-24-Q1.html")
    sneaky = get("/scorecards/..%2Fstore.sqlite")

    assert answers[:2] == ["200 OK", "404 Not Found"]
    assert b"2024/25 Q2" in page and b"No scorecard" in missing
    assert b"SQLite" not in sneaky


@pytest.mark.postgres
def test_two_bot_processes_publishing_at_once_against_one_postgresql_post_once(
    postgres_url: str, stub: HistoryStub, tmp_path: Path
) -> None:
    import os
    import sys

    settings = settings_for(postgres_url, stub)
    setup = open_runtime(settings)
    load_path(setup.engine, SAMPLE_COUNCIL)
    approve_q2(setup, datetime.now(UTC) - timedelta(minutes=1), now=True)
    setup.engine.dispose()
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "DATABASE_URL": postgres_url,
        "SLACK_BOT_TOKEN": settings.slack_bot_token,
        "SLACK_API_URL": stub.api_url,
        "SLACK_MEMBERS_CHANNEL": MEMBERS,
    }
    command = [sys.executable, "-m", "bot", "scorecard", "publish-due"]

    copies = [
        subprocess.Popen(
            command, env=environment, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        for _ in range(2)
    ]
    outputs = [copy.communicate(timeout=120)[0].decode() for copy in copies]

    assert all(copy.returncode == 0 for copy in copies), outputs
    assert len(stub.posts_to(MEMBERS)) == 1
    assert sum("Published: 2024/25 Q2" in output for output in outputs) == 1
