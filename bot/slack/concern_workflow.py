"""A concern's steps in Slack: the advisor's Send, Escalate and Close buttons (App Home) and the
service officer's Answer button (in the message the bot sends them), each opening a small form.

Pressing a button only opens the form, for someone who may see the concern; the submission
takes the step (the handler checks who may), keyed by the form's view id so a retried or
double-clicked submission takes it once and sends its messages once. The messages a step
causes (the officer's copy with the Answer button, the member's answer) are queued in the
outbox with the step, in its transaction; straight after the commit they are delivered as
direct messages through the outbox's sender (bot.publisher.deliver_now), and if Slack is
unreachable then, or the bot stops first, the scheduler's outbox round sends them later,
once. Then the person's App Home is drawn again.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from enum import StrEnum
from typing import Any

from slack_bolt import App
from slack_bolt.kwargs_injection import Args
from slack_sdk.models.blocks import (
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View
from sqlalchemy.orm import Session

from bot.concern_jobs import policy_for
from bot.publisher import SlackMessenger, deliver_now
from bot.slack import render
from bot.slack.app import Services
from bot.slack.concerns import message_view
from handlers import concern_workflow as workflow
from handlers import home
from handlers.reply import ActionId, Reply, Request
from scorecard.concerns import MAX_TEXT, ConcernError

log = logging.getLogger("kpibot.slack.concerns")


class StepForm(StrEnum):
    """The forms' callback ids and their inputs' block and element ids."""

    SEND = "concern_send_form"
    ESCALATE = "concern_escalate_form"
    CLOSE = "concern_close_form"
    ANSWER = "concern_answer_form"
    AREA_BLOCK = "concern_area"
    AREA = "area"
    TEXT_BLOCK = "concern_step_text"
    TEXT = "text"


_TITLES = {
    StepForm.SEND: ("Send to a service", "Send"),
    StepForm.ESCALATE: ("Escalate", "Escalate"),
    StepForm.CLOSE: ("Close the concern", "Close"),
    StepForm.ANSWER: ("Answer the concern", "Send answer"),
}


def register(app: App, services: Services) -> None:
    def opener(form: StepForm) -> Callable[[Args], None]:
        def on_press(args: Args) -> None:
            args.ack()
            user = str(args.body.get("user", {}).get("id", ""))
            concern_id = workflow.parse_reference(str((args.action or {}).get("value", ""))) or 0
            with services.runtime.session() as session:
                request = services.request(session, user, "")
                try:
                    view = step_view(form, request, session, concern_id, policy_for(services.settings))
                except ConcernError as refused:
                    view = message_view("Not possible", str(refused))
            args.client.views_open(trigger_id=args.body["trigger_id"], view=view)

        return on_press

    def submitter(form: StepForm) -> Callable[[Args], None]:
        def on_submit(args: Args) -> None:
            view = args.view or {}
            user = str(args.body.get("user", {}).get("id", ""))
            concern_id = int(json.loads(view.get("private_metadata") or "{}").get("id", 0))
            area, text = submitted(view)
            key = f"slack-view:{view.get('id', '')}:{form.value}"
            outcome: dict[str, Any] = {}

            def take() -> dict[str, Any]:
                try:
                    # Who is asking is read first, on its own, so the step's transaction starts
                    # with its write (the request's key): on SQLite it then waits for another
                    # writer (the outbox's sender, a retried submission) instead of failing.
                    with services.runtime.session() as session:
                        request = services.request(session, user, text)
                    # A refusal rolls the whole step back, the request's key with it, so the
                    # person can correct the form and submit it again.
                    with services.runtime.session() as session:
                        done = _take(form, request, session, concern_id, area, text, key, services)
                except ConcernError as refused:
                    return {"response_action": "errors", "errors": {_error_block(form): str(refused)}}
                outcome["done"] = done
                return {"response_action": "update", "view": done_view(done.reply)}

            def late(message: dict[str, Any]) -> None:
                if message.get("response_action") == "errors":
                    refusal = next(iter(message["errors"].values()))
                    refused = render.notification(f"That was not done: {refusal}")
                    args.client.chat_postMessage(channel=user, text=refused)

            services.answer_soon(args, take, late)
            done = outcome.get("done")
            if done is None:
                return
            if done.queued:
                deliver_now(services.runtime, SlackMessenger(args.client), done.queued, now=services.clock())
            refresh_home(args, services, user)

        return on_submit

    for action, form in (
        (ActionId.SEND_CONCERN, StepForm.SEND),
        (ActionId.ESCALATE_CONCERN, StepForm.ESCALATE),
        (ActionId.CLOSE_CONCERN, StepForm.CLOSE),
        (ActionId.ANSWER_CONCERN, StepForm.ANSWER),
    ):
        app.action(render.action_pattern(action))(opener(form))
        app.view(form.value)(submitter(form))


def _take(
    form: StepForm,
    request: Request,
    session: Session,
    concern_id: int,
    area: str,
    text: str,
    key: str,
    services: Services,
) -> workflow.StepDone:
    policy = policy_for(services.settings)
    match form:
        case StepForm.SEND:
            return workflow.send(request, session, concern_id, area, text, key=key, policy=policy)
        case StepForm.ESCALATE:
            return workflow.escalate(request, session, concern_id, text, key=key, policy=policy)
        case StepForm.CLOSE:
            return workflow.close(request, session, concern_id, text, key=key)
        case _:
            return workflow.answer(request, session, concern_id, text, key=key)


def _error_block(form: StepForm) -> str:
    return StepForm.AREA_BLOCK.value if form is StepForm.SEND else StepForm.TEXT_BLOCK.value


def refresh_home(args: Args, services: Services, user: str) -> None:
    """Draw the person's App Home again, so the queue shows the step just taken."""
    try:
        with services.runtime.session() as session:
            parts = home.sections(services.request(session, user, ""), session)
        args.client.views_publish(user_id=user, view={"type": "home", "blocks": render.view_blocks(parts)})
    except Exception:  # the step is kept; a stale home page is redrawn when next opened
        log.warning("could not redraw App Home for %s", user, exc_info=True)


def submitted(view: dict[str, Any]) -> tuple[str, str]:
    """The form's chosen service area ("" if none) and its text."""
    values = view.get("state", {}).get("values", {})
    selected = values.get(StepForm.AREA_BLOCK.value, {}).get(StepForm.AREA.value, {}).get("selected_option")
    area = (selected or {}).get("value") or ""
    text = values.get(StepForm.TEXT_BLOCK.value, {}).get(StepForm.TEXT.value, {}).get("value") or ""
    return str(area), str(text)


def step_view(
    form: StepForm,
    request: Request,
    session: Session,
    concern_id: int,
    policy: workflow.Policy | None = None,
) -> dict[str, Any]:
    """The form for a step on a concern the person may see (ConcernError otherwise); `policy`
    names the commission an escalation would go to."""
    concern = workflow.find(request, session, concern_id)
    about = workflow.show(request, session, concern_id)
    title, submit = _TITLES[form]
    blocks: list[Any] = [
        SectionBlock(
            text=MarkdownTextObject(
                text=render.escaped(
                    f"{concern.reference}: {about.facts[0].value if about.facts else ''}\n{about.summary}",
                    render.MAX_SECTION_TEXT,
                )
            )
        )
    ]
    if form is StepForm.SEND:
        areas = workflow.service_areas(session)
        if not areas:
            raise ConcernError(
                "No service officers are set up in the roles table, so there is no one to send it to."
            )
        options = [
            Option(text=PlainTextObject(text=render.escaped(name, 75)), value=name[:150])
            for name in areas[:100]
        ]
        initial = next((o for o in options if o.value == concern.service_area), None)
        blocks.append(
            InputBlock(
                block_id=StepForm.AREA_BLOCK.value,
                label=PlainTextObject(text="Service area"),
                element=StaticSelectElement(
                    action_id=StepForm.AREA.value, options=options, initial_option=initial
                ),
            )
        )
        blocks.append(_text_input("A note for the service (optional)", optional=True))
    elif form is StepForm.ESCALATE:
        meeting = workflow.meeting_for(request, session, policy or workflow.Policy())
        where = (
            f"It will go on the agenda of the {meeting.committee} on {meeting.date.day} {meeting.date:%B %Y}."
            if meeting is not None
            else "There is no meeting whose agenda deadline has not passed: load the next meetings first."
        )
        blocks.append(
            SectionBlock(text=MarkdownTextObject(text=render.escaped(where, render.MAX_SECTION_TEXT)))
        )
        blocks.append(_text_input("Why it goes to the commission (optional)", optional=True))
    elif form is StepForm.CLOSE:
        blocks.append(_text_input("The outcome, for the member and the record"))
    else:
        blocks.append(_text_input("The service's answer, for the member"))
    return View(
        type="modal",
        callback_id=form.value,
        title=PlainTextObject(text=title),
        submit=PlainTextObject(text=submit),
        close=PlainTextObject(text="Cancel"),
        private_metadata=json.dumps({"id": concern.id}),
        blocks=blocks,
    ).to_dict()


def _text_input(label: str, *, optional: bool = False) -> InputBlock:
    return InputBlock(
        block_id=StepForm.TEXT_BLOCK.value,
        label=PlainTextObject(text=label),
        optional=optional,
        element=PlainTextInputElement(action_id=StepForm.TEXT.value, multiline=True, max_length=MAX_TEXT),
    )


def done_view(reply: Reply) -> dict[str, Any]:
    """What the form shows once the step is taken."""
    return View(
        type="modal",
        title=PlainTextObject(text="Done"),
        close=PlainTextObject(text="Close"),
        blocks=render.render(reply, max_blocks=render.MAX_VIEW_BLOCKS, with_actions=False),
    ).to_dict()
