"""Every form's submission (handlers.forms, drawn by bot.slack.forms), one listener for all.

The submission is read back, handed to handlers.submissions (which holds every rule: the key that
makes a retried submission one, the step, what follows), and its result drawn in the modal's
place. If the step takes longer than the answer budget, Slack has closed the modal: a refusal is
then said by direct message. After the acknowledgement: the step's messages are delivered, the
person's App Home redrawn, and a word said where the button was pressed, as the step asks.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App
from slack_bolt.kwargs_injection import Args
from slack_sdk.webhook import WebhookClient

from bot.slack import render
from bot.slack.errors import keeping_the_ack
from bot.slack.forms import errors, finished_view, submission_of
from bot.slack.home import refresh_home
from bot.slack.services import Services, user_of
from handlers.forms import FormId
from handlers.submissions import Finished, Invalid, submit

log = logging.getLogger("kpibot.slack.forms")


def register(app: App, services: Services) -> None:
    def on_submit(args: Args) -> None:
        user = user_of(args)
        submission = submission_of(args.view or {})
        outcome: list[Finished] = []
        refused: list[Invalid] = []

        def take() -> dict[str, Any]:
            result = submit(
                services.runtime.session, services.asker(user), submission,
                policy=services.policy, publication=services.publication,
            )
            if isinstance(result, Invalid):
                refused.append(result)
                return errors(result)
            outcome.append(result)
            return finished_view(result)

        def late(_message: dict[str, Any]) -> None:
            # Too slow for the modal to show the outcome: it has closed; say a refusal in a message.
            if refused:
                args.client.chat_postMessage(channel=user, text=render.notification(refused[0].late))

        services.answer_soon(args, take, late)
        if not outcome:
            return
        done = outcome[0]
        if done.tell:  # the person's own word first, then what the step causes for others
            tell_later(args, str(submission.context.get("response_url", "")), user, done.tell)
        services.deliver_now(done.queued)
        if done.refresh_home:
            refresh_home(args.client, services, user)

    for form in FormId:
        app.view(form.value)(keeping_the_ack(on_submit))


def tell_later(args: Args, response_url: str, user: str, text: str) -> None:
    """A form's result, privately where the button was pressed; by direct message when that
    is no longer possible (a response_url expires 30 minutes after the button was pressed, and
    a form may stay open longer)."""
    try:
        if response_url:
            answered = WebhookClient(response_url).send(
                text=render.notification(text), response_type="ephemeral", replace_original=False
            )
            if answered.status_code == 200:
                return
            log.info("the response_url for %s answered %d (expired?): sending a direct message instead",
                     user, answered.status_code)
    except Exception:
        log.info("the response_url for %s failed: sending a direct message instead", user, exc_info=True)
    try:
        args.client.chat_postMessage(channel=user, text=render.notification(text))
    except Exception:  # the step is kept and the form said so; this copy is a courtesy
        log.warning("could not tell %s privately either", user, exc_info=True)
