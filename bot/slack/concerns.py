"""`/concern`, the Raise a concern button and the concern form (a Slack modal).

The form opens with the indicator guessed from the member's words (as /kpi would read them)
and their words filled in. Submitting keeps an `open` concern once, however often Slack sends
the submission: the key is the form's view id and what was submitted. The member's
confirmation by direct message is queued in the outbox with the concern and delivered straight
after (bot.publisher.deliver_now), or by the scheduler's outbox round if Slack is down then.
"""

from __future__ import annotations

import hashlib
import json
from enum import StrEnum
from typing import Any

from slack_bolt import App
from slack_bolt.kwargs_injection import Args
from slack_sdk.models.blocks import (
    InputBlock,
    MarkdownTextObject,
    Option,
    OptionGroup,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.publisher import SlackMessenger, deliver_now
from bot.slack import render
from bot.slack.app import Services
from bot.slack.kpi import card_value
from handlers import concerns
from handlers.reply import ActionId, Reply
from scorecard.concerns import MAX_TEXT, ConcernError
from scorecard.model import Indicator

GENERAL_VALUE = "-"
MAX_OPTIONS = 100  # in one option group
MAX_GROUPS = 100
MAX_OPTION_TEXT = 75


class Form(StrEnum):
    """The concern form's ids: its callback, and its two inputs' blocks and elements."""

    CALLBACK = "concern_form"
    SUBJECT_BLOCK = "concern_subject"
    SUBJECT = "subject"
    TEXT_BLOCK = "concern_text"
    TEXT = "text"


def register(app: App, services: Services) -> None:
    def on_concern(args: Args) -> None:
        user, text = args.body["user_id"], args.body.get("text", "")
        if concerns.is_list(text):

            def listing() -> dict[str, Any]:
                reply = services.reply_to(user, text, concerns.list_reply)
                return {**render.message(reply), "response_type": "ephemeral"}

            services.answer_soon(args, listing)
            return
        trigger = args.body["trigger_id"]
        channel = args.body.get("channel_id", "")

        def open_form() -> dict[str, Any]:
            with services.runtime.session() as session:
                form = concerns.form(services.request(session, user, text), session)
            args.client.views_open(trigger_id=trigger, view=concern_view(form, channel))
            return {}

        services.answer_soon(args, open_form)

    def on_raise(args: Args) -> None:
        args.ack()
        user = str(args.body.get("user", {}).get("id", ""))
        code, _ = card_value(str((args.action or {}).get("value", "")))
        channel = str((args.body.get("channel") or {}).get("id", ""))
        with services.runtime.session() as session:
            form = concerns.form(services.request(session, user, ""), session, code=code)
        args.client.views_open(trigger_id=args.body["trigger_id"], view=concern_view(form, channel))

    def on_submit(args: Args) -> None:
        view = args.view or {}
        user = str(args.body.get("user", {}).get("id", ""))
        text, code = submitted(view)
        digest = hashlib.sha256(f"{code or ''}\0{text}".encode("utf-8", "surrogatepass")).hexdigest()[:32]
        key = f"slack-view:{view.get('id', '')}:{digest}"
        outcome: dict[str, Any] = {}

        def keep() -> dict[str, Any]:
            with services.runtime.session() as session:
                try:
                    raised = concerns.prepare(services.request(session, user, text), session, text, code)
                except ConcernError as refused:
                    return {"response_action": "errors", "errors": {Form.TEXT_BLOCK.value: str(refused)}}
            with services.runtime.session() as session:
                kept = concerns.keep_and_confirm(session, *raised, key, now=services.clock())
            outcome.update(kept=kept)
            return {"response_action": "update", "view": reply_view(kept.reply)}

        def late(message: dict[str, Any]) -> None:
            # Too slow for the form to show the outcome: it has closed; say it in a message.
            if message.get("response_action") == "errors":
                refusal = next(iter(message["errors"].values()))
                args.client.chat_postMessage(
                    channel=user, text=render.notification(f"Your concern was not sent: {refusal}")
                )

        services.answer_soon(args, keep, late)
        kept = outcome.get("kept")
        if kept is not None and kept.queued:
            confirm_by_message(args, services, kept)

    app.command("/concern")(on_concern)
    app.action(render.action_pattern(ActionId.RAISE_CONCERN))(on_raise)
    app.view(Form.CALLBACK.value)(on_submit)


def confirm_by_message(args: Args, services: Services, kept: concerns.Kept) -> None:
    """A record of the concern in the member's messages with the bot: the confirmation queued
    with the concern, delivered now (once per concern; later by the scheduler if Slack is down)."""
    deliver_now(services.runtime, SlackMessenger(args.client), kept.queued, now=services.clock())


def submitted(view: dict[str, Any]) -> tuple[str, str | None]:
    """The form's text and indicator code (None for the scorecard in general)."""
    values = view.get("state", {}).get("values", {})
    text = values.get(Form.TEXT_BLOCK.value, {}).get(Form.TEXT.value, {}).get("value") or ""
    selected = values.get(Form.SUBJECT_BLOCK.value, {}).get(Form.SUBJECT.value, {}).get("selected_option")
    code = (selected or {}).get("value") or GENERAL_VALUE
    return str(text), (None if code == GENERAL_VALUE else str(code))


def _option(text: str, value: str) -> Option:
    return Option(text=PlainTextObject(text=render.escaped(text, MAX_OPTION_TEXT)), value=value)


def subject_options(indicators: tuple[Indicator, ...]) -> tuple[Option, list[OptionGroup], dict[str, Option]]:
    """"The scorecard in general" and every indicator grouped by cluster (Slack allows 100
    options a group: a larger cluster is split)."""
    general = _option(concerns.GENERAL, GENERAL_VALUE)
    by_code: dict[str, Option] = {GENERAL_VALUE: general}
    clusters: dict[str, list[Option]] = {}
    for indicator in indicators:
        option = _option(f"{indicator.code}: {indicator.title}", indicator.code)
        by_code[indicator.code] = option
        clusters.setdefault(indicator.cluster, []).append(option)
    groups = [OptionGroup(label=PlainTextObject(text="General"), options=[general])]
    for name, options in clusters.items():
        for start in range(0, len(options), MAX_OPTIONS):
            part = f" ({start // MAX_OPTIONS + 1})" if len(options) > MAX_OPTIONS else ""
            label = render.escaped(name, MAX_OPTION_TEXT - len(part)) + part
            chunk = options[start : start + MAX_OPTIONS]
            groups.append(OptionGroup(label=PlainTextObject(text=label), options=chunk))
    return general, groups[:MAX_GROUPS], by_code


def concern_view(form: concerns.ConcernForm, channel: str = "") -> dict[str, Any]:
    """The concern form as a modal."""
    general, groups, by_code = subject_options(form.indicators)
    initial = by_code.get(form.guess.code, general) if form.guess is not None else general
    view = View(
        type="modal",
        callback_id=Form.CALLBACK.value,
        title=PlainTextObject(text="Raise a concern"),
        submit=PlainTextObject(text="Send"),
        close=PlainTextObject(text="Cancel"),
        private_metadata=json.dumps({"channel": channel})[:3000],
        blocks=[
            SectionBlock(
                text=MarkdownTextObject(
                    text=render.escape(
                        "Your concern goes to the governance advisor, who will ask the service for "
                        "a written answer or take it to the commission. You can follow it with "
                        "/concern list."
                    )
                )
            ),
            InputBlock(
                block_id=Form.SUBJECT_BLOCK.value,
                label=PlainTextObject(text="About"),
                element=StaticSelectElement(
                    action_id=Form.SUBJECT.value, option_groups=groups, initial_option=initial
                ),
            ),
            InputBlock(
                block_id=Form.TEXT_BLOCK.value,
                label=PlainTextObject(text="Your concern"),
                element=PlainTextInputElement(
                    action_id=Form.TEXT.value,
                    multiline=True,
                    max_length=MAX_TEXT,
                    initial_value=form.text[:MAX_TEXT] or None,
                    placeholder=PlainTextObject(text="What worries you, and what would you like to know?"),
                ),
            ),
        ],
    )
    return view.to_dict()


def reply_view(reply: Reply) -> dict[str, Any]:
    """A reply shown in the form once it is submitted (the confirmation)."""
    return View(
        type="modal",
        title=PlainTextObject(text="Concern raised"),
        close=PlainTextObject(text="Done"),
        blocks=render.render(reply, max_blocks=render.MAX_VIEW_BLOCKS, with_actions=False),
    ).to_dict()


def message_view(title: str, text: str) -> dict[str, Any]:
    """A modal that only says something (an apology with a reference)."""
    return View(
        type="modal",
        title=PlainTextObject(text=render.escaped(title, 24)),
        close=PlainTextObject(text="Close"),
        blocks=[SectionBlock(text=MarkdownTextObject(text=render.escaped(text, render.MAX_SECTION_TEXT)))],
    ).to_dict()
