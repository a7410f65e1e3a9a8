"""`/kpi` and the buttons on its answers: Show chart, Share in channel, the "did you mean"
choices and a cluster's name. Listeners are thin: acknowledge, ask the handler, render, answer."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App
from slack_bolt.kwargs_injection import Args
from slack_sdk.errors import SlackApiError

from bot.slack import render
from bot.slack.services import Services, explain_refusal
from data import handled
from handlers import kpi
from handlers.reply import ActionId, Reply

log = logging.getLogger("kpibot.slack")

SHARED_ALREADY = "This card has already been shared here."
NOT_A_CARD = "That button is out of date: ask again with /kpi."


def register(app: App, services: Services) -> None:
    def on_kpi(args: Args) -> None:
        user, text = args.body["user_id"], args.body.get("text", "")

        def answer() -> dict[str, Any]:
            reply = services.answer(user, text, lambda request, session: kpi.answer(request, session))
            return {**render.message(reply), "response_type": "ephemeral"}

        services.answer_soon(args, answer)

    def on_choose(args: Args) -> None:
        """A "did you mean" choice or an indicator in a cluster: that indicator's card."""
        args.ack()
        code, period_end = card_value(_value(args))
        reply = services.answer(
            _user(args), "", lambda request, session: kpi.card_for(request, session, code, period_end)
        )
        args.respond(**render.message(reply), response_type="ephemeral", replace_original=False)

    def on_show_cluster(args: Args) -> None:
        args.ack()
        cluster = _value(args)
        reply = services.answer(_user(args), cluster, lambda request, session: kpi.answer(request, session))
        args.respond(**render.message(reply), response_type="ephemeral", replace_original=False)

    def on_share(args: Args) -> None:
        """The same card, posted in the channel for everyone, saying who shared it. Pressed
        twice (or retried by Slack), it is posted once."""
        args.ack()
        user, value, channel = _user(args), _value(args), _channel(args)
        code, period_end = card_value(value)
        if not channel:
            args.respond(**render.private_note(NOT_A_CARD))
            return
        key = f"slack-share:{channel}:{_message_ts(args)}:{user}:{value}"
        with services.runtime.session() as session:
            # Claimed first in the transaction that posts: if posting fails the claim is undone,
            # and a second press waits for the first to finish, then finds it claimed.
            if not handled.first_time(session, key, services.clock()):
                args.respond(**render.private_note(SHARED_ALREADY))
                return
            reply = kpi.card_for(services.public_request(user), session, code, period_end)
            shareable = _without_share(reply)
            try:
                args.client.chat_postMessage(channel=channel, **render.message(shareable, shared_by=user))
            except SlackApiError as refused:
                explained = explain_refusal(refused)
                if explained is None:
                    raise
                session.rollback()
                args.respond(**render.private_note(explained))
                return
        args.respond(**render.private_note("Shared in the channel."))

    def on_show_chart(args: Args) -> None:
        """The card's trend as a picture, uploaded after the acknowledgement (drawing takes a
        moment): privately for a private card, in the channel for a shared one."""
        args.ack()
        user, value, channel = _user(args), _value(args), _channel(args)
        code, period_end = card_value(value)
        if value.count("|") >= 2:  # "CODE|period end|view": a comparison's pictures (issue 13)
            _upload_comparison_chart(args, services, user, value, channel)
            return
        from scorecard.charts import card_chart, card_chart_alt_text

        with services.runtime.session() as session:
            card = kpi.card_by_code(services.public_request(user), session, code, period_end)
        if card is None or card.period is None:
            args.respond(**render.private_note(f"There is no chart for {code}: it has no figures yet."))
            return
        if not services.first_time(f"slack-chart:{channel}:{_message_ts(args)}:{user}:{value}"):
            return
        # A chart of a private (ephemeral) card is private too: it goes to the member's direct
        # messages with the bot. A card already shared in the channel gets its chart there.
        destination = channel
        if (args.body.get("container") or {}).get("is_ephemeral", True):
            destination = args.client.conversations_open(users=user)["channel"]["id"]
        try:
            args.client.files_upload_v2(
                channel=destination,
                content=card_chart(card),
                filename=f"{card.code}-{card.period.end.isoformat()}.png",
                title=f"{card.title} ({card.code}), to {card.period_label}",
                alt_txt=card_chart_alt_text(card)[:1000],
            )
        except SlackApiError as refused:
            explained = explain_refusal(refused)
            if explained is None:
                raise
            args.respond(**render.private_note(explained))

    app.command("/kpi")(on_kpi)
    app.action(render.action_pattern(ActionId.CHOOSE))(on_choose)
    app.action(render.action_pattern(ActionId.SHOW_CLUSTER))(on_show_cluster)
    app.action(render.action_pattern(ActionId.SHARE))(on_share)
    app.action(render.action_pattern(ActionId.SHOW_CHART))(on_show_chart)


def _without_share(reply: Reply) -> Reply:
    """A shared card keeps Show chart and Raise a concern; sharing it again makes no sense."""
    from dataclasses import replace

    from handlers.reply import Visibility

    actions = tuple(action for action in reply.actions if action.id is not ActionId.SHARE)
    return replace(reply, actions=actions, visibility=Visibility.SHARED)


def card_value(value: str) -> tuple[str, str | None]:
    """A button's value: `CODE|period end` (a card) or `CODE` (a choice: the latest period);
    a chart button may add `|view` after the period end."""
    code, _, rest = value.partition("|")
    period_end = rest.partition("|")[0]
    return code.strip(), (period_end.strip() or None)


def _upload_comparison_chart(args: Args, services: Services, user: str, value: str, channel: str) -> None:
    """How we compare, as a picture: our council against each neighbour for the period, or
    ours and each comparator across the years. Private unless the answer was shared."""
    from handlers import scrutiny

    code, period_end = card_value(value)
    view = value.rsplit("|", 1)[-1]
    with services.runtime.session() as session:
        request = services.public_request(user)
        pictures = scrutiny.comparison_pictures(request, session, code, period_end, view)
    if pictures is None:
        args.respond(text=f"There is no chart for {code}: it has no figures yet.",
                     response_type="ephemeral", replace_original=False)
        return
    if not services.first_time(f"slack-chart:{channel}:{_message_ts(args)}:{user}:{value}"):
        return
    destination = channel
    if (args.body.get("container") or {}).get("is_ephemeral", True):
        destination = args.client.conversations_open(users=user)["channel"]["id"]
    content, filename, title, alt = pictures
    try:
        args.client.files_upload_v2(channel=destination, content=content, filename=filename, title=title,
                                    alt_txt=alt[:1000])
    except SlackApiError as refused:
        explained = explain_refusal(refused)
        if explained is None:
            raise
        args.respond(text=explained, response_type="ephemeral", replace_original=False)


def _value(args: Args) -> str:
    action = args.action or {}
    return str(action.get("value", ""))


def _user(args: Args) -> str:
    return str(args.body.get("user", {}).get("id", ""))


def _channel(args: Args) -> str:
    channel = args.body.get("channel") or {}
    return str(channel.get("id", "")) or str(args.body.get("container", {}).get("channel_id", ""))


def _message_ts(args: Args) -> str:
    container = args.body.get("container") or {}
    return str(container.get("message_ts", ""))

