"""Members' concerns: what one is, the statuses of its life, and raising one.

A concern is raised by a member about an indicator (or the scorecard in general) and starts
`open`; the governance advisor later sends it to a service (`with_service`), the service
answers (`answered`), or the advisor escalates it to a meeting (`escalated`); it ends `closed`.
Every step is a `ConcernEvent` (who, when, from which status to which, what was said), and
nothing is ever deleted. Only raising is built here; the other transitions come with the
concerns workflow.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

__all__ = [
    "MAX_TEXT",
    "STATUS_WORDS",
    "Concern",
    "ConcernError",
    "ConcernEvent",
    "ConcernStatus",
    "raise_concern",
]

# Long enough for a considered paragraph or three; Slack's text inputs stop at 3,000 too.
MAX_TEXT = 3000


class ConcernStatus(StrEnum):
    OPEN = "open"
    WITH_SERVICE = "with_service"
    ANSWERED = "answered"
    ESCALATED = "escalated"
    CLOSED = "closed"


# What a member reads for each status.
STATUS_WORDS: dict[ConcernStatus, str] = {
    ConcernStatus.OPEN: "Open: with the governance advisor",
    ConcernStatus.WITH_SERVICE: "With the service for a written answer",
    ConcernStatus.ANSWERED: "Answered",
    ConcernStatus.ESCALATED: "Escalated to the commission's next meeting",
    ConcernStatus.CLOSED: "Closed",
}


class ConcernError(ValueError):
    """A concern that cannot be raised, with a message written for the member."""


@dataclass(frozen=True, slots=True)
class Concern:
    """A member's concern. `indicator_code` is None for "the scorecard in general"; `id` is
    None until the store has kept it."""

    member: str
    indicator_code: str | None
    text: str
    status: ConcernStatus
    created_at: datetime
    id: int | None = None


@dataclass(frozen=True, slots=True)
class ConcernEvent:
    """One step in a concern's life: `from_status` is None for the step that raised it."""

    at: datetime
    who: str
    from_status: ConcernStatus | None
    to_status: ConcernStatus
    text: str
    concern_id: int | None = None


def raise_concern(
    member: str, text: str, indicator_code: str | None, *, now: datetime
) -> tuple[Concern, ConcernEvent]:
    """A new `open` concern and the event that records its raising.

    The text is required and at most 3,000 characters (after trimming surrounding spaces):
    "  SEND timeliness is falling  " is kept as "SEND timeliness is falling"; "" is refused
    with "Please say what your concern is."; an indicator code of "" means the scorecard in
    general (None).
    """
    if now.tzinfo is None:
        raise ValueError("now must be an aware date-time")
    if not member.strip():
        raise ValueError("a concern needs the member who raised it")
    words = text.strip()
    if not words:
        raise ConcernError("Please say what your concern is.")
    if len(words) > MAX_TEXT:
        raise ConcernError(
            f"Please keep your concern to {MAX_TEXT:,} characters: it has {len(words):,}. "
            "You can add more detail when the advisor follows it up."
        )
    code = (indicator_code or "").strip() or None
    concern = Concern(
        member=member, indicator_code=code, text=words, status=ConcernStatus.OPEN, created_at=now
    )
    event = ConcernEvent(at=now, who=member, from_status=None, to_status=ConcernStatus.OPEN, text=words)
    return concern, event
