"""Taking a step in the quarterly scorecard's life, the same from Slack, the terminal or the clock.

`take_step` checks who may (scorecard.approval), keeps the step (data.scorecards) and says what
happened in plain words. Approval freezes the scorecard as members will see it (a member's view
at the publication time, so nothing still under embargo then is published), schedules
publication and writes the messages that publish it to the outbox, all in the caller's one
transaction. `publish_due` is the clock's step: every approved scorecard whose time has come.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, time
from typing import Any

from sqlalchemy.orm import Session

from data import outbox, people, scorecards, store
from data.outbox import OutboxMessage
from handlers import outgoing
from handlers.reply import Action, ActionId, Kind, Reply
from scorecard import approval, reminders
from scorecard.approval import ScorecardRecord, ScorecardStatus, Step, when_words
from scorecard.card import IndicatorData
from scorecard.glossary import BUILTIN_GLOSSARY, merge_glossary
from scorecard.model import Role, Viewer
from scorecard.periods import Period
from scorecard.quarterly import QuarterlyScorecard, build_scorecard, published_values, snapshot
from scorecard.working_days import LONDON, next_working_day_at

__all__ = [
    "NEWSLETTER",
    "Publication",
    "StepOutcome",
    "build_from_store",
    "page_name",
    "publish_due",
    "published_page",
    "queue_reminders",
    "status_words",
    "summary_text",
    "take_step",
]

NEWSLETTER = "newsletter"


@dataclass(frozen=True, slots=True)
class Publication:
    """Where and when approved scorecards go: the members' channels (outbox.to_channel, one a
    platform; none set up, and only the newsletter page is published), the base URL of the
    newsletter pages, and the publication time of day in England (scorecard.rules.LONDON)."""

    members: tuple[str, ...]
    page_base_url: str
    publish_time: time = time(9, 0)


@dataclass(frozen=True, slots=True)
class StepOutcome:
    """What a step did: the scorecard now, the event kept, and the words for the person."""

    record: ScorecardRecord
    event: approval.ScorecardEvent
    message: str
    queued: tuple[str, ...] = field(default=())


def page_name(quarter: str) -> str:
    """The newsletter page's file name: "2024/25 Q2" -> "2024-25-Q2.html"."""
    return re.sub(r"[^0-9A-Za-z]+", "-", quarter).strip("-") + ".html"


def published_page(session: Session, name: str) -> scorecards.PublishedScorecard | None:
    """The published scorecard whose newsletter page is `name` ("2024-25-Q2.html"), if any."""
    for quarter in scorecards.published_quarters(session):
        if page_name(quarter) == name:
            return scorecards.published(session, quarter)
    return None


def build_from_store(session: Session, quarter: Period, viewer: Viewer, now: datetime) -> QuarterlyScorecard:
    """The quarter's scorecard from the store as `viewer` may see it at `now`."""
    figures = store.figures(session)
    return build_scorecard(
        quarter,
        [item.indicator for item in figures.values()],
        {code: IndicatorData(i.observations, i.targets, i.benchmarks) for code, i in figures.items()},
        merge_glossary(BUILTIN_GLOSSARY, store.glossary(session)),
        viewer=viewer,
        now=now,
    )


def summary_text(scorecard: QuarterlyScorecard, page_url: str) -> str:
    """The members' channel message: what was published, the summary line, where to read it."""
    return (
        f"The children's services scorecard for {scorecard.quarter_label} has been approved by the "
        f"Performance Board and is published.\n"
        f"Summary: {scorecard.summary.text}.\n"
        f"The full scorecard, with its data notes and glossary: {page_url}\n"
        f"Ask about any indicator with /kpi, or see one cluster with "
        f"/scorecard {scorecard.quarter_label} SEND."
    )


def _publication_messages(
    record: ScorecardRecord, scorecard: QuarterlyScorecard, publication: Publication, publish_at: datetime
) -> list[OutboxMessage]:
    assert record.id is not None
    page_url = f"{publication.page_base_url.rstrip('/')}/scorecards/{page_name(record.quarter)}"
    prefix = f"scorecard:{record.id}"
    summary: dict[str, Any] = {"quarter": record.quarter, "text": summary_text(scorecard, page_url)}
    # The newsletter page needs no message: every copy serves it from the store once published.
    messages: list[OutboxMessage] = []
    for channel in publication.members:
        # The key names the platform and channel ("...:slack:C0123"), as it did before there
        # were other platforms, so a message queued by an older version is still found.
        messages.append(OutboxMessage(channel, "scorecard_summary", summary,
                                      f"{prefix}:{channel.removeprefix(outbox.CHANNEL)}", publish_at,
                                      record.id))
    told = []
    for who, role_words in ((record.approved_by, "approved"), (record.submitted_by, "submitted")):
        if who and who not in told:
            told.append(who)
            text = (
                f"The {record.quarter} scorecard you {role_words} has been published to members. "
                f"The full scorecard: {page_url}"
            )
            messages.append(
                OutboxMessage(outbox.to_person(who), "scorecard_published_notice",
                              {"quarter": record.quarter, "text": text}, f"{prefix}:dm:{who}", publish_at,
                              record.id)
            )
    return messages


def take_step(
    session: Session,
    step: Step,
    quarter: Period,
    viewer: Viewer,
    *,
    now: datetime,
    publication: Publication,
    comment: str = "",
    publish_now: bool = False,
) -> StepOutcome:
    """Take `step` on `quarter`'s scorecard as `viewer` at `now`; raises `ApprovalRefused` (a
    message for them) or `scorecards.ChangedMeanwhile` when someone else moved it first."""
    label = quarter.label
    current = scorecards.by_quarter(session, label)
    if step is Step.PREPARE:
        record, event = approval.prepare(label, viewer, now=now, existing=current, comment=comment)
        saved = scorecards.save_step(session, record, event, quarter_end=quarter.end)
        return StepOutcome(
            saved, event,
            f"The {label} scorecard is a draft, prepared by you. A performance officer submits it "
            "to the Performance Board when it is ready.",
        )
    if step is Step.SUBMIT:
        record, event = approval.submit(current, viewer, now=now, comment=comment, quarter=label)
        saved = scorecards.save_step(session, record, event)
        return StepOutcome(
            saved, event,
            f"You submitted the {label} scorecard to the Performance Board. A board approver other "
            "than you can now approve it or return it with a comment.",
        )
    if step is Step.RETURN:
        submitter = current.submitted_by if current is not None else None
        record, event = approval.return_to_draft(current, viewer, now=now, comment=comment, quarter=label)
        saved = scorecards.save_step(session, record, event)
        notices = _tell_after(session, saved, event, submitter, now=now)
        return StepOutcome(
            saved, event,
            f"You returned the {label} scorecard to the performance team with your comment. "
            "It is a draft again.",
            notices,
        )
    if step is Step.APPROVE:
        publish_at = now if publish_now else next_working_day_at(
            now, publication.publish_time
        )
        record, event = approval.approve(
            current, viewer, now=now, publish_at=publish_at, comment=comment, quarter=label
        )
        # Frozen as members will see it: a member's view at the publication time.
        public = Viewer("members", frozenset({Role.MEMBER}))
        frozen = build_from_store(session, quarter, public, max(now, publish_at))
        messages = _publication_messages(record, frozen, publication, publish_at)
        saved = scorecards.approve(
            session, record, event, snapshot(frozen), published_values(frozen), messages, now=now
        )
        when = "now" if publish_now else f"on {when_words(publish_at)}"
        notices = _tell_after(session, saved, event, saved.submitted_by, now=now, publishing=when)
        return StepOutcome(
            saved, event,
            f"You approved the {label} scorecard. Its figures are frozen as approved, and it will be "
            f"published to members {when}.",
            notices,
        )
    raise approval.NotAllowedNow("Only the bot publishes a scorecard, at its scheduled time.")


def _tell_after(
    session: Session,
    record: ScorecardRecord,
    event: approval.ScorecardEvent,
    submitter: str | None,
    *,
    now: datetime,
    publishing: str = "",
) -> tuple[str, ...]:
    """After an Approve or a Return, in its transaction: the performance officer who submitted
    the scorecard is told (with the comment), and every board approver's message offering
    Approve for it is changed in place to say what happened, so none offers a stale step. The
    keys queued (deliver them after the commit)."""
    assert record.id is not None
    by = people.names_of(session, [event.who]).get(event.who, event.who)
    local = event.at.astimezone(LONDON)
    day = f"{local.day} {local:%B %Y}"
    done = "approved" if event.step is Step.APPROVE else "returned to the performance team"
    queued: list[str | None] = []
    if submitter and submitter != event.who:
        if event.step is Step.APPROVE:
            told = Reply(
                kind=Kind.SCORECARD,
                heading=f"The {record.quarter} scorecard is approved",
                summary=f"{by} approved it on {day}. It will be published to members {publishing}.",
            )
        else:
            told = Reply(
                kind=Kind.SCORECARD,
                heading=f"The {record.quarter} scorecard was returned to you",
                summary=f"{by} returned it on {day}. It is a draft again: change it, then submit it again.",
                notes=(f"{by}'s comment: “{event.comment}”",) if event.comment else (),
                actions=(Action(ActionId.SUBMIT_SCORECARD, "Submit again", record.quarter, primary=True),),
            )
        key = f"scorecard:{record.id}:{event.step.value}:{event.at.isoformat()}:dm:{submitter}"
        queued.append(outgoing.queue_message(session, submitter, f"scorecard_{event.step.value}_notice", key,
                                             told, now=now))
    for offered in outbox.items(session, key_prefix=f"scorecard:{record.id}:submitted:"):
        if offered.message.kind != "scorecard_submitted":
            continue
        approver = offered.message.destination.removeprefix(outbox.PERSON)
        changed = Reply(
            kind=Kind.SCORECARD,
            heading=f"The {record.quarter} scorecard was {done}",
            summary=f"{'You' if approver == event.who else by} {done.split(' to ')[0]} it on {day}. "
            "There is nothing more to do here.",
        )
        queued.append(outgoing.queue_message(
            session, approver, "scorecard_submitted_changed", f"{offered.message.idempotency_key}:changed",
            changed, now=now, replaces=offered.message.idempotency_key,
        ))
    return tuple(key for key in queued if key is not None)


def publish_due(session: Session, now: datetime) -> list[ScorecardRecord]:
    """Publish every approved scorecard whose time has come (the clock's step). A scorecard
    another copy of the bot published a moment ago is left alone. Its outbox messages become
    due with it; the sender delivers them."""
    done = []
    for record in scorecards.due_for_publication(session, now):
        published, event = approval.publish(record, now=now)
        if scorecards.mark_published(session, published, event):
            done.append(published)
    return done


def queue_reminders(session: Session, now: datetime) -> list[str]:
    """Put the performance team's due reminders in the outbox (each once per quarter and kind):
    review next year's targets in Q3 and Q4; submit the latest complete quarter's scorecard."""
    today = now.astimezone(LONDON).date()
    due: list[reminders.Reminder] = []
    targets = reminders.targets_review_due(today)
    if targets is not None:
        due.append(targets)
    latest = reminders.latest_complete_quarter(scorecards.latest_figure_end(session))
    if latest is not None:
        record = scorecards.by_quarter(session, latest.label)
        unsubmitted = reminders.unsubmitted_scorecard_due(latest, None if record is None else record.status)
        if unsubmitted is not None:
            due.append(unsubmitted)
    queued = []
    team = scorecards.users_with_role(session, Role.PERFORMANCE_OFFICER)
    for reminder in due:
        told = _reminder_reply(session, reminder)
        for user in team:
            key = outgoing.queue_message(
                session, user, reminder.kind, f"{reminder.key}:dm:{user}", told, now=now
            )
            if key is not None:
                queued.append(key)
    return queued


def _reminder_reply(session: Session, reminder: reminders.Reminder) -> Reply:
    """A reminder with the button that acts on it: the unsubmitted scorecard's Prepare (no draft
    yet) or Submit (a draft waits)."""
    actions: tuple[Action, ...] = ()
    if reminder.kind == "unsubmitted_scorecard":
        record = scorecards.by_quarter(session, reminder.quarter)
        if record is None:
            actions = (Action(ActionId.PREPARE_SCORECARD, f"Prepare the {reminder.quarter} scorecard",
                              reminder.quarter, primary=True),)
        elif record.status is ScorecardStatus.DRAFT:
            actions = (Action(ActionId.SUBMIT_SCORECARD, f"Submit the {reminder.quarter} scorecard",
                              reminder.quarter, primary=True),)
    return Reply(kind=Kind.SCORECARD, heading=f"Reminder: the {reminder.quarter} scorecard",
                 summary=reminder.text, actions=actions)


def status_words(session: Session, quarter: Period) -> list[str]:
    """The scorecard's state and its life, one line each, for staff."""
    record = scorecards.by_quarter(session, quarter.label)
    if record is None:
        return [f"There is no {quarter.label} scorecard yet: a performance officer prepares it first."]
    lines = [f"{quarter.label}: {approval.STATUS_WORDS[record.status]}."]
    if record.status is ScorecardStatus.APPROVED and record.publish_at is not None:
        lines.append(f"To be published on {when_words(record.publish_at)}.")
    if record.status is ScorecardStatus.PUBLISHED and record.published_at is not None:
        lines.append(f"Published on {when_words(record.published_at)}.")
    assert record.id is not None
    for event in scorecards.events_of(session, record.id):
        said = f": “{event.comment}”" if event.comment else ""
        lines.append(f"{when_words(event.at)}  {event.who} {_STEP_WORDS[event.step]}{said}")
    for item in outbox.items(session, scorecard_id=record.id):
        lines.append(f"Message to {item.message.destination}: {item.status.value}")
    return lines


_STEP_WORDS = {
    Step.PREPARE: "prepared it",
    Step.SUBMIT: "submitted it",
    Step.APPROVE: "approved it",
    Step.RETURN: "returned it",
    Step.PUBLISH: "published it",
}
