"""`/scorecard` and its buttons: the published scorecard's picture, and the approval steps.

`/scorecard` answers privately with a published scorecard (or, for staff, `/scorecard draft
...` with the steps open to them). Show the scorecard picture uploads the frozen scorecard's
image to the member's direct messages after the acknowledgement. Prepare and Submit take their
step at once; Approve and Return open a small form for the comment (required to return), and
its submission takes the step, once per form (keyed by the view id), so a retried or repeated
submission cannot approve twice; a second form for the same scorecard is refused by the
domain ("already approved") and that refusal is shown politely. Results and refusals come back
as private (ephemeral) messages through the button's response_url.

After a Submit each board approver but the submitter gets the draft summary with Approve and
Return by direct message: queued in the outbox in the submission's own transaction
(handlers.scorecard.queue_for_approvers) and delivered straight after the commit; if Slack is
unreachable then, the scheduler's outbox round sends them later, once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import App
from slack_bolt.kwargs_injection import Args
from slack_sdk.errors import SlackApiError

from bot.slack import render
from bot.slack.errors import keeping_the_ack
from bot.slack.forms import form_view
from bot.slack.services import (
    PLATFORM,
    Services,
    channel_of,
    explain_refusal,
    message_ts_of,
    user_of,
    value_of,
)
from data.scorecards import ChangedMeanwhile
from handlers import scorecard, sharing
from handlers.approval import take_step
from handlers.forms import scorecard_form
from handlers.reply import ActionId
from handlers.submissions import OUT_OF_DATE, quarter_of
from scorecard.approval import ApprovalRefused, Step

log = logging.getLogger("kpibot.slack.scorecard")



def register(app: App, services: Services) -> None:
    def on_scorecard(args: Args) -> None:
        user, text = args.body["user_id"], args.body.get("text", "")
        base = services.settings.public_base_url

        def answer() -> dict[str, Any]:
            reply = services.reply_to(
                user, text, lambda request, session: scorecard.answer(request, session, page_base_url=base)
            )
            return {**render.message(reply), "response_type": "ephemeral"}

        services.answer_soon(args, answer)

    def on_show_image(args: Args) -> None:
        """The published scorecard as a picture, drawn after the acknowledgement and uploaded to
        the member's direct messages (the answer it came from was private)."""
        args.ack()
        user, value = user_of(args), value_of(args)
        place = sharing.Place(PLATFORM, channel_of(args), message_ts_of(args), private=True)
        with services.runtime.session() as session:
            request = services.request(session, user, "")
            claimed = sharing.claim_scorecard_picture(session, request, place, value)
        if isinstance(claimed, str):
            _tell(args, claimed)
            return
        if claimed is None:
            return
        picture = sharing.scorecard_picture(claimed, value)
        try:
            channel = args.client.conversations_open(users=user)["channel"]["id"]
            args.client.files_upload_v2(
                channel=channel, content=picture.png, filename=picture.filename, title=picture.title,
                alt_txt=picture.alt_text,
            )
        except SlackApiError as refused:
            explained = explain_refusal(refused)
            if explained is None:
                raise
            _tell(args, explained)
            return
        _tell(args, "The scorecard picture is in your direct messages with me.")

    def stepper(step: Step) -> Callable[[Args], None]:
        def on_step(args: Args) -> None:
            """Prepare or Submit: taken at once, the result told privately."""
            args.ack()
            user = user_of(args)
            period = quarter_of(value_of(args))
            if period is None:
                _tell(args, OUT_OF_DATE)
                return
            try:
                with services.runtime.session() as session:
                    request = services.request(session, user, "")
                    outcome = take_step(
                        session, step, period, request.viewer, now=request.now,
                        publication=services.publication,
                    )
                    # The board approvers' messages are kept with the submission itself.
                    queued = scorecard.queue_for_approvers(request, session, outcome)
            except (ApprovalRefused, ChangedMeanwhile) as refused:
                _tell(args, f"Not done: {refused}")
                return
            _tell(args, outcome.message)
            services.deliver_now(queued)

        return on_step

    def opener(step: Step) -> Callable[[Args], None]:
        def on_press(args: Args) -> None:
            """Approve or Return: refused at once if this person may not, else the comment form."""
            args.ack()
            user = user_of(args)
            period = quarter_of(value_of(args))
            if period is None:
                _tell(args, OUT_OF_DATE)
                return
            with services.runtime.session() as session:
                request = services.request(session, user, "")
                refusal = scorecard.refusal_for(session, step, period, request.viewer, request)
            if refusal is not None:
                _tell(args, f"Not done: {refusal}")
                return
            # Slack's own part of the form's context: where to say the outcome.
            where = {"response_url": str(args.body.get("response_url") or "")}
            view = form_view(scorecard_form(step, period), where)
            args.client.views_open(trigger_id=args.body["trigger_id"], view=view)

        return on_press

    app.command("/scorecard")(keeping_the_ack(on_scorecard))
    app.action(render.action_pattern(ActionId.SHOW_SCORECARD_IMAGE))(keeping_the_ack(on_show_image))
    app.action(render.action_pattern(ActionId.PREPARE_SCORECARD))(keeping_the_ack(stepper(Step.PREPARE)))
    app.action(render.action_pattern(ActionId.SUBMIT_SCORECARD))(keeping_the_ack(stepper(Step.SUBMIT)))
    app.action(render.action_pattern(ActionId.APPROVE_SCORECARD))(keeping_the_ack(opener(Step.APPROVE)))
    app.action(render.action_pattern(ActionId.RETURN_SCORECARD))(keeping_the_ack(opener(Step.RETURN)))


def _tell(args: Args, text: str) -> None:
    args.respond(**render.private_note(text))
