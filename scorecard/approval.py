"""The quarterly scorecard's life: draft -> submitted -> approved -> published, and who may act.

A performance officer prepares a quarter's scorecard (`draft`) and submits it (`submitted`). A
Performance Board approver who did not submit it either approves it (`approved`: its figures
are then frozen and publication is scheduled) or returns it with a comment (back to `draft`).
The bot publishes it at the scheduled time (`published`). Every step is a `ScorecardEvent`:
who, when, from which status to which, and what was said; nothing is ever deleted.

A step someone may not take raises an `ApprovalRefused` whose message is written for them: it
says which role is needed or what state the scorecard is in, and never shows a figure. Time
comes in as `now`; nothing here reads the clock.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from scorecard.characters import CANNOT_STORE, unstorable
from scorecard.model import Role, Viewer
from scorecard.working_days import LONDON

__all__ = [
    "PUBLISHER",
    "STATUS_WORDS",
    "ApprovalRefused",
    "ApproverIsSubmitter",
    "CommentNeeded",
    "NotAllowedNow",
    "ScorecardEvent",
    "ScorecardRecord",
    "ScorecardStatus",
    "Step",
    "Transition",
    "WrongRole",
    "approve",
    "may_take",
    "prepare",
    "publish",
    "return_to_draft",
    "steps_open_to",
    "submit",
    "when_words",
]

# Who publishes: the bot itself, at the scheduled time.
PUBLISHER = "kpibot"

MAX_COMMENT = 3000


class ScorecardStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    PUBLISHED = "published"


class Step(StrEnum):
    PREPARE = "prepare"
    SUBMIT = "submit"
    APPROVE = "approve"
    RETURN = "return"
    PUBLISH = "publish"


STATUS_WORDS: dict[ScorecardStatus, str] = {
    ScorecardStatus.DRAFT: "Draft: being prepared by the performance team",
    ScorecardStatus.SUBMITTED: "Submitted: waiting for a Performance Board approver",
    ScorecardStatus.APPROVED: "Approved: waiting to be published",
    ScorecardStatus.PUBLISHED: "Published to members",
}

# Who may take each step (spec: "Who may do what"); publishing is the bot's alone.
_ROLE_FOR: dict[Step, Role] = {
    Step.PREPARE: Role.PERFORMANCE_OFFICER,
    Step.SUBMIT: Role.PERFORMANCE_OFFICER,
    Step.APPROVE: Role.BOARD_APPROVER,
    Step.RETURN: Role.BOARD_APPROVER,
}

_FROM: dict[Step, frozenset[ScorecardStatus | None]] = {
    Step.PREPARE: frozenset({None, ScorecardStatus.DRAFT}),
    Step.SUBMIT: frozenset({ScorecardStatus.DRAFT}),
    Step.APPROVE: frozenset({ScorecardStatus.SUBMITTED}),
    Step.RETURN: frozenset({ScorecardStatus.SUBMITTED}),
    Step.PUBLISH: frozenset({ScorecardStatus.APPROVED}),
}

_TO: dict[Step, ScorecardStatus] = {
    Step.PREPARE: ScorecardStatus.DRAFT,
    Step.SUBMIT: ScorecardStatus.SUBMITTED,
    Step.APPROVE: ScorecardStatus.APPROVED,
    Step.RETURN: ScorecardStatus.DRAFT,
    Step.PUBLISH: ScorecardStatus.PUBLISHED,
}

_DOING: dict[Step, str] = {
    Step.PREPARE: "prepare",
    Step.SUBMIT: "submit",
    Step.APPROVE: "approve",
    Step.RETURN: "return",
    Step.PUBLISH: "publish",
}

_ROLE_WORDS: dict[Role, str] = {
    Role.PERFORMANCE_OFFICER: "a performance officer",
    Role.BOARD_APPROVER: "a Performance Board approver",
}


@dataclass(frozen=True, slots=True)
class ScorecardRecord:
    """A quarter's scorecard in its life (its figures are elsewhere: the frozen snapshot).

    `quarter` is the quarter's label ("2024/25 Q2"); `id` is None until the store keeps it.
    `publish_at` is when an approved scorecard is to be published.
    """

    quarter: str
    status: ScorecardStatus
    prepared_by: str
    prepared_at: datetime
    submitted_by: str | None = None
    submitted_at: datetime | None = None
    approved_by: str | None = None
    approved_at: datetime | None = None
    publish_at: datetime | None = None
    published_at: datetime | None = None
    id: int | None = None


@dataclass(frozen=True, slots=True)
class ScorecardEvent:
    """One step: `from_status` is None for the first preparation."""

    at: datetime
    who: str
    step: Step
    from_status: ScorecardStatus | None
    to_status: ScorecardStatus
    comment: str = ""
    scorecard_id: int | None = None


Transition = tuple[ScorecardRecord, ScorecardEvent]


class ApprovalRefused(Exception):
    """A step that may not be taken, with a message for the person who tried."""

    def __init__(self, message: str, *, needed_role: Role | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.needed_role = needed_role


class WrongRole(ApprovalRefused):
    """The person does not hold the role the step needs."""


class ApproverIsSubmitter(ApprovalRefused):
    """The board approver submitted the scorecard themselves: someone else must approve it."""


class NotAllowedNow(ApprovalRefused):
    """The scorecard is not in a state this step starts from (approving twice, returning a
    published one, submitting what is already submitted)."""


class CommentNeeded(ApprovalRefused):
    """Returning needs a comment saying what to change; comments have a length limit."""


def when_words(moment: datetime) -> str:
    """A moment as councillors read it, in London time: "Tuesday 27 August 2024 at 09:00"."""
    local = moment.astimezone(LONDON)
    return f"{local:%A} {local.day} {local:%B %Y} at {local:%H:%M}"


def may_take(step: Step, viewer: Viewer) -> bool:
    """Whether `viewer`'s roles allow `step` at all (publishing: nobody but the bot)."""
    role = _ROLE_FOR.get(step)
    return role is not None and role in viewer.roles


def steps_open_to(record: ScorecardRecord | None, viewer: Viewer) -> list[Step]:
    """The steps `viewer` could take on `record` now (for buttons): a board approver who
    submitted it gets neither Approve nor Return."""
    status = None if record is None else record.status
    open_steps = []
    for step in (Step.PREPARE, Step.SUBMIT, Step.APPROVE, Step.RETURN):
        if status not in _FROM[step] or not may_take(step, viewer):
            continue
        if step in (Step.APPROVE, Step.RETURN) and record is not None and record.submitted_by == viewer.user:
            continue
        open_steps.append(step)
    return open_steps


def _need_role(step: Step, viewer: Viewer, quarter: str) -> None:
    role = _ROLE_FOR[step]
    if role in viewer.roles:
        return
    who = _ROLE_WORDS[role]
    team = "the performance team" if role is Role.PERFORMANCE_OFFICER else "the Performance Board"
    raise WrongRole(
        f"Only {who} can {_DOING[step]} the {quarter} scorecard. If you should be able to, "
        f"ask {team} to add you to the roles table.",
        needed_role=role,
    )


def _state_words(record: ScorecardRecord) -> str:
    match record.status:
        case ScorecardStatus.DRAFT:
            return "is a draft: the performance team has not submitted it yet"
        case ScorecardStatus.SUBMITTED:
            return "has been submitted and is waiting for a Performance Board approver"
        case ScorecardStatus.APPROVED:
            if record.publish_at is None:
                return "has already been approved"
            return f"has already been approved and will be published on {when_words(record.publish_at)}"
        case ScorecardStatus.PUBLISHED:
            when = "" if record.published_at is None else f" on {when_words(record.published_at)}"
            return f"has already been published to members{when}"
    return f"is {record.status.value}"  # pragma: no cover - every status is matched above


def _need_status(step: Step, record: ScorecardRecord | None, quarter: str) -> None:
    status = None if record is None else record.status
    if status in _FROM[step]:
        return
    if record is None:
        raise NotAllowedNow(
            f"There is no {quarter} scorecard yet: a performance officer prepares it first."
        )
    if step is Step.RETURN and status is ScorecardStatus.PUBLISHED:
        raise NotAllowedNow(
            f"The {quarter} scorecard has been published, so it can no longer be returned. "
            "Later corrections to the figures are shown beside them on the live cards."
        )
    if step is Step.RETURN and status is ScorecardStatus.APPROVED:
        raise NotAllowedNow(
            f"The {quarter} scorecard has already been approved, so it can no longer be returned."
        )
    raise NotAllowedNow(f"You cannot {_DOING[step]} it: the {quarter} scorecard {_state_words(record)}.")


def _comment(text: str, *, required: bool) -> str:
    bad = unstorable(text)
    if bad is not None:
        raise CommentNeeded(f"{CANNOT_STORE.capitalize()} (a {bad}): please remove it and try again.")
    words = text.strip()
    if required and not words:
        raise CommentNeeded(
            "Please say why you are returning the scorecard, so the performance team knows what to change."
        )
    if len(words) > MAX_COMMENT:
        raise CommentNeeded(f"Please keep your comment to {MAX_COMMENT:,} characters: it has {len(words):,}.")
    return words


def _aware(now: datetime) -> None:
    if now.tzinfo is None:
        raise ValueError("now must be an aware date-time")


def prepare(
    quarter: str, viewer: Viewer, *, now: datetime, existing: ScorecardRecord | None = None, comment: str = ""
) -> Transition:
    """A performance officer prepares the quarter's scorecard: a new draft, or the draft again
    (after changes, or after it was returned). Refused once it has been submitted."""
    _aware(now)
    _need_role(Step.PREPARE, viewer, quarter)
    _need_status(Step.PREPARE, existing, quarter)
    words = _comment(comment, required=False)
    if existing is None:
        record = ScorecardRecord(
            quarter=quarter, status=ScorecardStatus.DRAFT, prepared_by=viewer.user, prepared_at=now
        )
    else:
        record = replace(existing, prepared_by=viewer.user, prepared_at=now)
    event = ScorecardEvent(
        at=now,
        who=viewer.user,
        step=Step.PREPARE,
        from_status=None if existing is None else existing.status,
        to_status=ScorecardStatus.DRAFT,
        comment=words,
        scorecard_id=record.id,
    )
    return record, event


def _step(
    record: ScorecardRecord, step: Step, who: str, now: datetime, comment: str, **changes: Any
) -> Transition:
    to = _TO[step]
    changed = replace(record, status=to, **changes)
    event = ScorecardEvent(
        at=now, who=who, step=step, from_status=record.status, to_status=to, comment=comment,
        scorecard_id=record.id,
    )
    return changed, event


def submit(
    record: ScorecardRecord | None, viewer: Viewer, *, now: datetime, comment: str = "", quarter: str = ""
) -> Transition:
    """A performance officer submits the draft to the Performance Board. (`quarter` names it
    in refusals when there is no record yet.)"""
    _aware(now)
    quarter = quarter if record is None else record.quarter
    _need_role(Step.SUBMIT, viewer, quarter or "quarter's")
    _need_status(Step.SUBMIT, record, quarter or "quarter's")
    assert record is not None
    words = _comment(comment, required=False)
    return _step(record, Step.SUBMIT, viewer.user, now, words, submitted_by=viewer.user, submitted_at=now)


def _board_check(step: Step, record: ScorecardRecord | None, viewer: Viewer, quarter: str) -> ScorecardRecord:
    quarter = (quarter or "quarter's") if record is None else record.quarter
    _need_role(step, viewer, quarter)
    _need_status(step, record, quarter)
    assert record is not None
    if record.submitted_by == viewer.user:
        raise ApproverIsSubmitter(
            f"You submitted the {record.quarter} scorecard, so another Performance Board approver "
            f"must {_DOING[step]} it.",
            needed_role=Role.BOARD_APPROVER,
        )
    return record


def approve(
    record: ScorecardRecord | None,
    viewer: Viewer,
    *,
    now: datetime,
    publish_at: datetime,
    comment: str = "",
    quarter: str = "",
) -> Transition:
    """A board approver who did not submit it approves the scorecard, to be published at
    `publish_at` (the next working day at 09:00 London time, or now when asked)."""
    _aware(now)
    _aware(publish_at)
    checked = _board_check(Step.APPROVE, record, viewer, quarter)
    words = _comment(comment, required=False)
    return _step(
        checked, Step.APPROVE, viewer.user, now, words,
        approved_by=viewer.user, approved_at=now, publish_at=publish_at,
    )


def return_to_draft(
    record: ScorecardRecord | None, viewer: Viewer, *, now: datetime, comment: str, quarter: str = ""
) -> Transition:
    """A board approver who did not submit it returns it to the performance team with a
    comment (required): it is a draft again, to be submitted afresh."""
    _aware(now)
    checked = _board_check(Step.RETURN, record, viewer, quarter)
    words = _comment(comment, required=True)
    return _step(checked, Step.RETURN, viewer.user, now, words, submitted_by=None, submitted_at=None)


def publish(record: ScorecardRecord, *, now: datetime) -> Transition:
    """The bot publishes an approved scorecard once its time has come."""
    _aware(now)
    _need_status(Step.PUBLISH, record, record.quarter)
    if record.publish_at is not None and now < record.publish_at:
        raise NotAllowedNow(
            f"The {record.quarter} scorecard is to be published on "
            f"{when_words(record.publish_at)}, not before."
        )
    return _step(record, Step.PUBLISH, PUBLISHER, now, "", published_at=now)
