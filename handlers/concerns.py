"""`/concern`: the concern form (indicator guessed from the member's words), raising one, and
`/concern list` (a member's own concerns; the governance advisor's queue of open ones)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy.orm import Session

from data import concerns as concern_store
from data import people, store
from handlers import outgoing
from handlers.concern_views import actions_for, name_of, quote, reference, subject
from handlers.kpi import card_by_code, vocabulary
from handlers.reply import Kind, Reply, Request
from scorecard import understanding as query
from scorecard.card import card_as_dict
from scorecard.concerns import (
    Concern,
    ConcernError,
    ConcernEvent,
    raise_concern,
)
from scorecard.model import Indicator, Role, Viewer
from scorecard.working_days import LONDON

LIST_WORDS = frozenset({"list", "my concerns", "mine", "status"})
# A list longer than this is cut (the newest first): the rest are in App Home and with the advisor.


@dataclass(frozen=True, slots=True)
class ConcernForm:
    """What the concern form shows: every indicator to choose from, the one guessed, the words."""

    indicators: tuple[Indicator, ...]
    guess: Indicator | None
    text: str


def is_list(text: str) -> bool:
    return " ".join(text.lower().split()) in LIST_WORDS


def form(request: Request, session: Session, code: str | None = None) -> ConcernForm:
    """The form for `/concern <words>` (indicator guessed as /kpi would) or a card's button (`code`).

    Only a clear match (or a lone candidate) is preselected: with several candidates the form
    starts at "the scorecard in general" rather than a wrong indicator; the member can change it.
    """
    catalogue = tuple(i for i in store.catalogue(session) if i.active)
    guess: Indicator | None = None
    if code:
        guess = next((i for i in catalogue if i.code == code), None)
    elif request.text.strip():
        meant = query.resolve(
            request.text,
            catalogue,
            vocabulary=vocabulary(),
            today=request.now.astimezone(LONDON).date(),
        )
        if isinstance(meant, query.IndicatorMatch):
            guess = meant.indicator
        elif isinstance(meant, query.Choices) and len(meant.candidates) == 1:
            # A member's sentence ("SEND timeliness keeps slipping") has words no title has;
            # one candidate is a fair guess here, as the member sees it and can change it.
            guess = meant.candidates[0]
    return ConcernForm(indicators=catalogue, guess=guess, text=request.text.strip())


def prepare(request: Request, session: Session, text: str, code: str | None) -> tuple[Concern, ConcernEvent]:
    """The concern the member submitted, checked. Raises ConcernError with a message for the
    member when the text is missing or too long, or when `code` names no indicator (a mistyped
    code is refused, never quietly turned into "the scorecard in general"); no code (None or
    blank) means the scorecard in general. The indicator's card as the member sees it now goes
    with it, for the meeting's agenda pack."""
    known = code.strip() if code and code.strip() else None
    if known is not None and store.indicator(session, known) is None:
        raise ConcernError(
            f"There is no indicator {known}. Give an indicator's code as it appears on its card "
            "(or none, for the scorecard in general)."
        )
    concern, event = raise_concern(request.viewer.user, text, known, now=request.now)
    card = card_by_code(request, session, known) if known else None
    return (concern if card is None else replace(concern, card=card_as_dict(card))), event


def keep(
    session: Session, concern: Concern, event: ConcernEvent, idempotency_key: str
) -> tuple[Concern, bool]:
    """Keep it, or find the one this key kept already (a retry): (concern, kept just now).

    Call it first in its own transaction, so the write is the transaction's first statement."""
    return concern_store.add_concern_once(session, concern, event, idempotency_key)


@dataclass(frozen=True, slots=True)
class Kept:
    """A raised concern, whether this submission raised it, the member's confirmation, and
    the outbox key of the confirmation's direct message if it was queued just now."""

    concern: Concern
    new: bool
    reply: Reply
    queued: tuple[str, ...] = ()


def keep_and_confirm(
    session: Session, concern: Concern, event: ConcernEvent, idempotency_key: str, *, now: datetime
) -> Kept:
    """Keep it (as `keep`) and, in the same transaction, queue the member's confirmation by
    direct message (once per concern: its key is the concern's, "concern:3:raise:U0..."). A
    retried submission finds the concern and queues nothing more."""
    kept, new = keep(session, concern, event, idempotency_key)
    reply = confirmation(session, kept)
    queued: list[str | None] = []
    if new:
        queued.append(outgoing.queue_message(
            session, kept.member, "concern_raise", f"concern:{kept.id}:raise:{kept.member}", reply, now=now
        ))
        queued.extend(_tell_advisors(session, kept, now=now))
    return Kept(kept, new, reply, tuple(key for key in queued if key is not None))


def _tell_advisors(session: Session, concern: Concern, *, now: datetime) -> list[str | None]:
    """Each governance advisor hears of a new concern at once, with the buttons that act on it,
    unless they chose a daily digest instead (handlers.concern_reminders sends that)."""
    told = []
    for advisor in concern_store.users_with_role(session, Role.GOVERNANCE_ADVISOR):
        if advisor == concern.member or people.wants_daily_digest(session, advisor):
            continue
        viewer = Viewer(advisor, frozenset({Role.GOVERNANCE_ADVISOR, Role.MEMBER}))
        notice = Reply(
            kind=Kind.CONCERN,
            heading=f"New concern {reference(concern)}: {subject(session, concern)}",
            summary=(
                f"Raised by {name_of(session, concern.member)} on "
                f"{concern.created_at.astimezone(LONDON):%d %B %Y}.\n{quote(concern.text, 1500)}"
            ),
            notes=("Send it to the service for a written answer, escalate it to the commission, "
                   "or close it.",),
            actions=actions_for(Request("", viewer, now), concern),
        )
        key = f"concern:{concern.id}:raised:notice:{advisor}"
        told.append(outgoing.queue_message(session, advisor, "concern_new_notice", key, notice, now=now))
    return told


HOW_DAILY = "in one message each working morning"
HOW_EACH = "as each is raised"
NOTICE_CHOICES = {"daily": True, "digest": True, "now": False, "each": False, "immediately": False}


def is_notices(text: str) -> bool:
    """`/concern notices daily` or `/concern notices now`: how the advisor hears of new ones."""
    return text.lower().split()[:1] == ["notices"]


def notices_reply(request: Request, session: Session) -> Reply:
    """Keep the governance advisor's choice: a message for each new concern, or a daily digest."""
    if Role.GOVERNANCE_ADVISOR not in request.viewer.roles:
        return Reply(kind=Kind.CONCERN, heading="Notices of new concerns",
                     summary="Only the governance advisor is told of new concerns.")
    words = request.text.lower().split()[1:]
    choice = NOTICE_CHOICES.get(words[0]) if words else None
    if choice is None:
        daily = people.wants_daily_digest(session, request.viewer.user)
        return Reply(
            kind=Kind.CONCERN,
            heading="Notices of new concerns",
            summary=(
                f"You hear of new concerns {HOW_DAILY if daily else HOW_EACH}. "
                "Change it with /concern notices daily or /concern notices now."
            ),
        )
    people.choose_concern_notices(session, request.viewer.user, daily=choice)
    return Reply(
        kind=Kind.CONCERN,
        heading="Notices of new concerns",
        summary=(
            "You will hear of new concerns in one message each working morning, with their buttons."
            if choice
            else "You will hear of each new concern as it is raised, with its buttons."
        ),
    )


def confirmation(session: Session, concern: Concern) -> Reply:
    """What the member reads once their concern is kept."""
    return Reply(
        kind=Kind.CONCERN,
        heading=f"Concern {reference(concern)} raised",
        summary=(
            f"Thank you. Your concern about {subject(session, concern)} is with the governance "
            "advisor, who will send it to the service for a written answer or take it to the "
            "commission. You can follow it with /concern list."
        ),
        notes=(f"You wrote: {quote(concern.text)}",),
        data={"id": concern.id, "status": concern.status.value, "code": concern.indicator_code},
    )


