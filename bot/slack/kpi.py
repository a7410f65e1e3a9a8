"""`/kpi` and the buttons on its answers: Show chart, Share in channel, the "did you mean"
choices and a cluster's name. Listeners are thin: acknowledge, ask the handler, render, answer."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App
from slack_bolt.kwargs_injection import Args
from slack_sdk.errors import SlackApiError

from bot.slack import render
from bot.slack.errors import keeping_the_ack
from bot.slack.services import (
    PLATFORM,
    Services,
    channel_of,
    explain_refusal,
    is_private,
    message_ts_of,
    user_of,
    value_of,
)
from handlers import kpi, sharing
from handlers.reply import ActionId
from handlers.sharing import card_value

log = logging.getLogger("kpibot.slack")



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
        code, period_end = card_value(value_of(args))
        reply = services.answer(
            user_of(args), "", lambda request, session: kpi.card_for(request, session, code, period_end)
        )
        args.respond(**render.message(reply), response_type="ephemeral", replace_original=False)

    def on_show_cluster(args: Args) -> None:
        args.ack()
        cluster = value_of(args)
        reply = services.answer(user_of(args), cluster, lambda request, session: kpi.answer(request, session))
        args.respond(**render.message(reply), response_type="ephemeral", replace_original=False)

    def on_share(args: Args) -> None:
        """The same card, posted in the channel for everyone, saying who shared it (the rules are
        handlers.sharing's). Pressed twice (or retried by Slack), it is posted once."""
        args.ack()
        user = user_of(args)
        with services.runtime.session() as session:
            request = services.request(session, user, "")
            shared = sharing.shared_card(request, session, place_of(args), value_of(args))
            if isinstance(shared, str):
                args.respond(**render.private_note(shared))
                return
            try:
                posted = render.message(shared, shared_by=user)
                args.client.chat_postMessage(channel=channel_of(args), **posted)
            except SlackApiError as refused:
                explained = explain_refusal(refused)
                if explained is None:
                    raise
                session.rollback()
                args.respond(**render.private_note(explained))
                return
        args.respond(**render.private_note("Shared in the channel."))

    def on_show_chart(args: Args) -> None:
        """The card's trend (or a comparison) as a picture, uploaded after the acknowledgement
        (drawing takes a moment): privately for a private card, in the channel for a shared one."""
        args.ack()
        user, value, place = user_of(args), value_of(args), place_of(args)
        with services.runtime.session() as session:
            request = services.request(session, user, "")
            picture = sharing.chart_for(request, session, value)
        if isinstance(picture, str):
            args.respond(**render.private_note(picture))
            return
        with services.runtime.session() as session:
            if not sharing.claim_chart(session, request, place, value):
                return
        destination = place.conversation
        if place.private:
            destination = args.client.conversations_open(users=user)["channel"]["id"]
        try:
            args.client.files_upload_v2(
                channel=destination,
                content=picture.png,
                filename=picture.filename,
                title=picture.title,
                alt_txt=picture.alt_text[:1000],
            )
        except SlackApiError as refused:
            explained = explain_refusal(refused)
            if explained is None:
                raise
            args.respond(**render.private_note(explained))

    app.command("/kpi")(keeping_the_ack(on_kpi))
    app.action(render.action_pattern(ActionId.CHOOSE))(keeping_the_ack(on_choose))
    app.action(render.action_pattern(ActionId.SHOW_CLUSTER))(keeping_the_ack(on_show_cluster))
    app.action(render.action_pattern(ActionId.SHARE))(keeping_the_ack(on_share))
    app.action(render.action_pattern(ActionId.SHOW_CHART))(keeping_the_ack(on_show_chart))


def place_of(args: Args) -> sharing.Place:
    """Where a button was pressed, for handlers.sharing."""
    return sharing.Place(PLATFORM, channel_of(args), message_ts_of(args), is_private(args))
