"""The outbox's messages in Microsoft Teams (bot.messaging.Messenger for "teams").

A person is reached in their 1:1 chat with the bot: the conversation id, the Bot Connector
(serviceUrl) and the tenant stored from their last activity (data.people.remember, the
account's `reference`); when there is no chat yet, it is created with their user id (Teams
returns the existing chat if there is one). A channel (the members' channel) is posted to at
TEAMS_SERVICE_URL.

Exactly-once as far as Teams allows: the Bot Connector takes no idempotency key and cannot list
a conversation's messages, so `find` cannot look back and returns None. Everything before the
POST is once (the outbox's claim); in the crash window between the connector accepting a
message and the store recording it, the message may be sent again: at-least-once there.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, ClassVar

from microsoft_teams.api.activities.message import MessageActivityInput
from microsoft_teams.api.clients.conversation.params import CreateConversationParams
from microsoft_teams.api.models import Account
from microsoft_teams.api.models.attachment import Attachment
from microsoft_teams.apps import App

from bot.messaging import Address, Outgoing
from bot.teams import cards
from bot.teams.bridge import Loop

CARD = "application/vnd.microsoft.card.adaptive"


def card_message(card: dict[str, Any], text: str = "") -> MessageActivityInput:
    """A message carrying one of our Adaptive Cards as it is (not through the SDK's card model)."""
    return MessageActivityInput(text=text or None, attachments=[Attachment(content_type=CARD, content=card)])


def outgoing_card(message: Outgoing) -> dict[str, Any]:
    """The card for an outbox message: the reply drawn in full (or its words), its picture inline
    at the end (one message, so one send: base64 pictures are outside Teams' size limit)."""
    card = cards.card(message.reply) if message.reply is not None else cards.notice(message.text)
    if message.image is not None:
        card["body"].append(cards.text_block(message.image.title, weight="Bolder"))
        card["body"].append(cards.image(message.image.png, alt_text=message.image.alt_text))
    return card


async def personal_chat(app: App, service_url: str, user_id: str, tenant_id: str | None) -> str:
    """The id of the 1:1 chat between the bot and `user_id` (created, or the existing one)."""
    created = await app.api.from_service_url(service_url).conversations.create(
        CreateConversationParams(members=[Account(id=user_id)], tenant_id=tenant_id or None)
    )
    return str(created.id)


class TeamsMessenger:
    """Sends the outbox's messages to Teams through the App on its loop (bot.teams.bridge)."""

    platform: ClassVar[str] = "teams"

    def __init__(self, app: App, loop: Loop, *, service_url: str, tenant_id: str = "") -> None:
        self._app = app
        self._loop = loop
        self._service_url = service_url
        self._tenant_id = tenant_id

    def find(self, to: Address, key: str, *, since: datetime) -> str | None:
        """Always None: Teams cannot look back (no history in the Bot Connector API, no key on a
        message), so a message whose send may have happened before a crash is sent again:
        at-least-once in the window between the connector accepting it and the store recording it."""
        del to, key, since
        return None

    def send(self, to: Address, message: Outgoing, *, key: str) -> str:
        """Post the message as one card; its id. `key` cannot travel with a Teams message."""
        del key
        return self._loop.run(self.send_async(to, message))

    def update(self, to: Address, message_id: str, message: Outgoing, *, key: str) -> str:
        """Change a message sent before, in place: the SDK PUTs an activity that carries an id
        (`.../activities/{id}`). `key` cannot travel with a Teams message."""
        del key

        async def change() -> str:
            service_url, conversation = await self._where(to)
            activity = card_message(outgoing_card(message), message.text).with_id(message_id)
            await self._app.send(conversation, activity, service_url=service_url)
            return message_id

        return self._loop.run(change())

    async def send_async(self, to: Address, message: Outgoing) -> str:
        service_url, conversation = await self._where(to)
        sent = await self._app.send(conversation, card_message(outgoing_card(message), message.text),
                                    service_url=service_url)
        return str(sent.id)

    async def _where(self, to: Address) -> tuple[str, str]:
        if to.kind == "channel":
            return self._service_url, to.id
        reference: Mapping[str, Any] = to.reference or {}
        service_url = str(reference.get("serviceUrl") or self._service_url)
        conversation = str(reference.get("conversation") or "")
        if not conversation:
            user = str(reference.get("user") or to.id)
            tenant = str(reference.get("tenant") or self._tenant_id)
            conversation = await personal_chat(self._app, service_url, user, tenant)
        return service_url, conversation

    def send_card_blocking(self, conversation: str, card: dict[str, Any], service_url: str = "") -> str:
        """Post one card to a conversation, from a thread (not the loop): its id."""

        async def post() -> str:
            where = service_url or self._service_url
            sent = await self._app.send(conversation, card_message(card), service_url=where)
            return str(sent.id)

        return self._loop.run(post())
