"""handlers.forms.Form as an Adaptive Card 1.5, and its submission read back.

Inputs: Input.Text (label, maxLength, isRequired) and Input.ChoiceSet (the choices; groups
flattened as "Group: choice"). The submit button is an Action.Execute (verb `SUBMIT_VERB`)
carrying the form's id, its context and a `showing` drawn fresh each time the form is drawn:
Teams merges the inputs' values into the same data, and `submission_of` reads them back with
`teams-card:<showing>` as the Submission's instance, so a retried invoke is one submission and
a form opened again is a new one.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

from bot.teams.cards import MAX_NOTE, VERSION, _envelope, _heading, clip, safe, text_block
from handlers.forms import ChoiceField, FieldId, Form, FormId, Submission, TextField

__all__ = ["SUBMIT_VERB", "form_card", "submission_of"]

SUBMIT_VERB = "form_submit"
MAX_CHOICE_TITLE = 150
_FIELDS = frozenset(field.value for field in FieldId)
assert VERSION == "1.5"


def form_card(form: Form, *, refusal: str = "", showing: str | None = None,
              extra: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The form as a card; `refusal` (why the last submission was refused) shown in red above
    the fields. `extra`: more data for the submit button (where the form was opened)."""
    body: list[dict[str, Any]] = [_heading(form.title)]
    body.extend(text_block(paragraph) for paragraph in form.intro if paragraph.strip())
    if refusal:
        body.append(text_block(refusal, MAX_NOTE, color="attention", weight="Bolder"))
    for field in form.fields:
        body.append(_text_input(field) if isinstance(field, TextField) else _choice_input(field))
    data = {**(extra or {}), "form": form.id.value, "context": dict(form.context),
            "showing": showing or secrets.token_hex(8)}
    submit = {"type": "Action.Execute", "title": clip(form.submit, 75), "verb": SUBMIT_VERB,
              "data": data, "style": "positive"}
    body.append({"type": "ActionSet", "actions": [submit]})
    return _envelope(body, form.title)


def _text_input(field: TextField) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "Input.Text",
        "id": field.id.value,
        "label": field.label,
        "isMultiline": True,
        "maxLength": field.max_length,
        "isRequired": not field.optional,
    }
    if field.initial:
        element["value"] = field.initial[: field.max_length]
    if field.placeholder:
        element["placeholder"] = field.placeholder
    if not field.optional:
        element["errorMessage"] = f"{field.label}: please fill this in."
    return element


def _choice_input(field: ChoiceField) -> dict[str, Any]:
    choices = [{"title": safe(clip(choice.label, MAX_CHOICE_TITLE)), "value": choice.value}
               for choice in field.choices]
    for group in field.groups:
        for choice in group.choices:
            title = choice.label if group.label == "General" else f"{group.label}: {choice.label}"
            choices.append({"title": safe(clip(title, MAX_CHOICE_TITLE)), "value": choice.value})
    element: dict[str, Any] = {
        "type": "Input.ChoiceSet",
        "id": field.id.value,
        "label": field.label,
        "style": "compact",
        "isRequired": True,
        "choices": choices,
    }
    if field.initial is not None:
        element["value"] = field.initial
    return element


def submission_of(data: Mapping[str, Any]) -> Submission | None:
    """The Action.Execute data of a submitted form card read back; None if it is not one."""
    try:
        form = FormId(str(data.get("form", "")))
    except ValueError:
        return None
    context = data.get("context")
    showing = str(data.get("showing") or "")
    if not isinstance(context, dict) or not showing:
        return None
    values = {key: str(value) for key, value in data.items() if key in _FIELDS and value is not None}
    return Submission(form=form, values=values, context={str(k): str(v) for k, v in context.items()},
                      instance=f"teams-card:{showing}")
