"""A concern's steps in Slack: the advisor's Send, Escalate and Close buttons (App Home) and the
service officer's Answer button (in the message the bot sends them), each opening its form
(handlers.forms, drawn by bot.slack.forms) for someone who may see the concern. The submission
is bot.slack.submissions'.
"""

from __future__ import annotations

from collections.abc import Callable

from slack_bolt import App
from slack_bolt.kwargs_injection import Args

from bot.slack import render
from bot.slack.errors import keeping_the_ack
from bot.slack.forms import form_view, message_view
from bot.slack.services import Services, user_of, value_of
from handlers import concern_views
from handlers.forms import FormId, Refusal, step_form
from handlers.reply import ActionId

STEP_FORMS = {
    ActionId.SEND_CONCERN: FormId.SEND,
    ActionId.ESCALATE_CONCERN: FormId.ESCALATE,
    ActionId.CLOSE_CONCERN: FormId.CLOSE,
    ActionId.ANSWER_CONCERN: FormId.ANSWER,
}


def register(app: App, services: Services) -> None:
    def opener(form_id: FormId) -> Callable[[Args], None]:
        def on_press(args: Args) -> None:
            args.ack()
            concern_id = concern_views.parse_reference(value_of(args)) or 0
            with services.runtime.session() as session:
                request = services.request(session, user_of(args), "")
                form = step_form(form_id, request, session, concern_id, services.policy)
            view = message_view(form.title, form.text) if isinstance(form, Refusal) else form_view(form)
            args.client.views_open(trigger_id=args.body["trigger_id"], view=view)

        return on_press

    for action, form_id in STEP_FORMS.items():
        app.action(render.action_pattern(action))(keeping_the_ack(opener(form_id)))
