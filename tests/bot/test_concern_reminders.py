"""Concerns' scheduled work with the clock frozen (time-machine): an overdue concern is chased
with its service officer once a working day (not at weekends, not twice after a restart), the
advisor gets the daily list, and before a meeting the agenda and the members' briefing go once."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import time_machine

from bot import scheduler
from bot.runtime import Runtime, open_runtime, utc_now, viewer_for
from bot.settings import Settings
from bot.slack.app import web_client
from bot.slack.messenger import SlackMessenger
from data.concerns import add_concern_once
from data.leader import Leader
from handlers import concern_steps as steps
from handlers.concerns import prepare
from handlers.reply import Request
from tests.bot.conftest import HistoryStub

LONDON = ZoneInfo("Europe/London")
MEMBER = "U0DEMOMEMB1"
ADVISOR = "U0DEMOGOV01"
SEND_OFFICER = "U0DEMOSVC01"


def london(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=LONDON)  # type: ignore[misc]


def request(runtime: Runtime, user: str) -> Request:
    with runtime.session() as session:
        return Request(text="", viewer=viewer_for(session, user), now=utc_now())


def sent_on_monday_2_november(runtime: Runtime) -> None:
    """A concern raised and sent to SEND on Monday 2 November 2026: due Monday 16 November."""
    with time_machine.travel(london(2026, 11, 2, 10, 0), tick=False):
        with runtime.session() as session:
            concern, event = prepare(
                request(runtime, MEMBER), session, "SEND timeliness keeps slipping", "SEND-01"
            )
            kept, _ = add_concern_once(session, concern, event, "test-raise")
        with runtime.session() as session:
            done = steps.send(request(runtime, ADVISOR), session, kept.id or 0, "SEND")
        assert str(done.concern.due_on) == "2026-11-16"


def context(runtime: Runtime, settings: Settings, holder: str = "copy1") -> scheduler.SchedulerContext:
    return scheduler.SchedulerContext(
        runtime,
        SlackMessenger(web_client(settings)),
        Leader(runtime.engine, holder=holder),
        clock=utc_now,
    )


def run_at(moment: datetime, ctx: scheduler.SchedulerContext) -> list[str] | None:
    with time_machine.travel(moment, tick=False):
        return scheduler.remind_about_concerns(ctx)


def keyed(stub: HistoryStub, user: str, prefix: str) -> list[str]:
    """The texts of the direct messages to `user` whose outbox key starts with `prefix`: the
    steps' own messages (the officer's copy, the member's news) go through the outbox too."""
    return [
        c.params["text"]
        for c in stub.posts_to(f"D{user}")
        if str(c.params["metadata"]["event_payload"]["key"]).startswith(prefix)
    ]


def chases(stub: HistoryStub) -> list[str]:
    return keyed(stub, SEND_OFFICER, "concern-chase:")


def test_an_overdue_concern_is_chased_once_a_working_day_not_at_weekends_nor_twice_after_a_restart(
    runtime: Runtime, settings: Settings, stub: HistoryStub
) -> None:
    sent_on_monday_2_november(runtime)
    ctx = context(runtime, settings)

    assert run_at(london(2026, 11, 16, 10, 0), ctx) == []  # due today: not late yet
    assert run_at(london(2026, 11, 17, 8, 0), ctx) == []  # late, but before 09:00
    first = run_at(london(2026, 11, 17, 9, 0), ctx)
    assert first is not None and sorted(k.split(":")[0] for k in first) == [
        "concern-chase",
        "concern-overdue",
    ]
    assert run_at(london(2026, 11, 17, 10, 0), ctx) == []  # the next hour: already sent today
    assert len(chases(stub)) == 1 and "C-1 is overdue" in chases(stub)[0]
    overdue_list = keyed(stub, ADVISOR, "concern-overdue:")
    assert len(overdue_list) == 1 and "Overdue concerns on 17 November 2026" in overdue_list[0]

    # The bot is restarted the same day: a new copy, a new leader; nothing is sent again.
    ctx.leader.release()
    restarted = open_runtime(settings)
    try:
        again = context(restarted, settings, holder="copy2")
        assert run_at(london(2026, 11, 17, 11, 0), again) == []
        # Not on Saturday or Sunday; again on Monday.
        assert run_at(london(2026, 11, 21, 10, 0), again) == []
        assert run_at(london(2026, 11, 22, 10, 0), again) == []
        monday = run_at(london(2026, 11, 23, 10, 0), again)
        assert monday is not None and len(monday) == 2
    finally:
        restarted.engine.dispose()
    assert len(chases(stub)) == 2
    assert "5 working days ago" in chases(stub)[1]  # due 16 November, chased 23 November


def test_an_answered_concern_is_not_chased(runtime: Runtime, settings: Settings, stub: HistoryStub) -> None:
    sent_on_monday_2_november(runtime)
    with time_machine.travel(london(2026, 11, 16, 15, 0), tick=False), runtime.session() as session:
        steps.answer(request(runtime, SEND_OFFICER), session, 1, "We have added caseworkers.")
    assert run_at(london(2026, 11, 17, 10, 0), context(runtime, settings)) == []
    assert chases(stub) == []


def test_before_a_meeting_the_advisor_gets_the_agenda_and_members_the_briefing_once(
    runtime: Runtime, settings: Settings, stub: HistoryStub
) -> None:
    sent_on_monday_2_november(runtime)
    with time_machine.travel(london(2026, 11, 10, 10, 0), tick=False), runtime.session() as session:
        done = steps.escalate(request(runtime, ADVISOR), session, 1, "Officer to attend")
    assert done.concern.meeting is not None and str(done.concern.meeting.date) == "2026-12-08"
    ctx = context(runtime, settings)
    # Five working days before Tuesday 8 December 2026 is Tuesday 1 December.
    assert [k for k in run_at(london(2026, 11, 30, 10, 0), ctx) or [] if k.startswith("meeting")] == []
    queued = run_at(london(2026, 12, 1, 9, 30), ctx) or []
    assert sorted(k.split(":")[0] for k in queued) == [
        "meeting-agenda",
        "meeting-briefing",
        "meeting-briefing",
    ]
    assert run_at(london(2026, 12, 2, 9, 30), ctx) == []
    agenda = keyed(stub, ADVISOR, "meeting-agenda:")
    assert len(agenda) == 1 and "C-1" in agenda[0] and "8 December 2026" in agenda[0]
    briefing = keyed(stub, MEMBER, "meeting-briefing:")
    assert len(briefing) == 1 and "SEND, Budgets" in briefing[0]


def test_the_scheduler_runs_the_concern_reminders_job(runtime: Runtime, settings: Settings) -> None:
    with time_machine.travel(datetime(2026, 11, 17, 10, 0, tzinfo=UTC), tick=False):
        running = scheduler.start(runtime, SlackMessenger(web_client(settings)), run_now=False)
        try:
            assert "concern_reminders" in {job.id for job in running.get_jobs()}
        finally:
            scheduler.stop(running)


# --- notices with their buttons (issue 17) ------------------------------------------------------


def buttons_of(stub: HistoryStub, user: str, prefix: str) -> list[dict[str, str]]:
    """Each keyed direct message's buttons: action id -> value."""
    found = []
    for call in stub.posts_to(f"D{user}"):
        if not str(call.params["metadata"]["event_payload"]["key"]).startswith(prefix):
            continue
        blocks = call.params.get("blocks") or []
        found.append({
            element["action_id"]: element.get("value", "")
            for block in blocks if block["type"] == "actions" for element in block["elements"]
        })
    return found


def raise_at(runtime: Runtime, moment: datetime, key: str = "test-raise") -> list[str]:
    from handlers.concerns import keep_and_confirm

    with time_machine.travel(moment, tick=False):
        with runtime.session() as session:
            words = "SEND timeliness keeps slipping"
            concern, event = prepare(request(runtime, MEMBER), session, words, "SEND-01")
        with runtime.session() as session:
            return list(keep_and_confirm(session, concern, event, key, now=utc_now()).queued)


def test_the_advisor_hears_of_a_new_concern_at_once_with_the_buttons_that_act_on_it(
    runtime: Runtime, settings: Settings, stub: HistoryStub
) -> None:
    queued = raise_at(runtime, london(2026, 11, 2, 10, 0))
    assert f"concern:1:raised:notice:{ADVISOR}" in queued
    assert raise_at(runtime, london(2026, 11, 2, 10, 1)) == []  # the same submission again: nothing
    run_at(london(2026, 11, 2, 10, 5), context(runtime, settings))
    [notice] = buttons_of(stub, ADVISOR, "concern:1:raised:notice:")
    assert notice == {"concern_send": "1", "concern_escalate": "1", "concern_close": "1"}


def test_an_advisor_who_chose_a_digest_gets_one_each_working_morning_instead(
    runtime: Runtime, settings: Settings, stub: HistoryStub
) -> None:
    from handlers.concerns import notices_reply

    with runtime.session() as session:
        advisor = request(runtime, ADVISOR)
        chosen = notices_reply(Request("notices daily", advisor.viewer, advisor.now), session)
    assert "one message each working morning" in chosen.summary
    assert raise_at(runtime, london(2026, 11, 6, 15, 0)) == [f"concern:1:raise:{MEMBER}"]  # a Friday

    ctx = context(runtime, settings)
    assert run_at(london(2026, 11, 7, 10, 0), ctx) == []  # Saturday: nothing
    monday = run_at(london(2026, 11, 9, 9, 0), ctx)
    assert monday == [f"concern-digest:2026-11-09:{ADVISOR}"]
    assert run_at(london(2026, 11, 9, 11, 0), ctx) == []  # once a day
    [digest] = buttons_of(stub, ADVISOR, "concern-digest:")
    assert digest == {"concern_send": "1"}
    assert "Concerns waiting for you on 9 November 2026" in keyed(stub, ADVISOR, "concern-digest:")[0]
    assert keyed(stub, ADVISOR, "concern:1:raised:notice:") == []


def test_a_chase_carries_the_answer_button_and_the_overdue_list_escalate(
    runtime: Runtime, settings: Settings, stub: HistoryStub
) -> None:
    sent_on_monday_2_november(runtime)
    run_at(london(2026, 11, 17, 9, 0), context(runtime, settings))
    assert buttons_of(stub, SEND_OFFICER, "concern-chase:") == [{"concern_answer": "1"}]
    assert buttons_of(stub, ADVISOR, "concern-overdue:") == [{"concern_escalate": "1"}]
