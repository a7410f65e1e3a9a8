"""The advisor's App Home shows overdue concerns in a section of their own; and the `commission`
setting sends escalations and briefings to the right committee when a council has several."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.runtime import Runtime, viewer_for
from bot.settings import Settings, policy_for
from data.schema import MeetingRow
from handlers import concern_reminders as reminders
from handlers import concern_steps as steps
from handlers import concern_views as views
from handlers.concerns import keep_and_confirm, prepare
from handlers.reply import Request

LONDON = ZoneInfo("Europe/London")
MEMBER = "U0DEMOMEMB1"
ADVISOR = "U0DEMOGOV01"
SCRUTINY = "Children and Young People Scrutiny Commission"
PANEL = "Corporate Parenting Panel"
MONDAY = datetime(2026, 11, 2, 10, 0, tzinfo=LONDON)


def request(runtime: Runtime, user: str, now: datetime) -> Request:
    with runtime.session() as session:
        return Request(text="", viewer=viewer_for(session, user), now=now)


def raise_two_and_send_the_first(runtime: Runtime) -> None:
    for n, text in enumerate(("SEND timeliness keeps slipping", "Why is NEET up?"), start=1):
        with runtime.session() as session:
            ask = request(runtime, MEMBER, MONDAY)
            keep_and_confirm(session, *prepare(ask, session, text, None), f"form-{n}", now=MONDAY)
    with runtime.session() as session:
        steps.send(request(runtime, ADVISOR, MONDAY), session, 1, "SEND")  # due 16 November


def queue_headings(runtime: Runtime, now: datetime) -> list[str]:
    with runtime.session() as session:
        return [part.heading for part in views.advisor_queue(request(runtime, ADVISOR, now), session)]


def test_app_home_shows_overdue_concerns_in_their_own_section(runtime: Runtime) -> None:
    raise_two_and_send_the_first(runtime)

    on_time = queue_headings(runtime, datetime(2026, 11, 16, 10, 0, tzinfo=LONDON))
    assert "Overdue" not in on_time and "To act on" not in on_time
    assert [h.split(":")[0] for h in on_time[1:]] == ["C-2", "C-1"]  # new first

    tuesday = datetime(2026, 11, 17, 10, 0, tzinfo=LONDON)
    late = queue_headings(runtime, tuesday)
    assert [h.split(":")[0] for h in late] == ["Open concerns", "Overdue", "C-1", "To act on", "C-2"]
    with runtime.session() as session:
        parts = views.advisor_queue(request(runtime, ADVISOR, tuesday), session)
    assert "Overdue: 1" in parts[0].summary
    assert "1 concern is past the service's due date" in parts[1].summary


def add_panel_meeting(runtime: Runtime) -> None:
    """A second committee meeting sooner than the Scrutiny Commission's 8 December."""
    with runtime.session() as session:
        session.add(
            MeetingRow(
                committee=PANEL,
                date=date(2026, 11, 24),
                focus_clusters="Looking after children well",
                agenda_deadline=date(2026, 11, 17),
                source_file="test",
            )
        )


def escalated_to(runtime: Runtime, settings: Settings) -> tuple[str, date]:
    on = MONDAY + timedelta(days=8)  # Tuesday 10 November
    with runtime.session() as session:
        done = steps.escalate(request(runtime, ADVISOR, on), session, 1, "For the panel",
                              policy=policy_for(settings))
    assert done.concern.meeting is not None
    return done.concern.meeting.committee, done.concern.meeting.date


def test_without_a_commission_set_a_concern_goes_to_the_next_meeting_of_any_committee(
    runtime: Runtime, settings: Settings
) -> None:
    raise_two_and_send_the_first(runtime)
    add_panel_meeting(runtime)
    assert settings.commission == ""
    assert escalated_to(runtime, settings) == (PANEL, date(2026, 11, 24))


def test_the_commission_setting_escalates_and_briefs_for_that_committee_only(
    runtime: Runtime, settings: Settings
) -> None:
    raise_two_and_send_the_first(runtime)
    add_panel_meeting(runtime)
    scrutiny = settings.model_copy(update={"commission": SCRUTINY})

    assert escalated_to(runtime, scrutiny) == (SCRUTINY, date(2026, 12, 8))
    # The Panel's briefing day (17 November) passes without a briefing for the Scrutiny
    # Commission's members; the Commission's own comes on 1 December.
    with runtime.session() as session:
        panel_day = reminders.queue_reminders(
            session, datetime(2026, 11, 17, 10, 0, tzinfo=LONDON), policy_for(scrutiny)
        )
    assert not [k for k in panel_day.keys if k.startswith("meeting-")]
    with runtime.session() as session:
        briefing_day = reminders.queue_reminders(
            session, datetime(2026, 12, 1, 10, 0, tzinfo=LONDON), policy_for(scrutiny)
        )
    briefed = {k.split(":")[2] for k in briefing_day.keys if k.startswith("meeting-")}
    assert briefed == {SCRUTINY}
