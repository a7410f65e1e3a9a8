"""The bot's forms, described once for every platform: raising a concern, the concern's steps
(send to a service, escalate, close, answer) and the scorecard's Approve and Return.

A form is what it asks (its fields, their labels, limits and wording) and what it carries back
(`context`: the concern or quarter it is about). Each platform draws it (Slack: a modal;
Teams: an Adaptive Card) and reads its submission back into a `Submission`; handlers.submissions
takes the step. Field ids are stable names the platforms use for the inputs and for saying which
field a refusal is about.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from sqlalchemy.orm import Session

from handlers import concern_steps as steps
from handlers import concerns
from handlers.concern_views import GENERAL, find, show
from handlers.reply import Request
from scorecard.approval import MAX_COMMENT, Step
from scorecard.concerns import MAX_TEXT, ConcernError
from scorecard.model import Indicator
from scorecard.periods import Period

__all__ = [
    "GENERAL_VALUE",
    "Choice",
    "ChoiceField",
    "ChoiceGroup",
    "Field",
    "Form",
    "FormId",
    "Refusal",
    "Submission",
    "TextField",
    "concern_form",
    "scorecard_form",
    "step_form",
]

GENERAL_VALUE = "-"  # the concern form's choice for "the scorecard in general"


class FormId(StrEnum):
    """Every form; a submission names its form by this id."""

    CONCERN = "concern_form"
    SEND = "concern_send_form"
    ESCALATE = "concern_escalate_form"
    CLOSE = "concern_close_form"
    ANSWER = "concern_answer_form"
    APPROVE_SCORECARD = "scorecard_approve_form"
    RETURN_SCORECARD = "scorecard_return_form"


class FieldId(StrEnum):
    """The inputs: `id` names the input (and a refusal's place), `name` its value."""

    SUBJECT = "concern_subject"
    CONCERN_TEXT = "concern_text"
    AREA = "concern_area"
    STEP_TEXT = "concern_step_text"
    COMMENT = "scorecard_comment"


@dataclass(frozen=True, slots=True)
class Choice:
    label: str
    value: str


@dataclass(frozen=True, slots=True)
class ChoiceGroup:
    label: str
    choices: tuple[Choice, ...]


@dataclass(frozen=True, slots=True)
class TextField:
    id: FieldId
    name: str
    label: str
    max_length: int
    optional: bool = False
    initial: str = ""
    placeholder: str = ""


@dataclass(frozen=True, slots=True)
class ChoiceField:
    """A choice of one: in groups (`groups`) or a plain list (`choices`); `initial` is a value."""

    id: FieldId
    name: str
    label: str
    choices: tuple[Choice, ...] = ()
    groups: tuple[ChoiceGroup, ...] = ()
    initial: str | None = None


Field = TextField | ChoiceField


@dataclass(frozen=True, slots=True)
class Form:
    id: FormId
    title: str
    submit: str
    # Paragraphs shown above the fields.
    intro: tuple[str, ...]
    fields: tuple[Field, ...]
    context: Mapping[str, str] = field(default_factory=dict)
    cancel: str = "Cancel"


@dataclass(frozen=True, slots=True)
class Refusal:
    """A form that cannot be opened for this person, and why. `title` set: shown where the form
    would have been; empty: told privately where the button was pressed."""

    text: str
    title: str = ""


@dataclass(frozen=True, slots=True)
class Submission:
    """A submitted form: its values by field id, its context, and `instance`, the platform's name
    for this one showing of the form ("slack-view:V0123"), so a retried submission is one."""

    form: FormId
    values: Mapping[str, str]
    context: Mapping[str, str]
    instance: str

    def value(self, field_id: FieldId) -> str:
        return self.values.get(field_id.value, "")


# --- raising a concern ------------------------------------------------------------------------

CONCERN_INTRO = (
    "Your concern goes to the governance advisor, who will ask the service for a written answer "
    "or take it to the commission. You can follow it with /concern list."
)


def concern_form(request: Request, session: Session, code: str | None = None, place: str = "") -> Form:
    """`/concern <words>` (the indicator guessed as /kpi would) or a card's Raise a concern
    (`code`): every indicator by cluster, the guess chosen, the member's words filled in."""
    prepared = concerns.form(request, session, code=code)
    groups = _by_cluster(prepared.indicators)
    initial = prepared.guess.code if prepared.guess is not None else GENERAL_VALUE
    return Form(
        id=FormId.CONCERN,
        title="Raise a concern",
        submit="Send",
        intro=(CONCERN_INTRO,),
        fields=(
            ChoiceField(FieldId.SUBJECT, "subject", "About", groups=groups, initial=initial),
            TextField(
                FieldId.CONCERN_TEXT,
                "text",
                "Your concern",
                max_length=MAX_TEXT,
                initial=prepared.text[:MAX_TEXT],
                placeholder="What worries you, and what would you like to know?",
            ),
        ),
        context={"channel": place},
    )


def _by_cluster(indicators: tuple[Indicator, ...]) -> tuple[ChoiceGroup, ...]:
    clusters: dict[str, list[Choice]] = {}
    for indicator in indicators:
        clusters.setdefault(indicator.cluster, []).append(
            Choice(f"{indicator.code}: {indicator.title}", indicator.code)
        )
    general = ChoiceGroup("General", (Choice(GENERAL, GENERAL_VALUE),))
    return (general, *(ChoiceGroup(name, tuple(choices)) for name, choices in clusters.items()))


def concern_subject(submission: Submission) -> str | None:
    """The indicator the concern form names (None: the scorecard in general)."""
    code = submission.value(FieldId.SUBJECT) or GENERAL_VALUE
    return None if code == GENERAL_VALUE else code


# --- a concern's steps ------------------------------------------------------------------------

_STEP_FORMS = {
    FormId.SEND: ("Send to a service", "Send"),
    FormId.ESCALATE: ("Escalate", "Escalate"),
    FormId.CLOSE: ("Close the concern", "Close"),
    FormId.ANSWER: ("Answer the concern", "Send answer"),
}


def step_form(
    form_id: FormId, request: Request, session: Session, concern_id: int, policy: steps.Policy
) -> Form | Refusal:
    """The form for a step on a concern the person may see; a refusal (shown in the form's
    place) when they may not, or when there is nobody to send it to."""
    try:
        return _step_form(form_id, request, session, concern_id, policy)
    except ConcernError as refused:
        return Refusal(str(refused), title="Not possible")


def _step_form(
    form_id: FormId, request: Request, session: Session, concern_id: int, policy: steps.Policy
) -> Form:
    concern = find(request, session, concern_id)
    about = show(request, session, concern_id)
    title, submit = _STEP_FORMS[form_id]
    intro = [f"{concern.reference}: {about.facts[0].value if about.facts else ''}\n{about.summary}"]
    fields: list[Field] = []
    if form_id is FormId.SEND:
        areas = steps.service_areas(session)
        if not areas:
            raise ConcernError(
                "No service officers are set up in the roles table, so there is no one to send it to."
            )
        choices = tuple(Choice(name, name[:150]) for name in areas[:100])
        initial = next((c.value for c in choices if c.value == concern.service_area), None)
        fields.append(ChoiceField(FieldId.AREA, "area", "Service area", choices=choices, initial=initial))
        fields.append(_step_text("A note for the service (optional)", optional=True))
    elif form_id is FormId.ESCALATE:
        meeting = steps.meeting_for(request, session, policy)
        intro.append(
            f"It will go on the agenda of the {meeting.committee} on {meeting.date.day} {meeting.date:%B %Y}."
            if meeting is not None
            else "There is no meeting whose agenda deadline has not passed: load the next meetings first."
        )
        fields.append(_step_text("Why it goes to the commission (printed in the agenda pack)"))
    elif form_id is FormId.CLOSE:
        fields.append(_step_text("The outcome, for the member and the record"))
    else:
        fields.append(_step_text("The service's answer, for the member"))
    return Form(form_id, title, submit, tuple(intro), tuple(fields), context={"id": str(concern.id)})


def _step_text(label: str, *, optional: bool = False) -> TextField:
    return TextField(FieldId.STEP_TEXT, "text", label, max_length=MAX_TEXT, optional=optional)


# --- the scorecard's Approve and Return --------------------------------------------------------

SCORECARD_FORMS = {Step.APPROVE: FormId.APPROVE_SCORECARD, Step.RETURN: FormId.RETURN_SCORECARD}


def scorecard_form(step: Step, period: Period) -> Form:
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
    comment = TextField(
        FieldId.COMMENT, "comment", label, max_length=MAX_COMMENT, optional=step is Step.APPROVE
    )
    return Form(SCORECARD_FORMS[step], title, submit, (words,), (comment,), context={"quarter": period.label})
