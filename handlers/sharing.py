"""What a card's buttons do beyond answering, on any platform: Share in channel and Show chart.

The rules live here, so every platform keeps them alike:
- A shared card is a member's view, whoever pressed Share: what is posted for everyone must
  never carry figures only staff may see (embargoed ones). It keeps Show chart and Raise a
  concern, and loses Share.
- A card is shared once per message, person and card, however often the button is pressed or
  the platform retries: the claim is taken in the caller's transaction, so if posting fails the
  caller rolls it back and a second press may try again.
- A chart is drawn once per message, person and chart; a chart of a private card is private
  (the person's direct messages), a chart of a shared card goes where the card is.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy.orm import Session

from data import handled
from handlers import kpi, scrutiny
from handlers import scorecard as scorecards
from handlers.approval import page_name
from handlers.reply import ActionId, Reply, Request, Visibility
from scorecard.model import Role, Viewer
from scorecard.quarterly import QuarterlyScorecard

__all__ = [
    "NOT_A_CARD",
    "SHARED_ALREADY",
    "Picture",
    "Place",
    "card_value",
    "chart_for",
    "claim_chart",
    "claim_scorecard_picture",
    "public_request",
    "scorecard_picture",
    "shared_card",
]

SHARED_ALREADY = "This card has already been shared here."
NOT_A_CARD = "That button is out of date: ask again with /kpi."


@dataclass(frozen=True, slots=True)
class Place:
    """Where a button was pressed: the platform, the conversation and the message (a
    platform's own ids), and whether only the presser sees that message."""

    platform: str
    conversation: str
    message: str
    private: bool = True


@dataclass(frozen=True, slots=True)
class Picture:
    png: bytes
    filename: str
    title: str
    alt_text: str


def card_value(value: str) -> tuple[str, str | None]:
    """A button's value: `CODE|period end` (a card) or `CODE` (a choice: the latest period);
    a chart button may add `|view` after the period end."""
    code, _, rest = value.partition("|")
    period_end = rest.partition("|")[0]
    return code.strip(), (period_end.strip() or None)


def public_request(user: str, now: datetime, suppress_below: int, text: str = "") -> Request:
    """A request as any member makes it, for what is shown to everyone."""
    return Request(text=text, viewer=Viewer(user=user, roles=frozenset({Role.MEMBER})), now=now,
                   suppress_below=suppress_below)


def shared_card(request: Request, session: Session, place: Place, value: str) -> Reply | str:
    """The card to post for everyone, its share claimed in `session` (post it, then commit; roll
    back if posting fails); or what to tell the presser instead."""
    if not place.conversation:
        return NOT_A_CARD
    key = f"{place.platform}-share:{place.conversation}:{place.message}:{request.viewer.user}:{value}"
    # Claimed first in the transaction that posts: a second press waits for the first to finish,
    # then finds it claimed.
    if not handled.first_time(session, key, request.now):
        return SHARED_ALREADY
    public = public_request(request.viewer.user, request.now, request.suppress_below)
    code, period_end = card_value(value)
    reply = kpi.card_for(public, session, code, period_end)
    actions = tuple(action for action in reply.actions if action.id is not ActionId.SHARE)
    return replace(reply, actions=actions, visibility=Visibility.SHARED)


def chart_for(request: Request, session: Session, value: str) -> Picture | str:
    """The picture a Show chart button asks for, as any member may see it; or why there is none.
    `value` is `CODE|period end` (the card's trend) or `CODE|period end|view` (a comparison's)."""
    public = public_request(request.viewer.user, request.now, request.suppress_below)
    code, period_end = card_value(value)
    if value.count("|") >= 2:
        view = value.rsplit("|", 1)[-1]
        pictures = scrutiny.comparison_pictures(public, session, code, period_end, view)
        if pictures is None:
            return f"There is no chart for {code}: it has no figures yet."
        return Picture(*pictures)
    from scorecard.charts import card_chart, card_chart_alt_text

    card = kpi.card_by_code(public, session, code, period_end)
    if card is None or card.period is None:
        return f"There is no chart for {code}: it has no figures yet."
    return Picture(
        card_chart(card),
        f"{card.code}-{card.period.end.isoformat()}.png",
        f"{card.title} ({card.code}), to {card.period_label}",
        card_chart_alt_text(card),
    )


def claim_chart(session: Session, request: Request, place: Place, value: str) -> bool:
    """Whether this press is the first for this chart here (False: already drawn, do nothing)."""
    key = f"{place.platform}-chart:{place.conversation}:{place.message}:{request.viewer.user}:{value}"
    return handled.first_time(session, key, request.now)


def claim_scorecard_picture(
    session: Session, request: Request, place: Place, value: str
) -> QuarterlyScorecard | str | None:
    """The published scorecard a Show picture button asks for (`value` is `quarter|cluster`),
    this press claimed in `session`: commit, then draw it (`scorecard_picture`) and post it.
    None when it was already drawn here for this person (do nothing); words when there is none."""
    quarter, _, cluster = value.partition("|")
    card = scorecards.published_scorecard(session, quarter.strip(), cluster.strip())
    if card is None:
        return f"There is no published {quarter.strip()} scorecard to show: ask for the scorecard again."
    if not claim_chart(session, request, place, f"scorecard:{value}"):
        return None
    return card


def scorecard_picture(card: QuarterlyScorecard, value: str) -> Picture:
    """The scorecard a Show picture button asked for (`value`: `quarter|cluster`), as claimed,
    drawn as a picture, named and described."""
    from scorecard.charts import scorecard_image

    which = f", {card.clusters[0].name}" if value.partition("|")[2].strip() and card.clusters else ""
    return Picture(
        scorecard_image(card),
        f"scorecard-{page_name(card.quarter_label).removesuffix('.html')}.png",
        f"Children's services scorecard, {card.quarter_label}{which}",
        f"The {card.quarter_label} scorecard{which}. Summary: {card.summary.text}."[:1000],
    )

