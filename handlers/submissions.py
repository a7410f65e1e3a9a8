"""A submitted form, on any platform: the step it takes, once, and what to show and say after.

Every rule of a submission lives here, not in a platform: its idempotency key (the platform's
showing of the form, plus what was submitted), the transactions (who is asking is read first, on
its own, so the step's transaction starts with its write: on SQLite it then waits for another
writer instead of failing), which field a refusal belongs to, and what follows the step (the
messages to deliver now, the person's home page to redraw, a word where the button was pressed).
A platform reads the form back into a `Submission`, calls `submit`, and draws the result.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass

from sqlalchemy.orm import Session

from data import handled
from data.scorecards import ChangedMeanwhile
from handlers import concern_steps as steps
from handlers import concerns
from handlers.approval import Publication, take_step
from handlers.forms import SCORECARD_FORMS, FieldId, FormId, Submission, concern_subject
from handlers.reply import Reply, Request
from scorecard.approval import ApprovalRefused, CommentNeeded, Step
from scorecard.concerns import ConcernError
from scorecard.periods import Frequency, Period, PeriodError, parse_period

__all__ = ["ALREADY_SENT", "OUT_OF_DATE", "Finished", "Invalid", "Sessions", "quarter_of", "submit"]

OUT_OF_DATE = "That button is out of date: ask again with /scorecard draft."
ALREADY_SENT = "This form was already sent: the step was taken once."

# Opens a unit of work on the store: committed if the block ends well, rolled back if not.
Sessions = Callable[[], AbstractContextManager[Session]]


@dataclass(frozen=True, slots=True)
class Invalid:
    """The submission is refused: the form stays open with `message` beside the field. If the
    platform can no longer show it there (too slow), it tells the person `late` instead."""

    field: FieldId
    message: str
    late: str


@dataclass(frozen=True, slots=True)
class Finished:
    """What the form shows once submitted (`reply`, or `text` under `title`), the messages the
    step queued (deliver them now), whether the person's home page changed, and what to say
    where the button was pressed (`tell`; the form may be long closed)."""

    title: str
    close: str = "Close"
    reply: Reply | None = None
    text: str = ""
    queued: tuple[str, ...] = ()
    refresh_home: bool = False
    tell: str = ""


def submit(
    sessions: Sessions,
    asker: Callable[[Session, str], Request],
    submission: Submission,
    *,
    policy: steps.Policy,
    publication: Publication,
) -> Invalid | Finished:
    """Take the step `submission` asks for. `asker` is who is asking, given a session and their
    words."""
    match submission.form:
        case FormId.CONCERN:
            return _raise(sessions, asker, submission)
        case FormId.APPROVE_SCORECARD:
            return _scorecard(sessions, asker, submission, Step.APPROVE, publication)
        case FormId.RETURN_SCORECARD:
            return _scorecard(sessions, asker, submission, Step.RETURN, publication)
        case _:
            return _concern_step(sessions, asker, submission, policy)


def _raise(
    sessions: Sessions, asker: Callable[[Session, str], Request], submission: Submission
) -> Invalid | Finished:
    text, code = submission.value(FieldId.CONCERN_TEXT), concern_subject(submission)
    digest = hashlib.sha256(f"{code or ''}\0{text}".encode("utf-8", "surrogatepass")).hexdigest()[:32]
    key = f"{submission.instance}:{digest}"
    with sessions() as session:
        request = asker(session, text)
        try:
            raised = concerns.prepare(request, session, text, code)
        except ConcernError as refused:
            return Invalid(FieldId.CONCERN_TEXT, str(refused), f"Your concern was not sent: {refused}")
    with sessions() as session:
        kept = concerns.keep_and_confirm(session, *raised, key, now=request.now)
    return Finished("Concern raised", close="Done", reply=kept.reply, queued=kept.queued)


def _concern_step(
    sessions: Sessions, asker: Callable[[Session, str], Request], submission: Submission, policy: steps.Policy
) -> Invalid | Finished:
    concern_id = int(submission.context.get("id") or 0)
    area, text = submission.value(FieldId.AREA), submission.value(FieldId.STEP_TEXT)
    key = f"{submission.instance}:{submission.form.value}"
    try:
        with sessions() as session:
            request = asker(session, text)
        # A refusal rolls the whole step back, the request's key with it, so the person can
        # correct the form and submit it again.
        with sessions() as session:
            match submission.form:
                case FormId.SEND:
                    done = steps.send(request, session, concern_id, area, text, key=key, policy=policy)
                case FormId.ESCALATE:
                    done = steps.escalate(request, session, concern_id, text, key=key, policy=policy)
                case FormId.CLOSE:
                    done = steps.close(request, session, concern_id, text, key=key)
                case _:
                    done = steps.answer(request, session, concern_id, text, key=key)
    except ConcernError as refused:
        where = FieldId.AREA if submission.form is FormId.SEND else FieldId.STEP_TEXT
        return Invalid(where, str(refused), f"That was not done: {refused}")
    return Finished("Done", reply=done.reply, queued=done.queued, refresh_home=True)


def quarter_of(text: str) -> Period | None:
    """A quarter named in a button or a form ("2024/25 Q2"), or None."""
    try:
        return parse_period(text.strip(), Frequency.QUARTERLY)
    except PeriodError:
        return None


def _scorecard(
    sessions: Sessions,
    asker: Callable[[Session, str], Request],
    submission: Submission,
    step: Step,
    publication: Publication,
) -> Invalid | Finished:
    period = quarter_of(submission.context.get("quarter", ""))
    if period is None:
        return Finished("Not done", text=OUT_OF_DATE)
    comment = submission.value(FieldId.COMMENT)
    key = f"{submission.instance}:{SCORECARD_FORMS[step].value}"
    try:
        # The form's key and the step commit together: a refusal undoes both, so the person can
        # correct the comment and send the form again.
        with sessions() as session:
            request = asker(session, comment)
            if not handled.first_time(session, key, request.now):
                return Finished("Done", text=ALREADY_SENT)
            outcome = take_step(
                session,
                step,
                period,
                request.viewer,
                now=request.now,
                publication=publication,
                comment=comment,
            )
    except CommentNeeded as needed:
        return Invalid(FieldId.COMMENT, needed.message, f"That was not done: {needed.message}")
    except (ApprovalRefused, ChangedMeanwhile) as refused:
        said = f"Not done: {refused}"
        return Finished("Not done", text=said, tell=said)
    return Finished("Done", text=outcome.message, tell=outcome.message, queued=outcome.queued)
