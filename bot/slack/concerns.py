"""`/concern` (a list, or the form to raise one) and the Raise a concern button.

The form (handlers.forms.concern_form, drawn by bot.slack.forms) opens with the indicator
guessed from the member's words (as /kpi would read them) and their words filled in. Its
submission is bot.slack.submissions': a concern is kept once however often Slack sends it, and
the member's confirmation by direct message is queued with it and delivered straight after.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import App
from slack_bolt.kwargs_injection import Args

from bot.slack import render
from bot.slack.errors import keeping_the_ack
from bot.slack.forms import form_view
from bot.slack.services import Services, user_of, value_of
from handlers import concern_views as views
from handlers import concerns
from handlers.forms import concern_form
from handlers.reply import ActionId
from handlers.sharing import card_value


def register(app: App, services: Services) -> None:
    def on_concern(args: Args) -> None:
        user, text = user_of(args), args.body.get("text", "")
        if concerns.is_list(text) or concerns.is_notices(text):
            handler = views.list_reply if concerns.is_list(text) else concerns.notices_reply

            def listing() -> dict[str, Any]:
                reply = services.reply_to(user, text, handler)
                return {**render.message(reply), "response_type": "ephemeral"}

            services.answer_soon(args, listing)
            return
        trigger = args.body["trigger_id"]
        channel = args.body.get("channel_id", "")

        def open_form() -> dict[str, Any]:
            with services.runtime.session() as session:
                form = concern_form(services.request(session, user, text), session, place=channel)
            args.client.views_open(trigger_id=trigger, view=form_view(form))
            return {}

        services.answer_soon(args, open_form)

    def on_raise(args: Args) -> None:
        args.ack()
        code, _ = card_value(value_of(args))
        channel = str((args.body.get("channel") or {}).get("id", ""))
        with services.runtime.session() as session:
            request = services.request(session, user_of(args), "")
            form = concern_form(request, session, code=code, place=channel)
        args.client.views_open(trigger_id=args.body["trigger_id"], view=form_view(form))

    app.command("/concern")(keeping_the_ack(on_concern))
    app.action(render.action_pattern(ActionId.RAISE_CONCERN))(keeping_the_ack(on_raise))
