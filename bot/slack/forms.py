"""The forms (handlers.forms) as Slack modals, their submissions read back, and what a modal
shows once submitted. Ids: the modal's callback id is the form's id; each input's block id is
the field's id and its action id the field's name."""

from __future__ import annotations

import json
from typing import Any

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

from bot.slack import render
from handlers.forms import ChoiceField, Field, Form, FormId, Submission, TextField
from handlers.reply import Reply
from handlers.submissions import Finished, Invalid

__all__ = ["errors", "finished_view", "form_view", "message_view", "submission_of"]

MAX_OPTIONS = 100  # in one option group, or a select's options
MAX_GROUPS = 100
MAX_OPTION_TEXT = 75


def form_view(form: Form, extra_context: dict[str, str] | None = None) -> dict[str, Any]:
    """`form` as a modal; `extra_context` is what Slack alone needs back (a response_url)."""
    blocks: list[Any] = [
        SectionBlock(text=MarkdownTextObject(text=render.escaped(paragraph, render.MAX_SECTION_TEXT)))
        for paragraph in form.intro
    ]
    blocks.extend(_input(field) for field in form.fields)
    context = {**form.context, **(extra_context or {})}
    return View(
        type="modal",
        callback_id=form.id.value,
        title=PlainTextObject(text=form.title),
        submit=PlainTextObject(text=form.submit),
        close=PlainTextObject(text=form.cancel),
        private_metadata=json.dumps(_typed(form.id, context))[:3000],
        blocks=blocks,
    ).to_dict()


def _typed(form_id: FormId, context: dict[str, str]) -> dict[str, Any]:
    # A concern's id travels as a number, as modals opened by earlier versions carry it.
    if "id" in context and context["id"].isdigit():
        return {**context, "id": int(context["id"])}
    return context


def _option(label: str, value: str) -> Option:
    return Option(text=PlainTextObject(text=render.escaped(label, MAX_OPTION_TEXT)), value=value)


def _input(field: Field) -> InputBlock:
    if isinstance(field, TextField):
        return InputBlock(
            block_id=field.id.value,
            label=PlainTextObject(text=field.label),
            optional=field.optional,
            element=PlainTextInputElement(
                action_id=field.name,
                multiline=True,
                max_length=field.max_length,
                initial_value=field.initial or None,
                placeholder=PlainTextObject(text=field.placeholder) if field.placeholder else None,
            ),
        )
    return _select(field)


def _select(field: ChoiceField) -> InputBlock:
    initial: Option | None = None
    if field.groups:
        groups: list[OptionGroup] = []
        for group in field.groups:
            options = [_option(choice.label, choice.value) for choice in group.choices]
            for option, choice in zip(options, group.choices, strict=True):
                if choice.value == field.initial and initial is None:
                    initial = option
            for start in range(0, len(options), MAX_OPTIONS):
                part = f" ({start // MAX_OPTIONS + 1})" if len(options) > MAX_OPTIONS else ""
                label = render.escaped(group.label, MAX_OPTION_TEXT - len(part)) + part
                chunk = options[start : start + MAX_OPTIONS]
                groups.append(OptionGroup(label=PlainTextObject(text=label), options=chunk))
        element = StaticSelectElement(
            action_id=field.name, option_groups=groups[:MAX_GROUPS], initial_option=initial
        )
    else:
        options = [_option(choice.label, choice.value) for choice in field.choices[:MAX_OPTIONS]]
        initial = next((o for o in options if o.value == field.initial), None)
        element = StaticSelectElement(action_id=field.name, options=options, initial_option=initial)
    return InputBlock(block_id=field.id.value, label=PlainTextObject(text=field.label), element=element)


def submission_of(view: dict[str, Any]) -> Submission:
    """A submitted modal read back: every input's value (text, or the chosen option's value)."""
    values: dict[str, str] = {}
    for block_id, inputs in (view.get("state", {}).get("values", {}) or {}).items():
        for state in (inputs or {}).values():
            chosen = state.get("selected_option") if isinstance(state, dict) else None
            value = (chosen or {}).get("value") if chosen is not None else (state or {}).get("value")
            values[str(block_id)] = str(value or "")
    try:
        context = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        context = {}
    return Submission(
        form=FormId(str(view.get("callback_id", ""))),
        values=values,
        context={str(k): str(v) for k, v in (context if isinstance(context, dict) else {}).items()},
        instance=f"slack-view:{view.get('id', '')}",
    )


def errors(invalid: Invalid) -> dict[str, Any]:
    """The acknowledgement that keeps the modal open with the refusal beside its field."""
    return {"response_action": "errors", "errors": {invalid.field.value: invalid.message}}


def finished_view(done: Finished) -> dict[str, Any]:
    """The acknowledgement that shows what the submission did, in the modal's place."""
    if done.reply is not None:
        return {"response_action": "update", "view": reply_view(done.title, done.close, done.reply)}
    return {"response_action": "update", "view": message_view(done.title, done.text)}


def reply_view(title: str, close: str, reply: Reply) -> dict[str, Any]:
    return View(
        type="modal",
        title=PlainTextObject(text=title),
        close=PlainTextObject(text=close),
        blocks=render.render(reply, max_blocks=render.MAX_VIEW_BLOCKS, with_actions=False),
    ).to_dict()


def message_view(title: str, text: str) -> dict[str, Any]:
    """A modal that only says something (a refusal, an apology with a reference)."""
    return View(
        type="modal",
        title=PlainTextObject(text=render.escaped(title, 24)),
        close=PlainTextObject(text="Close"),
        blocks=[SectionBlock(text=MarkdownTextObject(text=render.escaped(text, render.MAX_SECTION_TEXT)))],
    ).to_dict()
