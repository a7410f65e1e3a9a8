"""One council on both platforms (issue 14): a concern raised by a member in Slack, sent on by
the governance advisor in Slack, answered by the service officer in Teams (the same person as the
roles table's Slack officer, joined by e-mail), and the answer reaches the member in Slack. The
Slack App runs against the Slack stub and the Teams edge against the fake connector, on one store;
the outbox round delivers with both platforms' messengers, as `kpibot serve` with both does."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from bot.publisher import run_publication
from bot.settings import Settings
from bot.slack.app import create_app
from bot.slack.messenger import SlackMessenger
from data import people
from tests.slack.conftest import ADVISOR, MEMBER, SECRET, TOKEN, Slack, body_of, settle, submitted_view
from tests.slack.stub import SlackStub
from tests.slack.test_concerns_flow import step_submission, views_opened
from tests.teams.test_edge import NOW, OLIVE, Teams, invoked_card, submit_button, valid
from tests.teams.test_edge import teams as teams  # the Teams edge fixture, on its own store

SEND_OFFICER = "U0DEMOSVC01"  # the roles table's SEND officer, who works in Teams


@pytest.fixture
def slack_stub() -> Iterator[SlackStub]:
    stub = SlackStub().start()
    yield stub
    stub.stop()


@pytest.fixture
def both(teams: Teams, slack_stub: SlackStub) -> Slack:
    """The Slack App on the Teams edge's store, sharing the copy's messengers with it, as
    `kpibot serve` with both platforms does."""
    settings = Settings(database_url=teams.runtime.engine.url.render_as_string(hide_password=False),
                        slack_bot_token=TOKEN, slack_signing_secret=SECRET, slack_api_url=slack_stub.api_url)
    app = create_app(settings, teams.runtime, clock=lambda: NOW, messengers=teams.messengers)
    # The officer's Slack account (the roles table's) and her Teams account share an e-mail: one
    # person. She last used Slack yesterday.
    with teams.runtime.session() as session:
        people.remember(session, "slack", SEND_OFFICER, now=NOW - timedelta(days=1), email=OLIVE.email)
    return Slack(app, slack_stub)


def actions_in(element: Any) -> list[dict[str, Any]]:
    """Every Action.Execute in a card, wherever it sits (action sets in the body)."""
    if isinstance(element, list):
        return [found for item in element for found in actions_in(item)]
    if not isinstance(element, dict):
        return []
    own = [element] if element.get("type") == "Action.Execute" else []
    return own + [found for value in element.values() for found in actions_in(value)]


def dms(stub: SlackStub, user: str) -> list[dict[str, Any]]:
    return [c.params for c in stub.of("chat.postMessage") if c.params.get("channel") in (user, f"D{user}")]


def test_raised_in_slack_answered_in_teams_and_the_member_told_in_slack(
    teams: Teams, both: Slack, slack_stub: SlackStub
) -> None:
    slack = both
    # The officer writes to the bot in Teams (her 1:1 chat is known, and Teams is where she was
    # seen last), then the member raises the concern in Slack and the advisor sends it on there.
    teams.post(teams.message(OLIVE, "help"))
    slack.command("/concern", "SEND timeliness keeps slipping")
    words = "SEND timeliness keeps slipping"
    raised = submitted_view(views_opened(slack_stub, 1), text=words, code="SEND-01")
    assert body_of(slack.submit(raised))["response_action"] == "update"
    slack.press("concern_send", "1", user=ADVISOR)
    sent = step_submission(views_opened(slack_stub, 2), area="SEND", text="Please answer", view_id="V0SEND1")
    assert body_of(slack.submit(sent, user=ADVISOR))["response_action"] == "update"
    settle(slack.app)

    # The step's messages went at once from the Slack listener, with the copy's messengers: the
    # officer's to her Teams chat, not to Slack.
    messengers = (SlackMessenger(slack.app.client), teams.edge.messenger)
    to_officer = [card for card in teams.cards_to(OLIVE.chat) if "C-1" in json.dumps(card)]
    assert len(to_officer) == 1 and dms(slack_stub, SEND_OFFICER) == []
    valid(to_officer[0])
    answer = next(a for a in actions_in(to_officer[0]) if a.get("verb") == "concern_answer")

    # She answers in Teams, in the form card.
    _, opened = teams.post(teams.press(OLIVE, "concern_answer", answer["data"]))
    form = invoked_card(opened)
    data = {**submit_button(form)["data"], "concern_step_text": "Two more caseworkers start in January."}
    _, done = teams.post(teams.press(OLIVE, "form_submit", data))
    valid(invoked_card(done))

    # The member hears in Slack, once, however often the round runs.
    for _ in range(2):
        run_publication(teams.runtime, messengers, now=NOW, holder="round")
    told = [m for m in dms(slack_stub, MEMBER) if "Two more caseworkers start in January." in m["text"]]
    assert len(told) == 1
