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

import json
import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import App
from slack_bolt.kwargs_injection import Args
from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import (
    InputBlock,
    MarkdownTextObject,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View
from slack_sdk.webhook import WebhookClient

from bot.publisher import SlackMessenger, deliver_now, publication_for
from bot.slack import render
from bot.slack.app import Services, explain_refusal
from bot.slack.concerns import message_view
from data import handled
from data.scorecards import ChangedMeanwhile
from handlers import scorecard
from handlers.approval import StepOutcome, page_name, take_step
from handlers.reply import ActionId
from scorecard.approval import MAX_COMMENT, ApprovalRefused, CommentNeeded, Step
from scorecard.periods import Frequency, Period, PeriodError, parse_period

log = logging.getLogger("kpibot.slack.scorecard")

COMMENT_BLOCK = "scorecard_comment"
COMMENT = "comment"
APPROVE_FORM = "scorecard_approve_form"
RETURN_FORM = "scorecard_return_form"
OUT_OF_DATE = "That button is out of date: ask again with /scorecard draft."
ALREADY_SENT = "This form was already sent: the step was taken once."

_FORMS = {Step.APPROVE: APPROVE_FORM, Step.RETURN: RETURN_FORM}


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
        user, value = _user(args), _value(args)
        quarter, _, cluster = value.partition("|")
        with services.runtime.session() as session:
            card = scorecard.published_scorecard(session, quarter.strip(), cluster.strip())
        if card is None:
            _tell(args, f"There is no published {quarter} scorecard to show: ask again with /scorecard.")
            return
        if not services.first_time(f"slack-scorecard-image:{_message_ts(args)}:{user}:{value}"):
            return
        from scorecard.charts import scorecard_image

        which = f", {card.clusters[0].name}" if cluster and card.clusters else ""
        try:
            channel = args.client.conversations_open(users=user)["channel"]["id"]
            args.client.files_upload_v2(
                channel=channel,
                content=scorecard_image(card),
                filename=f"scorecard-{page_name(card.quarter_label).removesuffix('.html')}.png",
                title=f"Children's services scorecard, {card.quarter_label}{which}",
                alt_txt=f"The {card.quarter_label} scorecard{which}. Summary: {card.summary.text}."[:1000],
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
            user = _user(args)
            period = _quarter(_value(args))
            if period is None:
                _tell(args, OUT_OF_DATE)
                return
            try:
                with services.runtime.session() as session:
                    request = services.request(session, user, "")
                    outcome = take_step(
                        session, step, period, request.viewer, now=request.now,
                        publication=publication_for(services.settings),
                    )
                    # The board approvers' messages are kept with the submission itself.
                    queued = scorecard.queue_for_approvers(request, session, outcome)
            except (ApprovalRefused, ChangedMeanwhile) as refused:
                _tell(args, f"Not done: {refused}")
                return
            _tell(args, outcome.message)
            if queued:
                deliver_now(services.runtime, SlackMessenger(args.client), queued, now=services.clock())

        return on_step

    def opener(step: Step) -> Callable[[Args], None]:
        def on_press(args: Args) -> None:
            """Approve or Return: refused at once if this person may not, else the comment form."""
            args.ack()
            user = _user(args)
            period = _quarter(_value(args))
            if period is None:
                _tell(args, OUT_OF_DATE)
                return
            with services.runtime.session() as session:
                request = services.request(session, user, "")
                refusal = scorecard.refusal_for(session, step, period, request.viewer, request)
            if refusal is not None:
                _tell(args, f"Not done: {refusal}")
                return
            meta = {"quarter": period.label, "response_url": str(args.body.get("response_url") or "")}
            args.client.views_open(trigger_id=args.body["trigger_id"], view=step_form(step, period, meta))

        return on_press

    def submitter(step: Step) -> Callable[[Args], None]:
        def on_submit(args: Args) -> None:
            view = args.view or {}
            user = str(args.body.get("user", {}).get("id", ""))
            meta = json.loads(view.get("private_metadata") or "{}")
            period = _quarter(str(meta.get("quarter", "")))
            response_url = str(meta.get("response_url", ""))
            comment = _comment(view)
            key = f"slack-view:{view.get('id', '')}:{_FORMS[step]}"
            told: dict[str, str] = {}

            def take() -> dict[str, Any]:
                if period is None:
                    return {"response_action": "update", "view": message_view("Not done", OUT_OF_DATE)}
                try:
                    # The form's key and the step commit together: a refusal undoes both, so the
                    # person can correct the comment and send the form again.
                    with services.runtime.session() as session:
                        if not handled.first_time(session, key, services.clock()):
                            return {"response_action": "update", "view": message_view("Done", ALREADY_SENT)}
                        request = services.request(session, user, comment)
                        outcome: StepOutcome = take_step(
                            session, step, period, request.viewer, now=request.now,
                            publication=publication_for(services.settings), comment=comment,
                        )
                except CommentNeeded as needed:
                    return {"response_action": "errors", "errors": {COMMENT_BLOCK: needed.message}}
                except (ApprovalRefused, ChangedMeanwhile) as refused:
                    told["text"] = f"Not done: {refused}"
                    return {"response_action": "update", "view": message_view("Not done", told["text"])}
                told["text"] = outcome.message
                return {"response_action": "update", "view": message_view("Done", outcome.message)}

            def late(message: dict[str, Any]) -> None:
                if message.get("response_action") == "errors":
                    refusal = next(iter(message["errors"].values()))
                    refused = render.notification(f"That was not done: {refusal}")
                    args.client.chat_postMessage(channel=user, text=refused)

            services.answer_soon(args, take, late)
            if "text" in told:
                _respond_later(args, response_url, user, told["text"])

        return on_submit

    app.command("/scorecard")(on_scorecard)
    app.action(render.action_pattern(ActionId.SHOW_SCORECARD_IMAGE))(on_show_image)
    app.action(render.action_pattern(ActionId.PREPARE_SCORECARD))(stepper(Step.PREPARE))
    app.action(render.action_pattern(ActionId.SUBMIT_SCORECARD))(stepper(Step.SUBMIT))
    app.action(render.action_pattern(ActionId.APPROVE_SCORECARD))(opener(Step.APPROVE))
    app.action(render.action_pattern(ActionId.RETURN_SCORECARD))(opener(Step.RETURN))
    app.view(APPROVE_FORM)(submitter(Step.APPROVE))
    app.view(RETURN_FORM)(submitter(Step.RETURN))


def step_form(step: Step, period: Period, meta: dict[str, str]) -> dict[str, Any]:
    """The comment form for Approve (comment optional) or Return (comment required)."""
    if step is Step.APPROVE:
        title, submit, label = "Approve the scorecard", "Approve", "A comment for the record (optional)"
        words = (
            f"Approve the {period.label} scorecard. Its figures are frozen as they stand now and it is "
            "published to members on the next working day at the publication time."
        )
    else:
        title, submit, label = "Return the scorecard", "Return", "What should the performance team change?"
        words = f"Return the {period.label} scorecard to the performance team as a draft, with your comment."
    return View(
        type="modal",
        callback_id=_FORMS[step],
        title=PlainTextObject(text=title),
        submit=PlainTextObject(text=submit),
        close=PlainTextObject(text="Cancel"),
        private_metadata=json.dumps(meta),
        blocks=[
            SectionBlock(text=MarkdownTextObject(text=render.escaped(words, render.MAX_SECTION_TEXT))),
            InputBlock(
                block_id=COMMENT_BLOCK,
                label=PlainTextObject(text=label),
                optional=step is Step.APPROVE,
                element=PlainTextInputElement(action_id=COMMENT, multiline=True, max_length=MAX_COMMENT),
            ),
        ],
    ).to_dict()


def _respond_later(args: Args, response_url: str, user: str, text: str) -> None:
    """The form's result, privately where the button was pressed; by direct message when that
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


def _tell(args: Args, text: str) -> None:
    args.respond(**render.private_note(text))


def _quarter(text: str) -> Period | None:
    try:
        return parse_period(text.strip(), Frequency.QUARTERLY)
    except PeriodError:
        return None


def _comment(view: dict[str, Any]) -> str:
    values = view.get("state", {}).get("values", {})
    return str(values.get(COMMENT_BLOCK, {}).get(COMMENT, {}).get("value") or "")


def _value(args: Args) -> str:
    return str((args.action or {}).get("value", ""))


def _user(args: Args) -> str:
    return str(args.body.get("user", {}).get("id", ""))


def _message_ts(args: Args) -> str:
    return str((args.body.get("container") or {}).get("message_ts", ""))
