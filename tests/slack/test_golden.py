"""Golden Slack payloads (issue 11's safety net): every flow driven through the real bolt App
with a fixed clock, and what it produced (acknowledgements, Web API calls, response_url posts,
uploads, in order) compared with its file in tests/slack/golden/.

`KPIBOT_GOLDEN=record .venv/bin/python -m pytest tests/slack/test_golden.py` rewrites the files;
without it a difference fails with a unified diff. See tests/slack/golden/README.md.
"""

from __future__ import annotations

import difflib
import functools
import json
import os
import re
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor, wait
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from slack_bolt import App, BoltResponse

import bot.slack.app as slack_app
from bot.publisher import run_publication
from bot.runtime import Runtime
from bot.settings import Settings
from bot.slack.app import create_app, web_client
from bot.slack.messenger import SlackMessenger
from tests.slack.conftest import ADVISOR, MEMBER, SECRET, TOKEN, Slack, submitted_view
from tests.slack.stub import Call, SlackStub

GOLDEN = Path(__file__).parent / "golden"
RECORDING = os.environ.get("KPIBOT_GOLDEN") == "record"
RERECORD = "KPIBOT_GOLDEN=record .venv/bin/python -m pytest tests/slack/test_golden.py"

LONDON = ZoneInfo("Europe/London")
# /kpi, concerns and App Home: a Monday late in 2026, BUD-03's newest quarter still embargoed.
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
# The scorecard's life: a Friday afternoon once 2024/25 Q2's figures are in, then the Monday.
SCORECARD_DAY = datetime(2024, 10, 25, 16, 0, tzinfo=LONDON)
PUBLICATION_DAY = datetime(2024, 10, 28, 9, 1, tzinfo=LONDON)

OTHER_MEMBER = "U0DEMOMEMB2"
SEND_OFFICER = "U0DEMOSVC01"
PERFORMANCE = "U0DEMOPERF1"
APPROVER = "U0DEMOBRD01"
MEMBERS = "C0MEMBERS"
BASE = "https://kpibot.example.gov.uk"
Q2 = "2024/25 Q2"
RETRY = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
STUB = "http://slack.stub"


# --- the app, with a fixed clock and listeners we can wait for ---------------------------------


class Listeners(ThreadPoolExecutor):
    """Bolt's listener executor, remembering what it ran so a flow can wait for every listener
    to finish (each step's Slack calls are then all in, in order) without shutting it down."""

    def __init__(self) -> None:
        super().__init__(max_workers=4, thread_name_prefix="golden-listener")
        self.running: list[Future[Any]] = []
        self.lock = threading.Lock()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future = super().submit(fn, *args, **kwargs)
        with self.lock:
            self.running.append(future)
        return future

    def settle(self) -> None:
        while True:
            with self.lock:
                running, self.running = self.running, []
            if not running:
                return
            wait(running)


@pytest.fixture
def clock() -> list[datetime]:
    return [NOW]


@pytest.fixture
def settings(database_url: str, stub: SlackStub) -> Settings:
    return Settings(
        database_url=database_url,
        slack_bot_token=TOKEN,
        slack_signing_secret=SECRET,
        slack_api_url=stub.api_url,
        slack_members_channel=MEMBERS,
        public_base_url=BASE,
    )


@pytest.fixture
def listeners() -> Iterator[Listeners]:
    executor = Listeners()
    yield executor
    executor.shutdown(wait=True)


@pytest.fixture
def app(
    settings: Settings,
    runtime: Runtime,
    clock: list[datetime],
    listeners: Listeners,
    monkeypatch: pytest.MonkeyPatch,
) -> App:
    # A command's answer goes in the acknowledgement when ready within 2 s, else through the
    # response_url; and bolt gives up waiting for an acknowledgement after 3 s. On a busy
    # machine either would make a flow flicker, so the golden flows allow a minute for both:
    # what is recorded is the answer as it goes when the store is quick (nearly always).
    monkeypatch.setattr(slack_app, "Services", functools.partial(slack_app.Services, answer_budget=60.0))
    built = create_app(settings, runtime, clock=lambda: clock[0])
    for listener in built._listeners:
        listener.ack_timeout = 60
    built.listener_runner.listener_executor = listeners
    built.listener_runner.lazy_listener_runner.executor = listeners  # type: ignore[attr-defined]
    return built


@pytest.fixture
def flow(slack: Slack, stub: SlackStub, listeners: Listeners, tmp_path: Path) -> Flow:
    return Flow(slack, stub, listeners, tmp_path)


# --- recording ------------------------------------------------------------------------------


class Flow:
    """Drives one flow and records, in order, what each step produced: its acknowledgement,
    then every call Slack (the stub) received while its listeners ran."""

    def __init__(self, slack: Slack, stub: SlackStub, listeners: Listeners, tmp_path: Path) -> None:
        self.slack = slack
        self.stub = stub
        self.listeners = listeners
        self.tmp_path = tmp_path
        self.produced: list[dict[str, Any]] = []
        self.seen = len(stub.calls)  # auth.test at start is not part of any flow

    # steps through the App

    def command(self, command: str, text: str = "", user: str = MEMBER, **options: Any) -> dict[str, Any]:
        return self.step(f"{command} {text}".strip() + f" ({user})",
                          lambda: self.slack.command(command, text, user=user, **options))

    def press(self, action_id: str, value: str, user: str = MEMBER, **options: Any) -> dict[str, Any]:
        retried = " (retried)" if "X-Slack-Retry-Num" in options.get("extra", {}) else ""
        return self.step(f"press {action_id} {value!r}{retried} ({user})",
                          lambda: self.slack.press(action_id, value, user=user, **options))

    def submit(self, view: dict[str, Any], user: str = MEMBER, **options: Any) -> dict[str, Any]:
        retried = " (retried)" if "X-Slack-Retry-Num" in options.get("extra", {}) else ""
        what = f"submit {view.get('callback_id')} {view.get('id')}{retried}"
        return self.step(f"{what} ({user})", lambda: self.slack.submit(view, user=user, **options))

    def event(self, event: dict[str, Any], event_id: str, **options: Any) -> dict[str, Any]:
        retried = " (retried)" if "X-Slack-Retry-Num" in options.get("extra", {}) else ""
        what = f"event {event['type']} {event_id}{retried}"
        return self.step(f"{what} ({event.get('user')})",
                          lambda: self.slack.event(event, event_id=event_id, **options))

    def outside(self, what: str, run: Callable[[], object]) -> None:
        """A step not through the App (the scheduler's round): only its Slack calls."""
        self.produced.append({"step": what})
        run()
        self._collect()

    def step(self, what: str, send: Callable[[], BoltResponse]) -> dict[str, Any]:
        self.produced.append({"step": what})
        response = send()
        body = _body(response)
        self.produced.append({"ack": {"status": response.status, "body": body}})
        self._collect()
        return body if isinstance(body, dict) else {}

    def _collect(self) -> None:
        self.listeners.settle()
        with self.stub.changed:
            calls, self.seen = self.stub.calls[self.seen :], len(self.stub.calls)
        # A names look-up (users.info) runs in the background when the bot first meets someone
        # (bot.names): it is not part of what a flow sends, and its moment varies.
        self.produced.extend(_entry(call) for call in calls if call.method not in BACKGROUND)

    # what was produced

    def views_opened(self) -> list[dict[str, Any]]:
        return [p["api"]["args"]["view"] for p in self.produced
                if "api" in p and p["api"]["method"] == "views.open"]

    def last_view(self) -> dict[str, Any]:
        return self.views_opened()[-1]

    def check(self, name: str, folder: Path = GOLDEN) -> None:
        produced = normalise(self.produced, self.stub, self.tmp_path)
        text = json.dumps({"flow": name, "produced": produced}, indent=2, sort_keys=True,
                          ensure_ascii=False) + "\n"
        path = folder / f"{name}.json"
        if RECORDING:
            folder.mkdir(exist_ok=True)
            path.write_text(text, encoding="utf-8")
            return
        if not path.exists():
            pytest.fail(f"No golden file {path.name}: record it with {RERECORD}")
        expected = path.read_text(encoding="utf-8")
        if text != expected:
            diff = "".join(difflib.unified_diff(
                expected.splitlines(keepends=True), text.splitlines(keepends=True),
                fromfile=f"golden/{path.name}", tofile="produced now",
            ))
            pytest.fail(
                f"The {name} flow's Slack payloads differ from golden/{path.name}:\n{diff}\n"
                f"If the change is meant, re-record with {RERECORD} and name it, with the reason, "
                "in the change's note.",
                pytrace=False,
            )


def _body(response: BoltResponse) -> Any:
    if not response.body:
        return ""
    try:
        return json.loads(response.body)
    except ValueError:
        return response.body


BACKGROUND = frozenset({"users.info"})


def _entry(call: Call) -> dict[str, Any]:
    if call.method == "response_url":
        entry: dict[str, Any] = {"response_url": {"path": call.path, "body": call.params}}
    elif call.method == "upload":
        entry = {"upload": {"content": "png" if b"\x89PNG" in call.raw else "not png"}}
    else:
        args = {k: _parsed(v) for k, v in call.params.items() if k != "token"}
        entry = {"api": {"method": call.method, "args": args}}
    if call.status != 200:
        entry["status"] = call.status
    return entry


def _parsed(value: Any) -> Any:
    """A form-encoded argument holding JSON (blocks, a view) as the JSON it is."""
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


# What legitimately varies from run to run, or between machines.
_BY_KEY = {
    "ts": "<ts>",
    "thread_ts": "<ts>",
    "message_ts": "<ts>",
    "event_ts": "<ts>",
    "action_ts": "<ts>",
    "trigger_id": "<trigger id>",
    "view_id": "<view id>",
    "length": "<bytes>",  # files.getUploadURLExternal: the PNG's size
}
_PATTERNS = [
    (re.compile(r"(reference|ref) [0-9A-F]{6}\b"), r"\1 <reference>"),
    (re.compile(r"^F[0-9A-Z]{6,}$"), "<file id>"),
    (re.compile(r"^V[0-9A-Z]{6,}$"), "<view id>"),
    (re.compile(r"\b\d+(\.\d+)? ?(ms|seconds|s)\b(?= to )"), "<duration>"),
]


def normalise(value: Any, stub: SlackStub, tmp_path: Path, key: str = "") -> Any:
    if key in _BY_KEY and value not in ("", None):
        return _BY_KEY[key]
    if isinstance(value, dict):
        return {k: normalise(v, stub, tmp_path, k) for k, v in value.items()}
    if isinstance(value, list):
        return [normalise(v, stub, tmp_path) for v in value]
    if isinstance(value, str):
        text = value.replace(stub.base, STUB).replace(str(tmp_path), "<tmp>")
        for pattern, placeholder in _PATTERNS:
            text = pattern.sub(placeholder, text)
        return text
    return value


# --- helpers ----------------------------------------------------------------------------------


def buttons(body: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for b in body.get("blocks", []) if b.get("type") == "actions" for e in b["elements"]]


def home_event(user: str) -> dict[str, Any]:
    return {"type": "app_home_opened", "user": user, "channel": "D0HOME", "tab": "home",
            "event_ts": "1700000000.000300"}


def step_submission(view: dict[str, Any], *, text: str = "", area: str | None = None,
                    view_id: str) -> dict[str, Any]:
    values: dict[str, Any] = {"concern_step_text": {"text": {"type": "plain_text_input", "value": text}}}
    if area is not None:
        values["concern_area"] = {"area": {
            "type": "static_select",
            "selected_option": {"value": area, "text": {"type": "plain_text", "text": area}},
        }}
    return {**view, "id": view_id, "state": {"values": values}}


def with_comment(view: dict[str, Any], comment: str, view_id: str) -> dict[str, Any]:
    values = {"scorecard_comment": {"comment": {"type": "plain_text_input", "value": comment}}}
    return {**view, "id": view_id, "state": {"values": values}}


def raise_concern(flow: Flow, text: str = "SEND timeliness keeps slipping", code: str = "SEND-01") -> None:
    flow.command("/concern", text)
    flow.submit(submitted_view(flow.last_view(), text=text, code=code, view_id="V0FORM01"))


# --- /kpi -------------------------------------------------------------------------------------


def test_kpi_indicator_card(flow: Flow) -> None:
    flow.command("/kpi", "SEND timeliness")
    flow.check("kpi_card")


def test_kpi_did_you_mean_and_choose(flow: Flow) -> None:
    body = flow.command("/kpi", "social worker")
    choose = next(b for b in buttons(body) if b["action_id"].startswith("choose_indicator"))
    flow.press(choose["action_id"], choose["value"])
    flow.check("kpi_did_you_mean")


def test_kpi_cluster_and_show_cluster(flow: Flow) -> None:
    flow.command("/kpi", "SEND")
    flow.press("show_cluster#2", "SEND")
    flow.check("kpi_cluster")


def test_kpi_not_found(flow: Flow) -> None:
    flow.command("/kpi", "potholes")
    flow.check("kpi_not_found")


def test_kpi_glossary_term(flow: Flow) -> None:
    flow.command("/kpi", "glossary DOT")
    flow.command("/kpi", "what is amber")
    flow.check("kpi_glossary")


def test_kpi_help(flow: Flow) -> None:
    flow.command("/kpi", "help")
    flow.check("kpi_help")


def test_kpi_scrutiny_questions(flow: Flow) -> None:
    for question in ("what got worse", "where are we behind England", "how are we doing", "reds"):
        flow.command("/kpi", question)
    flow.check("kpi_scrutiny")


def test_kpi_more_questions(flow: Flow) -> None:
    for question in (
        "EHCP 20 weeks 2023/24",
        "clusters",
        "what's slipping in SEND",
        "good news",
        "what's changed since the last scorecard",
        "EHCP 20 weeks vs neighbours",
        "worse than neighbours",
        "CLA rate ward Hollins Green",
        "glossary",
        "what does polarity mean",
    ):
        flow.command("/kpi", question)
    flow.check("kpi_more_questions")


def test_kpi_comparison_and_its_charts(flow: Flow) -> None:
    body = flow.command("/kpi", "how do we compare on CLA rate")
    for view in ("comparison", "comparators"):
        chart = next(b for b in buttons(body) if b["value"].endswith(f"|{view}"))
        flow.press(chart["action_id"], chart["value"])
    flow.check("kpi_comparison")


def test_kpi_embargoed_figure_member_and_staff(flow: Flow) -> None:
    flow.command("/kpi", "BUD-03", user=MEMBER)
    flow.command("/kpi", "BUD-03", user=PERFORMANCE)
    flow.check("kpi_embargo")


def test_share_in_channel_pressed_twice_and_retried(flow: Flow) -> None:
    flow.press("share_in_channel", "SEND-01|2026-10-31")
    flow.press("share_in_channel", "SEND-01|2026-10-31")
    flow.press("share_in_channel", "SEND-01|2026-10-31", extra=RETRY)
    flow.check("share_in_channel")


def test_show_chart_private_and_shared(flow: Flow) -> None:
    flow.press("show_chart", "SEND-01|2026-10-31")
    flow.press("show_chart", "SEND-01|2026-10-31", ephemeral=False, message_ts="1700000000.000002")
    flow.check("show_chart")


def test_raise_a_concern_button(flow: Flow) -> None:
    flow.press("raise_concern", "SEND-02|2026-10-31")
    flow.check("raise_concern_button")


# --- /concern -------------------------------------------------------------------------------------


def test_concern_form_submit_retry_and_list(flow: Flow) -> None:
    flow.command("/concern", "SEND timeliness keeps slipping")
    view = submitted_view(flow.last_view(), text="SEND timeliness keeps slipping", code="SEND-01")
    flow.submit(view)
    flow.submit(view, extra=RETRY)
    flow.command("/concern", "list")
    flow.command("/concern", "list", user=OTHER_MEMBER)
    flow.check("concern_raise")


def test_concern_form_refusals(flow: Flow) -> None:
    flow.command("/concern", "")
    opened = flow.last_view()
    flow.submit(submitted_view(opened, text="   ", code=None))
    flow.submit(submitted_view(opened, text="x" * 3001, code=None, view_id="V0FORM02"))
    flow.check("concern_refusals")


def test_concern_sent_to_a_service_and_answered(flow: Flow) -> None:
    raise_concern(flow)
    flow.event(home_event(ADVISOR), event_id="Ev0ADV1")
    flow.press("concern_send", "1", user=ADVISOR)
    sent = step_submission(flow.last_view(), area="SEND", text="Please answer", view_id="V0SEND1")
    flow.submit(sent, user=ADVISOR)
    flow.submit(sent, user=ADVISOR, extra=RETRY)
    flow.event(home_event(SEND_OFFICER), event_id="Ev0SVC1")
    flow.press("concern_answer", "1", user=SEND_OFFICER)
    answer = step_submission(flow.last_view(), text="We have added two caseworkers.", view_id="V0ANS1")
    flow.submit(answer, user=SEND_OFFICER)
    flow.command("/concern", "list")
    flow.check("concern_send_and_answer")


def test_concern_escalated(flow: Flow) -> None:
    raise_concern(flow)
    flow.press("concern_escalate", "1", user=ADVISOR)
    flow.submit(step_submission(flow.last_view(), text="Officer to attend", view_id="V0ESC1"), user=ADVISOR)
    flow.check("concern_escalate")


def test_concern_closed(flow: Flow) -> None:
    raise_concern(flow)
    flow.press("concern_close", "1", user=ADVISOR)
    form = flow.last_view()
    flow.submit(step_submission(form, text="", view_id="V0CLOSE1"), user=ADVISOR)
    flow.submit(step_submission(form, text="Answered at the meeting.", view_id="V0CLOSE1"), user=ADVISOR)
    flow.check("concern_close")


def test_concern_steps_refused(flow: Flow) -> None:
    raise_concern(flow)
    flow.press("concern_send", "1", user=OTHER_MEMBER)
    forged = {"type": "modal", "callback_id": "concern_close_form", "private_metadata": json.dumps({"id": 1})}
    flow.submit(step_submission(forged, text="closing it", view_id="V0FORGE"), user=OTHER_MEMBER)
    send = {"type": "modal", "callback_id": "concern_send_form", "private_metadata": json.dumps({"id": 1})}
    flow.submit(step_submission(send, area="Education", view_id="V0M"), user=MEMBER)
    flow.check("concern_refused_steps")


# --- App Home -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "user"),
    [("member", MEMBER), ("advisor", ADVISOR), ("officer", SEND_OFFICER), ("performance", PERFORMANCE)],
)
def test_app_home(flow: Flow, role: str, user: str) -> None:
    raise_concern(flow)
    flow.event(home_event(user), event_id=f"Ev0HOME{role.upper()}")
    flow.check(f"app_home_{role}")


def test_a_retried_event_is_acknowledged_and_does_nothing(flow: Flow) -> None:
    flow.event(home_event(MEMBER), event_id="Ev0SAME")
    flow.event(home_event(MEMBER), event_id="Ev0SAME", extra={"X-Slack-Retry-Num": "1"})
    flow.check("retried_event")


# --- when things go wrong -------------------------------------------------------------------------


def test_the_error_handlers_polite_message(flow: Flow, slack: Slack, monkeypatch: pytest.MonkeyPatch) -> None:
    from handlers import kpi

    may_fail = threading.Event()
    may_fail.set()

    def broken(*_: object) -> None:
        assert may_fail.wait(30)
        raise RuntimeError("the store fell over")

    monkeypatch.setattr(kpi, "answer", broken)
    # Before the acknowledgement: the polite message is the acknowledgement.
    flow.command("/kpi", "SEND timeliness")

    # After it (a button): through the response_url. The handler fails only once bolt has
    # returned the acknowledgement: bolt forgets an acknowledgement its listener fails straight
    # after (ack.response is set back to None), and if that happens before the request thread
    # has seen it (it looks every 10 ms) Slack gets a 404 after 3 s instead (see the report).
    may_fail.clear()

    def press_then_fail() -> BoltResponse:
        acknowledged = slack.press("show_cluster#2", "SEND")
        may_fail.set()
        return acknowledged

    flow.step(f"press show_cluster#2 'SEND' ({MEMBER})", press_then_fail)
    flow.check("error_handler")


def test_when_slack_refuses_the_concern_form_the_member_gets_an_apology(flow: Flow, stub: SlackStub) -> None:
    stub.fail_next("views.open", body={"ok": False, "error": "expired_trigger_id"})
    flow.command("/concern", "SEND timeliness keeps slipping")
    flow.check("concern_form_refused_by_slack")


def test_when_slack_is_down_kpi_answers_and_the_concern_form_apologises(flow: Flow, stub: SlackStub) -> None:
    stub.stop()  # connections refused: nothing reaches the stub, the acknowledgements say it all
    flow.command("/kpi", "SEND timeliness")
    flow.command("/concern", "SEND timeliness keeps slipping")
    flow.check("slack_down")


def test_sharing_where_the_bot_is_not_invited(flow: Flow, stub: SlackStub) -> None:
    stub.fail_next("chat.postMessage", body={"ok": False, "error": "not_in_channel"})
    flow.press("share_in_channel", "SEND-01|2026-10-31")
    flow.press("share_in_channel", "SEND-01|2026-10-31")
    flow.check("share_not_invited")


# --- /scorecard -----------------------------------------------------------------------------------


@pytest.fixture
def scorecard_clock(clock: list[datetime]) -> list[datetime]:
    clock[0] = SCORECARD_DAY
    return clock


def prepare_and_submit(flow: Flow) -> None:
    flow.command("/scorecard", f"draft {Q2}", user=PERFORMANCE)
    flow.press("scorecard_prepare", Q2, user=PERFORMANCE)
    flow.press("scorecard_submit", Q2, user=PERFORMANCE)


def test_scorecard_before_publication(flow: Flow, scorecard_clock: list[datetime]) -> None:
    flow.command("/scorecard")
    flow.command("/scorecard", "2024/25 Q1")
    flow.command("/scorecard", f"draft {Q2}")
    flow.command("/scorecard", user=ADVISOR)
    flow.check("scorecard_before_publication")


def test_scorecard_prepared_submitted_approved_and_published(
    flow: Flow, scorecard_clock: list[datetime], runtime: Runtime, settings: Settings
) -> None:
    prepare_and_submit(flow)
    flow.command("/scorecard", f"draft {Q2}", user=APPROVER)
    flow.press("scorecard_approve", Q2, user=MEMBER)
    flow.press("scorecard_approve", Q2, user=APPROVER)
    approve = with_comment(flow.last_view(), "", "V0APPROVE1")
    flow.submit(approve, user=APPROVER)
    flow.submit(approve, user=APPROVER, extra=RETRY)
    flow.command("/scorecard")

    scorecard_clock[0] = PUBLICATION_DAY
    flow.outside(
        "the scheduler's publication round",
        lambda: run_publication(runtime, SlackMessenger(web_client(settings)), now=PUBLICATION_DAY,
                                holder="golden"),
    )
    flow.command("/scorecard")
    flow.command("/scorecard", f"{Q2} SEND")
    flow.press("scorecard_image", f"{Q2}|SEND")
    flow.check("scorecard_approved_and_published")


def test_scorecard_returned_with_a_comment(flow: Flow, scorecard_clock: list[datetime]) -> None:
    prepare_and_submit(flow)
    flow.press("scorecard_return", Q2, user=APPROVER)
    form = flow.last_view()
    flow.submit(with_comment(form, "  ", "V0RETURN1"), user=APPROVER)
    flow.submit(with_comment(form, "Please check the SEND figures", "V0RETURN1"), user=APPROVER)
    flow.command("/scorecard", f"draft {Q2}", user=PERFORMANCE)
    flow.check("scorecard_returned")


# --- the check itself ------------------------------------------------------------------------------


def test_a_payload_that_changed_fails_with_a_diff_and_how_to_re_record(flow: Flow, tmp_path: Path) -> None:
    if RECORDING:
        pytest.skip("recording")
    flow.command("/kpi", "help")
    folder = tmp_path / "golden"
    folder.mkdir()
    copy = (GOLDEN / "kpi_help.json").read_text(encoding="utf-8")
    changed = copy.replace("What you can ask", "What can I ask")
    (folder / "kpi_help.json").write_text(changed, encoding="utf-8")
    with pytest.raises(pytest.fail.Exception) as failed:
        flow.check("kpi_help", folder)
    said = str(failed.value)
    assert '-                "text": "What can I ask",' in said
    assert '+                "text": "What you can ask",' in said
    assert RERECORD in said
    flow.check("kpi_help")  # and unchanged, it passes
