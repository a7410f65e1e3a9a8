"""What kpibot relies on in the Teams SDK (microsoft-teams-apps 2.1), checked against the real
SDK and a fake connector, so an upgrade that changes it fails here and not in a council's tenant.

The App is served by no server of its own: an adapter keeps the route the SDK registers, and
each activity goes through `app.server.handle_request({"body", "headers"})`, as kpibot's own
HTTP front door will hand them over. Cards are kpibot's (bot/teams/cards.py) for the sample
council's real replies; what reaches the connector must still be valid Adaptive Card 1.5.
"""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import httpx
import jwt
import pytest
from microsoft_teams.api import (
    Account,
    AdaptiveCardInvokeActivity,
    Attachment,
    MessageActivity,
    MessageActivityInput,
)
from microsoft_teams.api.auth.cloud_environment import PUBLIC
from microsoft_teams.api.clients.conversation.params import CreateConversationParams
from microsoft_teams.apps import ActivityContext, App
from sqlalchemy.orm import Session

from bot.runtime import Runtime, viewer_for
from bot.teams import cards
from handlers import kpi
from handlers.reply import Request
from tests.teams.connector import BotFrameworkSigner, FakeConnector
from tests.teams.schemas import card_errors

BOT_ID = "3f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0"
TENANT = "9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d"
MEMBER = "U0DEMOMEMB1"
MEMBER_AAD = "6a5b4c3d-0000-4000-8000-000000000001"
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
CARD = "application/vnd.microsoft.card.adaptive"


class RouteKeeper:
    """An HttpServerAdapter that serves nothing: it keeps the handler the SDK registers."""

    def __init__(self) -> None:
        self.routes: dict[tuple[str, str], Callable[[Any], Awaitable[Any]]] = {}

    def register_route(self, method: str, path: str, handler: Callable[[Any], Awaitable[Any]]) -> None:
        self.routes[(method, path)] = handler

    def serve_static(self, path: str, directory: str) -> None:
        raise AssertionError("kpibot serves no static pages through the Teams SDK")

    async def start(self, port: int) -> None:
        raise AssertionError("kpibot's own HTTP server serves /api/messages")

    async def stop(self) -> None:
        pass


def fake_token(scope: Any, tenant_id: str | None = None) -> str:
    """What Entra ID would give: a JWT (the SDK decodes it), signed with a key of our own."""
    return jwt.encode({"aud": str(scope), "tid": tenant_id, "exp": 4102444800}, "k" * 32, algorithm="HS256")


def part(value: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()


@pytest.fixture
def connector() -> Iterator[FakeConnector]:
    fake = FakeConnector().start()
    yield fake
    fake.stop()


def build_app(connector: FakeConnector, runtime: Runtime, *, testing: bool) -> tuple[App, RouteKeeper]:
    """The App as kpibot builds it: every option explicit (nothing left to CLIENT_ID & co. in
    the environment), answering `kpi ...` with the card of the handler's reply."""
    keeper = RouteKeeper()
    app = App(
        client_id=BOT_ID,
        tenant_id=TENANT,
        token=(lambda scope, tenant_id=None: None) if testing else fake_token,
        http_server_adapter=keeper,
        service_url=connector.url,
        dangerously_allow_unauthenticated_requests=testing,
        # Microsoft's signing keys are looked for at the fake connector, which has none: the
        # test never reaches the internet, and an unverifiable token stays unverifiable.
        cloud=replace(PUBLIC, openid_metadata_url=f"{connector.url}/v1/.well-known/openidconfiguration"),
    )

    def answer(text: str) -> dict[str, Any]:
        with runtime.session() as session:
            reply = kpi.answer(Request(text, viewer_for(session, MEMBER), NOW), session)
        return cards.card(reply)

    @app.on_message
    async def on_message(ctx: ActivityContext[MessageActivity]) -> None:
        words = (ctx.activity.strip_mentions_text().text or "").removeprefix("/").strip()
        card = await asyncio.to_thread(answer, words.removeprefix("kpi").strip())
        await ctx.send(MessageActivityInput(attachments=[Attachment(content_type=CARD, content=card)]))

    @app.on_card_action
    async def on_card_action(ctx: ActivityContext[AdaptiveCardInvokeActivity]) -> dict[str, Any]:
        action = ctx.activity.value.action
        refused = cards.refusal(f"Refused {action.verb} for {action.data.get('value')}.")
        return {"statusCode": 200, "type": CARD, "value": refused}

    return app, keeper


def activity(connector: FakeConnector, **changes: Any) -> dict[str, Any]:
    """A message to the bot @mentioned in a channel, as Teams sends it."""
    body: dict[str, Any] = {
        "type": "message",
        "id": "1700000000001",
        "channelId": "msteams",
        "serviceUrl": connector.url,
        "from": {"id": "29:1member", "aadObjectId": MEMBER_AAD, "name": "Cllr Ada"},
        "recipient": {"id": f"28:{BOT_ID}", "name": "kpibot"},
        "conversation": {"id": "19:members@thread.tacv2;messageid=1700000000001",
                         "conversationType": "channel", "tenantId": TENANT},
        "channelData": {"tenant": {"id": TENANT}},
        "text": "<at>kpibot</at> kpi SEND timeliness",
        "entities": [{"type": "mention", "text": "<at>kpibot</at>",
                      "mentioned": {"id": f"28:{BOT_ID}", "name": "kpibot"}}],
    }
    body.update(changes)
    return body


def handle(app: App, keeper: RouteKeeper, body: dict[str, Any], headers: dict[str, str] | None = None) -> Any:
    async def run() -> Any:
        await app.initialize()
        return await keeper.routes[("POST", "/api/messages")]({"body": body, "headers": headers or {}})

    return asyncio.run(run())


def test_a_message_is_processed_from_body_and_headers_and_its_card_reaches_the_connector_intact(
    connector: FakeConnector, runtime: Runtime, session: Session
) -> None:
    app, keeper = build_app(connector, runtime, testing=True)
    response = handle(app, keeper, activity(connector))
    assert response == {"status": 200, "body": None}
    assert list(keeper.routes) == [("POST", "/api/messages")]
    (sent,) = connector.sent()
    assert sent.path == "/v3/conversations/19:members@thread.tacv2;messageid=1700000000001/activities"
    assert sent.authorization is None  # testing mode: no token asked for, none sent
    (card,) = sent.cards()
    expected = kpi.answer(Request("SEND timeliness", viewer_for(session, MEMBER), NOW), session)
    assert card == cards.card(expected)  # the mention was stripped, and the card is ours, unchanged
    assert card_errors(card) == []


def test_with_testing_mode_off_an_activity_signed_as_the_bot_framework_signs_is_answered(
    connector: FakeConnector, runtime: Runtime
) -> None:
    """Tests can run with real JWT checks: the connector publishes a key the test signs with."""
    signer = BotFrameworkSigner(connector)
    app, keeper = build_app(connector, runtime, testing=False)
    body = activity(connector)
    signed = {"authorization": signer.authorization(BOT_ID, connector.url)}
    assert handle(app, keeper, body, signed)["status"] == 200
    (sent,) = connector.sent()
    assert sent.authorization is not None and sent.authorization.startswith("Bearer ")
    assert sent.cards() and card_errors(sent.cards()[0]) == []
    # The same token for another bot, or naming another connector, is refused.
    assert handle(app, keeper, body, {"authorization": signer.authorization("another-bot", connector.url)})[
        "status"] == 401
    assert handle(app, keeper, body, {"authorization": signer.authorization(BOT_ID, "https://elsewhere")})[
        "status"] == 401
    assert len(connector.sent()) == 1


def test_a_button_press_is_answered_with_a_card_in_the_invoke_response(
    connector: FakeConnector, runtime: Runtime
) -> None:
    app, keeper = build_app(connector, runtime, testing=True)
    action = {"type": "Action.Execute", "verb": "concern_send", "data": {"value": "12"}}
    press = activity(connector, type="invoke", name="adaptiveCard/action", text=None, entities=None,
                     value={"action": action, "trigger": "manual"})
    response = handle(app, keeper, press)
    assert response["status"] == 200
    assert response["body"] == {"statusCode": 200, "type": CARD,
                                "value": cards.refusal("Refused concern_send for 12.")}
    assert connector.sent() == []


@pytest.mark.parametrize("authorization", [None, "Basic a2V5", "Bearer abc.def.ghi", "unverifiable"])
def test_without_testing_mode_a_request_without_microsofts_signature_gets_401_and_nothing_runs(
    connector: FakeConnector, runtime: Runtime, authorization: str | None
) -> None:
    if authorization == "unverifiable":
        # Well formed, but signed with a key no one can fetch: unverifiable.
        header = {"alg": "RS256", "kid": "k1", "typ": "JWT"}
        claims = {"iss": "https://api.botframework.com", "aud": BOT_ID, "exp": 4102444800}
        authorization = "Bearer " + ".".join(part(value) for value in (header, claims)) + ".c2lnbmF0dXJl"
    app, keeper = build_app(connector, runtime, testing=False)
    headers = {"authorization": authorization} if authorization else {}
    assert handle(app, keeper, activity(connector), headers)["status"] == 401
    looked_for_keys = [call.path for call in connector.calls]
    well_formed = bool(authorization and authorization.startswith("Bearer ey"))
    assert looked_for_keys == (["/v1/.well-known/keys"] if well_formed else [])


def test_proactive_sends_and_a_new_1on1_chat_go_to_the_connector_with_the_apps_token(
    connector: FakeConnector, runtime: Runtime
) -> None:
    app, _ = build_app(connector, runtime, testing=False)

    async def run() -> tuple[str, str]:
        await app.initialize()
        chat = await app.api.conversations.create(CreateConversationParams(
            members=[Account(id=MEMBER_AAD)], tenant_id=TENANT))
        sent = await app.send(chat.id, MessageActivityInput(
            attachments=[Attachment(content_type=CARD, content=cards.notice("Your concern was answered."))]))
        return chat.id, sent.id

    chat, sent = asyncio.run(run())
    create, post = connector.calls
    assert (create.method, create.path) == ("POST", "/v3/conversations")
    assert create.body["members"] == [{"id": MEMBER_AAD}]
    assert create.body["tenantId"] == TENANT
    assert post.path == f"/v3/conversations/{chat}/activities" and sent == "activity-2"
    token = jwt.decode(post.authorization.removeprefix("Bearer "), options={"verify_signature": False})
    assert token["aud"] == "https://api.botframework.com/.default" and token["tid"] == TENANT
    assert post.cards() == [cards.notice("Your concern was answered.")]


@pytest.mark.parametrize("status", [429, 500])
def test_the_sdk_does_not_retry_a_refused_send_it_raises_with_the_status_and_retry_after(
    connector: FakeConnector, runtime: Runtime, status: int
) -> None:
    """So kpibot's outbox must retry: one failure is one call, and the next send goes through."""
    app, _ = build_app(connector, runtime, testing=False)
    connector.fail_next(status, retry_after=7)

    async def run() -> list[Any]:
        await app.initialize()
        outcomes: list[Any] = []
        for _ in range(2):
            try:
                outcomes.append((await app.send("a:1on1-1", MessageActivityInput(text="hello"))).id)
            except httpx.HTTPStatusError as refused:
                outcomes.append((refused.response.status_code, refused.response.headers["retry-after"]))
        return outcomes

    assert asyncio.run(run()) == [(status, "7"), "activity-2"]
    assert len(connector.calls) == 2
