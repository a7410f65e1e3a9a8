"""Teams end to end: the real Teams SDK App (bot.teams.app) behind kpibot's real front door
(bot.slack.server.wsgi_app, POST /api/messages), against a fake Bot Framework connector
(tests/teams/connector.py), with the JWT checks on: every activity is signed RS256 with the
connector's published test key, as the Bot Framework signs. Every card that reaches the
connector, or answers an invoke, is checked against the Adaptive Card 1.5 schema.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import jwt
import pytest
from microsoft_teams.api.auth.cloud_environment import PUBLIC
from sqlalchemy import text

from bot.publisher import run_publication
from bot.runtime import Runtime, open_runtime, viewer_for
from bot.settings import Settings
from bot.slack.server import wsgi_app
from bot.teams import cards
from bot.teams.app import TeamsEdge, create_edge
from data import people
from handlers import kpi
from handlers.reply import Request
from tests.teams.connector import BotFrameworkSigner, Call, FakeConnector
from tests.teams.schemas import card_errors

BOT_ID = "3f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0"
TENANT = "9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d"
CHANNEL = "19:members0channel@thread.tacv2"
TEAM = "19:team0general@thread.tacv2"
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
CARD = "application/vnd.microsoft.card.adaptive"


@dataclass(frozen=True)
class User:
    teams_id: str  # "29:..."
    aad: str
    name: str
    email: str
    chat: str  # their 1:1 chat with the bot


ADA = User("29:1ada", "6a5b4c3d-0000-4000-8000-000000000001", "Cllr Ada Lovelace", "ada@council.example",
           "a:1on1-ada")
GRACE = User("29:1grace", "6a5b4c3d-0000-4000-8000-000000000002", "Grace Hopper", "grace@council.example",
             "a:1on1-grace")
OLIVE = User("29:1olive", "6a5b4c3d-0000-4000-8000-000000000003", "Olive Officer", "olive@council.example",
             "a:1on1-olive")


def fake_token(scope: Any, tenant_id: str | None = None) -> str:
    """What Entra ID would give the bot for its own sends (the SDK decodes it as a JWT)."""
    return jwt.encode({"aud": str(scope), "tid": tenant_id, "exp": 4102444800}, "k" * 32, algorithm="HS256")


@dataclass
class Teams:
    connector: FakeConnector
    signer: BotFrameworkSigner
    edge: TeamsEdge
    runtime: Runtime
    front: Any
    # The copy's messengers, shared by its platforms' listeners (Teams' own is first).
    messengers: list[Any]

    def post(self, body: dict[str, Any], *, authorization: str | None = "signed") -> tuple[int, Any]:
        if authorization == "signed":
            authorization = self.signer.authorization(BOT_ID, self.connector.url)
        raw = json.dumps(body).encode()
        environ = {"PATH_INFO": "/api/messages", "REQUEST_METHOD": "POST", "CONTENT_TYPE": "application/json",
                   "CONTENT_LENGTH": str(len(raw)), "wsgi.input": io.BytesIO(raw)}
        if authorization is not None:
            environ["HTTP_AUTHORIZATION"] = authorization
        statuses: list[tuple[str, dict[str, str]]] = []
        answer = b"".join(self.front(environ, lambda status, headers: statuses.append(
            (status, dict(headers)))))
        status, headers = statuses[0]
        is_json = headers["Content-Type"].startswith("application/json")
        return int(status.split()[0]), (json.loads(answer) if is_json else answer.decode())

    def message(self, user: User, words: str, *, channel: bool = False) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": "message", "id": f"msg-{len(self.connector.calls)}", "channelId": "msteams",
            "serviceUrl": self.connector.url,
            "from": {"id": user.teams_id, "aadObjectId": user.aad, "name": user.name},
            "recipient": {"id": f"28:{BOT_ID}", "name": "kpibot"},
            "conversation": {"id": user.chat, "conversationType": "personal", "tenantId": TENANT},
            "channelData": {"tenant": {"id": TENANT}},
            "text": words,
        }
        if channel:
            body["conversation"] = {"id": f"{CHANNEL};messageid=1700000000001", "conversationType": "channel",
                                    "tenantId": TENANT}
            body["text"] = f"<at>kpibot</at> {words}"
            body["entities"] = [{"type": "mention", "text": "<at>kpibot</at>",
                                 "mentioned": {"id": f"28:{BOT_ID}", "name": "kpibot"}}]
        return body

    def press(self, user: User, verb: str, data: dict[str, Any], *,
              card_id: str = "card-1") -> dict[str, Any]:
        body = self.message(user, "")
        body.update(type="invoke", name="adaptiveCard/action", text=None, replyToId=card_id,
                    value={"action": {"type": "Action.Execute", "verb": verb, "data": data},
                           "trigger": "manual"})
        return body

    def cards_to(self, conversation: str) -> list[dict[str, Any]]:
        return [card for call in self.connector.sent() if conversation_of(call) == conversation
                for card in call.cards()]


def conversation_of(call: Call) -> str:
    return call.path.split("/v3/conversations/", 1)[1].split("/activities", 1)[0]


def valid(card: dict[str, Any]) -> dict[str, Any]:
    assert card_errors(card) == []
    return card


@pytest.fixture
def teams(database_url: str) -> Iterator[Teams]:
    with open_teams(database_url) as opened:
        yield opened


@contextmanager
def open_teams(database_url: str, clock: Callable[[], datetime] = lambda: NOW) -> Iterator[Teams]:
    """The Teams edge behind the front door, on the store at `database_url`, its clock `clock`."""
    connector = FakeConnector().start()
    for user in (ADA, GRACE, OLIVE):
        connector.members[user.teams_id] = {"id": user.teams_id, "aadObjectId": user.aad, "name": user.name,
                                            "email": user.email, "userPrincipalName": user.email}
    signer = BotFrameworkSigner(connector)
    settings = Settings(database_url=database_url, teams_client_id=BOT_ID, teams_tenant_id=TENANT,
                        teams_client_secret="not-used-tokens-come-from-fake_token",
                        teams_members_channel=CHANNEL, teams_service_url=connector.url)
    runtime = open_runtime(settings)
    shared: list[Any] = []
    edge = create_edge(settings, runtime, clock=clock, token=fake_token, messengers=shared,
                       cloud=replace(PUBLIC, openid_metadata_url=f"{connector.url}/v1/.well-known/"
                                                                 "openidconfiguration"))
    front = wsgi_app(None, signing_secret="", teams=edge.handle)
    try:
        yield Teams(connector, signer, edge, runtime, front, shared)
    finally:
        edge.stop()
        runtime.engine.dispose()
        connector.stop()


def count(runtime: Runtime, table: str) -> int:
    with runtime.reading() as session:
        return int(session.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


def test_kpi_in_a_1on1_chat_is_answered_there_with_the_indicators_card(teams: Teams) -> None:
    status, _ = teams.post(teams.message(ADA, "kpi SEND timeliness"))
    assert status == 200
    (card,) = teams.cards_to(ADA.chat)
    with teams.runtime.session() as session:
        person = people.person_of(session, "teams", ADA.aad)
        expected = kpi.answer(Request("SEND timeliness", viewer_for(session, person), NOW), session)
        (account,) = people.accounts_of(session, person)
    assert valid(card) == cards.card(expected)
    assert "SEND" in card["body"][0]["text"]
    # What reaching Ada unprompted needs is kept, with her e-mail from Teams' roster.
    assert account.reference == {"conversation": ADA.chat, "serviceUrl": teams.connector.url,
                                 "tenant": TENANT, "user": ADA.teams_id}
    with teams.runtime.reading() as session:
        assert people.person_of(session, "teams", ADA.aad) == person
    assert sent_by_bot_with_token(teams)


def sent_by_bot_with_token(teams: Teams) -> bool:
    return all((call.authorization or "").startswith("Bearer ") for call in teams.connector.sent())


def test_a_channel_mention_is_answered_privately_in_the_askers_1on1_chat_and_noted_in_the_channel(
    teams: Teams,
) -> None:
    status, _ = teams.post(teams.message(ADA, "kpi SEND timeliness", channel=True))
    assert status == 200
    create = [call for call in teams.connector.calls if call.path == "/v3/conversations"]
    assert [call.body["members"] for call in create] == [[{"id": ADA.teams_id}]]
    (chat,) = {conversation_of(call) for call in teams.connector.sent() if "1on1" in call.path}
    (card,) = teams.cards_to(chat)
    assert "SEND" in valid(card)["body"][0]["text"]
    # Share in the private answer knows the channel it was asked in.
    shares = [action for element in card["body"] if element["type"] == "ActionSet"
              for action in element["actions"] if action["verb"] == "share_in_channel"]
    assert shares and all(action["data"]["channel"].startswith(CHANNEL) for action in shares)
    in_channel = [call for call in teams.connector.sent() if conversation_of(call).startswith(CHANNEL)]
    assert [call.cards() for call in in_channel] == [[]]  # a short note, no figures
    assert "privately" in in_channel[0].body["text"]


@pytest.mark.parametrize("authorization", [None, "Bearer abc.def.ghi", "forged", "other-bot"])
def test_an_unsigned_or_forged_activity_gets_401_and_nothing_is_stored_or_sent(
    teams: Teams, authorization: str | None
) -> None:
    if authorization == "forged":
        other = BotFrameworkSigner(FakeConnector(), kid="test-key-1")  # same kid, key nobody published
        authorization = other.authorization(BOT_ID, teams.connector.url)
    elif authorization == "other-bot":
        authorization = teams.signer.authorization("another-bot", teams.connector.url)
    status, _ = teams.post(teams.message(ADA, "kpi SEND timeliness"), authorization=authorization)
    assert status == 401
    assert teams.connector.sent() == []
    assert [call.path for call in teams.connector.calls if "/v3/" in call.path] == []
    assert count(teams.runtime, "accounts WHERE platform = 'teams'") == 0


def submit_button(card: dict[str, Any]) -> dict[str, Any]:
    (button,) = [action for element in card["body"] if element["type"] == "ActionSet"
                 for action in element["actions"] if action["verb"] == "form_submit"]
    return button


def invoked_card(answer: Any) -> dict[str, Any]:
    assert answer["statusCode"] == 200 and answer["type"] == CARD
    return valid(answer["value"])


def texts(card: dict[str, Any]) -> str:
    return " ".join(str(element.get("text", "")) for element in card["body"])


def raise_concern(teams: Teams) -> int:
    teams.post(teams.message(ADA, "concern SEND timeliness keeps slipping"))
    forms = [card for card in teams.cards_to(ADA.chat)
             if any(element["type"].startswith("Input.") for element in card["body"])]
    form = forms[-1]  # the form this message opened
    valid(form)
    inputs = {element["id"]: element for element in form["body"] if element["type"].startswith("Input.")}
    assert inputs["concern_text"]["value"] == "SEND timeliness keeps slipping"
    assert inputs["concern_text"]["maxLength"] > 0 and inputs["concern_text"]["isRequired"]
    assert inputs["concern_subject"]["choices"]
    data = {**submit_button(form)["data"], "concern_subject": inputs["concern_subject"]["value"],
            "concern_text": "Why are EHC plans late?"}
    answers = [teams.post(teams.press(ADA, "form_submit", data, card_id="form-card"))[1] for _ in range(3)]
    assert all(invoked_card(answer) == invoked_card(answers[0]) for answer in answers)
    with teams.runtime.reading() as session:
        return int(session.execute(text("SELECT max(id) FROM concerns")).scalar_one())


def test_a_concern_raised_through_the_form_card_is_kept_once_when_teams_retries_the_invoke(
    teams: Teams,
) -> None:
    raise_concern(teams)
    assert count(teams.runtime, "concerns") == 1
    # Ada's confirmation went to her 1:1 chat, once: the form, then one confirmation.
    _form, confirmation = teams.cards_to(ADA.chat)
    assert "C-" in texts(valid(confirmation)) or "concern" in texts(confirmation).lower()


def test_an_empty_concern_is_refused_in_the_form_card_itself(teams: Teams) -> None:
    teams.post(teams.message(ADA, "concern"))
    (form,) = teams.cards_to(ADA.chat)
    data = {**submit_button(form)["data"], "concern_subject": "-", "concern_text": "   "}
    _, answer = teams.post(teams.press(ADA, "form_submit", data))
    again = invoked_card(answer)
    assert submit_button(again)["data"]["showing"] == submit_button(form)["data"]["showing"]
    assert any(element.get("color") == "attention" for element in again["body"])
    assert count(teams.runtime, "concerns") == 0


def join_by_email(teams: Teams, slack_user: str, user: User) -> None:
    """`slack_user` (named in the roles table) has given Slack the e-mail `user` has in Teams."""
    with teams.runtime.session() as session:
        people.remember(session, "slack", slack_user, now=NOW, email=user.email)


def test_the_advisors_send_step_reaches_the_officer_in_their_teams_1on1_chat(teams: Teams) -> None:
    join_by_email(teams, "U0DEMOGOV01", GRACE)
    join_by_email(teams, "U0DEMOSVC01", OLIVE)
    concern = raise_concern(teams)
    # The officer has written to the bot once (her 1:1 chat is known); nothing else yet.
    teams.post(teams.message(OLIVE, "help"))
    assert len(teams.cards_to(OLIVE.chat)) == 1
    # A member sending the advisor's form is refused, in the form card itself.
    _, opened = teams.post(teams.press(ADA, "concern_send", {"value": str(concern)}))
    data = {**submit_button(invoked_card(opened))["data"], "concern_area": "SEND"}
    _, refused = teams.post(teams.press(ADA, "form_submit", data))
    assert any(element.get("color") == "attention" for element in invoked_card(refused)["body"])
    assert len(teams.cards_to(OLIVE.chat)) == 1
    _, opened = teams.post(teams.press(GRACE, "concern_send", {"value": str(concern)}))
    form = invoked_card(opened)
    area = next(element for element in form["body"] if element.get("id") == "concern_area")
    assert "SEND" in [choice["value"] for choice in area["choices"]]
    data = {**submit_button(form)["data"], "concern_area": "SEND", "concern_step_text": "Please answer."}
    for _ in range(2):  # Teams retries: one step
        _, done = teams.post(teams.press(GRACE, "form_submit", data, card_id="advisor-card"))
        invoked_card(done)
    officer = teams.cards_to(OLIVE.chat)
    assert len(officer) == 2
    assert f"C-{concern}" in texts(valid(officer[1])) or "Please answer." in json.dumps(officer[1])
    assert sent_by_bot_with_token(teams)


def test_the_scorecard_is_published_to_the_teams_members_channel_once(teams: Teams) -> None:
    from tests.bot.conftest import approve_q2

    approve_q2(teams.runtime, datetime(2024, 10, 25, 15, 0, tzinfo=UTC))
    monday = datetime(2024, 10, 28, 11, 0, tzinfo=UTC)
    for _ in range(2):
        run_publication(teams.runtime, (teams.edge.messenger,), now=monday, holder="test")
    posted = [call for call in teams.connector.sent() if conversation_of(call) == CHANNEL]
    assert len(posted) == 1
    (card,) = posted[0].cards()
    assert "2024/25 Q2" in texts(valid(card))


def test_a_slack_user_and_a_teams_user_with_the_same_email_are_one_person_with_the_same_roles(
    teams: Teams,
) -> None:
    join_by_email(teams, "U0DEMOGOV01", GRACE)
    teams.post(teams.message(GRACE, "help"))
    with teams.runtime.reading() as session:
        person = people.person_of(session, "teams", GRACE.aad)
        assert person == people.person_of(session, "slack", "U0DEMOGOV01")
        assert viewer_for(session, person).roles == viewer_for(session, "U0DEMOGOV01").roles
        assert {account.platform for account in people.accounts_of(session, person)} == {"slack", "teams"}


def buttons(card: dict[str, Any], verb: str) -> list[dict[str, Any]]:
    return [action for element in card["body"] if element["type"] == "ActionSet"
            for action in element["actions"] if action["verb"] == verb]


def test_share_posts_the_card_in_the_channel_it_was_asked_in_once(teams: Teams) -> None:
    teams.post(teams.message(ADA, "kpi SEND timeliness", channel=True))
    (chat,) = {conversation_of(call) for call in teams.connector.sent() if "1on1" in call.path}
    (card,) = teams.cards_to(chat)
    (share,) = buttons(card, "share_in_channel")[:1]
    answers = [teams.post(teams.press(ADA, "share_in_channel", share["data"], card_id="answer-1"))[1]
               for _ in range(2)]
    assert [answer["value"] for answer in answers] == ["Shared in the channel.",
                                                       "This card has already been shared here."]
    shared = [card for call in teams.connector.sent() if conversation_of(call).startswith(CHANNEL)
              for card in call.cards()]
    assert len(shared) == 1 and buttons(valid(shared[0]), "share_in_channel") == []
    # Shared from a 1:1 question, there is no channel to share in.
    teams.post(teams.message(ADA, "kpi SEND timeliness"))
    (private,) = teams.cards_to(ADA.chat)
    (share,) = buttons(private, "share_in_channel")[:1]
    _, answer = teams.post(teams.press(ADA, "share_in_channel", share["data"], card_id="answer-2"))
    assert "channel" in answer["value"] and len(shared) == 1


def test_show_chart_sends_the_picture_inline_once(teams: Teams) -> None:
    teams.post(teams.message(ADA, "kpi SEND timeliness"))
    (card,) = teams.cards_to(ADA.chat)
    (chart,) = buttons(card, "show_chart")[:1]
    for _ in range(2):
        status, answer = teams.post(teams.press(ADA, "show_chart", chart["data"], card_id="answer-1"))
        assert status == 200 and answer["statusCode"] == 200
    pictures = teams.cards_to(ADA.chat)[1:]
    assert len(pictures) == 1
    (image,) = [element for element in valid(pictures[0])["body"] if element["type"] == "Image"]
    assert image["url"].startswith("data:image/png;base64,") and image["altText"]


def test_the_published_scorecards_picture_is_sent_inline_once_and_an_unpublished_one_is_explained(
    teams: Teams,
) -> None:
    from tests.bot.conftest import approve_q2

    approve_q2(teams.runtime, datetime(2024, 10, 25, 15, 0, tzinfo=UTC))
    run_publication(teams.runtime, (teams.edge.messenger,), now=datetime(2024, 10, 28, 11, 0, tzinfo=UTC),
                    holder="test")
    for _ in range(2):
        status, answer = teams.post(teams.press(ADA, "scorecard_image", {"value": "2024/25 Q2|SEND"},
                                                card_id="answer-1"))
        assert status == 200 and answer["statusCode"] == 200
    (picture,) = teams.cards_to(ADA.chat)
    assert "Children's services scorecard, 2024/25 Q2, SEND" in texts(valid(picture))
    (image,) = [element for element in picture["body"] if element["type"] == "Image"]
    assert image["url"].startswith("data:image/png;base64,") and "SEND" in image["altText"]
    _, answer = teams.post(teams.press(ADA, "scorecard_image", {"value": "2023/24 Q4|"}, card_id="answer-2"))
    assert "There is no published 2023/24 Q4 scorecard to show" in json.dumps(answer)
    assert len(teams.cards_to(ADA.chat)) == 1


def test_home_lists_the_welcome_and_the_published_scorecard(teams: Teams) -> None:
    teams.post(teams.message(ADA, "home"))
    found = teams.cards_to(ADA.chat)
    assert len(found) >= 3 and all(valid(card) for card in found)
    assert "Children's services performance" in texts(found[0])


@pytest.mark.parametrize("status", [429, 500])
def test_a_connector_refusing_once_then_accepting_gives_one_message_through_the_outbox(
    teams: Teams, status: int
) -> None:
    from tests.bot.conftest import approve_q2

    approve_q2(teams.runtime, datetime(2024, 10, 25, 15, 0, tzinfo=UTC))
    teams.connector.fail_next(status, retry_after=0)
    monday = datetime(2024, 10, 28, 11, 0, tzinfo=UTC)
    for minute in range(3):
        run_publication(teams.runtime, (teams.edge.messenger,), now=monday.replace(minute=minute * 10),
                        holder="test")
    posted = [call for call in teams.connector.sent() if conversation_of(call) == CHANNEL]
    assert len(posted) == 2  # the refused attempt and the one accepted
    channel = f"outbox WHERE destination = 'channel:teams:{CHANNEL}'"
    assert count(teams.runtime, f"{channel} AND status = 'sent' AND attempts = 2") == 1
    assert count(teams.runtime, channel) == 1


def test_testing_mode_takes_unsigned_activities_replies_without_a_token_and_says_so(
    database_url: str,
) -> None:
    connector = FakeConnector().start()
    settings = Settings(database_url=database_url, teams_client_id=BOT_ID, teams_members_channel=CHANNEL,
                        teams_service_url=connector.url, teams_allow_unauthenticated=True)
    runtime = open_runtime(settings)
    edge = create_edge(settings, runtime, clock=lambda: NOW)
    try:
        front = wsgi_app(None, signing_secret="", teams=edge.handle, teams_unauthenticated=True)
        teams = Teams(connector, BotFrameworkSigner(connector), edge, runtime, front, [edge.messenger])
        status, _ = teams.post(teams.message(ADA, "kpi SEND timeliness"), authorization=None)
        assert status == 200
        (sent,) = connector.sent()
        assert sent.authorization is None and valid(sent.cards()[0])
        said: list[str] = []
        ready = b"".join(front({"PATH_INFO": "/readyz", "REQUEST_METHOD": "GET"},
                               lambda status, headers: said.append(status)))
        assert said == ["200 OK"] and b"TEAMS_ALLOW_UNAUTHENTICATED" in ready
    finally:
        edge.stop()
        runtime.engine.dispose()
        connector.stop()


def test_testing_mode_is_refused_when_the_bot_is_reachable_from_elsewhere() -> None:
    from pydantic import ValidationError

    from bot.startup import startup_problem

    with pytest.raises(ValidationError) as refused:
        Settings(teams_allow_unauthenticated=True, public_base_url="https://kpibot.council.gov.uk")
    said = startup_problem(refused.value) or ""
    assert said.startswith("TEAMS_ALLOW_UNAUTHENTICATED ") and "local testing" in said


def test_installing_the_bot_personally_sends_the_home_cards(teams: Teams) -> None:
    body = teams.message(ADA, "")
    body.update(type="installationUpdate", action="add", text=None)
    status, _ = teams.post(body)
    assert status == 200
    found = teams.cards_to(ADA.chat)
    assert found and "Children's services performance" in texts(valid(found[0]))


def in_the_team(teams: Teams, body: dict[str, Any]) -> dict[str, Any]:
    body["conversation"] = {"id": CHANNEL, "conversationType": "channel", "tenantId": TENANT}
    body["channelData"] = {"tenant": {"id": TENANT}, "team": {"id": TEAM}}
    return body


def test_installed_in_a_team_the_bot_reads_its_roster_and_can_reach_an_officer_who_never_wrote(
    teams: Teams,
) -> None:
    join_by_email(teams, "U0DEMOGOV01", GRACE)
    join_by_email(teams, "U0DEMOSVC01", OLIVE)
    teams.connector.page_size = 2  # three people, so two pages
    install = in_the_team(teams, teams.message(ADA, ""))
    install.update(type="installationUpdate", action="add", text=None)
    status, _ = teams.post(install)
    assert status == 200
    pages = [call for call in teams.connector.calls if "/pagedMembers" in call.path]
    assert len(pages) == 2 and all(f"/v3/conversations/{TEAM}/" in call.path for call in pages)
    with teams.runtime.reading() as session:
        olive = people.person_of(session, "teams", OLIVE.aad)
        assert olive == "U0DEMOSVC01"  # one person with the officer named in the roles table
        (account,) = [a for a in people.accounts_of(session, olive) if a.platform == "teams"]
        assert account.reference == {"serviceUrl": teams.connector.url, "tenant": TENANT,
                                     "user": OLIVE.teams_id}
    assert not teams.cards_to(CHANNEL)  # a team install says nothing in the channel
    concern = raise_concern(teams)
    _, opened = teams.post(teams.press(GRACE, "concern_send", {"value": str(concern)}))
    data = {**submit_button(invoked_card(opened))["data"], "concern_area": "SEND",
            "concern_step_text": "Please answer."}
    teams.post(teams.press(GRACE, "form_submit", data, card_id="advisor-card"))
    created = [call for call in teams.connector.calls
               if call.method == "POST" and call.path == "/v3/conversations"
               and call.body["members"][0]["id"] == OLIVE.teams_id]
    assert len(created) == 1  # the bot opened her 1:1 chat itself
    chat = teams.connector.chat_of(OLIVE.teams_id)
    assert any("Please answer." in json.dumps(valid(card)) for card in teams.cards_to(chat))


def test_someone_joining_a_team_the_bot_is_in_is_remembered(teams: Teams) -> None:
    newcomer = {"id": "29:1newcomer", "aadObjectId": "6a5b4c3d-0000-4000-8000-000000000009",
                "name": "Nia Newcomer", "email": "nia@council.example",
                "userPrincipalName": "nia@council.example"}
    teams.connector.members[newcomer["id"]] = newcomer
    update = in_the_team(teams, teams.message(ADA, ""))
    update.update(type="conversationUpdate", text=None, membersAdded=[{"id": newcomer["id"]}])
    status, _ = teams.post(update)
    assert status == 200
    assert not [call for call in teams.connector.calls if "/pagedMembers" in call.path]
    with teams.runtime.reading() as session:
        person = people.person_of(session, "teams", newcomer["aadObjectId"])
        (account,) = people.accounts_of(session, person)
        assert account.reference["user"] == newcomer["id"]
        assert people.names_of(session, [person]) == {person: "Nia Newcomer"}


def test_an_approver_approves_through_the_comment_form_card_once(teams: Teams) -> None:
    from tests.bot.conftest import OFFICER, step

    join_by_email(teams, "U0DEMOBRD01", GRACE)
    at = datetime(2024, 10, 25, 15, 0, tzinfo=UTC)
    from scorecard.approval import Step

    step(teams.runtime, Step.PREPARE, OFFICER, at)
    step(teams.runtime, Step.SUBMIT, OFFICER, at)
    # A member may not: refused in the card.
    _, refused = teams.post(teams.press(ADA, "scorecard_approve", {"value": "2024/25 Q2"}))
    assert any(element.get("color") == "attention" for element in invoked_card(refused)["body"])
    _, opened = teams.post(teams.press(GRACE, "scorecard_approve", {"value": "2024/25 Q2"}))
    form = invoked_card(opened)
    data = {**submit_button(form)["data"], "scorecard_comment": "Fine."}
    outcomes = [invoked_card(teams.post(teams.press(GRACE, "form_submit", data))[1]) for _ in range(2)]
    assert "approved" in texts(outcomes[0]).lower()
    assert "already" in texts(outcomes[1]).lower()
    assert count(teams.runtime, "scorecard_events WHERE step = 'approve'") == 1


def test_raise_a_concern_on_a_card_shared_in_the_channel_opens_the_form_in_the_pressers_1on1_chat(
    teams: Teams,
) -> None:
    press = teams.press(GRACE, "raise_concern", {"value": "SEND-01|2026-10-31"}, card_id="shared-card")
    press["conversation"] = {"id": f"{CHANNEL};messageid=1700000000001", "conversationType": "channel",
                             "tenantId": TENANT}
    _, answer = teams.post(press)
    assert answer["type"] == "application/vnd.microsoft.activity.message" and "privately" in answer["value"]
    (chat,) = {conversation_of(call) for call in teams.connector.sent()}
    assert chat != CHANNEL and not chat.startswith(CHANNEL)
    (form,) = teams.cards_to(chat)
    subject = next(element for element in valid(form)["body"] if element.get("id") == "concern_subject")
    assert subject["value"] == "SEND-01"


class Crash(BaseException):
    """The bot dying straight after the connector accepted a message (not an Exception: nothing
    on the way catches it)."""


def test_a_crash_between_the_connectors_accepting_and_the_record_sends_again_at_least_once(
    teams: Teams,
) -> None:
    """Teams cannot look back (TeamsMessenger.find is always None), so this window is at-least-once:
    a crash after the post and before the record gives a second post; outside it, one."""
    from data import outbox
    from tests.bot.conftest import approve_q2

    approve_q2(teams.runtime, datetime(2024, 10, 25, 15, 0, tzinfo=UTC))
    monday = datetime(2024, 10, 28, 11, 0, tzinfo=UTC)

    def crash_after_the_channel_post(item: outbox.OutboxItem) -> None:
        if item.message.destination == f"channel:teams:{CHANNEL}":
            raise Crash

    with pytest.raises(Crash):
        run_publication(teams.runtime, (teams.edge.messenger,), now=monday, holder="first",
                        after_send=crash_after_the_channel_post)
    posted = [call for call in teams.connector.sent() if conversation_of(call) == CHANNEL]
    assert len(posted) == 1
    for minutes in (30, 60):
        run_publication(teams.runtime, (teams.edge.messenger,), now=monday.replace(minute=minutes % 60,
                        hour=11 + minutes // 60), holder="second")
    posted = [call for call in teams.connector.sent() if conversation_of(call) == CHANNEL]
    assert len(posted) == 2
    channel = f"outbox WHERE destination = 'channel:teams:{CHANNEL}'"
    assert count(teams.runtime, f"{channel} AND status = 'sent'") == 1


def test_a_message_sent_before_is_changed_in_place_not_posted_again(teams: Teams) -> None:
    """The outbox's `update` for Teams (an approver's Approve message once the scorecard moved on):
    the same activity is PUT with the new card; nothing new is posted."""
    from bot.messaging import Address, Outgoing
    from handlers.reply import Action, ActionId, Kind, Reply

    messenger = teams.edge.messenger
    where = Address("channel", CHANNEL)
    offer = Reply(kind=Kind.SCORECARD, heading="Approve the 2024/25 Q2 scorecard",
                  actions=(Action(ActionId.APPROVE_SCORECARD, "Approve", "2024/25 Q2", primary=True),))
    sent_id = messenger.send(where, Outgoing("Approve it", offer), key="k-offer")
    done = Reply(kind=Kind.SCORECARD, heading="The 2024/25 Q2 scorecard was approved",
                 summary="There is nothing more to do here.")
    assert messenger.update(where, sent_id, Outgoing("Approved", done), key="k-offer:changed") == sent_id

    calls = [call for call in teams.connector.sent() if conversation_of(call) == CHANNEL]
    assert [call.method for call in calls] == ["POST", "PUT"]
    assert calls[1].path.endswith(f"/activities/{sent_id}")
    assert "was approved" in json.dumps(calls[1].body) and "Action.Execute" not in json.dumps(calls[1].body)


def test_the_advisor_chooses_a_daily_digest_in_teams_and_hears_of_no_single_concern(teams: Teams) -> None:
    join_by_email(teams, "U0DEMOGOV01", GRACE)
    status, answer = teams.post(teams.message(GRACE, "concern notices daily"))
    assert status == 200
    assert "one message each working morning" in json.dumps(answer) + json.dumps(teams.cards_to(GRACE.chat))
    raise_concern(teams)
    assert not any("New concern" in json.dumps(card) for card in teams.cards_to(GRACE.chat))
    # Changed back: the next concern reaches her Teams chat at once, with its buttons.
    teams.post(teams.message(GRACE, "concern notices now"))
    raise_concern(teams)
    told = [card for card in teams.cards_to(GRACE.chat) if "New concern" in json.dumps(card)]
    assert len(told) == 1 and "concern_send" in json.dumps(told[0])
